"""``/.well-known/void``: dataset, subsets per graph with counts, vocabularies, linkset,
partitions, dumps, the lookup endpoint, ``dcterms:modified`` and the alternate links."""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import parsedate_to_datetime

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

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
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(validate_on_start=False))) as client:
        yield client


@pytest.fixture(scope="module")
def void(client: TestClient) -> Graph:
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["vary"].startswith("Accept")
    return Graph().parse(data=response.text, format="turtle")


def _subsets(void: Graph) -> dict[str, Node]:
    return {
        str(void.value(s, SD_NAME)): s
        for s in void.objects(DATASET, VOID.subset)
        if void.value(s, SD_NAME) is not None
    }


def _count(store: Store, sparql: str) -> int:
    result = store.query(sparql)
    assert isinstance(result, ox.QuerySolutions)
    return int(next(iter(result))[0].value)


def test_dataset_has_endpoint_license_and_counts(void: Graph) -> None:
    assert (DATASET, RDF.type, VOID.Dataset) in void
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef("http://testserver/sparql")
    assert void.value(DATASET, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert _int(void.value(DATASET, VOID.triples)) > 1000
    assert _int(void.value(DATASET, VOID.entities)) > 100
    assert void.value(DATASET, VOID.uriSpace) == Literal("https://kgpub.example/")


def test_every_minted_subject_lies_in_a_declared_uri_space(void: Graph, store: Store) -> None:
    spaces = [str(o) for o in void.objects(None, VOID.uriSpace)]
    result = store.query(
        "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } "
        'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "https://kgpub.example/")) }'
    )
    assert isinstance(result, ox.QuerySolutions)
    minted = {row[0].value for row in result}
    assert any("/ontology" in iri for iri in minted)
    assert any("/shapes" in iri for iri in minted)
    outside = {iri for iri in minted if not any(iri.startswith(space) for space in spaces)}
    assert outside == set()


def test_entities_are_counted_alike_in_the_dataset_and_its_subsets(
    void: Graph, store: Store
) -> None:
    prefix = '"https://kgpub.example/"'
    parent = _int(void.value(DATASET, VOID.entities))
    assert parent == _count(
        store,
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER(isIRI(?s) && STRSTARTS(STR(?s), {prefix})) }}",
    )
    subsets = _subsets(void)
    for graph, subset in subsets.items():
        assert void.value(subset, VOID.uriSpace) == Literal("https://kgpub.example/")
        assert _int(void.value(subset, VOID.entities)) == _count(
            store,
            f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} "
            f"FILTER(isIRI(?s) && STRSTARTS(STR(?s), {prefix})) }}",
        )
    counts = [_int(void.value(s, VOID.entities)) for s in subsets.values()]
    assert max(counts) <= parent <= sum(counts)


def test_each_graph_has_a_data_dump_that_downloads_it(void: Graph, client: TestClient) -> None:
    subsets = _subsets(void)
    dumps = set(void.objects(DATASET, VOID.dataDump))
    assert len(dumps) == len(subsets)
    for subset in subsets.values():
        dump = void.value(subset, VOID.dataDump)
        assert dump in dumps
        response = client.get(str(dump))
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/n-triples")
        triples = list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
        assert len(triples) == _int(void.value(subset, VOID.triples))


def test_class_and_property_partitions_match_the_store(void: Graph, store: Store) -> None:
    classes = {
        str(void.value(p, VOID["class"])): _int(void.value(p, VOID.entities))
        for p in void.objects(DATASET, VOID.classPartition)
    }
    article = "https://schema.org/NewsArticle"
    assert classes[article] == _count(
        store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s a <{article}> }} }}"
    )
    assert _int(void.value(DATASET, VOID.classes)) == len(classes)
    properties = {
        str(void.value(p, VOID.property)): _int(void.value(p, VOID.triples))
        for p in void.objects(DATASET, VOID.propertyPartition)
    }
    assert _int(void.value(DATASET, VOID.properties)) == len(properties)
    # Distinct triples per property add up to the dataset's distinct triples.
    assert sum(properties.values()) == _int(void.value(DATASET, VOID.triples))


def test_lookup_endpoint_leads_to_the_resource(void: Graph, client: TestClient) -> None:
    lookup = str(void.value(DATASET, VOID.uriLookupEndpoint))
    response = client.get(lookup + "https://kgpub.example/id/elon-musk", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/id/elon-musk"
    followed = client.get(lookup + "https://kgpub.example/ontology#ReportedClaim")
    assert followed.status_code == 200
    assert followed.url.path == "/ontology"
    assert client.get(lookup + "https://example.org/x").status_code == 404
    assert client.get("/lookup").status_code == 400


def test_root_resources_are_the_published_articles(void: Graph) -> None:
    roots = {str(o) for o in void.objects(DATASET, VOID.rootResource)}
    assert roots == {"https://kgpub.example/id/article"}


def test_modified_is_the_last_modified_of_the_answer(void: Graph, client: TestClient) -> None:
    modified = void.value(DATASET, DCTERMS.modified)
    assert isinstance(modified, Literal)
    assert modified.datatype == XSD.dateTime
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    moment = parsedate_to_datetime(response.headers["last-modified"])
    assert modified.toPython() == moment


def test_answers_link_their_other_formats(client: TestClient) -> None:
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.headers["content-location"] == "/.well-known/void?format=ttl"
    links = response.headers["link"]
    for name in ("jsonld", "rdf", "nt", "nq", "trig"):
        assert f'</.well-known/void?format={name}>; rel="alternate"' in links
    assert "format=ttl>" not in links


def test_one_subset_per_named_graph_with_its_triple_count(void: Graph, store: Store) -> None:
    sizes = store.graph_sizes()
    subsets = _subsets(void)
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
