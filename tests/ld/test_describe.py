"""Resource descriptions: own triples, blank nodes, linked labels, documents, graphs."""

from __future__ import annotations

import pyoxigraph as ox

from kgpub.ld.describe import Kind, describe, incoming, labels
from kgpub.store.oxigraph import Store

KG = "https://kgpub.example/id/"
NAME = ox.NamedNode("https://schema.org/name")


def test_resource_has_its_own_triples_and_labels_of_what_it_links_to(store: Store) -> None:
    description = describe(store, KG + "claim-musk-joined-call")
    assert description is not None
    assert description.kind is Kind.RESOURCE
    own = description.about(KG + "claim-musk-joined-call")
    assert any(q.predicate.value == "https://schema.org/author" for q in own)
    cnn_names = [q for q in description.quads if q.subject == ox.NamedNode(KG + "cnn")]
    assert cnn_names
    assert all(q.predicate == NAME for q in cnn_names)
    assert all(isinstance(q.graph_name, ox.NamedNode) for q in description.quads)


def test_unknown_and_invalid_iris(store: Store) -> None:
    assert describe(store, KG + "no-such-thing") is None
    assert describe(store, KG + "with space") is None
    assert describe(store, KG + "x> } DROP ALL { <y") is None


def test_document_is_described_with_its_hash_terms(store: Store) -> None:
    description = describe(store, "https://kgpub.example/ontology")
    assert description is not None
    assert description.kind is Kind.DOCUMENT
    assert "https://kgpub.example/ontology#ReportedClaim" in description.roots
    version = describe(store, "https://kgpub.example/ontology/0.1.0")
    assert version is not None
    assert set(version.quads) == set(description.quads)


def test_blank_nodes_are_followed() -> None:
    store = Store()
    s, p = ox.NamedNode("https://kgpub.example/id/s"), ox.NamedNode("http://p")
    b1, b2 = ox.BlankNode(), ox.BlankNode()
    g = ox.NamedNode("https://kgpub.example/graph/t")
    store.add_quads(
        [
            ox.Quad(s, p, b1, g),
            ox.Quad(b1, p, b2, g),
            ox.Quad(b2, p, ox.Literal("deep"), g),
            ox.Quad(ox.NamedNode("http://other"), p, ox.Literal("not mine"), g),
        ]
    )
    description = describe(store, s.value)
    assert description is not None
    assert len(description.triples()) == 3
    assert ox.Literal("deep") in {q.object for q in description.quads}


def test_named_graph_answers_with_its_contents(store: Store) -> None:
    description = describe(store, "https://kgpub.example/graph/background")
    assert description is not None
    assert description.kind is Kind.GRAPH
    graphs = {q.graph_name for q in description.quads}
    assert graphs == {ox.NamedNode("https://kgpub.example/graph/background")}


def test_incoming_links_and_labels(store: Store) -> None:
    links = incoming(store, KG + "elon-musk")
    assert any(link.subject == KG + "trump-zelensky-call" for link in links)
    found = labels(store, [KG + "elon-musk"])
    assert ("Elon Musk", "en") in found[KG + "elon-musk"]
