"""``/graph-store``: the Graph Store HTTP Protocol over HTTP, read-only and writable.

Status codes follow https://www.w3.org/TR/sparql11-http-rdf-update/ and the
W3C test suite: 201 when a write creates a graph, 204 otherwise, 404 for an
absent graph, 400 malformed, 413 too large, 415 not RDF; writes need the
bearer token (401/403) and a write breaking a shape gets 422 with the report.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import schemathesis
from fastapi.testclient import TestClient
from httpx2 import Response
from pydantic import SecretStr
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig

from kgpub.config import Settings
from kgpub.web.app import create_app
from kgpub.web.services import app_services
from tests.sparql_fixtures import EX, connections, live_server, loopback_listener, write_project
from tests.writes_fixtures import (
    AUTH,
    NAMED,
    NAMELESS,
    PLACES,
    SCHEMA,
    TOKEN,
    writable_project,
)

TTL = {"content-type": "text/turtle"}
SH = "http://www.w3.org/ns/shacl#"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = writable_project(Path(tmp_path_factory.mktemp("gsp")), max_body_bytes=4096)
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture(scope="module")
def read_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = write_project(Path(tmp_path_factory.mktemp("ro"))).model_copy(
        update={"query_workers": 1}
    )
    with TestClient(create_app(settings)) as c:
        yield c


def put(client: TestClient, graph: str, body: str, **headers: str) -> Response:
    return client.put(
        "/graph-store", params={"graph": graph}, content=body, headers={**AUTH, **TTL, **headers}
    )


def graph_triples(client: TestClient, graph: str) -> set[ox.Triple]:
    response = client.get(
        "/graph-store", params={"graph": graph}, headers={"accept": "application/n-triples"}
    )
    assert response.status_code == 200
    return {q.triple for q in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)}


def select(client: TestClient, query: str, cache: str | None = None) -> str:
    """A SELECT's CSV; with ``cache``, checks the answer was a cache ``hit`` or ``miss``."""
    response = client.get("/sparql", params={"query": query}, headers={"accept": "text/csv"})
    assert response.status_code == 200
    if cache is not None:
        assert f'cache;desc="{cache}"' in response.headers["server-timing"]
    return response.text


# --- reading --------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["client", "read_only"])
def test_get_a_named_graph_by_content_negotiation(
    request: pytest.FixtureRequest, fixture: str
) -> None:
    client: TestClient = request.getfixturevalue(fixture)
    response = client.get("/graph-store", params={"graph": PLACES})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    assert response.headers["vary"].startswith("Accept")
    parsed = set(ox.parse(response.content, format=ox.RdfFormat.TURTLE))
    assert len(parsed) == 5
    jsonld = client.get(
        "/graph-store", params={"graph": PLACES}, headers={"accept": "application/ld+json"}
    )
    assert jsonld.headers["content-type"] == "application/ld+json"
    assert "Kyiv" in jsonld.text
    nt = client.get("/graph-store", params={"graph": PLACES, "format": "nt"})
    assert set(ox.parse(nt.content, format=ox.RdfFormat.N_TRIPLES)) == {t for t in parsed}


def test_head_has_the_length_and_no_body(client: TestClient) -> None:
    get = client.get("/graph-store", params={"graph": PLACES})
    head = client.head("/graph-store", params={"graph": PLACES})
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(get.content))
    assert client.head("/graph-store", params={"graph": f"{EX}absent"}).status_code == 404


