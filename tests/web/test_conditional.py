"""Validators and 304 on every document (``kgpub.web.conditional``), CORS exposing them.

Every document at a fixed address carries a strong ``ETag``, ``Last-Modified``
(when the served data last changed) and ``Cache-Control``; ``If-None-Match``
decides when sent, otherwise ``If-Modified-Since``. A write changes the tags
of what it changed and moves ``Last-Modified``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kgpub.config import Settings
from kgpub.ingest.dataset import data_modified, served_sources
from kgpub.web.app import create_app
from kgpub.web.conditional import http_date
from kgpub.web.services import app_services
from tests.writes_fixtures import AUTH, NAMED, PLACES, writable_project

PATHS = (
    "/id/elon-musk",
    "/id/elon-musk?format=html",
    "/graph/article",
    "/ontology?format=ttl",
    "/shapes",
    "/.well-known/void",
    "/graph/article/rdf12",
    "/graph-store?graph=https://kgpub.example/graph/kgpub",
    "/context.jsonld",
    "/sparql?format=ttl",
    "/robots.txt",
    "/sitemap.xml",
)

# Pages for people, asked as a browser asks: (path, what chose the answer).
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8", "Accept-Language": "de"}
SELECT = "/sparql?query=SELECT%20%3Fs%20WHERE%20%7B%20%3Fs%20a%20%3Fo%20%7D%20LIMIT%203"
PAGES = (
    ("/", "Accept, Accept-Language"),
    ("/sparql", "Accept"),
    (SELECT, "Accept, Accept-Language, Accept-Datetime"),  # results depend on the instant too
    ("/search", "Accept, Accept-Language"),
    ("/search?q=Starlink", "Accept, Accept-Language"),
    ("/.well-known/void", "Accept, Accept-Language"),
)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(validate_on_start=False, query_workers=1))) as c:
        yield c


@pytest.mark.parametrize("path", PATHS)
def test_every_document_has_validators_and_answers_304(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    etag = response.headers["etag"]
    assert etag.startswith('"')
    assert etag.endswith('"')
    modified = response.headers["last-modified"]
    assert response.headers["cache-control"] == "public, max-age=60"
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(path, headers={"If-None-Match": f'"x", W/{etag}'}).status_code == 304
    assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304
    later = format_datetime(parsedate_to_datetime(modified) + timedelta(hours=1), usegmt=True)
    assert client.get(path, headers={"If-Modified-Since": later}).status_code == 304
    earlier = format_datetime(parsedate_to_datetime(modified) - timedelta(seconds=1), usegmt=True)
    assert client.get(path, headers={"If-Modified-Since": earlier}).status_code == 200
    both = {"If-None-Match": '"other"', "If-Modified-Since": modified}
    assert client.get(path, headers=both).status_code == 200
    head = client.head(path, headers={"If-None-Match": etag})
    assert head.status_code == 304


def _vary(value: str) -> set[str]:
    """What a ``Vary`` names but ``Origin`` (the CORS middleware adds it to every answer)."""
    return {name.strip().lower() for name in value.split(",")} - {"origin"}


@pytest.mark.parametrize(("path", "vary"), PAGES)
def test_every_page_has_validators_vary_and_answers_304(
    client: TestClient, path: str, vary: str
) -> None:
    response = client.get(path, headers=BROWSER)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert _vary(response.headers["vary"]) == _vary(vary)
    etag = response.headers["etag"]
    assert etag.startswith('"')
    modified = response.headers["last-modified"]
    assert response.headers["cache-control"] == "public, max-age=60"
    again = client.get(path, headers={**BROWSER, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert _vary(again.headers["vary"]) == _vary(vary)
    assert client.get(path, headers={**BROWSER, "If-Modified-Since": modified}).status_code == 304
    earlier = format_datetime(parsedate_to_datetime(modified) - timedelta(seconds=1), usegmt=True)
    assert client.get(path, headers={**BROWSER, "If-Modified-Since": earlier}).status_code == 200
    head = client.head(path, headers=BROWSER)
    assert head.status_code == 200
    assert head.headers["etag"] == etag
    assert int(head.headers["content-length"]) == len(response.content)


@pytest.mark.parametrize("path", [p for p, vary in PAGES if "Accept-Language" in vary])
def test_a_page_in_another_language_has_another_etag(client: TestClient, path: str) -> None:
    german = client.get(path, headers=BROWSER)
    english = client.get(path, headers={**BROWSER, "Accept-Language": "en"})
    assert german.headers["content-language"] == "de"
    assert english.headers["content-language"] == "en"
    assert german.headers["etag"] != english.headers["etag"]
    stale = client.get(
        path, headers={**BROWSER, "Accept-Language": "en", "If-None-Match": german.headers["etag"]}
    )
    assert stale.status_code == 200


@pytest.mark.parametrize("value", ["yesterday", "", "Mon, 99 Foo 2024 00:00:00 GMT"])
def test_an_unreadable_if_modified_since_is_ignored(client: TestClient, value: str) -> None:
    assert client.get("/shapes", headers={"If-Modified-Since": value}).status_code == 200


def test_a_304_carries_the_headers_of_the_200(client: TestClient) -> None:
    page = client.get("/id/elon-musk")
    again = client.get("/id/elon-musk", headers={"If-None-Match": page.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    for name in ("etag", "last-modified", "cache-control", "content-location", "link", "vary"):
        assert again.headers[name] == page.headers[name]


def test_post_queries_are_not_answered_304(client: TestClient) -> None:
    first = client.get("/sparql", params={"query": "ASK {}"})
    response = client.post(
        "/sparql",
        content="ASK {}",
        headers={
            "content-type": "application/sparql-query",
            "If-None-Match": first.headers["etag"],
        },
    )
    assert response.status_code == 200


def test_last_modified_is_the_newest_source_file(tmp_path: Path) -> None:
    settings = writable_project(tmp_path, writes_enabled=False, write_token=None)
    moment = datetime(2024, 11, 8, 12, 30, 15, tzinfo=UTC)
    for source in served_sources(settings):
        os.utime(source.path, (moment.timestamp(), moment.timestamp()))
    newest = served_sources(settings)[0].path
    os.utime(newest, (moment.timestamp() + 3600, moment.timestamp() + 3600))
    assert data_modified(settings) == moment + timedelta(hours=1)
    with TestClient(create_app(settings)) as client:
        response = client.get("/graph/people")
        assert response.headers["last-modified"] == "Fri, 08 Nov 2024 13:30:15 GMT"


def test_http_date() -> None:
    moment = datetime(1994, 11, 6, 8, 49, 37, 512, tzinfo=UTC)
    assert http_date(moment) == "Sun, 06 Nov 1994 08:49:37 GMT"


def test_a_write_changes_the_tags_and_moves_last_modified(tmp_path: Path) -> None:
    with TestClient(create_app(writable_project(tmp_path))) as client:
        paths = ("/.well-known/void", f"/graph-store?graph={PLACES}", "/sitemap.xml")
        before = {path: client.get(path) for path in paths}
        people = client.get("/graph/people")
        app_services(client.app).modified -= timedelta(seconds=5)  # a write a moment later
        stale = client.get("/graph/people").headers["last-modified"]
        written = client.post(
            "/graph-store",
            params={"graph": PLACES},
            content=NAMED,
            headers={**AUTH, "content-type": "text/turtle"},
        )
        assert written.status_code == 204
        for path, old in before.items():
            new = client.get(path, headers={"If-None-Match": old.headers["etag"]})
            if path != "/sitemap.xml":  # lists the same pages; only lastmod may move
                assert new.status_code == 200
                assert new.headers["etag"] != old.headers["etag"]
        # A page the write did not change keeps its ETag (the bytes' hash) ...
        unchanged = client.get("/graph/people", headers={"If-None-Match": people.headers["etag"]})
        assert unchanged.status_code == 304
        # ... but a copy validated by date alone is older than the write.
        by_date = client.get("/graph/people", headers={"If-Modified-Since": stale})
        assert by_date.status_code == 200


def test_cors_exposes_the_linked_data_headers(client: TestClient) -> None:
    response = client.get("/id/elon-musk", headers={"Origin": "https://reader.example"})
    exposed = {h.strip() for h in response.headers["access-control-expose-headers"].split(",")}
    assert {"Link", "Content-Location", "ETag", "Location", "Last-Modified"} <= exposed
    preflight = client.options(
        "/graph-store",
        headers={
            "Origin": "https://reader.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match, If-Modified-Since",
        },
    )
    assert preflight.status_code == 200
