"""Every case of the W3C SPARQL 1.1 Protocol test suite, against the app.

Mirrors https://github.com/w3c/rdf-tests/blob/main/sparql/sparql11/protocol/manifest.ttl
request for request (path, method, headers, body). The suite allows any 2xx/3xx
for success and any 4xx for failure; here each case asserts the exact status
this endpoint answers with, and its Content-Type.

The endpoint is read-only, so the ``update_*`` cases are refusals: the update
gets 403 and the suite's follow-up query shows that nothing was written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph

from kgpub.rdf.formats import RESULT_FORMATS
from tests.sparql_fixtures import app_for, store_of, write_project

KASEI = "http://kasei.us/2009/09/sparql/data/"
FOAF_DOCUMENT = "http://xmlns.com/foaf/0.1/Document"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DATA = "http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata"

BOOLEAN_TYPES = {"application/sparql-results+json", "application/sparql-results+xml"}
TABULAR_TYPES = {r.media_type for r in RESULT_FORMATS}
RDF_TYPES = {"text/turtle", "application/rdf+xml", "application/n-triples"}
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The suite's graphs data0..data3.rdf, each typing its own IRI as foaf:Document."""
    graphs = {
        f"{KASEI}data{n}.rdf": [(f"{KASEI}data{n}.rdf", RDF_TYPE, FOAF_DOCUMENT)] for n in range(4)
    }
    settings = write_project(Path(tmp_path_factory.mktemp("w3c")))
    with TestClient(app_for(settings, store_of(graphs)), base_url="http://www.example") as c:
        yield c


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    status: int
    content_type: str | None = None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    expected_boolean: bool | None = None
    media_types: frozenset[str] = frozenset()


FORM = {"content-type": "application/x-www-form-urlencoded"}
DIRECT = {"content-type": "application/sparql-query"}
UPDATE = {"content-type": "application/sparql-update"}

UPDATE_DEFAULT_GRAPH = b"""PREFIX dc: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
CLEAR ALL ;
INSERT DATA {
    GRAPH <http://kasei.us/2009/09/sparql/data/data1.rdf> {
        <http://kasei.us/2009/09/sparql/data/data1.rdf> a foaf:Document
    }
} ;
INSERT {
    GRAPH <http://example.org/protocol-update-dataset-test/> {
        ?s a dc:BibliographicResource
    }
}
WHERE {
    ?s a foaf:Document
}"""

