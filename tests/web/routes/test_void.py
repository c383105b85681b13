"""``/.well-known/void``: dataset, subsets per graph with counts, vocabularies, linkset."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from kgpub.config import Settings
from kgpub.ld.void import namespace
from kgpub.store.oxigraph import Store
from kgpub.web.app import create_app

VOID = Namespace("http://rdfs.org/ns/void#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
SD_NAME = URIRef("http://www.w3.org/ns/sparql-service-description#name")
DATASET = URIRef("https://kgpub.example/.well-known/void#dataset")


def _int(node: object) -> int:
    assert isinstance(node, Literal)
    return int(node.toPython())


@pytest.fixture(scope="module")
def void() -> Iterator[Graph]:
    with TestClient(create_app(Settings(validate_on_start=False))) as client:
        response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
        assert response.status_code == 200
        assert response.headers["vary"].startswith("Accept")
        yield Graph().parse(data=response.text, format="turtle")


def test_dataset_has_endpoint_license_and_counts(void: Graph) -> None:
    assert (DATASET, RDF.type, VOID.Dataset) in void
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef("http://testserver/sparql")
    assert void.value(DATASET, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert _int(void.value(DATASET, VOID.triples)) > 1000
    assert _int(void.value(DATASET, VOID.entities)) > 100
    assert void.value(DATASET, VOID.uriSpace) == Literal("https://kgpub.example/id/")


def test_one_subset_per_named_graph_with_its_triple_count(void: Graph, store: Store) -> None:
    sizes = store.graph_sizes()
    subsets = {
        str(void.value(s, SD_NAME)): s
        for s in void.objects(DATASET, VOID.subset)
        if void.value(s, SD_NAME) is not None
    }
    assert set(subsets) == set(sizes)
    for graph, size in sizes.items():
        assert _int(void.value(subsets[graph], VOID.triples)) == size


def test_vocabularies_used_are_listed(void: Graph) -> None:
    vocabularies = {str(v) for v in void.objects(DATASET, VOID.vocabulary)}
    assert {"https://schema.org/", "http://www.w3.org/ns/oa#"} <= vocabularies
    assert "https://kgpub.example/ontology#" in vocabularies


def test_linkset_to_wikidata(void: Graph) -> None:
    linksets = list(void.subjects(RDF.type, VOID.Linkset))
    assert len(linksets) == 1
    linkset = linksets[0]
    assert void.value(linkset, VOID.linkPredicate) == URIRef("https://schema.org/sameAs")
    target = void.value(linkset, VOID.objectsTarget)
    assert void.value(target, VOID.uriSpace) == Literal("http://www.wikidata.org/entity/")
    assert _int(void.value(linkset, VOID.triples)) > 0


@pytest.mark.parametrize(
    ("iri", "expected"),
    [
        ("https://schema.org/name", "https://schema.org/"),
        ("http://www.w3.org/ns/oa#hasSource", "http://www.w3.org/ns/oa#"),
    ],
)
def test_namespace(iri: str, expected: str) -> None:
    assert namespace(iri) == expected
