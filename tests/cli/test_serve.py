"""``kgpub serve``: refuses invalid data with the report, serves the article otherwise."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from kgpub.cli.exit_codes import EXIT_INVALID, EXIT_UNREADABLE
from kgpub.cli.main import main
from tests.sparql_fixtures import free_port, write_project, write_served_project

pytestmark = pytest.mark.slow

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
    # Short: the query workers' forkserver binds a Unix socket in there (108 bytes at most).
    scratch = Path(tempfile.mkdtemp(prefix="kgpub-t"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("KGPUB_")}
    env.update(TMPDIR=str(scratch))
    log = (tmp_path / "serve.log").open("w+b")
    server = subprocess.Popen(
        [sys.executable, "-m", "kgpub", "serve", "--port", str(port)],
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
        code = server.wait()
        log.close()
    graphs = [b["g"]["value"] for b in data["results"]["bindings"]]
    assert "https://kgpub.example/graph/article" in graphs
    # The shipped story's one Warning is accepted by policy and named at start-up.
    printed = (tmp_path / "serve.log").read_text(encoding="utf-8")
    assert "kgpub serve: Warning: https://kgpub.example/id/dmitry-peskov path" in printed
    assert "kgpub serve: Does not conform (sh:conforms false)" in printed
    assert "accepted, no violations" in printed
    # SIGTERM ends it through Python's normal exit (128 + 15), so multiprocessing
    # removes its temporary folder (the query workers' forkserver socket).
    assert code == 143
    assert list(scratch.iterdir()) == []
    scratch.rmdir()


# -- what start-up imports (issue 13: ready in under 2x a minimal app) --------------------

# Imported on first use only: validating (rdflib, pySHACL), the ontology page (pyLODE),
# the shapes' reach (networkx), other pages (jinja2), re-anchoring (rapidfuzz).
NOT_AT_START = ("rdflib", "pyshacl", "pylode", "networkx", "jinja2", "rapidfuzz")

# ``kgpub serve`` exactly as run, with uvicorn.run replaced by a client that starts the
# app (its lifespan), asks the first question, and then lists what the process imported.
_SERVE_PROBE = """
import sys
import uvicorn
from fastapi.testclient import TestClient
from kgpub.cli.main import main

def run(app, **options):
    with TestClient(app) as client:
        answer = client.get("/sparql", params={"query": "ASK {}"})
        assert answer.status_code == 200, answer.text
    print("imported:", " ".join(m for m in NAMES if m in sys.modules))

uvicorn.run = run
sys.exit(main(["serve", "--port", sys.argv[1]]))
""".replace("NAMES", repr(NOT_AT_START))


def _serve_imports(cache: Path) -> tuple[set[str], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KGPUB_")}
    env.update(KGPUB_REPORT_CACHE_DIR=str(cache), KGPUB_QUERY_WORKERS="1")
    done = subprocess.run(
        [sys.executable, "-c", _SERVE_PROBE, str(free_port())],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    (line,) = [x for x in done.stdout.splitlines() if x.startswith("imported:")]
    return set(line.removeprefix("imported:").split()), done.stderr


def test_serve_on_unchanged_data_answers_without_importing_the_validator(
    tmp_path: Path,
) -> None:
    """With the report cached, nothing heavy is imported before the first answer."""
    cold, _ = _serve_imports(tmp_path / "reports")
    assert {"rdflib", "pyshacl"} <= cold  # the first start validates (the probe sees it)
    warm, printed = _serve_imports(tmp_path / "reports")
    assert warm == set()
    # The cached report still names the shipped story's Warning, as validating does.
    assert "kgpub serve: Warning: https://kgpub.example/id/dmitry-peskov path" in printed
    assert "accepted, no violations" in printed


def test_the_app_module_imports_nothing_heavy() -> None:
    probe = (
        "import sys, kgpub.web.app, kgpub.cli.main\n"
        f"print(' '.join(m for m in {NOT_AT_START!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


# -- kgpub serve --workers ----------------------------------------------------------------

WARNED = "/id/dmitry-peskov"  # the shipped article's one SHACL Warning is about him
WAIT = 120.0  # the longest the workers test waits for anything


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text(encoding="ascii")
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _holder(inode: str, pids: set[int]) -> int | None:
    """Which of ``pids`` has the socket ``inode`` open."""
    for pid in pids:
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    return None


def _tcp_inode(local_port: int, remote_port: int) -> str | None:
    """The inode of the loopback TCP socket between these ports (0: listening)."""
    for line in Path("/proc/net/tcp").read_text(encoding="ascii").splitlines()[1:]:
        fields = line.split()
        local, remote = (int(f.rsplit(":", 1)[1], 16) for f in fields[1:3])
        if (local, remote) == (local_port, remote_port):
            return fields[9]
    return None


def _connect_to(port: int, workers: set[int]) -> tuple[socket.socket, int]:
    """A new connection and the worker that accepted it (the kernel chooses)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    for _ in range(100):  # the worker's accept() may trail the client's connect()
        inode = _tcp_inode(port, sock.getsockname()[1])
        owner = _holder(inode, workers) if inode else None
        if owner is not None:
            return sock, owner
        time.sleep(0.01)
    sock.close()
    raise AssertionError("no worker accepted the connection")


