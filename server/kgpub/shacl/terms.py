"""Lossless term bridge between the rdflib graph pySHACL reads and a pyoxigraph store.

The SPARQL constraints are evaluated in pyoxigraph (``shacl.sparql_constraints``)
and their results join pySHACL's rdflib report: every term must come back as
*the same* rdflib term (same blank node id, same literal form) or a result
would name a node the report does not know, so the bridge remembers what it
converted instead of re-creating terms.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.graph import Graph
from rdflib.term import Node

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class TermBridge:
    """rdflib <-> pyoxigraph terms; converts each rdflib term once and remembers the way back."""

    def __init__(self) -> None:
        self._to_ox: dict[Node, OxTerm] = {}
        self._to_rdflib: dict[OxTerm, Node] = {}

    def to_ox(self, term: Node) -> OxTerm:
        found = self._to_ox.get(term)
        if found is not None:
            return found
        converted: OxTerm
        if isinstance(term, URIRef):
            converted = ox.NamedNode(str(term))
        elif isinstance(term, BNode):
            try:
                converted = ox.BlankNode(str(term))
            except ValueError:  # an id pyoxigraph does not accept: a fresh one, remembered
                converted = ox.BlankNode()
        elif isinstance(term, Literal):
            if term.language:
                converted = ox.Literal(str(term), language=term.language)
            elif term.datatype is not None:
                converted = ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
            else:
                converted = ox.Literal(str(term))
        else:  # pragma: no cover - rdflib variables/paths never occur in data
            raise TypeError(f"cannot convert {term!r}")
        self._to_ox[term] = converted
        self._to_rdflib.setdefault(converted, term)
        return converted

    def to_rdflib(self, term: OxTerm) -> Node:
        """The rdflib term, the same one each time (converted once: rdflib checks every IRI)."""
        found = self._to_rdflib.get(term)
        if found is not None:
            return found
        converted = _to_rdflib(term)
        self._to_rdflib[term] = converted
        return converted

    def graph(self, triples: Iterable[ox.Triple | ox.Quad]) -> Graph:
        """An rdflib graph of ``triples``; blank nodes keep their pyoxigraph labels.

        Stable labels let a later partial re-validation (``shacl.incremental``)
        name the same blank focus nodes as the full report it updates.
        """
        graph = Graph(bind_namespaces="none")
        to_rdflib = self.to_rdflib
        for t in triples:
            subject, predicate, obj = t.subject, t.predicate, t.object
            if isinstance(subject, ox.Triple) or isinstance(obj, ox.Triple):
                raise ValueError("RDF-star triples cannot be validated")
            graph.add((to_rdflib(subject), to_rdflib(predicate), to_rdflib(obj)))
        return graph

    def quads(self, graphs: Iterable[Graph]) -> list[ox.Quad]:
        """The triples of ``graphs`` as default-graph quads (their union, as pySHACL mixes them)."""
        out: list[ox.Quad] = []
        to_ox = self.to_ox
        for graph in graphs:
            for s, p, o in graph:
                out.append(ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph()))  # type: ignore[arg-type]
        return out


def _to_rdflib(term: OxTerm) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))
