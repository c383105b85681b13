"""Every RDF format, JSON-LD compacted with the published context and no fetching."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from kgpub.rdf.formats import RDF_FORMATS
from kgpub.rdf.serialization import compact, context, prefixes, serialize

BASE = "https://kgpub.example/"
G = ox.NamedNode(BASE + "graph/article")
QUADS = [
    ox.Quad(
        ox.NamedNode(BASE + "id/a"),
        ox.NamedNode("https://schema.org/name"),
        ox.Literal("A", language="en"),
        G,
    ),
    ox.Quad(
        ox.NamedNode(BASE + "id/a"),
        ox.NamedNode("https://schema.org/author"),
        ox.NamedNode(BASE + "id/b"),
        G,
    ),
]
_OX = {
    "ttl": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}


@pytest.mark.parametrize("name", [rep.name for rep in RDF_FORMATS])
def test_every_format_round_trips(name: str) -> None:
    data = serialize(QUADS, name, BASE)
    parsed = list(ox.parse(data, format=_OX[name]))
    assert {(q.subject, q.predicate, q.object) for q in parsed} == {
        (q.subject, q.predicate, q.object) for q in QUADS
    }
    if name in ("nq", "trig"):
        assert {q.graph_name for q in parsed} == {G}


def test_jsonld_is_compacted_with_short_keys() -> None:
    doc = compact(QUADS, BASE)
    assert doc["id"] == "kg:a"
    assert doc["name"] == {"en": "A"}
    assert doc["author"] == "kg:b"


def test_context_follows_the_base_iri() -> None:
    ctx = context("https://news.example/")["@context"]
    assert ctx["kg"] == "https://news.example/id/"
    assert ctx["schema"] == "https://schema.org/"
    assert prefixes("https://news.example/")["kgpub"] == "https://news.example/ontology#"


def test_context_file_is_valid_json_with_prefixes() -> None:
    ctx = context(BASE)["@context"]
    for prefix in ("schema", "kgpub", "oa", "prov", "time", "kg"):
        assert prefix in ctx
    json.dumps(ctx)
