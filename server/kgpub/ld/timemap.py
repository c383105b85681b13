"""An IRI's TimeMap (RFC 7089 section 5) in every format ``/timemap/…`` offers.

``application/link-format`` is the normative one (and the default), laid out
as the RFC's example; ``application/json`` is the Memento guide's JSON. For
RDF clients the same list is PROV-O: each memento a ``prov:Entity`` that is
``prov:specializationOf`` the original and ``prov:generatedAtTime`` its
datetime, the way the revision records themselves speak of articles, so a
SPARQL client can join a TimeMap with the history graph.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from kgpub.history.addresses import timemap_iri
from kgpub.history.memento import Memento, timemap_json, timemap_link_format
from kgpub.namespaces import PROV, RDF_TYPE, XSD
from kgpub.rdf.formats import JSON, LINK_FORMAT, Representation
from kgpub.rdf.serialization import serialize


def timemap_quads(iri: str, mementos: Sequence[Memento]) -> list[ox.Quad]:
    """The TimeMap as PROV-O triples (in the default graph)."""
    original = ox.NamedNode(iri)
    quads = []
    for memento in mementos:
        node = ox.NamedNode(memento.uri)
        moment = memento.datetime.strftime("%Y-%m-%dT%H:%M:%SZ")
        quads += [
            ox.Quad(node, ox.NamedNode(RDF_TYPE), ox.NamedNode(PROV + "Entity")),
            ox.Quad(node, ox.NamedNode(PROV + "specializationOf"), original),
            ox.Quad(
                node,
                ox.NamedNode(PROV + "generatedAtTime"),
                ox.Literal(moment, datatype=ox.NamedNode(XSD + "dateTime")),
            ),
        ]
    return quads


def timemap(base: str, iri: str, mementos: Sequence[Memento], rep: Representation) -> bytes:
    """``iri``'s TimeMap as ``rep`` (one of ``formats.TIMEMAP_FORMATS``); ``iri`` is its
    own TimeGate."""
    uri = timemap_iri(base, iri)
    if rep is LINK_FORMAT:
        return timemap_link_format(iri, uri, iri, mementos).encode()
    if rep is JSON:
        return timemap_json(iri, uri, f"{uri}?format=json", iri, mementos).encode()
    return serialize(timemap_quads(iri, mementos), rep.name, base)
