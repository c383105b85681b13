"""``TermBridge``: each pyoxigraph term becomes one rdflib term, the same each time."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from kgpub.shacl.terms import TermBridge

EX = "http://example.org/"


def test_a_term_is_converted_once_and_the_same_term_returned() -> None:
    bridge = TermBridge()
    iri = ox.NamedNode(f"{EX}s")
    first = bridge.to_rdflib(iri)
    assert first == URIRef(f"{EX}s")
    assert bridge.to_rdflib(ox.NamedNode(f"{EX}s")) is first


def test_terms_keep_their_form_both_ways() -> None:
    bridge = TermBridge()
    terms: list[ox.NamedNode | ox.BlankNode | ox.Literal] = [
        ox.BlankNode("b7"),
        ox.Literal("Hallo", language="de"),
        ox.Literal("plain"),
        ox.Literal("42", datatype=ox.NamedNode(str(XSD.integer))),
    ]
    expected = [BNode("b7"), Literal("Hallo", lang="de"), Literal("plain"), Literal(42)]
    assert [bridge.to_rdflib(t) for t in terms] == expected
    assert [bridge.to_ox(bridge.to_rdflib(t)) for t in terms] == terms


def test_an_rdflib_term_converted_first_is_the_one_given_back() -> None:
    """A report must name the very term the data graph holds (``shacl.terms``)."""
    bridge = TermBridge()
    typed = Literal("x", datatype=XSD.string)
    assert bridge.to_ox(typed) == ox.Literal("x")
    assert bridge.to_rdflib(ox.Literal("x")) is typed


def test_the_graph_holds_the_converted_triples() -> None:
    bridge = TermBridge()
    s, p = ox.NamedNode(f"{EX}s"), ox.NamedNode(f"{EX}p")
    graph = bridge.graph([ox.Triple(s, p, ox.BlankNode("o")), ox.Quad(s, p, ox.Literal("1"))])
    assert set(graph) == {
        (URIRef(f"{EX}s"), URIRef(f"{EX}p"), BNode("o")),
        (URIRef(f"{EX}s"), URIRef(f"{EX}p"), Literal("1")),
    }
