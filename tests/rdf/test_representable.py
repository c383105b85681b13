"""Only representable data: characters XML 1.0 cannot carry are refused where data
enters (Graph Store bodies, updates, ``/validate``, source files) and never served
inside a broken XML document (SPARQL XML results, RDF/XML), over real HTTP."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from kgpub.cli import main as cli
from kgpub.errors import NotAcceptableError
from kgpub.rdf.formats import RESULT_FORMATS
from kgpub.rdf.representable import xml_breaker
from kgpub.sparql.results import LimitedOutput
from kgpub.web.app import create_app
from tests.sparql_fixtures import EX, store_of, write_project
from tests.writes_fixtures import AUTH, writable_project

GRAPH = f"{EX}xmlchars"


def refusal(
    char: str, kind: str = "literal", role: str = "object", source: str = "request body"
) -> str:
    return (
        f"{source}: the {kind} in the {role} of the triple with subject <{EX}s> and predicate "
        f"<{EX}p> holds {char} at character 2, a character XML 1.0 cannot carry (RDF/XML and "
        "SPARQL XML results could not serve it); remove or replace it"
    )


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = writable_project(Path(tmp_path_factory.mktemp("xmlchars")))
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.mark.parametrize(
    ("content_type", "body", "char"),
    [
        ("text/turtle", f'<{EX}s> <{EX}p> "a\\u0000b" .', "U+0000"),
        ("application/n-triples", f'<{EX}s> <{EX}p> "a\x01b" .\n', "U+0001"),
        ("text/turtle", f'<{EX}s> <{EX}p> "a\\u001Fb" .', "U+001F"),
        ("text/turtle", f'<{EX}s> <{EX}p> "a\\uFFFEb" .', "U+FFFE"),
        ("application/ld+json", json.dumps({"@id": f"{EX}s", f"{EX}p": "a\uffffb"}), "U+FFFF"),
        (
            "application/rdf+xml",
            '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
            f' xmlns:ex="{EX}"><rdf:Description rdf:about="{EX}s"><ex:p>a&#1;b</ex:p>'
            "</rdf:Description></rdf:RDF>",
            "U+0001",
        ),
    ],
)
def test_graph_store_bodies_are_400(
    client: TestClient, content_type: str, body: str, char: str
) -> None:
    response = client.put(
        "/graph-store",
        params={"graph": GRAPH},
        content=body.encode(),
        headers={**AUTH, "content-type": content_type},
    )
    if response.status_code == 400 and "XML 1.0" not in response.json()["detail"]:
        # RDF/XML itself cannot hold &#1; (XML 1.0): its parser refuses it first.
        assert content_type == "application/rdf+xml"
        return
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == refusal(char, source="the request body")
    assert client.get("/graph-store", params={"graph": GRAPH}).status_code == 404


def test_tab_lf_cr_and_astral_characters_are_fine(client: TestClient) -> None:
    body = f'<{EX}s> <{EX}p> "a\\t\\n\\r\U0001f600" .'
    response = client.put(
        "/graph-store",
        params={"graph": f"{GRAPH}/fine"},
        content=body.encode(),
        headers={**AUTH, "content-type": "text/turtle"},
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    "update",
    [
        f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{EX}s> <{EX}p> "a\\u0001b" }} }}',
        f"INSERT {{ GRAPH <{GRAPH}> {{ <{EX}s> <{EX}p> ?o }} }} "
        'WHERE { BIND(CONCAT("a", "\\u0001") AS ?o) }',
    ],
)
def test_updates_are_400(client: TestClient, update: str) -> None:
    response = client.post("/sparql", data={"update": update}, headers=AUTH)
    assert response.status_code == 400
    assert response.json()["detail"] == refusal("U+0001", source="the update")
    assert client.get("/graph-store", params={"graph": GRAPH}).status_code == 404


def test_validate_uploads_are_400(client: TestClient) -> None:
    response = client.post(
        "/validate",
        content=f'<{EX}s> <{EX}p> "a\\u0002b" .'.encode(),
        headers={"content-type": "text/turtle"},
    )
    assert response.status_code == 400
    assert response.json()["detail"] == refusal("U+0002")


def test_source_files_are_refused_by_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_project(tmp_path)
    bad = tmp_path / "data" / "bad.ttl"
    bad.write_text(f'<{EX}s> <{EX}p> "a\\u0008b" .', encoding="utf-8")
    assert cli.main(["validate", str(bad)]) == 2  # unreadable input
    # The project folder the command uses (kgpub.cli.project), then the refusal.
    project, refused = capsys.readouterr().err.splitlines()
    assert project.startswith("kgpub validate: project ")
    assert refused == f"kgpub validate: cannot read input: {refusal('U+0008', source=str(bad))}"


@pytest.mark.parametrize(
    ("query", "accept", "char"),
    [
        (
            'SELECT ?x { BIND(CONCAT("a", "\\u0001") AS ?x) }',
            "application/sparql-results+xml",
            "U+0001",
        ),
        ('SELECT ?x { BIND("a\\uFFFF" AS ?x) }', "application/sparql-results+xml", "U+FFFF"),
        (f'CONSTRUCT {{ <{EX}s> <{EX}p> "\\u0000" }} {{}}', "application/rdf+xml", "U+0000"),
    ],
)
def test_results_xml_cannot_carry_are_406_not_a_broken_document(
    client: TestClient, query: str, accept: str, char: str
) -> None:
    response = client.get("/sparql", params={"query": query}, headers={"accept": accept})
    assert response.status_code == 406
    assert response.json()["detail"] == (
        f"this result cannot be written as {accept}: it holds {char}, "
        "a character XML 1.0 cannot carry; ask for another format"
    )
    other = "application/sparql-results+json" if "sparql" in accept else "application/n-triples"
    assert other in response.json()["offered"]
    assert (
        client.get("/sparql", params={"query": query}, headers={"accept": other}).status_code == 200
    )


def test_stored_data_xml_cannot_carry_is_406_as_rdf_xml(tmp_path: Path) -> None:
    """A store from before the checks (or a bulk load): RDF/XML refuses, Turtle serves."""
    store = store_of({GRAPH: [(f"{EX}s", f"{EX}p", ox.Literal("a\x01b"))]})
    settings = write_project(tmp_path).model_copy(update={"query_workers": 1})
    with TestClient(create_app(settings, store)) as client:
        xml = client.get(
            "/graph-store", params={"graph": GRAPH}, headers={"accept": "application/rdf+xml"}
        )
        assert xml.status_code == 406
        assert xml.json()["detail"] == (
            "this data cannot be written as application/rdf+xml: it holds U+0001, "
            "a character XML 1.0 cannot carry; ask for Turtle, N-Triples or JSON-LD"
        )
        turtle = client.get(
            "/graph-store", params={"graph": GRAPH}, headers={"accept": "text/turtle"}
        )
        assert turtle.status_code == 200


def test_a_character_split_across_writes_is_still_found() -> None:
    assert xml_breaker("a\ufffeb".encode()) == "U+FFFE"
    assert xml_breaker("a\ufffdb\t\n\r\U0001f600".encode()) is None
    encoded = "\ufffe".encode()
    xml = next(r for r in RESULT_FORMATS if r.media_type.endswith("+xml"))
    out = LimitedOutput(io.BytesIO(), 0, xml=xml, offered=RESULT_FORMATS)
    out.write(b"<x>" + encoded[:1])
    with pytest.raises(NotAcceptableError, match=r"U\+FFFE"):
        out.write(encoded[1:] + b"</x>")
