"""The W3C Service Description at GET /sparql, on the real published dataset."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, XSD

from kgpub.config import Settings
from kgpub.ingest.dataset import served_sources
from kgpub.rdf.sources import read_quads
from kgpub.web.app import create_app
from tests.writes_fixtures import writable_project

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENDPOINT = URIRef("http://kgpub.test/sparql")
COMUNICA = (
    "application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,"
    "application/n-triples;q=0.8,text/turtle;q=0.6,application/rdf+xml;q=0.5,"
    "text/n3;q=0.35,application/xml;q=0.3,image/svg+xml;q=0.3,text/xml;q=0.3,"
    "text/html;q=0.2,application/xhtml+xml;q=0.18,application/json;q=0.135,"
    "text/shaclc;q=0.1,text/shaclc-ext;q=0.05"
)


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    # SHACL validation of the real data is tested elsewhere and takes seconds.
    fast = settings.model_copy(update={"validate_on_start": False})
    with TestClient(create_app(fast), base_url="http://kgpub.test") as c:
        yield c


@pytest.fixture(scope="module")
def description(client: TestClient) -> Graph:
    response = client.get("/sparql", headers={"accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    assert "Accept" in response.headers["vary"]
    return Graph().parse(data=response.text, format="turtle")


def test_describes_the_endpoint_languages_formats_and_features(description: Graph) -> None:
    assert (ENDPOINT, RDF.type, SD.Service) in description
    assert (ENDPOINT, SD.endpoint, ENDPOINT) in description
    assert set(description.objects(ENDPOINT, SD.supportedLanguage)) == {SD.SPARQL11Query}
    assert set(description.objects(ENDPOINT, SD.resultFormat)) == {
        FORMATS[name]
        for name in (
            "SPARQL_Results_JSON",
            "SPARQL_Results_XML",
            "SPARQL_Results_CSV",
            "SPARQL_Results_TSV",
            "Turtle",
            "N-Triples",
            "JSON-LD",
            "RDF_XML",
            "TriG",
            "N-Quads",
        )
    }
    time_travel = URIRef("https://kgpub.example/ontology#TimeTravel")
    assert set(description.objects(ENDPOINT, SD.feature)) == {SD.UnionDefaultGraph, time_travel}
    assert (time_travel, RDF.type, SD.Feature) in description
    # Read-only: no update language, no input formats.
    assert set(description.objects(ENDPOINT, SD.inputFormat)) == set()


def test_with_writes_on_it_says_update_and_the_input_formats(tmp_path: Path) -> None:
    with TestClient(create_app(writable_project(tmp_path)), base_url="http://kgpub.test") as c:
        response = c.get("/sparql", headers={"accept": "text/turtle"})
    description = Graph().parse(data=response.text, format="turtle")
    assert set(description.objects(ENDPOINT, SD.supportedLanguage)) == {
        SD.SPARQL11Query,
        SD.SPARQL11Update,
    }
    assert set(description.objects(ENDPOINT, SD.inputFormat)) == {
        FORMATS[name] for name in ("Turtle", "JSON-LD", "N-Triples", "RDF_XML")
    }
    assert response.headers["etag"]
    assert response.headers["last-modified"]


def test_lists_each_named_graph_with_its_size(description: Graph, settings: Settings) -> None:
    expected = {}
    for source in served_sources(settings):
        triples = {(q.subject, q.predicate, q.object) for q in read_quads(source)}
        if triples:
            expected[URIRef(source.graph)] = len(triples)
    assert expected, "the published dataset has no graphs"

    dataset = description.value(ENDPOINT, SD.defaultDataset)
    described = {}
    for named in description.objects(dataset, SD.namedGraph):
        name = description.value(named, SD.name)
        graph = description.value(named, SD.graph)
        described[name] = description.value(graph, VOID.triples)
    assert described == {name: Literal(n, datatype=XSD.integer) for name, n in expected.items()}

    default_graph = description.value(dataset, SD.defaultGraph)
    union_size = description.value(default_graph, VOID.triples)
    assert isinstance(union_size, Literal)
    assert max(expected.values()) <= union_size.toPython() <= sum(expected.values())


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/n-triples", "nt"),
    ],
)
def test_same_description_in_other_formats(
    client: TestClient, description: Graph, accept: str, rdflib_format: str
) -> None:
    response = client.get("/sparql", headers={"accept": accept})
    assert response.headers["content-type"].startswith(accept)
    assert isomorphic(Graph().parse(data=response.text, format=rdflib_format), description)


@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")
def test_comunica_finds_sd_endpoint(client: TestClient) -> None:
    # Comunica identifies a SPARQL endpoint by an sd:endpoint triple in what it dereferences.
    response = client.get("/sparql", headers={"accept": COMUNICA})
    assert response.headers["content-type"] == "application/n-quads"
    dataset = Dataset()
    dataset.parse(data=response.text, format="nquads")
    assert (ENDPOINT, SD.endpoint, ENDPOINT) in dataset


def test_format_parameter_and_406(client: TestClient) -> None:
    assert client.get("/sparql?format=jsonld").headers["content-type"] == "application/ld+json"
    refused = client.get("/sparql", headers={"accept": "application/sparql-results+json"})
    assert refused.status_code == 406
    assert "text/turtle" in refused.json()["offered"]


def test_links_the_void_description(client: TestClient, description: Graph) -> None:
    dataset = description.value(ENDPOINT, SD.defaultDataset)
    assert dataset == URIRef("https://kgpub.example/.well-known/void#dataset")
    void_url = description.value(dataset, RDFS.seeAlso)
    assert void_url == URIRef("http://kgpub.test/.well-known/void")
    response = client.get(str(void_url), headers={"accept": "text/turtle"})
    assert response.status_code == 200
    void = Graph().parse(data=response.text, format="turtle")
    # The same dataset: VoID names it, types it and points at this endpoint.
    assert (dataset, RDF.type, VOID.Dataset) in void
    assert (dataset, VOID.sparqlEndpoint, ENDPOINT) in void


def test_names_the_search_extension_function(description: Graph) -> None:
    search = URIRef("https://kgpub.example/ontology#search")
    assert set(description.objects(ENDPOINT, SD.extensionFunction)) == {search}
    assert (search, RDF.type, SD.Function) in description