def test_absent_graphs_are_404_and_the_default_graph_is_always_there(
    read_only: TestClient,
) -> None:
    response = read_only.get("/graph-store", params={"graph": f"{EX}absent"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert f"<{EX}absent>" in response.json()["detail"]
    default = read_only.get("/graph-store?default", headers={"accept": "application/n-triples"})
    assert default.status_code == 200
    assert default.content == b""


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "name the graph"),
        ("?graph=urn:a&default", "both ?graph= and ?default"),
        ("?graph=urn:a&graph=urn:b", "more than one graph"),
        ("?graph=relative/iri", "not an absolute IRI"),
        ("?graph=%FF", "not valid UTF-8"),
    ],
)
def test_malformed_graph_parameters_are_400(
    read_only: TestClient, query: str, message: str
) -> None:
    response = read_only.get(f"/graph-store{query}")
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_unacceptable_formats_are_406(read_only: TestClient) -> None:
    response = read_only.get(
        "/graph-store", params={"graph": PLACES}, headers={"accept": "image/png"}
    )
    assert response.status_code == 406


# --- writes off -----------------------------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_writes_are_not_allowed_when_off(read_only: TestClient, method: str) -> None:
    response = read_only.request(
        method, "/graph-store", params={"graph": PLACES}, content=NAMED, headers={**AUTH, **TTL}
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert len(graph_triples(read_only, PLACES)) == 5


# --- authentication -------------------------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_writes_without_the_token_are_401_or_403(client: TestClient, method: str) -> None:
    too_big = "#" * 10_000  # over max_body_bytes: the token is checked before the body is read
    for headers, status in (({}, 401), ({"authorization": "Bearer wrong-token"}, 403)):
        response = client.request(
            method,
            "/graph-store",
            params={"graph": PLACES},
            content=too_big,
            headers={**TTL, **headers},
        )
        assert response.status_code == status
        assert response.headers["content-type"] == "application/problem+json"
        if status == 401:
            assert response.headers["www-authenticate"] == 'Bearer realm="kgpub"'
    assert len(graph_triples(client, PLACES)) == 5


# --- PUT, POST, DELETE ----------------------------------------------------------


def test_put_creates_201_then_replaces_204(client: TestClient) -> None:
    graph = f"{EX}put"
    assert put(client, graph, NAMED).status_code == 201
    assert len(graph_triples(client, graph)) == 2
    replaced = put(
        client,
        graph,
        f"<{EX}x> <{EX}p> <{EX}y> .",
        **{"content-type": "text/turtle; charset=utf-8"},
    )
    assert replaced.status_code == 204
    assert replaced.content == b""
    assert graph_triples(client, graph) == {
        ox.Triple(ox.NamedNode(f"{EX}x"), ox.NamedNode(f"{EX}p"), ox.NamedNode(f"{EX}y"))
    }


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/n-triples", f'<{EX}s> <{EX}p> "o" .\n'),
        ("application/ld+json", json.dumps({"@id": f"{EX}s", f"{EX}p": "o"})),
        (
            "application/rdf+xml",
            '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
            f' xmlns:ex="{EX}"><rdf:Description rdf:about="{EX}s"><ex:p>o</ex:p>'
            "</rdf:Description></rdf:RDF>",
        ),
    ],
)
def test_put_reads_every_upload_syntax(client: TestClient, content_type: str, body: str) -> None:
    graph = f"{EX}syntax/{content_type}"
    assert put(client, graph, body, **{"content-type": content_type}).status_code == 201
    assert graph_triples(client, graph) == {
        ox.Triple(ox.NamedNode(f"{EX}s"), ox.NamedNode(f"{EX}p"), ox.Literal("o"))
    }


def test_the_default_graph(client: TestClient) -> None:
    put_default = client.put("/graph-store?default", content=NAMED, headers={**AUTH, **TTL})
    assert put_default.status_code == 201  # it was empty, as in the W3C tests
    post = client.post(
        "/graph-store?default", content=f"<{EX}x> <{EX}p> 1 .", headers={**AUTH, **TTL}
    )
    assert post.status_code == 204
    got = client.get("/graph-store?default", headers={"accept": "application/n-triples"})
    assert len(set(ox.parse(got.content, format=ox.RdfFormat.N_TRIPLES))) == 3
    assert client.delete("/graph-store?default", headers=AUTH).status_code == 204
    assert (
        client.get("/graph-store?default", headers={"accept": "application/n-triples"}).content
        == b""
    )


