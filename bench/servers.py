"""Servers under test: start, wait until they answer, measure their memory, stop.

kgpub with ``--workers`` is a tree of processes (uvicorn's supervisor, its
worker processes, each with a pool of query worker processes), so memory is
measured over the whole tree. Summing RSS would count the interpreter and
pyoxigraph's library once per process although the processes share them;
PSS (proportional set size, from ``/proc/PID/smaps_rollup``) splits shared
pages among the processes that map them, so the PSS of the tree is what the
server really takes. Both are recorded.
"""

from __future__ import annotations

import http.client
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.httpload import busted
from bench.machine import REPO
from bench.measure import proc_kib, process_tree
from kgpub.sparql.memory_copy import NO_COPY

READY_TIMEOUT = 1800.0  # seconds a server may take to load the corpus


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def server(
    name: str, cmd: list[str], workdir: Path, env: dict[str, str]
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server subprocess for the duration of the block, then stop it (SIGTERM)."""
    log_path = server_log(workdir, name)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)


def log_tail(workdir: Path, name: str) -> str:
    try:
        text = server_log(workdir, name).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return text[-3000:]


def get(port: int, path: str, accept: str = "application/sparql-results+json") -> tuple[int, bytes]:
    """One GET to the server on 127.0.0.1: the status and the whole body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Accept": accept})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_ready(
    proc: subprocess.Popen[bytes],
    port: int,
    path: str,
    *,
    name: str,
    workdir: Path,
    started: float,
    timeout: float = READY_TIMEOUT,
) -> float:
    """Seconds from ``started`` until ``path`` answers 200; polls every 10 ms."""
    deadline = started + timeout
    for _ in range(int(timeout / 0.01) + 1):
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}:\n{log_tail(workdir, name)}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status == 200:
                return time.perf_counter() - started
        except OSError:
            pass
        if time.perf_counter() > deadline:
            break
        time.sleep(0.01)
    raise RuntimeError(f"{name} was not ready within {timeout:.0f} s")


IN_MEMORY = 'desc="SPARQL engine, in memory"'
"""kgpub's ``Server-Timing`` for an answer from the workers' in-memory copy of the store."""


COPY_TIMEOUT = 300.0
"""Seconds kgpub's in-memory copy may take to load (about 15 s for 1.1 M quads here)."""


def wait_in_memory(
    port: int,
    path: str,
    *,
    started: float,
    log: Path,
    timeout: float = COPY_TIMEOUT,
    streak: int = 8,
) -> float | None:
    """Seconds from ``started`` until kgpub answers ``path`` from its in-memory copy
    ``streak`` times in a row (with several HTTP workers, each forks from the copy);
    None when it still answers from disk at ``timeout``, or at once when its ``log``
    says the copy will not load (``NO_COPY``: over its memory budget). Each request's
    query text is made new (``httpload.busted``), so the result cache cannot answer it."""
    deadline = started + timeout
    in_a_row = 0
    for n in range(int(timeout / 0.05) + 1):
        if NO_COPY in log.read_text(encoding="utf-8", errors="replace"):
            return None
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.request("GET", busted(path, n))
        response = conn.getresponse()
        response.read()
        conn.close()
        in_a_row = in_a_row + 1 if IN_MEMORY in (response.getheader("server-timing") or "") else 0
        if in_a_row >= streak:
            return time.perf_counter() - started
        if time.perf_counter() > deadline:
            return None
        time.sleep(0.05)
    return None


def server_log(workdir: Path, name: str) -> Path:
    return workdir / f"server-{name}.log"


def tree_memory(pid: int) -> dict[str, Any]:
    """PSS and RSS of ``pid`` and its descendants (KiB), and how many processes that is."""
    pids = process_tree(pid)
    proc = Path("/proc")
    return {
        "processes": len(pids),
        "pss_kib": sum(proc_kib(proc / str(p) / "smaps_rollup", "Pss") for p in pids),
        "rss_kib": sum(proc_kib(proc / str(p) / "status", "VmRSS") for p in pids),
        "largest_rss_kib": max(
            (proc_kib(proc / str(p) / "status", "VmRSS") for p in pids), default=0
        ),
    }


def directory_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
