"""The browser's query page: YASGUI from the project's own files, competency queries as tabs."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kgpub.config import Settings
from kgpub.ld.query_editor import (
    VENDOR_DIR,
    ExampleQuery,
    assets_installed,
    example_queries,
    render_page,
)
from kgpub.web.app import create_app
from tests.sparql_fixtures import write_project

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = Path(tmp_path_factory.mktemp("ui"))
    settings = write_project(root)
    queries = root / "queries" / "competency"
    queries.mkdir(parents=True)
    (queries / "01-people.rq").write_text(
        "# title: Who are the people?\nSELECT ?p WHERE { ?p a <https://schema.org/Person> }\n",
        encoding="utf-8",
    )
    (queries / "02-no_title.rq").write_text("ASK {} # </script>\n", encoding="utf-8")
    (queries / "02-no_title.tsv").write_text("expected results, not a query\n", encoding="utf-8")
    with TestClient(create_app(settings)) as c:
        yield c


def _examples_in(page: str) -> list[dict[str, str]]:
    match = re.search(r"var examples = (.*);\n", page)
    assert match is not None
    examples: list[dict[str, str]] = json.loads(match.group(1).replace("<\\/", "</"))
    return examples


def test_competency_queries_become_titled_tabs(client: TestClient) -> None:
    page = client.get("/sparql", headers={"accept": BROWSER}).text
    assert _examples_in(page) == [
        {
            "name": "Who are the people?",
            "query": "# title: Who are the people?\n"
            "SELECT ?p WHERE { ?p a <https://schema.org/Person> }\n",
        },
        {"name": "02 no title", "query": "ASK {} # </script>\n"},
    ]
    # A query text cannot end the script element early.
    assert "ASK {} # </script>" not in page


def test_page_loads_nothing_from_elsewhere(client: TestClient) -> None:
    page = client.get("/sparql", headers={"accept": BROWSER}).text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources
    assert all(src.startswith("/") for src in sources), sources
    assert 'endpoint: endpoint, method: "POST"' in page


def test_the_shipped_competency_queries_are_offered(settings: Settings) -> None:
    examples = example_queries(settings.queries_dir)
    files = sorted(settings.queries_dir.glob("*.rq"))
    assert len(examples) == len(files)
    for example, path in zip(examples, files, strict=True):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        if first.startswith("# title:"):
            assert example.title == first.removeprefix("# title:").strip()


def test_missing_assets_page_says_how_to_install(tmp_path: Path) -> None:
    assert not assets_installed(tmp_path)
    page = render_page("/sparql", "/static", [ExampleQuery("t", "ASK {}")], installed=False)
    assert "scripts/setup-ui" in page
    assert '<div id="missing">' in page
    assert "#missing { display: block;" in page
    assert '<form method="get" action="/sparql">' in page


@pytest.mark.skipif(not assets_installed(), reason="run scripts/setup-ui to install YASGUI")
def test_vendored_assets_are_served(client: TestClient) -> None:
    script = client.get("/static/vendor/yasgui.min.js")
    style = client.get("/static/vendor/yasgui.min.css")
    assert script.status_code == 200
    assert script.content == (VENDOR_DIR / "yasgui.min.js").read_bytes()
    assert "javascript" in script.headers["content-type"]
    assert style.headers["content-type"].startswith("text/css")
    page = client.get("/sparql", headers={"accept": BROWSER}).text
    assert "#missing { display: none;" in page
