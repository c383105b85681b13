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
        self._version = 0

    @property
    def version(self) -> int:
        """A counter bumped by every write, so caches know when results went stale."""
        return self._version

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        self._store.extend(list(quads))
        self._version += 1

    def clear(self) -> None:
        """Remove every quad."""
        self._store.clear()
        self._version += 1

    def __len__(self) -> int:
        return len(self._store)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def graph_sizes(self) -> dict[str, int]:
        """The number of triples in each named graph, for the service description."""
        sizes: dict[str, int] = {}
        result = self._store.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        assert isinstance(result, ox.QuerySolutions)
        for row in result:
            graph, count = row["g"], row["n"]
            if isinstance(graph, ox.NamedNode) and isinstance(count, ox.Literal):
                sizes[graph.value] = int(count.value)
        return dict(sorted(sizes.items()))

    def distinct_triples(self) -> int:
        """The size of the union default graph: distinct triples over all graphs."""
        result = self._store.query(
            "SELECT (COUNT(*) AS ?n) "
            "WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
        )
        assert isinstance(result, ox.QuerySolutions)
        count = next(iter(result))["n"]
        return int(count.value) if isinstance(count, ox.Literal) else 0

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        union_default: bool = True,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a query against the dataset a request names.

        With ``default_graph`` or ``named_graphs`` the dataset is exactly those
        graphs (an absent list is empty, as in SPARQL's FROM/FROM NAMED), and
        any FROM in the query is overridden. Otherwise the default graph is the
        union of all graphs when ``union_default``, and the query's own FROM
        clauses apply when not. Relative IRIs resolve against ``base_iri``.
        """
        try:
            if default_graph is not None or named_graphs is not None:
                return self._store.query(
                    sparql,
                    base_iri=base_iri,
                    default_graph=[ox.NamedNode(g) for g in default_graph or []],
                    named_graphs=[ox.NamedNode(g) for g in named_graphs or []],
                )
            return self._store.query(
                sparql, base_iri=base_iri, use_default_graph_as_union=union_default
            )
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from exc
