"""``kgpub serve``: refuses invalid data with the report, serves the article otherwise."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from kgpub.cli import EXIT_INVALID, EXIT_UNREADABLE, main
from tests.sparql_fixtures import free_port, write_project

SHAPES_TTL = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix schema: <https://schema.org/> .
<urn:shape:Person> a sh:NodeShape ; sh:targetClass schema:Person ;
  sh:property [ sh:path schema:email ; sh:minCount 1 ] .
"""


def test_serve_refuses_invalid_data_and_prints_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_project(tmp_path)
    (tmp_path / "shapes").mkdir()
    (tmp_path / "shapes" / "shapes.ttl").write_text(SHAPES_TTL, encoding="utf-8")
    monkeypatch.setenv("KGPUB_PROJECT_DIR", str(tmp_path))
    assert main(["serve", "--port", "1"]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert "Violation" in err
    assert "https://schema.org/email" in err
    assert "refusing to serve" in err


def test_serve_reports_unreadable_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("<urn:a> <urn:b> .\n", encoding="utf-8")
    monkeypatch.setenv("KGPUB_PROJECT_DIR", str(tmp_path))
    assert main(["serve", str(broken)]) == EXIT_UNREADABLE
    assert "broken.ttl:1" in capsys.readouterr().err


def test_readme_serve_command_serves_the_article(tmp_path: Path) -> None:
    """The command scripts/serve runs, on the shipped data, answering real HTTP."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KGPUB_")}
    log = (tmp_path / "serve.log").open("w+b")
    server = subprocess.Popen(
        [sys.executable, "-m", "kgpub.cli", "serve", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}/sparql"
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    try:
        while True:
            # Waiting on the process doubles as a pause between connection attempts.
            try:
                server.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                pass
            else:
                log.seek(0)
                pytest.fail(f"kgpub serve exited: {log.read().decode()}")
            try:
                with urllib.request.urlopen(
                    url + "?" + urllib.parse.urlencode({"query": query})
                ) as response:
                    data = json.load(response)
                break
            except urllib.error.URLError:
                continue
    finally:
        server.terminate()
        server.wait()
        log.close()
    graphs = [b["g"]["value"] for b in data["results"]["bindings"]]
    assert "https://kgpub.example/graph/article" in graphs