CASES = [
    Case(
        "query_post_form",
        "POST",
        f"/sparql/?default-graph-uri={DATA}0.rdf",
        200,
        body=b"query=ASK%20%7B%7D",
        headers=FORM,
        expected_boolean=True,
        media_types=frozenset(BOOLEAN_TYPES),
    ),
    Case(
        "query_dataset_default_graphs_get",
        "GET",
        "/sparql/?query=ASK%20%7B%20%3Chttp%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata"
        "%2Fdata1.rdf%3E%20a%20%3Ftype%20.%20%3Chttp%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql"
        "%2Fdata%2Fdata2.rdf%3E%20a%20%3Ftype%20.%20%7D"
        f"&default-graph-uri={DATA}1.rdf&default-graph-uri={DATA}2.rdf",
        200,
        expected_boolean=True,
        media_types=frozenset(BOOLEAN_TYPES),
    ),
    Case(
        "query_dataset_default_graphs_post",
        "POST",
        f"/sparql/?default-graph-uri={DATA}1.rdf&default-graph-uri={DATA}2.rdf",
        200,
        body=b"ASK { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type . "
        b"<http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type . }",
        headers=DIRECT,
        expected_boolean=True,
        media_types=frozenset(BOOLEAN_TYPES),
    ),
    Case(
        "query_dataset_named_graphs_post",
        "POST",
        f"/sparql/?named-graph-uri={DATA}1.rdf&named-graph-uri={DATA}2.rdf",
        200,
        body=b"ASK { GRAPH ?g1 { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type } "
        b"GRAPH ?g2 { <http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type } }",
        headers=DIRECT,
        expected_boolean=True,
        media_types=frozenset(BOOLEAN_TYPES),
    ),
    Case(
        "query_dataset_named_graphs_get",
        "GET",
        "/sparql/?query=ASK%20%7B%20GRAPH%20%3Fg1%20%7B%20%3Chttp%3A%2F%2Fkasei.us%2F2009"
        "%2F09%2Fsparql%2Fdata%2Fdata1.rdf%3E%20a%20%3Ftype%20%7D%20GRAPH%20%3Fg2%20%7B%20"
        "%3Chttp%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata2.rdf%3E%20a%20%3Ftype"
        f"%20%7D%20%7D&named-graph-uri={DATA}1.rdf&named-graph-uri={DATA}2.rdf",
        200,
        expected_boolean=True,
        media_types=frozenset(BOOLEAN_TYPES),
    ),
    Case(
        "query_dataset_full",
        "POST",
        f"/sparql/?default-graph-uri={DATA}3.rdf&named-graph-uri={DATA}1.rdf"
        f"&named-graph-uri={DATA}2.rdf",
        200,
        body=b"""ASK {
  <http://kasei.us/2009/09/sparql/data/data3.rdf> a ?type
  GRAPH ?g1 { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type }
  GRAPH ?g2 { <http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type }
}""",
        headers=DIRECT,
        expected_boolean=True,
        media_types=frozenset(BOOLEAN_TYPES),
    ),
    # The manifest percent-encodes the "&" between the two named-graph-uri
    # parameters (…data1.rdf%26named-graph-uri%3D…), which makes them one IRI;
    # the test's intent (protocol dataset overrides FROM) needs two parameters.
    Case(
        "query_multiple_dataset",
        "POST",
        f"/sparql/?named-graph-uri={DATA}1.rdf&named-graph-uri={DATA}2.rdf",
        200,
        body=b"ASK FROM <http://kasei.us/2009/09/sparql/data/data3.rdf> "
        b"{ GRAPH ?g1 { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type } "
        b"GRAPH ?g2 { <http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type } }",
        headers=DIRECT,
        expected_boolean=True,
        media_types=frozenset(BOOLEAN_TYPES),
    ),
    Case(
        "query_get",
        "GET",
        f"/sparql/?query=ASK%20%7B%7D&default-graph-uri={DATA}0.rdf",
        200,
        expected_boolean=True,
        media_types=frozenset(BOOLEAN_TYPES),
    ),
    Case(
        "query_content_type_select",
        "POST",
        f"/sparql/?default-graph-uri={DATA}0.rdf",
        200,
        body=b"SELECT (1 AS ?value) {}",
        headers=DIRECT,
        media_types=frozenset(TABULAR_TYPES),
    ),
    Case(
        "query_content_type_ask",
        "POST",
        f"/sparql/?default-graph-uri={DATA}0.rdf",
        200,
        body=b"ASK {}",
        headers=DIRECT,
        media_types=frozenset(BOOLEAN_TYPES),
    ),
    Case(
        "query_content_type_describe",
        "POST",
        f"/sparql/?default-graph-uri={DATA}0.rdf",
        200,
        body=b"DESCRIBE <http://example.org/>",
        headers=DIRECT,
        media_types=frozenset(RDF_TYPES),
    ),
    Case(
        "query_content_type_construct",
        "POST",
        f"/sparql/?default-graph-uri={DATA}0.rdf",
        200,
        body=b"CONSTRUCT { <s> <p> 1 } WHERE {}",
        headers=DIRECT,
        media_types=frozenset(RDF_TYPES),
    ),
    Case(
        "update_dataset_default_graph",
        "POST",
        f"/sparql/?using-graph-uri={DATA}1.rdf",
        403,
        PROBLEM,
        body=UPDATE_DEFAULT_GRAPH,
        headers=UPDATE,
    ),
    Case(
        "update_dataset_default_graphs",
        "POST",
        f"/sparql/?using-graph-uri={DATA}1.rdf&using-graph-uri={DATA}2.rdf",
        403,
        PROBLEM,
        body=UPDATE_DEFAULT_GRAPH.replace(b"CLEAR ALL", b"DROP ALL"),
        headers=UPDATE,
    ),
    Case(
        "update_dataset_named_graphs",
        "POST",
        f"/sparql/?using-named-graph-uri={DATA}1.rdf&using-named-graph-uri={DATA}2.rdf",
        403,
        PROBLEM,
        body=UPDATE_DEFAULT_GRAPH.replace(b"CLEAR ALL", b"DROP ALL"),
        headers=UPDATE,
    ),
    Case(
        "update_dataset_full",
        "POST",
        f"/sparql/?using-graph-uri={DATA}1.rdf&using-named-graph-uri={DATA}2.rdf",
        403,
        PROBLEM,
        body=UPDATE_DEFAULT_GRAPH.replace(b"CLEAR ALL", b"DROP ALL"),
        headers=UPDATE,
    ),
    Case("update_post_form", "POST", "/sparql/", 403, PROBLEM, b"update=CLEAR+ALL", FORM),
    Case("update_post_direct", "POST", "/sparql/", 403, PROBLEM, b"CLEAR ALL", UPDATE),
    Case(
        "update_base_uri",
        "POST",
        "/sparql/",
        403,
        PROBLEM,
        b"CLEAR GRAPH <http://example.org/protocol-base-test/> ;\n"
        b"INSERT DATA { GRAPH <http://example.org/protocol-base-test/> "
        b"{ <http://example.org/s> <http://example.org/p> <test> } }",
        UPDATE,
    ),
    Case(
        "query_post_direct",
        "POST",
        "/sparql/",
        200,
        body=b"ASK {}",
        headers=DIRECT,
        expected_boolean=True,
        media_types=frozenset(BOOLEAN_TYPES),
    ),
    Case(
        "bad_query_method",
        "PUT",
        f"/sparql/?query=ASK%20%7B%7D&default-graph-uri={DATA}0.rdf",
        405,
        PROBLEM,
        headers=FORM,
    ),
    Case(
        "bad_multiple_queries",
        "GET",
        "/sparql/?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D",
        400,
        PROBLEM,
    ),
    Case(
        "bad_query_wrong_media_type",
        "POST",
        "/sparql/",
        415,
        PROBLEM,
        b"ASK {}",
        {"content-type": "text/plain"},
    ),
    Case("bad_query_missing_form_type", "POST", "/sparql/", 415, PROBLEM, b"query=ASK%20%7B%7D"),
    Case("bad_query_missing_direct_type", "POST", "/sparql/", 415, PROBLEM, b"ASK {}"),
    Case(
        "bad_query_non_utf8",
        "POST",
        "/sparql/",
        400,
        PROBLEM,
        "ASK {}".encode("utf-16"),
        {"content-type": "application/sparql-query; charset=UTF-16"},
    ),
    Case("bad_query_syntax", "GET", "/sparql/?query=ASK%20%7B", 400, PROBLEM),
    Case("bad_update_get", "GET", "/sparql/?update=CLEAR%20ALL", 400, PROBLEM),
    Case(
        "bad_multiple_updates",
        "POST",
        "/sparql/",
        400,
        PROBLEM,
        b"update=CLEAR%20NAMED&update=CLEAR%20DEFAULT",
        FORM,
    ),
    Case(
        "bad_update_wrong_media_type",
        "POST",
        "/sparql/",
        415,
        PROBLEM,
        b"CLEAR NAMED",
        {"content-type": "text/plain"},
    ),
    Case("bad_update_missing_form_type", "POST", "/sparql/", 415, PROBLEM, b"update=CLEAR%20NAMED"),
    Case(
        "bad_update_non_utf8",
        "POST",
        "/sparql/",
        400,
        PROBLEM,
        "CLEAR NAMED".encode("utf-16"),
        {"content-type": "application/sparql-update; charset=UTF-16"},
    ),
    # A malformed update is a client error before it is refused as a write.
    Case("bad_update_syntax", "POST", "/sparql/", 400, PROBLEM, b"update=CLEAR%20XYZ", FORM),
    Case(
        "bad_update_dataset_conflict",
        "POST",
        "/sparql/?using-named-graph-uri=http%3A%2F%2Fexample%2Fpeople",
        400,
        PROBLEM,
        b"PREFIX foaf:  <http://xmlns.com/foaf/0.1/>\nWITH <http://example/addresses>\n"
        b"DELETE { ?person foaf:givenName 'Bill' }\nINSERT { ?person foaf:givenName 'William' }\n"
        b"WHERE {\n    ?person foaf:givenName 'Bill'\n}",
        UPDATE,
    ),
]

