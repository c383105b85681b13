"""Hostile RDF and outbound requests: refused unparsed, and nothing is ever fetched.

A loopback listener (a socket on 127.0.0.1 nobody else knows) stands in for
an attacker's server: every request names it, and afterwards its accept
queue must be empty. All RDF here goes through the app in-process, so a
parser crash (pyoxigraph aborts on entity expansion) would kill the test run.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from kgpub.errors import UnsafeInputError
from kgpub.sources import Source, read_quads
from tests.sparql_fixtures import app_for, store_of, write_project

EX = "http://example.org/"
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>
"""
RDF_XML = "application/rdf+xml"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = write_project(Path(tmp_path_factory.mktemp("input"))).model_copy(
        update={"cache_bytes": 0}
    )
    app = app_for(settings, store_of({f"{EX}g": [(f"{EX}s", f"{EX}p", f"{EX}o")]}))
    with TestClient(app) as c:
        yield c


@pytest.fixture
def listener() -> Iterator[tuple[str, socket.socket]]:
    """A listening socket on 127.0.0.1 and its base URL; nothing should ever connect."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        sock.setblocking(False)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/", sock


def connections(sock: socket.socket) -> int:
    """How many connections wait in the listener's queue (bounded: at most its backlog)."""
    count = 0
    for _ in range(8):
        try:
            conn, _ = sock.accept()
        except BlockingIOError:
            break
        conn.close()
        count += 1
    return count


