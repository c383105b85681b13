"""Every page type renders the same over a remote store as over the embedded one.

The Linked Data modules take the store protocol (``QueryStore``), not
pyoxigraph's ``Store``: here the store is a ``RemoteStore`` speaking the SPARQL
protocol to a second kgpub serving the shipped story on loopback, so no
external server is needed. Each page must answer 200 and show the same title
and the same links as the embedded store's page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kgpub.config import Settings
from kgpub.web.app import create_app
from tests.sparql_fixtures import live_server

HTML = {"Accept": "text/html", "Accept-Language": "en"}
PAGES = [
    "/id/elon-musk",  # a person
    "/id/claim-wsj-regular-contact",  # a claim: its evidence sentence, contradictions
    "/id/article",  # the article: its text with every claim marked
    "/graph/background",  # a graph: its subjects
    "/ontology",  # a document: its terms by kind
    "/shapes",
]


@pytest.fixture(scope="module")
def clients() -> Iterator[tuple[TestClient, TestClient]]:
    embedded_app = create_app(Settings(query_workers=1))
    with live_server(create_app(Settings(query_workers=1))) as url:
        remote = Settings(query_workers=1, backend_url=f"{url}/sparql", backend_graph_prefix="")
        with TestClient(embedded_app) as embedded, TestClient(create_app(remote)) as backed:
            yield embedded, backed


def _links(page: str) -> set[str]:
    return set(re.findall(r'href="(/[^"]*)"', page))


@pytest.mark.parametrize("path", PAGES)
def test_every_page_type_renders_over_a_remote_store(
    clients: tuple[TestClient, TestClient], path: str
) -> None:
    embedded, backed = clients
    mine = embedded.get(path, headers=HTML)
    theirs = backed.get(path, headers=HTML)
    assert mine.status_code == theirs.status_code == 200
    title = re.search(r"<h1[^>]*>(.*?)</h1>", mine.text, re.S)
    assert title is not None
    assert title.group(0) in theirs.text
    assert _links(mine.text) == _links(theirs.text)
