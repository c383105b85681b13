"""Every kind of page is valid HTML: a strict HTML5 parser finds not a single parse error."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import html5lib
import pytest
from fastapi.testclient import TestClient
from html5lib.html5parser import ParseError

from kgpub.config import Settings
from kgpub.web.app import create_app
from tests.history_fixtures import revised_project

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(validate_on_start=False))) as c:
        yield c


def _errors(page: str) -> list[str]:
    parser = html5lib.HTMLParser(strict=True)
    with contextlib.suppress(ParseError):
        parser.parse(page)
    return [f"line {line}, col {col}: {code} {data}" for (line, col), code, data in parser.errors]


def test_the_strict_parser_finds_errors() -> None:
    assert _errors("<!doctype html><title>x</title><p>a</div>")
    assert not _errors("<!doctype html><title>x</title><p>a</p>")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/id/article", 200),  # article
        ("/id/claim-musk-founded-spacex", 200),  # claim
        ("/id/elon-musk", 200),  # entity
        ("/id/anchor-article-section-1", 200),  # anchor
        ("/id/trump-zelensky-call", 200),  # event (a kgpub:PhoneCall)
        ("/ontology", 200),  # ontology documentation
        ("/shapes", 200),  # shapes documentation
        ("/graph/article", 200),  # named graph
        ("/id/no-such-thing", 404),  # not found
        ("/sparql", 200),  # query page
        ("/", 200),  # home page
        ("/.well-known/void", 200),  # VoID as a page
        (
            "/sparql?query=SELECT%20%2A%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%203",
            200,
        ),  # results
        ("/sparql?query=ASK%20%7B%7D", 200),  # an answer
    ],
)
@pytest.mark.parametrize("lang", ["en", "de"])
def test_page_parses_without_errors(client: TestClient, path: str, status: int, lang: str) -> None:
    response = client.get(path, params={"lang": lang}, headers=HTML)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert _errors(response.text) == []


@pytest.fixture(scope="module")
def revised_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The shared revised project (fictional Hafenfest, 3 revisions): pages with history."""
    project = revised_project(tmp_path_factory.mktemp("html-valid") / "project")
    with TestClient(create_app(Settings(project_dir=project.root, validate_on_start=False))) as c:
        yield c


@pytest.mark.parametrize(
    "path",
    [
        "/id/hafenfest",  # article with its history
        "/id/hafenfest/claim-1",  # claim with its status per revision
        "/id/hafenfest/revision/2",  # a revision's record
        "/diff/id/hafenfest",  # the changes of the latest revision
        "/diff/id/hafenfest?from=1&to=3",  # over two revisions
    ],
)
@pytest.mark.parametrize("lang", ["en", "de"])
def test_history_pages_parse_without_errors(
    revised_client: TestClient, path: str, lang: str
) -> None:
    response = revised_client.get(path, params={"lang": lang}, headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert _errors(response.text) == []
