"""The query engine: pyoxigraph behind a small interface.

The server, the CLI and the tests all query through ``Store`` so that the
engine can be swapped (on-disk store, remote SPARQL endpoint) without touching
callers, and so that rdflib's pure-Python SPARQL engine never runs on a query.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from kgpub.errors import QuerySyntaxError

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


class Store:
    """A pyoxigraph store; in memory unless a directory is given."""

    def __init__(self, path: Path | None = None) -> None:
        self._store = ox.Store(str(path)) if path is not None else ox.Store()

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        self._store.extend(list(quads))

    def __len__(self) -> int:
        return len(self._store)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        union_default: bool = True,
    ) -> QueryResult:
        """Run a query; the default graph is the union of all graphs unless named."""
        try:
            if default_graph is not None or named_graphs is not None:
                return self._store.query(
                    sparql,
                    default_graph=[ox.NamedNode(g) for g in default_graph or []],
                    named_graphs=[ox.NamedNode(g) for g in named_graphs]
                    if named_graphs is not None
                    else None,
                )
            return self._store.query(sparql, use_default_graph_as_union=union_default)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from exc
