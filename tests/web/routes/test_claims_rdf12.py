"""``/graph/article/rdf12``: the claims as RDF 1.2, negotiated among the formats that carry it."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from kgpub.config import Settings
from kgpub.ld.claims_rdf12 import REIFIES, claims_view
from kgpub.store.oxigraph import Store
from kgpub.web.app import create_app

PATH = "/graph/article/rdf12"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(validate_on_start=False))) as c:
        yield c


@pytest.fixture(scope="module")
def expected(store: Store, settings: Settings) -> set[ox.Triple]:
    return set(claims_view(store, settings.base_iri))


@pytest.mark.parametrize(
    ("accept", "media_type", "fmt"),
    [
        ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("*/*", "text/turtle", ox.RdfFormat.TURTLE),
    ],
)
def test_serves_the_view_in_rdf_1_2(
    client: TestClient, expected: set[ox.Triple], accept: str, media_type: str, fmt: ox.RdfFormat
) -> None:
    response = client.get(PATH, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert response.headers["vary"].startswith("Accept")
    got = {q.triple for q in ox.parse(response.content, format=fmt)}
    assert got == expected
    assert sum(1 for t in got if t.predicate == REIFIES) == 36


def test_head_has_the_length_and_no_body(client: TestClient) -> None:
    full = client.get(PATH, params={"format": "nt"})
    head = client.head(PATH, params={"format": "nt"})
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(full.content))


@pytest.mark.parametrize("accept", ["application/rdf+xml", "application/ld+json"])
def test_formats_without_triple_terms_are_not_acceptable(client: TestClient, accept: str) -> None:
    response = client.get(PATH, headers={"Accept": accept})
    assert response.status_code == 406
    assert response.headers["content-type"].startswith("application/problem+json")


def test_the_article_graph_itself_is_still_served(client: TestClient) -> None:
    response = client.get("/graph/article", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert b"rdf-syntax-ns#reifies" not in response.content


@pytest.mark.parametrize("name", ["background", "no-such-graph", "%F2%82%89%B0%15u"])
def test_a_graph_without_claims_or_no_graph_at_all_is_404(client: TestClient, name: str) -> None:
    """Found by the schema fuzzer: a name that makes no IRI was a 500."""
    response = client.get(f"/graph/{name}/rdf12", headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
