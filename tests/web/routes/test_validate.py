"""``POST /validate``: SHACL reports by negotiation, 400 with the parser's message, 415."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal
from rdflib.namespace import SH

from kgpub.config import Settings
from kgpub.web.app import create_app

BAD_CLAIM = b"""PREFIX schema: <https://schema.org/>
PREFIX kgpub: <https://kgpub.example/ontology#>
<https://kgpub.example/id/x> a kgpub:ReportedClaim ; schema:text "<script>x</script>" .
"""
GOOD = b"""PREFIX schema: <https://schema.org/>
<https://kgpub.example/id/y> schema:name "y"@en ."""


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(validate_on_start=False))) as c:
        yield c


def _post(client: TestClient, body: bytes, content_type: str, accept: str = "text/turtle"):  # type: ignore[no-untyped-def]
    return client.post(
        "/validate", content=body, headers={"Content-Type": content_type, "Accept": accept}
    )


def test_turtle_report_for_a_broken_claim(client: TestClient) -> None:
    response = _post(client, BAD_CLAIM, "text/turtle")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    report = Graph().parse(data=response.text, format="turtle")
    assert (None, SH.conforms, Literal(False)) in report
    assert len(list(report.subjects(SH.resultSeverity, SH.Violation))) > 0


def test_conforming_data(client: TestClient) -> None:
    report = Graph().parse(data=_post(client, GOOD, "text/turtle").text, format="turtle")
    assert (None, SH.conforms, Literal(True)) in report


def test_jsonld_in_and_out(client: TestClient) -> None:
    body = json.dumps(
        {
            "@id": "https://kgpub.example/id/x",
            "@type": "https://kgpub.example/ontology#ReportedClaim",
        }
    ).encode()
    response = _post(client, body, "application/ld+json", "application/ld+json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    doc = response.json()
    assert "@context" in doc


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (
            "application/n-triples",
            b'<https://kgpub.example/id/y> <https://schema.org/name> "y" .\n',
        ),
        (
            "application/rdf+xml",
            b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
            b' xmlns:s="https://schema.org/"><rdf:Description rdf:about="https://kgpub.example/id/y">'
            b"<s:name>y</s:name></rdf:Description></rdf:RDF>",
        ),
    ],
)
def test_other_syntaxes_are_read(client: TestClient, content_type: str, body: bytes) -> None:
    assert _post(client, body, content_type).status_code == 200


def test_html_report_escapes_messages_and_values(client: TestClient) -> None:
    response = _post(client, BAD_CLAIM, "text/turtle", "text/html")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<table>" in response.text
    assert "<script>" not in response.text


def test_unreadable_rdf_is_400_with_the_parser_message(client: TestClient) -> None:
    response = _post(client, b"<a> <b> .", "text/turtle")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "request body:1:" in response.json()["detail"]


def test_remote_contexts_are_never_fetched(client: TestClient) -> None:
    body = b'{"@context": "http://example.org/context.jsonld", "@id": "http://a"}'
    response = _post(client, body, "application/ld+json")
    assert response.status_code == 400
    assert "remote context" in response.json()["detail"]


def test_unknown_content_type_is_415(client: TestClient) -> None:
    assert _post(client, b"x", "text/plain").status_code == 415


def _message_languages(report: Graph) -> list[list[str | None]]:
    return [
        [m.language for m in report.objects(result, SH.resultMessage) if isinstance(m, Literal)]
        for result in report.subjects(SH.resultSeverity, None)
    ]


@pytest.mark.parametrize(
    ("query", "accept_language", "language"),
    [("", "de-DE,de;q=0.9,en;q=0.5", "de"), ("?lang=en", "de", "en"), ("?lang=de", "", "de")],
)
def test_one_message_per_result_in_the_requested_language(
    client: TestClient, query: str, accept_language: str, language: str
) -> None:
    for _ in range(2):  # the same every time
        response = client.post(
            f"/validate{query}",
            content=BAD_CLAIM,
            headers={
                "Content-Type": "text/turtle",
                "Accept": "text/turtle",
                "Accept-Language": accept_language,
            },
        )
        assert "Accept-Language" in response.headers["vary"]
        languages = _message_languages(Graph().parse(data=response.text, format="turtle"))
        assert languages
        assert all(found == [language] for found in languages), languages
