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
from tests.paths import REPO

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


def test_readme_names_every_setup_script_the_test_command_runs() -> None:
    """What ``scripts/test`` installs, and which of it goes system-wide, is in the README."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = {m[1]: m[0] for m in re.finditer(r"^\| `scripts/(setup-[a-z]+)` \|.*$", readme, re.M)}
    run = re.findall(r"^scripts/(setup-[a-z]+)", (REPO / "scripts" / "test").read_text(), re.M)
    assert run
    for script in run:
        assert script in rows, f"the README does not say what scripts/{script} installs"
        uses_apt = "apt-get install" in (REPO / "scripts" / script).read_text(encoding="utf-8")
        assert ("**system-wide**" in rows[script]) == uses_apt, script