def assert_alive(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert response.status_code == 200


def test_listener_sees_a_real_connection(listener: tuple[str, socket.socket]) -> None:
    """The probe works: a connection that is made is counted."""
    url, sock = listener
    with socket.create_connection(("127.0.0.1", sock.getsockname()[1]), timeout=5):
        pass
    assert url.startswith("http://127.0.0.1:")
    assert connections(sock) == 1


def test_billion_laughs_upload_is_refused(client: TestClient) -> None:
    assert len(BILLION_LAUGHS) < 1024
    response = client.post("/validate", content=BILLION_LAUGHS, headers={"content-type": RDF_XML})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "DOCTYPE or ENTITY declaration is refused" in response.json()["detail"]
    assert_alive(client)


@pytest.mark.parametrize(
    "body",
    [
        b'<!ENTITY x "y"><rdf:RDF/>',
        b"<?xml version='1.0'?>\n<!doctype rdf:RDF SYSTEM 'http://127.0.0.1:9/x.dtd'><rdf:RDF/>",
        "<rdf:RDF/>".encode("utf-16"),
    ],
)
def test_dtd_or_odd_encoding_rdf_xml_is_refused(client: TestClient, body: bytes) -> None:
    response = client.post("/validate", content=body, headers={"content-type": RDF_XML})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "DOCTYPE or ENTITY" in detail or "must be UTF-8" in detail


def test_deep_upload_is_refused(client: TestClient) -> None:
    body = b"<http://e/s> <http://e/p> " + b"[ <http://e/p> " * 5000 + b"1" + b" ]" * 5000 + b" ."
    response = client.post("/validate", content=body, headers={"content-type": "text/turtle"})
    assert response.status_code == 400
    assert "nests brackets more than 64 levels deep" in response.json()["detail"]
    assert_alive(client)


@pytest.mark.parametrize("shape", ["string", "list", "import"])
def test_remote_jsonld_context_is_refused_unfetched(
    client: TestClient, listener: tuple[str, socket.socket], shape: str
) -> None:
    url, sock = listener
    context: object = {
        "string": url + "context.jsonld",
        "list": [{"ex": EX}, url + "context.jsonld"],
        "import": {"@version": 1.1, "@import": url + "context.jsonld"},
    }[shape]
    body = json.dumps({"@context": context, "@id": EX + "s", EX + "p": "o"})
    response = client.post(
        "/validate", content=body, headers={"content-type": "application/ld+json"}
    )
    assert response.status_code == 400
    assert "remote contexts are never fetched" in response.json()["detail"]
    assert connections(sock) == 0


def test_embedded_jsonld_context_is_read(client: TestClient) -> None:
    body = '{"@context": {"ex": "http://example.org/"}, "@id": "ex:s", "ex:p": "o"}'
    response = client.post(
        "/validate",
        content=body,
        headers={"content-type": "application/ld+json", "accept": "text/turtle"},
    )
    assert response.status_code == 200


def test_source_files_are_checked_too(tmp_path: Path, listener: tuple[str, socket.socket]) -> None:
    """``kgpub serve``/``load``/``validate`` read files through the same guard."""
    url, sock = listener
    bomb = tmp_path / "bomb.rdf"
    bomb.write_bytes(BILLION_LAUGHS)
    with pytest.raises(UnsafeInputError, match=r"bomb\.rdf: RDF/XML with a DOCTYPE"):
        read_quads(Source(bomb, EX + "g"))
    remote = tmp_path / "remote.jsonld"
    remote.write_text(f'{{"@context": "{url}c", "@id": "{EX}s"}}', encoding="utf-8")
    with pytest.raises(UnsafeInputError, match=r"remote\.jsonld: the JSON-LD @context"):
        read_quads(Source(remote, EX + "g"))
    deep = tmp_path / "deep.ttl"
    deep.write_text("<s> <p> " + "(" * 5000 + ")" * 5000 + " .", encoding="utf-8")
    with pytest.raises(UnsafeInputError, match=r"deep\.ttl: the document nests"):
        read_quads(Source(deep, EX + "g"))
    assert connections(sock) == 0


def test_service_is_refused_unfetched(
    client: TestClient, listener: tuple[str, socket.socket]
) -> None:
    url, sock = listener
    query = f"SELECT * {{ SERVICE <{url}sparql> {{ ?s ?p ?o }} }}"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert "federated queries (SERVICE) are not supported" in response.json()["detail"]
    assert connections(sock) == 0


@pytest.mark.parametrize("direct", [True, False])
def test_load_is_refused_unfetched(
    client: TestClient, listener: tuple[str, socket.socket], direct: bool
) -> None:
    url, sock = listener
    update = f"LOAD <{url}data.ttl> INTO GRAPH <{EX}g2>"
    if direct:
        response = client.post(
            "/sparql", content=update, headers={"content-type": "application/sparql-update"}
        )
    else:
        response = client.post("/sparql", data={"update": update})
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    assert connections(sock) == 0


def test_from_names_a_local_graph_and_fetches_nothing(
    client: TestClient, listener: tuple[str, socket.socket]
) -> None:
    url, sock = listener
    query = f"SELECT * FROM <{url}data.ttl> FROM NAMED <{url}other> {{ ?s ?p ?o }}"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"] == []  # no such local graph: empty
    assert connections(sock) == 0


def test_default_graph_uri_names_a_local_graph_and_fetches_nothing(
    client: TestClient, listener: tuple[str, socket.socket]
) -> None:
    url, sock = listener
    response = client.get(
        "/sparql",
        params={
            "query": "SELECT * { ?s ?p ?o }",
            "default-graph-uri": url + "data.ttl",
            "named-graph-uri": url + "named",
        },
    )
    assert response.status_code == 200
    assert response.json()["results"]["bindings"] == []
    local = client.get(
        "/sparql", params={"query": "SELECT * { ?s ?p ?o }", "default-graph-uri": EX + "g"}
    )
    assert len(local.json()["results"]["bindings"]) == 1
    assert connections(sock) == 0


def test_jsonld_format_alone_never_fetches(listener: tuple[str, socket.socket]) -> None:
    """Below the guard, pyoxigraph itself has no document loader (defence in depth)."""
    url, sock = listener
    data = f'{{"@context": "{url}c", "@id": "{EX}s", "{EX}p": "o"}}'.encode()
    with pytest.raises((SyntaxError, ValueError)):
        list(ox.parse(data, format=ox.RdfFormat.JSON_LD))
    assert connections(sock) == 0
