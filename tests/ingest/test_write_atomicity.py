"""A write survives a crash whole or not at all: ``kgpub serve --store`` killed mid-write.

A real server process on loopback, over an on-disk store, receives a large
Graph Store Protocol PUT (200,000 triples). Its ``kgpub.ingest.writes`` log says when
the commit starts; the test then kills the whole process group with SIGKILL
while the commit runs, restarts the server on the same store, and asks what
the graph holds: all of the write or none of it, with the rest of the store
intact and readable. It does this for both ways a commit goes (a new graph is
one ``extend``; replacing one is one update with removals), and shows that a
write the server acknowledged survives the kill.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from kgpub.cli import exit_codes
from kgpub.cli import main as cli
from tests.sparql_fixtures import EX, free_port
from tests.writes_fixtures import AUTH, PEOPLE, SHAPES, TOKEN, writable_project

SIZE = 200_000
GRAPH = f"{EX}big"
COMMITTING = "kgpub.ingest.writes: PUT"
# Runs ``kgpub serve`` as the console script does; the server logs each write on stderr.
RUNNER = """\
import sys
from kgpub.cli.main import main
if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
"""

pytestmark = [pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL"), pytest.mark.slow]


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str
    lines: list[str] = field(default_factory=list)
    seen: threading.Condition = field(default_factory=threading.Condition)

    def read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self.seen:
                self.lines.append(line)
                self.seen.notify_all()
        with self.seen:  # the process ended: wake any waiter
            self.seen.notify_all()

    def wait_for(self, text: str, timeout: float) -> None:
        with self.seen:
            found = self.seen.wait_for(
                lambda: any(text in line for line in self.lines) or self.process.poll() is not None,
                timeout,
            )
        log = "".join(self.lines)
        assert found, f"no {text!r} in time:\n{log}"
        assert self.process.poll() is None, f"the server ended:\n{log}"

    def kill(self) -> None:
        """SIGKILL the server and every process it started (its query workers)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("atomic")
    writable_project(root)
    return root


@pytest.fixture
def store_dir(project: Path, tmp_path: Path) -> Path:
    target = tmp_path / "store"
    files = [project / "data", project / "shapes"]
    assert cli.main(["load", "--store", str(target), *map(str, files)]) == exit_codes.EXIT_OK
    return target


@contextmanager
def serve(project: Path, store: Path) -> Iterator[Server]:
    script = project / "run_kgpub.py"
    script.write_text(RUNNER, encoding="utf-8")
    port = free_port()
    env = {
        **os.environ,
        "KGPUB_PROJECT_DIR": str(project),
        "KGPUB_WRITES_ENABLED": "true",
        "KGPUB_WRITE_TOKEN": TOKEN,
        "KGPUB_MAX_BODY_BYTES": str(64 * 1024 * 1024),
        "KGPUB_QUERY_WORKERS": "1",
        "KGPUB_CACHE_BYTES": "0",
    }
    process = subprocess.Popen(
        [sys.executable, str(script), "serve", "--store", str(store), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, so the kill reaches its workers
    )
    server = Server(process, f"http://127.0.0.1:{port}")
    reader = threading.Thread(target=server.read_stderr, daemon=True)
    reader.start()
    try:
        server.wait_for("Uvicorn running", timeout=120)
        yield server
    finally:
        if process.poll() is None:
            server.kill()
        reader.join(timeout=30)
        assert process.stderr is not None
        process.stderr.close()


def big_graph(prefix: str) -> bytes:
    return "".join(f'<{EX}{prefix}/s{i}> <{EX}p> "{prefix} {i}" .\n' for i in range(SIZE)).encode()


def count(url: str, graph: str, where: str = "") -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o {where} }} }}"
    response = httpx.get(
        f"{url}/sparql", params={"query": query}, headers={"accept": "text/csv"}, timeout=120
    )
    assert response.status_code == 200, response.text
    return int(response.text.splitlines()[1])


def put(url: str, body: bytes) -> httpx.Response:
    return httpx.put(
        f"{url}/graph-store",
        params={"graph": GRAPH},
        content=body,
        headers={**AUTH, "content-type": "application/n-triples"},
        timeout=600,
    )


def put_then_kill(server: Server, body: bytes, delay: float) -> None:
    """Start the PUT, SIGKILL the server ``delay`` seconds into its commit."""
    answers: list[object] = []

    def send() -> None:
        try:
            answers.append(put(server.url, body))
        except httpx.HTTPError as exc:
            answers.append(exc)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    server.wait_for(f"{COMMITTING} {GRAPH}: committing", timeout=600)
    time.sleep(delay)
    server.kill()
    sender.join(timeout=60)
    (answer,) = answers
    # The client never heard of success: the kill came before the commit was acknowledged.
    assert isinstance(answer, httpx.HTTPError), answer


def assert_intact(url: str) -> None:
    """The graphs nobody wrote are whole and the store answers queries."""
    assert count(url, PEOPLE) == 11
    assert count(url, SHAPES) > 0


def test_a_new_graph_is_all_there_or_absent_after_a_kill(project: Path, store_dir: Path) -> None:
    body = big_graph("new")
    with serve(project, store_dir) as server:
        put_then_kill(server, body, delay=0.2)
    with serve(project, store_dir) as server:
        assert count(server.url, GRAPH) in (0, SIZE)
        assert_intact(server.url)


def test_an_acknowledged_write_survives_and_a_replacement_is_atomic(
    project: Path, store_dir: Path
) -> None:
    with serve(project, store_dir) as server:
        assert put(server.url, big_graph("old")).status_code == 201
        server.kill()  # right after the 201: nothing may be lost
    with serve(project, store_dir) as server:
        assert count(server.url, GRAPH) == SIZE
        put_then_kill(server, big_graph("new"), delay=0.5)
    with serve(project, store_dir) as server:
        # Exactly the old graph or exactly the new one: never a mix, never a gap.
        assert count(server.url, GRAPH) == SIZE
        new = count(server.url, GRAPH, 'FILTER(STRSTARTS(?o, "new"))')
        assert new in (0, SIZE)
        assert_intact(server.url)