# The follow-up query of each update case and its answer on the untouched store:
# what the update would have inserted is absent, what it would have cleared is there.
_INSERTED = "ASK { GRAPH ?g { ?s a <http://purl.org/dc/terms/BibliographicResource> } }"
_STILL_THERE = f"ASK {{ GRAPH <{KASEI}data1.rdf> {{ ?s ?p ?o }} }}"
FOLLOW_UP: dict[str, tuple[str, bool]] = {
    "update_dataset_default_graph": (_INSERTED, False),
    "update_dataset_default_graphs": (_INSERTED, False),
    "update_dataset_named_graphs": (_INSERTED, False),
    "update_dataset_full": (
        "ASK { GRAPH <http://example.org/protocol-update-dataset-full-test/> { ?s ?p ?o } }",
        False,
    ),
    "update_post_form": (_STILL_THERE, True),
    "update_post_direct": (_STILL_THERE, True),
    "update_base_uri": (
        "ASK { GRAPH <http://example.org/protocol-base-test/> "
        "{ <http://example.org/s> <http://example.org/p> ?o } }",
        False,
    ),
}


def test_every_manifest_entry_is_mirrored() -> None:
    manifest_entries = 34
    assert len(CASES) == manifest_entries
    assert len({case.name for case in CASES}) == manifest_entries
    assert {c.name for c in CASES if c.name.startswith("update_")} == set(FOLLOW_UP)


