"""``/robots.txt``, ``/sitemap.xml`` and ``/lookup`` over HTTP, on the shipped data and on
a project with more articles (nothing names one article by hand)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kgpub.config import Settings
from kgpub.ld.sitemap import SITEMAP_NS
from kgpub.web.app import create_app

BASE = "https://kgpub.example/"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(validate_on_start=False, query_workers=1))) as c:
        yield c


def _locs(body: bytes) -> list[str]:
    root = ET.fromstring(body)
    return [el.text or "" for el in root.iter(f"{{{SITEMAP_NS}}}loc")]


def test_robots_txt(client: TestClient) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert "Sitemap: http://testserver/sitemap.xml" in response.text.splitlines()
    assert "Disallow: /graph-store" in response.text.splitlines()


def test_sitemap_has_the_shipped_articles_and_people(client: TestClient) -> None:
    response = client.get("/sitemap.xml")
    assert response.headers["content-type"] == "application/xml"
    locs = _locs(response.content)
    for path in ("/id/article", "/id/cnn-report", "/id/wsj-report", "/id/elon-musk"):
        assert f"http://testserver{path}" in locs
    assert len(locs) == len(set(locs)) > 20
    assert all(
        client.head(loc, headers={"Accept": "text/turtle"}).status_code == 200 for loc in locs[:10]
    )


def test_sitemap_follows_the_store_not_a_fixed_list(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    articles = "\n".join(
        f"<{BASE}id/test-story-{n}> a <https://schema.org/NewsArticle> ; "
        f'<https://schema.org/articleBody> "Fictional test article {n}." .'
        for n in range(3)
    )
    (data / "articles.ttl").write_text(articles + "\n", encoding="utf-8")
    settings = Settings(project_dir=tmp_path, validate_on_start=False, query_workers=1)
    with TestClient(create_app(settings)) as client:
        locs = _locs(client.get("/sitemap.xml").content)
        void = client.get("/.well-known/void", params={"format": "nt"}).text
    assert locs == [f"http://testserver/id/test-story-{n}" for n in range(3)]
    roots = [line for line in void.splitlines() if "#rootResource>" in line]
    assert len(roots) == 3


@pytest.mark.parametrize(
    ("iri", "status", "location"),
    [
        (BASE + "id/elon-musk", 303, "/id/elon-musk"),
        (BASE + "ontology#ReportedClaim", 303, "/ontology"),
        (BASE + "graph/article", 303, "/graph/article"),
        ("https://example.org/x", 404, None),
    ],
)
def test_lookup(client: TestClient, iri: str, status: int, location: str | None) -> None:
    response = client.get("/lookup", params={"uri": iri}, follow_redirects=False)
    assert response.status_code == status
    assert response.headers.get("location") == location


def test_lookup_without_an_iri_is_400(client: TestClient) -> None:
    assert client.get("/lookup").status_code == 400
