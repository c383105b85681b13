"""SPARQL 1.1 Update on ``/sparql``: 403 read-only; else token-checked, SHACL-gated, no fetching."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from kgpub.config import Settings
from kgpub.web.app import create_app
from tests.sparql_fixtures import EX, connections, loopback_listener, write_project
from tests.writes_fixtures import (
    AUTH,
    NAMED,
    NAMELESS,
    PEOPLE,
    PLACES,
    SCHEMA,
    writable_project,
)

UPDATE_TYPE = {"content-type": "application/sparql-update"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = writable_project(Path(tmp_path_factory.mktemp("update")))
    with TestClient(create_app(settings)) as c:
        yield c


def update(client: TestClient, text: str, **params: str) -> Response:
    return client.post("/sparql", data={"update": text, **params}, headers=AUTH)


def select(client: TestClient, query: str) -> list[str]:
    response = client.get("/sparql", params={"query": query}, headers={"accept": "text/csv"})
    assert response.status_code == 200
    return response.text.splitlines()[1:]


def test_updates_are_refused_when_writes_are_off(tmp_path: Path) -> None:
    settings = write_project(tmp_path).model_copy(update={"query_workers": 1})
    with TestClient(create_app(settings)) as client:
        response = update(client, f"INSERT DATA {{ {NAMED} }}")
        assert response.status_code == 403
        assert "read-only" in response.json()["detail"]
        assert select(client, f"SELECT ?s {{ ?s <{SCHEMA}name> 'Dora' }}") == []


def test_an_update_needs_the_token(client: TestClient) -> None:
    text = f"INSERT DATA {{ GRAPH <{EX}auth> {{ {NAMED} }} }}"
    missing = client.post("/sparql", data={"update": text})
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == 'Bearer realm="kgpub"'
    wrong = client.post("/sparql", data={"update": text}, headers={"authorization": "Bearer no"})
    assert wrong.status_code == 403
    assert select(client, f"SELECT ?s {{ GRAPH <{EX}auth> {{ ?s ?p ?o }} }}") == []


def test_form_and_direct_updates_are_run(client: TestClient) -> None:
    form = update(client, f"INSERT DATA {{ GRAPH <{EX}form> {{ {NAMED} }} }}")
    assert form.status_code == 204
    assert form.content == b""
    direct = client.post(
        "/sparql",
        content=f"INSERT DATA {{ GRAPH <{EX}direct> {{ {NAMED} }} }}",
        headers={**AUTH, **UPDATE_TYPE},
    )
    assert direct.status_code == 204
    query = f"SELECT ?g {{ GRAPH ?g {{ ?s <{SCHEMA}name> 'Dora' }} }} ORDER BY ?g"
    assert select(client, query) == [f"{EX}direct", f"{EX}form"]


def test_relative_iris_resolve_against_the_endpoint(client: TestClient) -> None:
    assert update(client, "INSERT DATA { GRAPH <rel-graph> { <s> <p> <o> } }").status_code == 204
    rows = select(
        client, "SELECT ?g ?s { GRAPH ?g { ?s ?p ?o } FILTER(STRENDS(STR(?g), 'rel-graph')) }"
    )
    assert rows == ["http://testserver/rel-graph,http://testserver/s"]


def test_a_cached_answer_is_replaced_after_an_update(client: TestClient) -> None:
    query = f"SELECT ?n {{ GRAPH <{EX}cache> {{ ?s <{SCHEMA}name> ?n }} }}"
    assert select(client, query) == []
    assert select(client, query) == []
    assert update(client, f"INSERT DATA {{ GRAPH <{EX}cache> {{ {NAMED} }} }}").status_code == 204
    assert select(client, query) == ["Dora"]


def test_a_violating_update_is_422_and_changes_nothing(client: TestClient) -> None:
    text = (
        f"INSERT DATA {{ GRAPH <{EX}bad> {{ {NAMED} }} }} ; "
        f"INSERT DATA {{ GRAPH <{EX}bad> {{ {NAMELESS} }} }}"
    )
    response = update(client, text)
    assert response.status_code == 422
    assert response.json()["violations"][0]["focusNode"] == f"{EX}nobody"
    turtle = client.post(
        "/sparql", data={"update": text}, headers={**AUTH, "accept": "text/turtle"}
    )
    assert turtle.status_code == 422
    assert "sh:ValidationReport" in turtle.text
    assert select(client, f"SELECT ?s {{ GRAPH <{EX}bad> {{ ?s ?p ?o }} }}") == []


def test_using_graph_uri_is_honoured(client: TestClient) -> None:
    copy = f"INSERT {{ GRAPH <{EX}copy> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
    assert update(client, copy, **{"using-graph-uri": PLACES}).status_code == 204
    count = f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{EX}copy> {{ ?s ?p ?o }} }}"
    assert select(client, count) == ["5"]
    named = f"INSERT {{ GRAPH <{EX}copy2> {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert update(client, named, **{"using-named-graph-uri": PEOPLE}).status_code == 204
    people = select(client, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{PEOPLE}> {{ ?s ?p ?o }} }}")
    assert (
        select(client, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{EX}copy2> {{ ?s ?p ?o }} }}") == people
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"DELETE WHERE {{ GRAPH <{EX}copy> {{ ?s ?p ?o }} }}", "DELETE WHERE"),
        (f"INSERT {{ ?s ?p ?o }} USING <{PLACES}> WHERE {{ ?s ?p ?o }}", "USING or WITH"),
    ],
)
def test_using_graph_uri_that_cannot_apply_is_400(
    client: TestClient, text: str, message: str
) -> None:
    response = update(client, text, **{"using-graph-uri": PLACES})
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_an_update_that_cannot_be_applied_is_400(client: TestClient) -> None:
    response = update(client, f"DROP GRAPH <{EX}never-there>")
    assert response.status_code == 400
    assert "does not exist" in response.json()["detail"]
    assert update(client, f"DROP SILENT GRAPH <{EX}never-there>").status_code == 204


def test_malformed_updates_are_400(client: TestClient) -> None:
    assert update(client, "INSERT DATA { <urn:a> }").status_code == 400


@pytest.mark.parametrize(
    "template",
    [
        "LOAD <{url}data.ttl>",
        "LOAD SILENT <{url}data.ttl> INTO GRAPH <urn:g>",
        "INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}sparql> {{ ?s ?p ?o }} }}",
        "INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE SILENT <{url}sparql> {{ ?s ?p ?o }} }}",
        "# a comment ended by a carriage return\rLOAD <{url}data.ttl>",
        "PREFIX : <{url}> LOAD:data.ttl",
    ],
)
def test_load_and_service_never_fetch(client: TestClient, template: str) -> None:
    with loopback_listener() as (url, sock):
        response = update(client, template.format(url=url))
        assert response.status_code == 400
        assert "refused" in response.json()["detail"]
        assert connections(sock) == 0


def test_using_a_loopback_graph_name_fetches_nothing(client: TestClient) -> None:
    with loopback_listener() as (url, sock):
        text = f"INSERT {{ GRAPH <{EX}local> {{ ?s ?p ?o }} }} USING <{url}> WHERE {{ ?s ?p ?o }}"
        assert update(client, text).status_code == 204
        assert connections(sock) == 0
    assert select(client, f"SELECT ?s {{ GRAPH <{EX}local> {{ ?s ?p ?o }} }}") == []


def test_openapi_describes_updates_only_when_writes_are_on(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/sparql"]["post"]
    assert {"204", "401", "403", "422"} <= set(operation["responses"])
    content = operation["requestBody"]["content"]
    assert "application/sparql-update" in content
    assert "update" in content["application/x-www-form-urlencoded"]["schema"]["properties"]
    assert operation["security"] == [{}, {"writeToken": []}]
    read_only = create_app(Settings(query_workers=1)).openapi()["paths"]["/sparql"]["post"]
    assert "application/sparql-update" not in read_only["requestBody"]["content"]
    assert "update" not in str(read_only["responses"].get("422", ""))
    assert "text/turtle" in operation["responses"]["422"]["content"]
    assert operation["responses"]["422"]["description"].startswith(
        read_only["responses"].get("422", {}).get("description", "")
    )


# --- preconditions (RFC 9110 §13) ----------------------------------------------


def dataset_etag(client: TestClient) -> str:
    response = client.get("/sparql", headers={"accept": "text/turtle"})
    assert response.status_code == 200
    return response.headers["etag"]


def test_update_preconditions_use_the_service_descriptions_etag(client: TestClient) -> None:
    tag = dataset_etag(client)
    assert dataset_etag(client) == tag  # stable while nothing is written
    insert = f"INSERT DATA {{ GRAPH <{EX}cond> {{ <{EX}c1> <{EX}p> 1 }} }}"
    first = client.post("/sparql", data={"update": insert}, headers={**AUTH, "if-match": tag})
    assert first.status_code == 204
    assert dataset_etag(client) != tag
    second = f"INSERT DATA {{ GRAPH <{EX}cond> {{ <{EX}c2> <{EX}p> 2 }} }}"
    stale = client.post("/sparql", data={"update": second}, headers={**AUTH, "if-match": tag})
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    assert stale.json()["detail"] == (
        "If-Match: none of the given ETags is the current one of the dataset "
        "(it has changed since it was read); nothing was written"
    )
    star = client.post(
        "/sparql",
        content=second,
        headers={**AUTH, **UPDATE_TYPE, "if-none-match": "*"},
    )
    assert star.status_code == 412
    assert star.json()["detail"] == (
        "If-None-Match: * but the dataset already exists; nothing was written"
    )
    assert select(client, f"SELECT ?s {{ GRAPH <{EX}cond> {{ ?s ?p ?o }} }}") == [f"{EX}c1"]
    fresh = dataset_etag(client)
    rdfxml = client.get("/sparql", headers={"accept": "application/rdf+xml"}).headers["etag"]
    assert rdfxml != fresh  # one tag per representation, each naming the same state
    ok = client.post("/sparql", data={"update": second}, headers={**AUTH, "if-match": rdfxml})
    assert ok.status_code == 204