def test_post_merges_into_a_graph(client: TestClient) -> None:
    graph = f"{EX}post"
    first = client.post(
        "/graph-store", params={"graph": graph}, content=NAMED, headers={**AUTH, **TTL}
    )
    assert first.status_code == 201
    assert "location" not in first.headers
    more = f"<{EX}x> <{EX}p> 1 ."
    second = client.post(
        "/graph-store", params={"graph": graph}, content=more, headers={**AUTH, **TTL}
    )
    assert second.status_code == 204
    assert len(graph_triples(client, graph)) == 3


def test_post_to_the_store_creates_a_graph_named_by_location(client: TestClient) -> None:
    response = client.post("/graph-store", content=NAMED, headers={**AUTH, **TTL})
    assert response.status_code == 201
    location = response.headers["location"]
    assert location.startswith("https://kgpub.example/graph/")
    assert len(graph_triples(client, location)) == 2


def test_delete_removes_a_graph(client: TestClient) -> None:
    graph = f"{EX}delete"
    put(client, graph, NAMED)
    response = client.delete("/graph-store", params={"graph": graph}, headers=AUTH)
    assert response.status_code == 204
    assert client.get("/graph-store", params={"graph": graph}).status_code == 404
    again = client.delete("/graph-store", params={"graph": graph}, headers=AUTH)
    assert again.status_code == 404
    assert client.delete("/graph-store", headers=AUTH).status_code == 400


# --- preconditions (RFC 9110 §13) ----------------------------------------------

NT = {"accept": "application/n-triples"}
OTHER = f"<{EX}x> <{EX}p> <{EX}y> .\n"


def etag(client: TestClient, graph: str, accept: str = "text/turtle") -> str:
    response = client.get("/graph-store", params={"graph": graph}, headers={"accept": accept})
    assert response.status_code == 200
    tag = response.headers["etag"]
    assert tag.startswith('"')  # strong: no W/
    assert tag.endswith('"')
    return tag


def test_reads_send_a_strong_etag_and_304_when_it_matches(client: TestClient) -> None:
    graph = f"{EX}etag-read"
    put(client, graph, NAMED)
    tag = etag(client, graph, "application/n-triples")
    assert etag(client, graph, "text/turtle") != tag  # one tag per representation
    again = client.get(
        "/graph-store", params={"graph": graph}, headers={**NT, "if-none-match": tag}
    )
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag


def test_if_none_match_star_creates_but_never_replaces(client: TestClient) -> None:
    graph = f"{EX}create-only"
    assert put(client, graph, NAMED, **{"if-none-match": "*"}).status_code == 201
    refused = put(client, graph, OTHER, **{"if-none-match": "*"})
    assert refused.status_code == 412
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["detail"] == (
        f"If-None-Match: * but <{graph}> already exists; nothing was written"
    )
    assert len(graph_triples(client, graph)) == 2  # untouched
    post = client.post(
        "/graph-store",
        params={"graph": graph},
        content=OTHER,
        headers={**AUTH, **TTL, "if-none-match": "*"},
    )
    assert post.status_code == 412
    delete = client.delete(
        "/graph-store", params={"graph": graph}, headers={**AUTH, "if-none-match": "*"}
    )
    assert delete.status_code == 412
    assert len(graph_triples(client, graph)) == 2


