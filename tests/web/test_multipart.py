"""``multipart/form-data`` Graph Store POSTs: each part one RDF document, all merged.

The W3C Graph Store Protocol test suite's "POST - multipart/form-data" case
sends two parts with their own ``Content-Type``; they are merged into the
target graph in one SHACL-gated write. Bad parts get 415 or 400 naming the
part, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from kgpub.errors import MalformedRequestError, UnsupportedMediaTypeError
from kgpub.web.app import create_app
from kgpub.web.multipart import is_multipart, parts
from tests.sparql_fixtures import EX
from tests.writes_fixtures import AUTH, NAMED, NAMELESS, SCHEMA, writable_project

GRAPH = "https://kgpub.example/graph/multipart"
TURTLE = f'@prefix schema: <{SCHEMA}> .\n<{EX}ada> a schema:Person ; schema:name "Ada" .\n'
NTRIPLES = f'<{EX}bob> <{SCHEMA}name> "Bob" .\n_:x <{SCHEMA}name> "blank" .\n'
JSONLD = f'{{"@id": "{EX}cy", "{SCHEMA}name": "Cy", "{SCHEMA}knows": {{"@id": "_:x"}}}}'


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = writable_project(Path(tmp_path_factory.mktemp("multipart")))
    with TestClient(create_app(settings)) as c:
        yield c


def _graph(client: TestClient, graph: str) -> set[ox.Triple]:
    response = client.get("/graph-store", params={"graph": graph, "format": "nt"})
    if response.status_code == 404:
        return set()
    return {q.triple for q in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)}


def _body(*parts: tuple[str | None, str], boundary: str = "b0undary") -> bytes:
    lines = []
    for index, (content_type, text) in enumerate(parts):
        lines.append(f"--{boundary}")
        lines.append(f'Content-Disposition: form-data; name="part{index}"; filename="f{index}"')
        if content_type is not None:
            lines.append(f"Content-Type: {content_type}")
        lines += ["", text]
    lines.append(f"--{boundary}--")
    return "\r\n".join(lines).encode()


def test_is_multipart() -> None:
    assert is_multipart("multipart/form-data; boundary=x")
    assert is_multipart("Multipart/Form-Data;boundary=x")
    assert not is_multipart("text/turtle")
    assert not is_multipart(None)


def test_parts_come_back_as_sent_in_order() -> None:
    text = 'ex:a ex:b "Zürich" .\n'
    found = parts(_body(("text/turtle", text), ("application/n-triples", NTRIPLES)), _CT)
    assert [p.data for p in found] == [text.encode(), NTRIPLES.encode()]
    assert [p.format for p in found] == [ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES]
    assert found[0].name == "part 1 (f0)"


_CT = "multipart/form-data; boundary=b0undary"


@pytest.mark.parametrize(
    ("body", "content_type", "error"),
    [
        (_body(("text/plain", "x")), _CT, UnsupportedMediaTypeError),
        (_body((None, TURTLE)), _CT, UnsupportedMediaTypeError),
        (b"no parts", _CT, MalformedRequestError),
        (_body(("text/turtle", TURTLE)), "multipart/form-data", MalformedRequestError),
        (b"--b0undary--\r\n", _CT, MalformedRequestError),
    ],
)
def test_bad_bodies_are_refused(body: bytes, content_type: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        parts(body, content_type)


def test_post_merges_every_part_into_the_graph(client: TestClient) -> None:
    body = _body(
        ("text/turtle", TURTLE),
        ("application/n-triples", NTRIPLES),
        ("application/ld+json", JSONLD),
    )
    response = client.post(
        "/graph-store",
        params={"graph": GRAPH},
        content=body,
        headers={"content-type": _CT, **AUTH},
    )
    assert response.status_code == 201, response.text
    triples = _graph(client, GRAPH)
    names = {
        t.object.value
        for t in triples
        if t.predicate.value == SCHEMA + "name" and isinstance(t.object, ox.Literal)
    }
    assert names == {"Ada", "Bob", "Cy", "blank"}
    # Each part's _:x is its own node, as in an RDF merge.
    blanks = {t.subject for t in triples if isinstance(t.subject, ox.BlankNode)}
    blanks |= {t.object for t in triples if isinstance(t.object, ox.BlankNode)}
    assert len(blanks) == 2
    again = client.post(
        "/graph-store",
        params={"graph": GRAPH},
        content=_body(("text/turtle", NAMED)),
        headers={"content-type": _CT, **AUTH},
    )
    assert again.status_code == 204


def test_httpx_files_post_creates_a_graph_named_by_location(client: TestClient) -> None:
    files = [
        ("a", ("a.ttl", TURTLE, "text/turtle")),
        ("b", ("b.nt", NTRIPLES, "application/n-triples")),
    ]
    response = client.post("/graph-store", files=files, headers=AUTH)
    assert response.status_code == 201
    assert len(_graph(client, response.headers["location"])) == 4


@pytest.mark.parametrize(
    ("parts_", "status", "named"),
    [
        ((("text/turtle", TURTLE), ("text/plain", "x")), 415, "part 2 (f1)"),
        ((("text/turtle", TURTLE), (None, TURTLE)), 415, "part 2 (f1)"),
        ((("text/turtle", "<a> <b> ."),), 400, "part 1 (f0)"),
        ((("text/turtle", TURTLE), ("text/turtle", NAMELESS)), 422, None),
    ],
)
def test_a_bad_part_writes_nothing(
    client: TestClient, parts_: tuple[tuple[str | None, str], ...], status: int, named: str | None
) -> None:
    graph = GRAPH + "-refused"
    response = client.post(
        "/graph-store",
        params={"graph": graph},
        content=_body(*parts_),
        headers={"content-type": _CT, **AUTH, "accept": "application/problem+json"},
    )
    assert response.status_code == status, response.text
    if named is not None:
        assert named in response.json()["detail"]
    assert _graph(client, graph) == set()


def test_broken_framing_is_400(client: TestClient) -> None:
    response = client.post(
        "/graph-store",
        params={"graph": GRAPH},
        content=b"no parts at all",
        headers={"content-type": _CT, **AUTH},
    )
    assert response.status_code == 400
    assert "multipart" in response.json()["detail"]


def test_multipart_needs_the_token(client: TestClient) -> None:
    response = client.post(
        "/graph-store",
        params={"graph": GRAPH},
        content=_body(("text/turtle", TURTLE)),
        headers={"content-type": _CT},
    )
    assert response.status_code == 401
