"""``kgpub serve --workers``: worker count, the SHACL report handed to workers, the factory.

The real multi-process server is tested in ``tests/cli/test_serve.py``; these
tests check the pieces in-process.
"""

from __future__ import annotations

import asyncio
import os
import pickle
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from rdflib.compare import isomorphic
from uvicorn.config import STARTUP_FAILURE
from uvicorn.importer import import_from_string
from uvicorn.server import ServerState

from kgpub.cli import http_workers, serving
from kgpub.cli.serving import WorkerHeadTimeoutProtocol, worker_uvicorn_options
from kgpub.config import Settings, to_environment
from kgpub.ingest.dataset import load_dataset
from kgpub.shacl import validate
from kgpub.shacl.report import ValidationReport
from kgpub.shacl.report_file import read_report, write_report

DATA_TTL = """\
@prefix schema: <https://schema.org/> .
<https://kgpub.example/id/anna> a schema:Person ; schema:name "Anna" .
<https://kgpub.example/id/bob> a schema:Person ; schema:name "Bob" ; schema:email "b@x" .
"""
SHAPES_TTL = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix schema: <https://schema.org/> .
<urn:shape:Person> a sh:NodeShape ; sh:targetClass schema:Person ;
  sh:property [ sh:path schema:email ; sh:minCount 1 ; sh:severity sh:Warning ;
                sh:message "a person should have an e-mail address" ] .
"""


def project(root: Path, **update: object) -> Settings:
    """A project whose one person without e-mail gets a SHACL Warning."""
    for folder, name, text in (("data", "people.ttl", DATA_TTL), ("shapes", "s.ttl", SHAPES_TTL)):
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / name).write_text(text, encoding="utf-8")
    return Settings(project_dir=root, query_workers=1).model_copy(update=update)


def use_environment(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    """What a worker process finds: the parent's settings as ``KGPUB_`` variables."""
    for key in [k for k in os.environ if k.startswith("KGPUB_")]:
        monkeypatch.delenv(key)
    for key, text in to_environment(settings).items():
        if text is not None:
            monkeypatch.setenv(key, text)


def test_worker_count() -> None:
    assert http_workers.worker_count(Settings()) == 1
    half = max(1, (os.cpu_count() or 1) // 2)  # the other half runs the queries
    assert http_workers.worker_count(Settings(store_dir=Path("/st"))) == half
    assert http_workers.worker_count(Settings(http_workers=3)) == 3
    assert http_workers.worker_count(Settings(store_dir=Path("/st"), http_workers=1)) == 1
    assert http_workers.worker_count(Settings(store_dir=Path("/st"), writes_enabled=True)) == 1


@pytest.mark.parametrize(("cores", "workers", "each"), [(2, 1, 3), (2, 2, 2), (8, 8, 2), (8, 3, 3)])
def test_query_workers_are_shared_out_among_http_workers(
    monkeypatch: pytest.MonkeyPatch, cores: int, workers: int, each: int
) -> None:
    monkeypatch.delenv("KGPUB_QUERY_WORKERS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert http_workers.query_workers_each(Settings(), workers) == each


def test_query_workers_set_by_the_operator_are_kept() -> None:
    assert http_workers.query_workers_each(Settings(query_workers=5), 2) == 5
    assert http_workers.query_workers_each(Settings(query_workers=1), 1) == 1


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> ValidationReport:
    found = load_dataset(project(tmp_path_factory.mktemp("parent"))).conformance.report
    assert found is not None
    return found


def test_report_survives_the_handover(report: ValidationReport, tmp_path: Path) -> None:
    # A Warning: sh:conforms false (SHACL 1.0 §3.6.1), accepted by kgpub's policy.
    assert not report.conforms
    assert report.accepted
    assert [r.message for r in report.results] == ["a person should have an e-mail address"]
    read = read_report(write_report(report, tmp_path / "report.json"))
    assert read.conforms is report.conforms
    assert read.accepted is report.accepted
    assert isomorphic(read.graph, report.graph)
    assert read.results == report.results


def test_worker_app_shows_the_handed_report_without_validating(
    report: ValidationReport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handed = write_report(report, tmp_path / "report.json")
    use_environment(monkeypatch, project(tmp_path / "project", shacl_report_file=handed))

    def no_validation(*args: object, **kwargs: object) -> ValidationReport:
        raise AssertionError("a worker must not run pySHACL")

    monkeypatch.setattr(validate, "validate_quads", no_validation)
    with TestClient(http_workers.create_worker_app()) as client:
        anna = client.get("/id/anna", headers={"Accept": "text/html"})
        bob = client.get("/id/bob", headers={"Accept": "text/html"})
    assert anna.status_code == bob.status_code == 200
    assert "a person should have an e-mail address" in anna.text
    assert "a person should have an e-mail address" not in bob.text


def test_worker_without_a_report_loads_as_settings_say(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run by hand (``uvicorn --factory``), a worker validates like ``create_app`` does."""
    use_environment(monkeypatch, project(tmp_path))
    with TestClient(http_workers.create_worker_app()) as client:
        anna = client.get("/id/anna", headers={"Accept": "text/html"})
    assert "a person should have an e-mail address" in anna.text


def test_worker_that_cannot_open_its_store_stops_the_parent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_environment(monkeypatch, project(tmp_path, store_dir=tmp_path / "missing"))
    with pytest.raises(SystemExit) as stopped:
        http_workers.create_worker_app()
    assert stopped.value.code == STARTUP_FAILURE


def test_worker_options_reach_the_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """uvicorn pickles its configuration for each worker; the protocol, named by import
    string, takes its deadline and size limit from the worker's environment."""
    settings = Settings(header_timeout=1.5, max_header_bytes=4321, max_connections=9)
    options = worker_uvicorn_options(settings, 2)
    assert (options["workers"], options["factory"]) == (2, True)
    # uvicorn refuses when its count reaches the limit, the asking connection included:
    # 9 connections served needs 10 (tests/cli/test_security_serving.py shows it).
    assert options["limit_concurrency"] == 10
    config = pickle.loads(pickle.dumps(uvicorn.Config(http_workers.FACTORY, **options)))
    assert import_from_string(config.http) is WorkerHeadTimeoutProtocol

    use_environment(monkeypatch, settings)
    serving._worker_limits.cache_clear()

    async def app(scope: object, receive: object, send: object) -> None:
        raise AssertionError("not called")

    loaded = uvicorn.Config(app)
    loaded.load()
    loop = asyncio.new_event_loop()
    try:
        protocol = WorkerHeadTimeoutProtocol(
            config=loaded, server_state=ServerState(), app_state={}, _loop=loop
        )
    finally:
        loop.close()
        serving._worker_limits.cache_clear()
    assert (protocol.head_timeout, protocol.max_head_bytes) == (1.5, 4321)