def _write(client: TestClient, method: str, graph: str, **headers: str) -> Response:
    if method == "DELETE":
        return client.delete("/graph-store", params={"graph": graph}, headers={**AUTH, **headers})
    return client.request(
        method,
        "/graph-store",
        params={"graph": graph},
        content=f"<{EX}z> <{EX}p> <{EX}w> .",
        headers={**AUTH, **TTL, **headers},
    )


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_a_stale_if_match_is_412_and_a_current_one_writes(client: TestClient, method: str) -> None:
    graph = f"{EX}if-match/{method}"
    put(client, graph, NAMED)
    stale = etag(client, graph)
    assert put(client, graph, OTHER).status_code == 204  # another editor's write
    refused = _write(client, method, graph, **{"if-match": stale})
    assert refused.status_code == 412
    assert refused.json()["detail"] == (
        f"If-Match: none of the given ETags is the current one of <{graph}> "
        "(it has changed since it was read); nothing was written"
    )
    assert graph_triples(client, graph) == {
        ox.Triple(ox.NamedNode(f"{EX}x"), ox.NamedNode(f"{EX}p"), ox.NamedNode(f"{EX}y"))
    }
    weak = _write(client, method, graph, **{"if-match": "W/" + etag(client, graph)})
    assert weak.status_code == 412  # If-Match compares strongly
    current = etag(client, graph, "application/n-triples")  # any format's tag will do
    assert _write(client, method, graph, **{"if-match": f'"x", {current}'}).status_code == 204
    # The write changed the graph (or removed it): the same tag is stale now.
    assert _write(client, method, graph, **{"if-match": current}).status_code == 412


def test_if_match_on_an_absent_graph_is_412(client: TestClient) -> None:
    graph = f"{EX}never-there"
    for headers in ({"if-match": "*"}, {"if-match": '"abc"'}):
        response = put(client, graph, NAMED, **headers)
        assert response.status_code == 412
    assert response.json()["detail"] == (
        f"If-Match: none of the given ETags is the current one of <{graph}> "
        "(it has changed since it was read); nothing was written"
    )
    star = _write(client, "DELETE", graph, **{"if-match": "*"})
    assert star.json()["detail"] == f"If-Match: * but <{graph}> does not exist; nothing was written"
    assert client.get("/graph-store", params={"graph": graph}).status_code == 404
    new = client.post("/graph-store", content=NAMED, headers={**AUTH, **TTL, "if-match": "*"})
    assert new.status_code == 412
    assert (
        new.json()["detail"] == "If-Match: * but the new graph does not exist; nothing was written"
    )


def test_if_none_match_with_the_current_tag_is_412(client: TestClient) -> None:
    graph = f"{EX}inm-tag"
    put(client, graph, NAMED)
    current = etag(client, graph)
    response = put(client, graph, OTHER, **{"if-none-match": f"W/{current}"})
    assert response.status_code == 412
    assert response.json()["detail"] == (
        f"If-None-Match: <{graph}> still has one of the given ETags; nothing was written"
    )
    assert put(client, graph, OTHER, **{"if-none-match": '"other"'}).status_code == 204


# --- bad bodies -----------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/trig", "application/n-quads", "multipart/form-data"],
)
def test_bodies_not_in_a_graph_syntax_are_415(client: TestClient, content_type: str | None) -> None:
    headers = {**AUTH, **({"content-type": content_type} if content_type else {})}
    response = client.put(
        "/graph-store", params={"graph": f"{EX}g415"}, content=NAMED, headers=headers
    )
    assert response.status_code == 415
    assert "text/turtle" in response.json()["detail"]


def test_bodies_over_the_limit_are_413(client: TestClient) -> None:
    body = "".join(f"<{EX}s> <{EX}p> {i} .\n" for i in range(500))
    assert len(body) > 4096
    response = put(client, f"{EX}g413", body)
    assert response.status_code == 413
    assert client.get("/graph-store", params={"graph": f"{EX}g413"}).status_code == 404


def test_unreadable_rdf_is_400_with_the_parser_message(client: TestClient) -> None:
    response = put(client, f"{EX}g400", f"<{EX}s> <{EX}p> .")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("the request body:1:")


