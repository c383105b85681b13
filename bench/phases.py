"""The benchmark's phases: each server measured the same way, the load, and the re-runs.

The machine may be shared, so every phase runs under a ``CpuMeter``: when
other work took more than ``disturbed_cores`` of the CPUs on average, the
phase is run again (up to ``retries`` times) and the least disturbed run is
kept; before each attempt the runner waits (up to ``quiet_wait`` seconds) for
a quiet moment. Every attempt's disturbance is kept in the results.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.httpload import constant_latency, load, sequential, sparql_path
from bench.machine import REPO, CpuMeter, loadavg
from bench.queries import POINT_LOOKUP, QUERIES
from bench.servers import (
    directory_bytes,
    server,
    server_log,
    tree_memory,
    wait_in_memory,
    wait_ready,
)

QUIET_PROBE = 2.0  # seconds of each look for a quiet moment


@dataclass(frozen=True)
class ServerRun:
    """One server configuration and what to measure on it."""

    name: str
    cmd: list[str]
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    sequential: bool = True
    mixed: bool = True
    constant: bool = False  # the bare app: answers everything with a constant
    memory_copy: bool = False  # kgpub: wait until its workers answer from the in-memory copy


def wait_for_quiet(limit: float, disturbed_cores: float) -> float:
    """Wait until other work uses less than ``disturbed_cores``, for at most ``limit`` s;
    returns the foreign load of the last look."""
    foreign = 0.0
    deadline = time.monotonic() + limit
    for _ in range(int(limit / QUIET_PROBE) + 1):
        if time.monotonic() >= deadline:
            break
        with CpuMeter() as meter:
            time.sleep(QUIET_PROBE)
        foreign = meter.foreign_cores
        if foreign < disturbed_cores:
            break
    return foreign


def run_phase(
    name: str, measure: Callable[[], dict[str, Any]], args: argparse.Namespace, log: dict[str, Any]
) -> dict[str, Any]:
    """``measure()`` once, or again while other work disturbed it; the least disturbed result."""
    attempts: list[dict[str, Any]] = []
    best: dict[str, Any] | None = None
    best_foreign = float("inf")
    for attempt in range(args.retries + 1):
        waited = time.monotonic()
        wait_for_quiet(args.quiet_wait, args.disturbed_cores)
        waited = time.monotonic() - waited
        print(f"{name} (attempt {attempt + 1}) ...", file=sys.stderr)
        before = loadavg()
        started = time.monotonic()
        with CpuMeter() as meter:
            result = measure()
        attempts.append(
            {
                "seconds": round(time.monotonic() - started, 1),
                "foreign_cores": round(meter.foreign_cores, 3),
                "own_cores": round(meter.own_cores, 3),
                "loadavg_before": before,
                "loadavg_after": loadavg(),
                "waited_for_quiet_seconds": round(waited, 1),
            }
        )
        if meter.foreign_cores < best_foreign:
            best, best_foreign = result, meter.foreign_cores
        if meter.foreign_cores < args.disturbed_cores:
            break
    assert best is not None
    log[name] = {
        "attempts": attempts,
        "kept": min(range(len(attempts)), key=lambda i: attempts[i]["foreign_cores"]),
        "disturbed": best_foreign >= args.disturbed_cores,
    }
    return best


def measure_server(
    run: ServerRun, port: int, args: argparse.Namespace, use_wrk: bool
) -> dict[str, Any]:
    """Readiness, sequential latency, throughput and memory of one server."""
    ready_path = "/" if run.constant else sparql_path(QUERIES[-1])  # the ASK
    started = time.perf_counter()
    with server(run.name, run.cmd, args.workdir, run.env) as proc:
        result: dict[str, Any] = {
            "ready_seconds": wait_ready(
                proc, port, ready_path, name=run.name, workdir=args.workdir, started=started
            ),
            "memory_ready": tree_memory(proc.pid),
        }
        if run.memory_copy:
            result["in_memory_seconds"] = wait_in_memory(
                port, ready_path, started=started, log=server_log(args.workdir, run.name)
            )
            result["memory_in_memory"] = tree_memory(proc.pid)

        def throughput(
            kind: str, requests: list[tuple[str, str]], unique: bool = False
        ) -> dict[str, Any]:
            return load(
                port,
                requests,
                seconds=args.seconds,
                workdir=args.workdir,
                label=f"{run.name}-{kind}",
                use_wrk=use_wrk,
                unique=unique,
            )

        if run.constant:
            result["constant_latency"] = constant_latency(
                port, args.query_seconds, args.max_samples
            )
            result["point"] = throughput("point", [(sparql_path(POINT_LOOKUP), "*/*")])
        else:
            if run.sequential:
                result.update(sequential(port, args.query_seconds, args.max_samples))
            result["point"] = throughput(
                "point", [(sparql_path(POINT_LOOKUP), POINT_LOOKUP.accept)]
            )
            if run.mixed:
                mix = [(sparql_path(q), q.accept) for q in QUERIES]
                result["mixed"] = throughput("mixed", mix)
                result["mixed_unique"] = throughput("mixed-unique", mix, unique=True)
        result["memory"] = tree_memory(proc.pid)
    result["log_errors"] = log_errors(args.workdir / f"server-{run.name}.log")
    return result


def log_errors(path: Path) -> dict[str, Any]:
    """How many lines of a server's log report an error, and the first few distinct ones."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return {"count": 0, "examples": []}
    errors = [line for line in lines if line.startswith("ERROR")]
    examples: list[str] = []
    for line in errors:
        if line[:200] not in examples and len(examples) < 3:
            examples.append(line[:200])
    return {"count": len(errors), "examples": examples}


_SUMMARY = re.compile(r"([\d,]+) quads, ([\d,]+) graphs in ([\d.]+) s \(([\d,]+) quads/s\)")


def kgpub_load(corpus: Path, store_dir: Path, workdir: Path) -> dict[str, Any]:
    """``kgpub load CORPUS --store DIR`` into a new store: its own figures, the wall clock
    of the whole command, its peak memory and the store's size on disk."""
    shutil.rmtree(store_dir, ignore_errors=True)
    log_path = workdir / "kgpub-load.log"
    with log_path.open("wb") as log:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "kgpub", "load", str(corpus), "--store", str(store_dir)],
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
    output = log_path.read_text(encoding="utf-8", errors="replace")
    match = _SUMMARY.search(output)
    if proc.returncode != 0 or match is None:
        raise RuntimeError(f"kgpub load failed ({proc.returncode}):\n{output[-3000:]}")
    quads, graphs, seconds, rate = (float(g.replace(",", "")) for g in match.groups())
    return {
        "quads": int(quads),
        "graphs": int(graphs),
        "seconds": seconds,
        "rate": rate,
        "wall_seconds": wall,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_kib": usage.ru_maxrss,
        "store_bytes": directory_bytes(store_dir),
    }
