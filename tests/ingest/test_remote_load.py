"""``kgpub load --backend`` against a fake backend: what is sent, checked and refused.

The fake (``tests.store.test_remote.Fake``) is an ``httpx.MockTransport``; a load
into a real Virtuoso is in test_remote_virtuoso.py.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from kgpub.cli.exit_codes import EXIT_UNREADABLE
from kgpub.cli.main import main
from kgpub.config import Settings
from kgpub.errors import BackendError, KgpubError
from kgpub.ingest.bulkload import collect_inputs
from kgpub.ingest.remote_load import load_remote
from kgpub.store.remote import RemoteStore
from tests.store.test_remote import BASE, ENDPOINT, JSON_TYPE, Fake, answer, closed_port, results


def _project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("KGPUB_PROJECT_DIR", str(tmp_path))
    monkeypatch.setenv("KGPUB_BASE_IRI", BASE)
    return Settings()


def test_load_sends_each_graph_and_checks_what_the_backend_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _project(tmp_path, monkeypatch)
    (tmp_path / "a.ttl").write_text("<http://a/s> <http://a/p> 1, 2 .\n", encoding="utf-8")
    (tmp_path / "b.nt").write_text("<http://a/s> <http://a/p> <http://a/o> .\n", encoding="utf-8")
    held = {BASE + "graph/a": 2, BASE + "graph/b": 1}

    def backend(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            return httpx.Response(201)
        rows = [
            {"g": {"type": "uri", "value": g}, "n": {"type": "literal", "value": str(n)}}
            for g, n in held.items()
        ]
        return httpx.Response(
            200, content=results(["g", "n"], rows), headers={"Content-Type": JSON_TYPE}
        )

    fake = Fake(backend)
    store = fake.store()
    inputs = collect_inputs(settings, [tmp_path / "a.ttl", tmp_path / "b.nt"])
    summary, report = load_remote(inputs, store)
    assert (summary.files, summary.quads, summary.graphs, report) == (2, 3, 2, None)
    puts = [r for r in fake.requests if r.method == "PUT"]
    assert [r.url.params["graph"] for r in puts] == sorted(held)
    assert puts[0].headers["content-type"] == "application/n-triples"
    assert len(list(ox.parse(puts[0].content, format=ox.RdfFormat.N_TRIPLES))) == 2

    held[BASE + "graph/a"] = 1  # a backend that merged two literals
    with pytest.raises(BackendError, match=r"graph/a> 1 of 2"):
        load_remote(inputs, store)
    store.close()


def test_load_sends_nothing_when_a_file_does_not_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _project(tmp_path, monkeypatch)
    (tmp_path / "good.ttl").write_text("<http://a/s> <http://a/p> 1 .\n", encoding="utf-8")
    (tmp_path / "bad.ttl").write_text("<http://a/s> <http://a/p> .\n", encoding="utf-8")
    fake = Fake(answer(b'{"head": {}, "boolean": true}'))
    store = fake.store()
    inputs = collect_inputs(settings, [tmp_path / "good.ttl", tmp_path / "bad.ttl"])
    with pytest.raises(KgpubError, match=r"bad\.ttl:1"):
        load_remote(inputs, store)
    store.close()
    assert [r.method for r in fake.requests] == ["POST"]  # only the probe: ASK {}


def test_load_checks_the_backend_before_parsing_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _project(tmp_path, monkeypatch)
    (tmp_path / "bad.ttl").write_text("<http://a/s> <http://a/p> .\n", encoding="utf-8")
    url = f"http://127.0.0.1:{closed_port()}/sparql"
    assert main(["load", str(tmp_path / "bad.ttl"), "--backend", url]) == EXIT_UNREADABLE
    err = capsys.readouterr().err
    assert "cannot be reached" in err
    assert "nothing was sent, the backend is unchanged" in err
    assert "bad.ttl" not in err


def test_virtuoso_gets_its_own_graph_store_when_none_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _project(tmp_path, monkeypatch)
    (tmp_path / "a.ttl").write_text("<http://a/s> <http://a/p> 1 .\n", encoding="utf-8")
    row = {"g": {"type": "uri", "value": BASE + "graph/a"}, "n": {"type": "literal", "value": "1"}}

    def virtuoso(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            return httpx.Response(201)
        headers = {"Content-Type": JSON_TYPE, "Server": "Virtuoso/07.20.3229 (Linux)"}
        return httpx.Response(200, content=results(["g", "n"], [row]), headers=headers)

    fake = Fake(virtuoso)
    store = RemoteStore(ENDPOINT, transport=httpx.MockTransport(fake))
    load_remote(collect_inputs(settings, [tmp_path / "a.ttl"]), store)
    store.close()
    assert store.graph_store == "http://backend.test/sparql-graph-crud-auth"
    put = next(r for r in fake.requests if r.method == "PUT")
    assert put.url.path == "/sparql-graph-crud-auth"


def test_load_takes_a_store_or_a_backend_not_both(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["load", str(tmp_path), "--store", str(tmp_path), "--backend", ENDPOINT])