def test_dtds_and_remote_contexts_are_refused_without_fetching(client: TestClient) -> None:
    with loopback_listener() as (url, sock):
        bomb = f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "{url}">]><r>&e;</r>'
        xml = put(client, f"{EX}g-xml", bomb, **{"content-type": "application/rdf+xml"})
        assert xml.status_code == 400
        assert "DOCTYPE" in xml.json()["detail"]
        remote = json.dumps({"@context": url, "@id": f"{EX}s", "name": "x"})
        ld = put(client, f"{EX}g-ld", remote, **{"content-type": "application/ld+json"})
        assert ld.status_code == 400
        assert "never fetched" in ld.json()["detail"]
        assert connections(sock) == 0
    named = json.dumps({"@id": f"{EX}other", "@graph": [{"@id": f"{EX}s", f"{EX}p": "o"}]})
    response = put(client, f"{EX}g-named", named, **{"content-type": "application/ld+json"})
    assert response.status_code == 400
    assert "names graphs" in response.json()["detail"]


# --- the SHACL gate -------------------------------------------------------------


def test_a_violating_write_is_422_with_the_report(client: TestClient) -> None:
    graph = f"{EX}shacl"
    put(client, graph, NAMED)
    response = put(client, graph, NAMELESS)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["violationCount"] == 1
    (violation,) = problem["violations"]
    assert violation["focusNode"] == f"{EX}nobody"
    assert violation["resultPath"] == f"{SCHEMA}name"
    assert violation["sourceConstraintComponent"] == f"{SH}MinCountConstraintComponent"
    assert violation["resultMessage"] == "a person needs a name"
    assert len(graph_triples(client, graph)) == 2  # unchanged


