"""What the server, the pages and the CLI need of a store, as a typing Protocol.

Two stores serve the same endpoint, pages, VoID and service description: the
embedded pyoxigraph store (``kgpub.store.oxigraph.Store``) and a remote SPARQL 1.1
endpoint (``kgpub.store.remote.RemoteStore``). Callers that type their store as
``QueryStore`` work with both, and mypy checks that both keep this shape.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Protocol

import pyoxigraph as ox

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | Iterator[ox.Triple]
"""Solutions, a boolean, or triples: pyoxigraph's own, or (a remote store's) an iterator."""


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a query runs over, decided once, when the request is parsed.

    With ``default_graphs`` or ``named_graphs`` (the protocol's
    ``default-graph-uri``/``named-graph-uri``) the dataset is exactly those
    graphs, and any FROM in the query is overridden (SPARQL 1.1 Protocol 2.1.4);
    graphs the store lacks are empty, never fetched. Without them, the default
    graph is the union of the named graphs when ``union_default``, and the
    query's own FROM/FROM NAMED clauses define it when not.
    """

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    union_default: bool = True

    @property
    def named_by_protocol(self) -> bool:
        """True when ``default-graph-uri``/``named-graph-uri`` define the dataset."""
        return bool(self.default_graphs or self.named_graphs)


UNION = Dataset()
"""No dataset named anywhere: the default graph is the union of the named graphs."""
OWN_DEFAULT = Dataset(union_default=False)
"""The store's own default graph, or what the query's FROM clauses name."""


class QueryStore(Protocol):
    """A read-only dataset of named graphs that answers SPARQL queries."""

    @property
    def version(self) -> int:
        """Changes whenever the data may have changed, so caches know when results went stale."""
        ...

    def query(
        self,
        sparql: str,
        *,
        dataset: Dataset = UNION,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a query over ``dataset``; relative IRIs resolve against ``base_iri``."""
        ...

    def close(self) -> None:
        """Let go of what the store holds open (a remote store's connections)."""
        ...

    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs the dataset publishes, sorted."""
        ...

    def graph_sizes(self) -> dict[str, int]:
        """The number of triples in each published named graph."""
        ...

    def distinct_triples(self) -> int:
        """The number of distinct triples over all published graphs."""
        ...

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Every quad of the published graphs, or those of one named graph."""
        ...

    def dump(
        self,
        output: IO[bytes],
        fmt: ox.RdfFormat,
        *,
        graph: str | None = None,
        prefixes: dict[str, str] | None = None,
    ) -> None:
        """Write the dataset (quad formats) or one graph (``graph``) to ``output``."""
        ...