def _media_type(content_type: str) -> str:
    return content_type.split(";", maxsplit=1)[0].strip()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_w3c_protocol_case(client: TestClient, case: Case) -> None:
    response = client.request(case.method, case.path, content=case.body, headers=case.headers)

    assert response.status_code == case.status, response.text
    media_type = _media_type(response.headers["content-type"])
    if case.content_type is not None:
        assert media_type == case.content_type
    if case.media_types:
        assert media_type in case.media_types
    if case.expected_boolean is not None:
        assert response.json()["boolean"] is case.expected_boolean
    if case.status == 405:
        assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}
    if case.status >= 400:
        assert response.json()["status"] == case.status
    if case.name in FOLLOW_UP:
        query, unchanged = FOLLOW_UP[case.name]
        check = client.post("/sparql/", content=query.encode(), headers=DIRECT)
        assert check.status_code == 200
        assert check.json()["boolean"] is unchanged, "a refused update must not change the store"


def test_construct_resolves_relative_iris_against_the_endpoint(client: TestClient) -> None:
    # query_content_type_construct uses <s> and <p>: the base IRI is the endpoint.
    response = client.post("/sparql/", content=b"CONSTRUCT { <s> <p> 1 } WHERE {}", headers=DIRECT)
    graph = Graph().parse(data=response.text, format="turtle")
    assert {(str(s), str(p)) for s, p, _ in graph} == {
        ("http://www.example/s", "http://www.example/p")
    }


def test_multiple_dataset_as_literally_encoded_in_the_manifest(client: TestClient) -> None:
    # With "%26" the request names ONE graph whose IRI contains "&named-graph-uri=";
    # the protocol dataset still replaces FROM, so neither data1 nor data2 is visible.
    response = client.post(
        f"/sparql/?named-graph-uri={DATA}1.rdf%26named-graph-uri%3D{DATA.replace('%', '%25')}2.rdf",
        content=CASES[6].body,
        headers=DIRECT,
    )
    assert response.status_code == 200
    assert response.json()["boolean"] is False


@pytest.mark.parametrize(
    ("params", "query", "expected"),
    [
        # Only data1 is the default graph: data2's triple is not in it.
        (
            {"default-graph-uri": f"{KASEI}data1.rdf"},
            f"ASK {{ <{KASEI}data2.rdf> a ?t }}",
            False,
        ),
        # Only named graphs given: the default graph is empty.
        (
            {"named-graph-uri": f"{KASEI}data1.rdf"},
            f"ASK {{ <{KASEI}data1.rdf> a ?t }}",
            False,
        ),
        # Only a default graph given: no named graphs.
        (
            {"default-graph-uri": f"{KASEI}data1.rdf"},
            "ASK { GRAPH ?g { ?s ?p ?o } }",
            False,
        ),
        # FROM without protocol parameters defines the dataset.
        ({}, f"ASK FROM <{KASEI}data1.rdf> {{ <{KASEI}data2.rdf> a ?t }}", False),
        ({}, f"ASK FROM <{KASEI}data2.rdf> {{ <{KASEI}data2.rdf> a ?t }}", True),
        # The parameters win over FROM.
        (
            {"default-graph-uri": f"{KASEI}data2.rdf"},
            f"ASK FROM <{KASEI}data1.rdf> {{ <{KASEI}data2.rdf> a ?t }}",
            True,
        ),
        # Without either, the default graph is the union of all graphs.
        ({}, f"ASK {{ <{KASEI}data1.rdf> a ?t . <{KASEI}data3.rdf> a ?t }}", True),
        # A graph the store does not hold is empty, never fetched.
        ({"default-graph-uri": "http://example.org/elsewhere"}, "ASK { ?s ?p ?o }", False),
    ],
)
def test_dataset_selection(
    client: TestClient, params: dict[str, str], query: str, expected: bool
) -> None:
    response = client.get("/sparql", params={**params, "query": query})
    assert response.status_code == 200
    assert response.json()["boolean"] is expected


def test_query_and_update_together_is_400(client: TestClient) -> None:
    response = client.post(
        "/sparql", content=b"query=ASK%20%7B%7D&update=CLEAR%20ALL", headers=FORM
    )
    assert response.status_code == 400
    assert "both a query and an update" in response.json()["detail"]


def test_syntax_error_carries_the_parser_message(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert json.loads(response.text)["detail"].startswith("error at 1:")


def test_syntax_error_shows_the_line_and_a_caret_under_the_column(client: TestClient) -> None:
    query = "PREFIX schema: <https://schema.org/>\nSELEC ?name WHERE { ?p schema:name ?name }"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    lines = json.loads(response.text)["detail"].splitlines()
    assert lines[0].startswith("error at 2:")
    column = int(lines[0].removeprefix("error at 2:").split(":")[0])
    assert lines[1] == "  2 | SELEC ?name WHERE { ?p schema:name ?name }"
    assert lines[2] == "    | " + " " * (column - 1) + "^"