@pytest.mark.parametrize(
    ("lang", "accept_language", "message"),
    [
        (None, "de-AT, en;q=0.5", "eine Person braucht einen Namen"),
        ("en", "de", "a person needs a name"),
        (None, "fr", "a person needs a name"),
    ],
)
def test_the_422_speaks_the_requested_language(
    client: TestClient, lang: str | None, accept_language: str, message: str
) -> None:
    params = {"graph": f"{EX}shacl-lang"} | ({"lang": lang} if lang else {})
    headers = {**AUTH, **TTL, "accept-language": accept_language}
    response = client.put("/graph-store", params=params, content=NAMELESS, headers=headers)
    assert response.status_code == 422
    assert [v["resultMessage"] for v in response.json()["violations"]] == [message]
    headers["accept"] = "text/turtle"
    response = client.put("/graph-store", params=params, content=NAMELESS, headers=headers)
    assert response.status_code == 422
    messages = [
        str(t.object)
        for t in ox.parse(response.content, format=ox.RdfFormat.TURTLE)
        if t.predicate == ox.NamedNode(f"{SH}resultMessage")
    ]
    assert messages == [f'"{message}"@{"de" if "Person " in message else "en"}']


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [("text/turtle", ox.RdfFormat.TURTLE), ("application/ld+json", ox.RdfFormat.JSON_LD)],
)
def test_the_report_as_rdf(client: TestClient, accept: str, fmt: ox.RdfFormat) -> None:
    response = client.post(
        "/graph-store",
        params={"graph": f"{EX}shacl-rdf"},
        content=NAMELESS,
        headers={**AUTH, **TTL, "accept": accept},
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(accept)
    store = ox.Store()
    store.extend(
        ox.Quad(t.subject, t.predicate, t.object) for t in ox.parse(response.content, format=fmt)
    )
    result = store.query(
        f"ASK {{ ?r a <{SH}ValidationReport> ; <{SH}conforms> false ; <{SH}result> ?v . "
        f"?v <{SH}focusNode> <{EX}nobody> ; <{SH}resultPath> <{SCHEMA}name> }}"
    )
    assert bool(result)
    assert client.get("/graph-store", params={"graph": f"{EX}shacl-rdf"}).status_code == 404


# --- what a write refreshes -----------------------------------------------------


def test_a_write_invalidates_cached_query_results(client: TestClient) -> None:
    query = f"SELECT ?n WHERE {{ GRAPH <{EX}cached> {{ ?s <{SCHEMA}name> ?n }} }}"
    assert select(client, query, cache="miss") == "n\r\n"
    assert select(client, query, cache="hit") == "n\r\n"
    put(client, f"{EX}cached", NAMED)
    assert select(client, query, cache="miss") == "n\r\nDora\r\n"


def test_void_and_the_service_description_follow_writes(client: TestClient) -> None:
    graph = f"{EX}counted"
    put(client, graph, NAMED)
    void = client.get("/.well-known/void", headers={"accept": "application/n-triples"}).text
    assert f"<{graph}>" in void
    description = client.get("/sparql", headers={"accept": "application/n-triples"}).text
    assert f"<{graph}>" in description
    assert app_services(client.app).graph_sizes[graph] == 2
    client.delete("/graph-store", params={"graph": graph}, headers=AUTH)
    assert graph not in app_services(client.app).graph_sizes
    void = client.get("/.well-known/void", headers={"accept": "application/n-triples"}).text
    assert f"<{graph}>" not in void


def test_pages_show_the_new_validation(client: TestClient) -> None:
    before = app_services(client.app).conformance
    put(client, f"{EX}pages", NAMED)
    after = app_services(client.app).conformance
    assert after is not before
    assert after.report is not None
    assert after.report.conforms
    page = client.get("/graph-store", params={"graph": f"{EX}pages"})
    assert "Dora" in page.text


# --- OpenAPI --------------------------------------------------------------------


def test_openapi_describes_the_graph_store(client: TestClient, read_only: TestClient) -> None:
    writable = client.get("/openapi.json").json()
    operations = writable["paths"]["/graph-store"]
    assert set(operations) == {"get", "put", "post", "delete", "patch"}
    assert operations["put"]["security"] == [{"writeToken": []}]
    assert {"201", "204", "401", "403", "413", "415", "422"} <= set(operations["put"]["responses"])
    assert writable["components"]["securitySchemes"]["writeToken"]["scheme"] == "bearer"
    readable = read_only.get("/openapi.json").json()
    assert set(readable["paths"]["/graph-store"]) == {"get"}


def test_settings_reach_the_app(client: TestClient) -> None:
    settings: Settings = app_services(client.app).settings
    assert settings.writes_enabled


# --- schema fuzzing with writes on ----------------------------------------------

FUZZ_CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"max-examples": 30, "deterministic": True, "database": "none"},
        # A query's documented answer at its deadline (a generated timeout=5e-324).
        "checks": {"not_a_server_error": {"expected-statuses": ["2XX", "3XX", "4XX", "503"]}},
    }
)
FUZZ_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@schemathesis.serializer(
    "application/n-triples",
    "application/x-turtle",
    "application/sparql-query",
    "application/sparql-update",
    "text/rdf-patch",
)
def _text(context: schemathesis.SerializationContext, value: object) -> bytes:
    """Bodies of text syntaxes Schemathesis has no serializer for: a string's bytes, anything
    else (negative testing) as its JSON text. The same as ``test_openapi_fuzz``'s, so the
    order in which the two modules register it does not matter."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    return json.dumps(value).encode()


# The schema does not depend on the data: any writable app describes the fuzzed server.
writable_schema = schemathesis.openapi.from_dict(
    create_app(Settings(writes_enabled=True, write_token=SecretStr(TOKEN))).openapi(),
    config=FUZZ_CONFIG,
).include(path_regex="^/graph-store$|^/sparql$", method_regex="^(GET|PUT|POST|DELETE|PATCH)$")


@pytest.fixture(scope="module")
def writable_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = writable_project(Path(tmp_path_factory.mktemp("fuzz-writes")), cache_bytes=0)
    with live_server(create_app(settings)) as url:
        yield url


@writable_schema.parametrize()
def test_write_operations_answer_as_documented(
    case: schemathesis.Case[Any], writable_url: str
) -> None:
    case.headers.update(AUTH)
    case.call_and_validate(base_url=writable_url, checks=FUZZ_CHECKS)
