"""The README's example queries print what the README says they print.

The examples are the first thing a new user runs; they are checked against the
app built from the shipped data so the README never drifts from the graph.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kgpub.config import Settings
from kgpub.web.app import create_app

_EXAMPLE = re.compile(
    r"```\n\$ curl -s http://127\.0\.0\.1:8000/sparql -H 'Accept: (?P<accept>[^']+)' \\\n"
    r"\s+--data-urlencode query@(?P<file>\S+)\n(?P<output>.*?)```",
    re.DOTALL,
)


def _examples() -> list[tuple[str, str, str]]:
    readme = (Settings().project_dir / "README.md").read_text(encoding="utf-8")
    return [(m["accept"], m["file"], m["output"]) for m in _EXAMPLE.finditer(readme)]


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def test_readme_shows_three_examples() -> None:
    assert len(_examples()) == 3


@pytest.mark.parametrize(("accept", "file", "output"), _examples(), ids=lambda v: str(v)[:40])
def test_example_prints_what_the_readme_shows(
    client: TestClient, settings: Settings, accept: str, file: str, output: str
) -> None:
    query = (settings.project_dir / file).read_text(encoding="utf-8")
    response = client.post("/sparql", data={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.text.replace("\r\n", "\n").strip("\n") == output.strip("\n")
