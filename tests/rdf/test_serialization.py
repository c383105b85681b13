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


# JSON-LD 1.1 features: a context using any of them must declare "@version": 1.1,
# and one using none must not (JSON-LD 1.0 readers refuse the declaration).
_KEYWORDS_1_1 = {"@protected", "@propagate", "@import", "@nest", "@json", "@direction", "@prefix"}
_CONTAINERS_1_1 = {"@graph", "@id", "@type"}


def _uses_1_1(ctx: dict[str, object]) -> list[str]:
    found = []
    for term, definition in ctx.items():
        if term in _KEYWORDS_1_1:
            found.append(term)
        if not isinstance(definition, dict):
            continue
        found += [f"{term}: {key}" for key in definition if key in _KEYWORDS_1_1 | {"@context"}]
        container = definition.get("@container")
        if isinstance(container, list) or container in _CONTAINERS_1_1:
            found.append(f"{term}: @container {container}")
    return found


def test_context_declares_1_1_only_when_it_uses_1_1() -> None:
    ctx = context(BASE)["@context"]
    assert ("@version" in ctx) == bool(_uses_1_1(ctx)), _uses_1_1(ctx)
    assert "@version" not in ctx


def test_a_json_ld_1_0_processor_reads_every_answer() -> None:
    from pyld import jsonld  # noqa: PLC0415 - as in kgpub.rdf.serialization

    quads = [
        *QUADS,
        ox.Quad(
            ox.NamedNode(BASE + "id/a"),
            ox.NamedNode("https://schema.org/text"),
            ox.Literal("Text", language="de"),
            G,
        ),
        ox.Quad(
            ox.NamedNode(BASE + "id/a"),
            ox.NamedNode("https://schema.org/position"),
            ox.Literal("3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
            G,
        ),
    ]
    document = json.loads(serialize(quads, "jsonld", BASE))
    options = {"processingMode": "json-ld-1.0", "format": "application/n-quads"}
    read = {
        q.triple
        for q in ox.parse(jsonld.to_rdf(document, options).encode(), format=ox.RdfFormat.N_QUADS)
    }
    assert read == {q.triple for q in quads}
