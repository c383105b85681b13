"""``/ontology`` as HTML is pyLODE's documentation, with each term at its IRI's fragment."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import html5lib
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from kgpub.config import Settings
from kgpub.ld import ontology_docs
from kgpub.ld.describe import describe
from kgpub.rdf.serialization import serialize
from kgpub.store.oxigraph import Store
from kgpub.web.app import create_app

BASE = "https://kgpub.example/"
ONTOLOGY = BASE + "ontology"
HTML = {"Accept": "text/html"}
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(validate_on_start=False))) as c:
        yield c


def _terms(store: Store) -> dict[str, dict[str, str]]:
    """Each class and property of the ontology: its local name and labels by language."""
    result = store.query(
        "PREFIX owl: <http://www.w3.org/2002/07/owl#> "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "SELECT ?t ?label WHERE { VALUES ?kind { owl:Class owl:ObjectProperty "
        "owl:DatatypeProperty owl:AnnotationProperty } ?t a ?kind ; rdfs:label ?label . "
        f'FILTER(STRSTARTS(STR(?t), "{ONTOLOGY}#")) }}'
    )
    assert isinstance(result, ox.QuerySolutions)
    terms: dict[str, dict[str, str]] = {}
    for row in result:
        assert isinstance(row["t"], ox.NamedNode)
        assert isinstance(row["label"], ox.Literal)
        local = row["t"].value.split("#", 1)[1]
        terms.setdefault(local, {})[row["label"].language or ""] = row["label"].value
    return terms


def _by_id(page: str) -> dict[str, Any]:
    tree = html5lib.parse(page)
    return {e.get("id", ""): e for e in tree.iter() if e.get("id")}


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_term_has_its_anchor_and_label(client: TestClient, store: Store, lang: str) -> None:
    response = client.get("/ontology", params={"lang": lang}, headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-language"] == lang
    page = response.text
    assert "pyLODE" in page
    assert f'<html lang="{lang}">' in page
    elements = _by_id(page)
    terms = _terms(store)
    assert {"ReportedClaim", "evidence", "contradicts", "TemporalExpression"} <= set(terms)
    for local, labels in terms.items():
        assert local in elements, f"no anchor #{local}"
        text = " ".join("".join(elements[local].itertext()).split())
        label = labels.get(lang) or labels.get("en") or labels[""]
        assert label in text, f"#{local} lacks its label {label!r}"


def test_links_between_terms_use_the_local_names(client: TestClient) -> None:
    page = client.get("/ontology", headers=HTML).text
    assert 'href="#ReportedClaim"' in page
    assert 'id="berichteteBehauptung"' not in page


def test_the_version_iri_answers_with_the_same_documentation(client: TestClient) -> None:
    page = client.get("/ontology/0.1.0", params={"lang": "en"}, headers=HTML).text
    assert 'id="ReportedClaim"' in page


def test_rendering_fetches_nothing(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("pyLODE tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    description = describe(store, ONTOLOGY)
    assert description is not None
    turtle = serialize(description.quads, "ttl", BASE).decode()
    page = ontology_docs.render(turtle, ONTOLOGY, "en")
    assert 'id="ReportedClaim"' in page


@pytest.mark.parametrize(
    ("lang", "label", "heading"),
    [("en", "time travel", "Named Individuals"), ("de", "Zeitreise", "Benannte Individuen")],
)
def test_named_individuals_have_their_section(
    client: TestClient, lang: str, label: str, heading: str
) -> None:
    """pyLODE shows classes and properties only; kgpub:TimeTravel gets a section of its own."""
    page = client.get("/ontology", params={"lang": lang}, headers=HTML).text
    elements = _by_id(page)
    text = " ".join("".join(elements["TimeTravel"].itertext()).split())
    assert text.startswith(label)
    assert "http://www.w3.org/ns/sparql-service-description#Feature" in text
    assert heading in "".join(elements["individuals"].itertext())
    assert f'<a href="#TimeTravel">{label}</a>' in page
