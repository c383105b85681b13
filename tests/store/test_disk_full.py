"""A full disk is a write problem only: on a small tmpfs the test mounts, reads go on,
the failing write gets 507, the store stays intact, and a restart starts read-only."""

from __future__ import annotations

import contextlib
import multiprocessing.util
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from kgpub.config import Settings
from kgpub.ingest.dataset import load_dataset
from kgpub.store.oxigraph import Store
from kgpub.web.app import create_app
from tests.sparql_fixtures import EX, free_port, query_pool
from tests.writes_fixtures import AUTH, NAMED, PEOPLE, TOKEN, writable_project

TTL = {**AUTH, "content-type": "text/turtle"}
DISK_BYTES = 48 * 1024 * 1024


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A 48 MiB tmpfs, unmounted afterwards; skipped where mounting is not allowed."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_BYTES}", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    """Fill the disk to the last byte; returns the filler file (delete it to free space)."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        for size in (1024 * 1024, 4096, 1):
            block = b"\0" * size
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, block)
    finally:
        os.close(fd)
    assert os.statvfs(disk).f_bavail == 0
    return filler


def store_settings(root: Path, disk: Path) -> Settings:
    project = writable_project(root / "project")
    memory = load_dataset(project).store
    assert isinstance(memory, Store)
    store_dir = disk / "store"
    store = Store(store_dir)
    store.add_quads(list(memory))
    store.save_stats()
    del store
    return project.model_copy(update={"store_dir": store_dir, "query_workers": 1})


@pytest.fixture
def spool_on(disk: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Temporary files (query snapshots, large results) on the same small disk."""
    tmp = disk / "tmp"
    tmp.mkdir()
    # multiprocessing keeps its own folder (the forkserver's socket) where it first made it.
    multiprocessing.util.get_temp_dir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    return tmp


def ask(client: TestClient, pattern: str = "") -> bool:
    response = client.get(
        "/sparql",
        params={"query": f"ASK {{ {pattern} }}"},
        headers={"accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.text
    return bool(response.json()["boolean"])


def test_reads_go_on_and_the_write_gets_507(tmp_path: Path, disk: Path, spool_on: Path) -> None:
    """Answering from disk, the next query after a write wants a new snapshot (a RocksDB
    checkpoint, which flushes) on the full disk: it fails, and the previous answers."""
    settings = store_settings(tmp_path, disk).model_copy(update={"query_memory_bytes": 0})
    with TestClient(create_app(settings)) as client:
        assert ask(client)
        written = client.put(
            "/graph-store", params={"graph": f"{EX}before"}, content=NAMED, headers=TTL
        )
        assert written.status_code == 201
        filler = fill(disk)
        # The write changed the version: the next query wants a new snapshot, on a full disk.
        assert ask(client)
        assert ask(client, "?s ?p ?o")
        refused = client.put(
            "/graph-store", params={"graph": f"{EX}full"}, content=NAMED, headers=TTL
        )
        assert refused.status_code == 507
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["detail"] == (
            "the disk holding the store is full: the write was not applied; "
            "reads go on, free some space and retry"
        )
        assert ask(client, "?s ?p ?o")
        people = client.get("/graph-store", params={"graph": PEOPLE})
        assert people.status_code == 200
        filler.unlink()
        again = client.put(
            "/graph-store", params={"graph": f"{EX}full"}, content=NAMED, headers=TTL
        )
        assert again.status_code == 201, again.json()
        assert ask(client, f"GRAPH <{EX}full> {{ ?s ?p ?o }}")
        assert ask(client, f"GRAPH <{EX}before> {{ ?s ?p ?o }}")


def test_the_in_memory_copy_answers_writes_on_a_full_disk(
    tmp_path: Path, disk: Path, spool_on: Path
) -> None:
    """The copy catches up with a write from its change set: no snapshot is written, so a
    full disk changes nothing for reads, and a committed write is seen at once."""
    settings = store_settings(tmp_path, disk)
    with TestClient(create_app(settings)) as client:
        pool = query_pool(client.app)
        deadline = time.monotonic() + 60
        while not pool.in_memory and time.monotonic() < deadline:
            assert ask(client)
            time.sleep(0.05)
        assert pool.in_memory
        filler = fill(disk)
        try:
            written = client.put(
                "/graph-store", params={"graph": f"{EX}late"}, content=NAMED, headers=TTL
            )
            assert written.status_code in (201, 507), written.text
            assert ask(client, f"GRAPH <{EX}late> {{ ?s ?p ?o }}") is (written.status_code == 201)
            assert ask(client, f"GRAPH <{PEOPLE}> {{ ?s ?p ?o }}")
            assert pool.in_memory
        finally:
            filler.unlink()


def test_a_restart_on_a_full_disk_serves_read_only(tmp_path: Path, disk: Path) -> None:
    settings = store_settings(tmp_path, disk)
    (disk / "tmp").mkdir()
    filler = fill(disk)
    port = free_port()
    env = {
        **os.environ,
        "TMPDIR": str(disk / "tmp"),
        "KGPUB_PROJECT_DIR": str(settings.project_dir),
        "KGPUB_WRITES_ENABLED": "true",
        "KGPUB_WRITE_TOKEN": TOKEN,
        "KGPUB_QUERY_WORKERS": "1",
    }
    command = [sys.executable, "-m", "kgpub", "serve", "--store", str(settings.store_dir)]
    server = subprocess.Popen(
        [*command, "--port", str(port)], env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(timeout=10) as http:
            for _ in range(300):
                with contextlib.suppress(httpx.TransportError):
                    if http.get(f"{base}/sparql", params={"query": "ASK {}"}).status_code == 200:
                        break
                assert server.poll() is None, server.communicate()[1]
                time.sleep(0.1)
            found = http.get(
                f"{base}/sparql",
                params={"query": f"ASK {{ GRAPH <{PEOPLE}> {{ ?s ?p ?o }} }}"},
                headers={"accept": "application/sparql-results+json"},
            )
            assert found.json()["boolean"] is True
            refused = http.put(
                f"{base}/graph-store", params={"graph": f"{EX}new"}, content=NAMED, headers=TTL
            )
            assert refused.status_code == 507
            assert refused.json()["detail"] == (
                "the store is served read-only (the disk holding it was full when the server "
                "started): the write was not applied; free some space and restart the server"
            )
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
        filler.unlink()
    notice = (
        f"kgpub serve: the disk holding {settings.store_dir} is full: serving the store "
        "read-only, writes get 507 until a restart with free space"
    )
    assert notice in err.splitlines()
    assert "Traceback" not in err
