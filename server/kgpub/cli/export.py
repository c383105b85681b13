"""Writing a store as RDF and query results as files, in the endpoint's formats.

``kgpub dump`` and ``kgpub query`` must give the bytes the HTTP endpoint
would: queries go through ``sparql.execute`` with ``format`` as the endpoint's
``format`` parameter, and dumps use the format names of ``formats.RDF_FORMATS``.
A whole dataset as N-Quads/TriG and one graph in a triple format stream from
the store (a dump of a million quads never sits in memory); a triple format
without ``graph`` merges the graphs, one graph as N-Quads/TriG keeps its name,
and JSON-LD is compacted with the published context, like the pages.
"""

from __future__ import annotations

from typing import IO

from kgpub.errors import KgpubError
from kgpub.rdf.formats import RDF_FORMATS, named, rdf_format
from kgpub.rdf.serialization import prefixes, serialize
from kgpub.sparql.operation import QueryOperation
from kgpub.sparql.protocol import execute
from kgpub.store.oxigraph import Store

DUMP_FORMATS: tuple[str, ...] = tuple(rep.name for rep in RDF_FORMATS)
_PREFIXED = frozenset({"ttl", "trig"})


def dump(
    store: Store, output: IO[bytes], format_name: str, graph: str | None, base_iri: str
) -> None:
    """Write the dataset (or one named graph) to ``output`` as ``format_name``."""
    if format_name not in DUMP_FORMATS:
        raise KgpubError(f"unknown format {format_name!r}; use one of {', '.join(DUMP_FORMATS)}")
    if graph is not None and graph not in store.named_graphs():
        raise KgpubError(f"the store has no graph <{graph}>")
    streams = (graph is None) == named(format_name).has_graphs
    if format_name == "jsonld" or not streams:
        output.write(serialize(list(store.quads(graph)), format_name, base_iri))
        return
    store.dump(
        output,
        rdf_format(named(format_name)),
        graph=graph,
        prefixes=prefixes(base_iri) if format_name in _PREFIXED else None,
    )


def run_query(store: Store, query: str, format_name: str | None) -> bytes:
    """The query's result as the endpoint would send it for ``?format=format_name``.

    Default: SPARQL JSON for SELECT/ASK, Turtle for CONSTRUCT/DESCRIBE.
    """
    return execute(store, QueryOperation(query), None, format_name).body
