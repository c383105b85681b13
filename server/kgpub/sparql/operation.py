"""A query operation: the query and everything decided about it when it was parsed.

The dataset a query reads is decided here, once: from the protocol's
``default-graph-uri``/``named-graph-uri`` when the request names them, else
from the query's own FROM/FROM NAMED clauses, else the union of the named
graphs. The operation then travels unchanged to the worker process, the
result writer and either store, so no later step decides it again. Imports
nothing heavy: the query workers receive operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kgpub.lexer import lex
from kgpub.store.protocol import OWN_DEFAULT, UNION, Dataset


@dataclass(frozen=True)
class QueryOperation:
    """A query, the dataset it runs over, its base IRI and the client's deadline."""

    query: str
    dataset: Dataset = UNION
    """Without a protocol dataset, a query with FROM gets its own (``OWN_DEFAULT``)."""
    base_iri: str | None = None
    """What relative IRIs in the query resolve against: the endpoint's URL."""
    timeout: float | None = None
    """The client's own deadline in seconds (``timeout=``); the server's bounds it."""
    at: datetime | None = None
    """The instant the dataset is read as of (``at=`` or ``Accept-Datetime``; time travel,
    ``kgpub.sparql.time_travel``); None: as it is now."""

    def __post_init__(self) -> None:
        if self.dataset == UNION and "FROM" in lex(self.query).keywords:
            object.__setattr__(self, "dataset", OWN_DEFAULT)

    @classmethod
    def of(
        cls,
        query: str,
        default_graphs: tuple[str, ...] = (),
        named_graphs: tuple[str, ...] = (),
        base_iri: str | None = None,
        timeout: float | None = None,
        *,
        at: datetime | None = None,
    ) -> QueryOperation:
        """The operation a protocol request carries: its graphs, if any, are the dataset."""
        dataset = Dataset(default_graphs, named_graphs, union_default=False)
        return cls(query, dataset if dataset.named_by_protocol else UNION, base_iri, timeout, at=at)