def _get(sock: socket.socket, path: str, accept: str) -> tuple[int, str]:
    """One GET on an open connection (kept open)."""
    conn = http.client.HTTPConnection("127.0.0.1", timeout=WAIT)
    conn.sock = sock
    conn.request("GET", path, headers={"Accept": accept})
    response = conn.getresponse()
    return response.status, response.read().decode("utf-8")


QUERY = "/sparql?" + urllib.parse.urlencode({"query": "ASK { GRAPH ?g { ?s ?p ?o } }"})


def _answers(sock: socket.socket) -> str:
    """Ask a query and for the page of the resource with a Warning; its validation section."""
    status, body = _get(sock, QUERY, "application/sparql-results+json")
    assert status == 200, body
    assert json.loads(body)["boolean"] is True
    status, page = _get(sock, WARNED, "text/html")
    assert status == 200
    section = page[page.index('<section id="validation">') :]
    return section[: section.index("</section>")]


def _wait_for_startup(server: subprocess.Popen[bytes], output: Callable[[], str]) -> None:
    # Waiting on the process doubles as a pause between looks at its log.
    for _ in range(int(WAIT / 0.2)):
        try:
            server.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            pass
        else:
            pytest.fail(f"kgpub serve exited ({server.returncode}) before it started: {output()}")
        if output().count("Application startup complete") == 2:
            return
    pytest.fail(f"the workers did not start: {output()}")


