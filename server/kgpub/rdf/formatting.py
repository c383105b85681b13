"""The one Turtle formatter for the project's RDF source files.

RDF files are source code and are reviewed as diffs, so every file is kept in
rdflib's ``longturtle`` form: one subject per block, predicates and objects
sorted, only the prefixes in use, declared in sorted order. The form is a pure
function of the graph, so formatting twice changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from kgpub.rdf.sources import Source, read_quads


def format_graph(graph: Graph, prefixes: dict[str, str]) -> str:
    out = Graph(bind_namespaces="none")
    for prefix, namespace in sorted(prefixes.items()):
        out.bind(prefix, namespace)
    for triple in graph:
        out.add(triple)
    text = out.serialize(format="longturtle")
    return "\n".join(line.rstrip() for line in text.splitlines()).strip() + "\n"


def format_file(path: Path) -> str:
    """The formatted text of a Turtle file; raises ``RdfSyntaxError`` if it does not parse."""
    read_quads(Source(path, "urn:kgpub:format"))  # located syntax errors come from pyoxigraph
    graph = Graph(bind_namespaces="none")
    graph.parse(path, format="turtle")
    prefixes = {p: str(ns) for p, ns in graph.namespaces() if p}
    return format_graph(graph, prefixes)