def test_serve_with_two_workers(tmp_path: Path) -> None:
    """Two worker processes answer, each with the SHACL report the parent computed once,
    each closing a slow request head; SIGTERM stops them all and removes the temp folder."""
    port = free_port()
    # Short, as the forkserver's socket lives there (AF_UNIX paths end at 107 bytes,
    # which pytest-xdist's deeper tmp_path can pass).
    scratch = Path(tempfile.mkdtemp(prefix="kgpub-t"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("KGPUB_")}
    env.update(TMPDIR=str(scratch), KGPUB_HEADER_TIMEOUT="2", KGPUB_QUERY_WORKERS="1")
    log = (tmp_path / "serve.log").open("w+b")
    server = subprocess.Popen(
        [sys.executable, "-m", "kgpub", "serve", "--workers", "2", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )

    def output() -> str:
        log.seek(0)
        return log.read().decode(errors="replace")

    workers: set[int] = set()
    try:
        _wait_for_startup(server, output)
        listener = _tcp_inode(port, 0)
        assert listener is not None
        workers = {pid for pid in _children(server.pid) if _holder(listener, {pid})}
        assert len(workers) == 2, output()
        validation: dict[int, str] = {}
        timed_out: set[int] = set()
        for _ in range(400):  # until each worker has answered and timed a client out
            if set(validation) == timed_out == workers:
                break
            sock, pid = _connect_to(port, workers)
            with sock:
                if pid not in validation:
                    validation[pid] = _answers(sock)
                elif pid not in timed_out:
                    sock.sendall(b"GET /sparql HT")  # half a request line, then nothing
                    assert sock.recv(1024).startswith(b"HTTP/1.1 408"), f"worker {pid}"
                    timed_out.add(pid)
        assert set(validation) == timed_out == workers, output()
        shown = set(validation.values())
        assert len(shown) == 1, "every worker shows the parent's report"
        assert "Wikidata" in shown.pop(), "the Warning is on the page"
        assert list(scratch.glob("kgpub-serve-*")), "the report is handed over in a temp folder"
    finally:
        server.terminate()
        code = server.wait(timeout=WAIT)
        log.close()
    assert code == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
    assert not list(scratch.glob("kgpub-serve-*"))
    shutil.rmtree(scratch)


def test_metrics_of_two_workers_are_summed(tmp_path: Path) -> None:
    """Under --workers 2, /metrics counts every worker's requests, whichever answers."""
    write_served_project(tmp_path)
    port = free_port()
    # Short, as the forkserver's socket lives there (AF_UNIX paths end at 107 bytes,
    # which pytest-xdist's deeper tmp_path can pass).
    scratch = Path(tempfile.mkdtemp(prefix="kgpub-t"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("KGPUB_")}
    env.update(TMPDIR=str(scratch), KGPUB_QUERY_WORKERS="1", KGPUB_PROJECT_DIR=str(tmp_path))
    log = (tmp_path / "serve.log").open("w+b")
    server = subprocess.Popen(
        [sys.executable, "-m", "kgpub", "serve", "--workers", "2", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )

    def output() -> str:
        log.seek(0)
        return log.read().decode(errors="replace")

    try:
        _wait_for_startup(server, output)
        listener = _tcp_inode(port, 0)
        assert listener is not None
        workers = {pid for pid in _children(server.pid) if _holder(listener, {pid})}
        answered: set[int] = set()
        sent = 0
        for _ in range(400):  # until both workers have answered queries
            sock, pid = _connect_to(port, workers)
            with sock:
                status, _ = _get(sock, QUERY, "application/sparql-results+json")
            assert status == 200
            sent += 1
            answered.add(pid)
            if answered == workers and sent >= 6:
                break
        assert answered == workers, output()
        counted = set()
        for _ in range(4):  # each scrape, from either worker, sees the same total
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics") as response:
                text = response.read().decode()
            line = 'kgpub_http_requests_total{method="GET",route="/sparql",status="200"}'
            (value,) = [row.split()[-1] for row in text.splitlines() if row.startswith(line)]
            counted.add(float(value))
        assert counted == {float(sent)}
        assert list(scratch.glob("kgpub-serve-*/metrics/*.db")), "one file per worker"
    finally:
        server.terminate()
        server.wait(timeout=WAIT)
        log.close()
    assert not list(scratch.glob("kgpub-serve-*"))
    shutil.rmtree(scratch)


def damage_sst(store: Path) -> str:
    sst = sorted(store.glob("*.sst"))[0]
    sst.write_bytes(sst.read_bytes()[:100])  # truncated, as by a disk that lost its tail
    return sst.name


def damage_current(store: Path) -> str:
    (store / "CURRENT").write_bytes(b"garbage\n")
    return "CURRENT"


def damage_manifest(store: Path) -> str:
    (manifest,) = store.glob("MANIFEST-*")
    with manifest.open("r+b") as file:
        file.write(b"\xff" * 16)
    return manifest.name


@pytest.mark.parametrize("damage", [damage_sst, damage_current, damage_manifest])
def test_a_damaged_store_is_refused_in_one_line_naming_the_file(
    tmp_path: Path, damage: Callable[[Path], str]
) -> None:
    """The real command, so that what a user sees is checked: one line, exit 2, no traceback."""
    write_project(tmp_path)
    env = {**os.environ, "KGPUB_PROJECT_DIR": str(tmp_path)}
    store = tmp_path / "st"
    assert main(["load", str(tmp_path / "data"), "--store", str(store)]) == 0
    damaged = damage(store)
    done = subprocess.run(
        [sys.executable, "-m", "kgpub", "serve", "--store", str(store), "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == EXIT_UNREADABLE == 2
    assert done.stdout == ""
    # The project folder the command uses (kgpub.cli.project), then the one line.
    project, *lines = done.stderr.splitlines()
    assert project == f"kgpub serve: project {tmp_path} (named by KGPUB_PROJECT_DIR)"
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(
        f"kgpub serve: cannot read input: {store}: the store is damaged and cannot be opened "
        "(Corruption: "
    )
    assert damaged in lines[0]
    assert lines[0].endswith("; restore it from a backup or build it again with kgpub load")
    assert "Traceback" not in done.stderr


def test_a_folder_that_is_no_store_is_refused_in_one_line(tmp_path: Path) -> None:
    write_project(tmp_path)
    folder = tmp_path / "notastore"
    folder.mkdir()
    (folder / "notes.txt").write_text("hello", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "kgpub", "serve", "--store", str(folder), "--port", "1"],
        env={**os.environ, "KGPUB_PROJECT_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == EXIT_UNREADABLE
    assert done.stderr == (
        f"kgpub serve: project {tmp_path} (named by KGPUB_PROJECT_DIR)\n"
        f"kgpub serve: cannot read input: {folder}: cannot be opened as a store (IO error: "
        f"No such file or directory: While opening a file for sequentially reading: "
        f"{folder}/CURRENT: No such file or directory); is it a folder made by kgpub load?\n"
    )
    assert not (folder / "CURRENT").exists()  # refused, not turned into a store


def test_two_workers_that_fail_to_start_fail_the_command(tmp_path: Path) -> None:
    """A worker that cannot start (here: a TMPDIR too long for the forkserver's AF_UNIX
    socket, which ends at 107 bytes) stops the server with uvicorn's start-up failure
    status, 3, as a single-process ``kgpub serve`` does; it used to exit 0."""
    scratch = Path(tempfile.mkdtemp(prefix="kgpub-t")) / ("x" * 110)
    scratch.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KGPUB_")}
    env.update(TMPDIR=str(scratch), KGPUB_QUERY_WORKERS="1")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "kgpub", "serve", "--workers", "2", "--port", str(free_port())],
            capture_output=True,
            text=True,
            env=env,
            timeout=WAIT,
            check=False,
        )
    finally:
        shutil.rmtree(scratch.parent)
    assert done.returncode == 3, done.stderr[-2000:]
    assert "failed to start" in done.stderr
