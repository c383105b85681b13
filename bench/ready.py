"""Issue 13's start-up target alone: ``kgpub serve`` ready against the minimal app, N rounds.

One round starts ``kgpub serve`` (with the report cache filled by a first,
untimed start) and ``bench.minimal_app`` on the same quads, one after the
other, each until ``/sparql`` answers ``ASK {}``; the rounds interleave the two
so that a busy moment of a shared machine falls on both. A single start is
too noisy on a shared machine to say whether kgpub is under 2x the floor, so
the median, the spread (lowest to highest) and the median of the per-round
ratios are reported, and the CPU time each server's processes used until ready.

kgpub's modules are compiled to bytecode first (``compileall``), as installing
kgpub does; the minimal app's libraries were compiled when they were installed.
Without it, a checkout in an environment with ``PYTHONDONTWRITEBYTECODE=1``
(this machine's) compiles every kgpub module again at every start.

    python -m bench.ready --rounds 5           # prints a table
    python -m bench.ready --rounds 5 --append  # and appends it to bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from bench.machine import REPO, loadavg
from bench.measure import proc_stats, process_tree
from bench.servers import free_port, server, wait_ready
from bench.validation import _s
from kgpub.config import Settings
from kgpub.rdf.sources import default_sources, read_all

READY_PATH = "/sparql?query=ASK%7B%7D"


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system, waited-for children too) of ``pid`` and its descendants:
    less sensitive than wall time to other processes sharing the cores."""
    stats = proc_stats()
    ticks = sum(sum(int(stats[p][i]) for i in (11, 12, 13, 14)) for p in process_tree(pid, stats))
    return ticks / _TICK


def _ready(
    name: str, cmd: list[str], port: int, workdir: Path, env: dict[str, str]
) -> tuple[float, float]:
    """Seconds until ready, and the CPU seconds the server's processes had used by then."""
    started = time.perf_counter()
    with server(name, cmd, workdir, env) as proc:
        wall = wait_ready(proc, port, READY_PATH, name=name, workdir=workdir, started=started)
        return wall, _cpu_seconds(proc.pid)


def rounds(settings: Settings, workdir: Path, count: int) -> dict[str, list[float]]:
    """Seconds until ready, per round: kgpub with its cached report, and the minimal app."""
    nquads = workdir / "story.nq"
    ox.serialize(read_all(default_sources(settings)), nquads, ox.RdfFormat.N_QUADS)
    env = {
        **os.environ,
        "KGPUB_REPORT_CACHE_DIR": str(workdir / "reports"),
        "KGPUB_QUERY_WORKERS": "1",
    }
    python = sys.executable

    def kgpub() -> tuple[float, float]:
        port = free_port()
        return _ready(
            "kgpub", [python, "-m", "kgpub", "serve", "--port", str(port)], port, workdir, env
        )

    def minimal() -> tuple[float, float]:
        port = free_port()
        cmd = [python, "-m", "bench.minimal_app", "--corpus", str(nquads), "--port", str(port)]
        return _ready("minimal", cmd, port, workdir, dict(os.environ))

    out: dict[str, list[float]] = {"cold": [kgpub()[0]]}
    for key in ("kgpub", "minimal", "kgpub_cpu", "minimal_cpu"):
        out[key] = []
    for turn in range(count):
        # Alternate which goes first, so neither always follows the other's exit.
        first, second = (kgpub, minimal) if turn % 2 == 0 else (minimal, kgpub)
        a, b = first(), second()
        kg, mini = (a, b) if turn % 2 == 0 else (b, a)
        out["kgpub"].append(kg[0])
        out["minimal"].append(mini[0])
        out["kgpub_cpu"].append(kg[1])
        out["minimal_cpu"].append(mini[1])
    return out


def _spread(values: list[float]) -> str:
    return f"{_s(min(values))} to {_s(max(values))}"


def report(results: dict[str, list[float]], commit: str, load: tuple[str, str]) -> str:
    kg, mini = results["kgpub"], results["minimal"]
    ratios = [a / b for a, b in zip(kg, mini, strict=True)]
    median_ratio = statistics.median(ratios)
    verdict = "met" if max(ratios) < 2 else ("met in the median" if median_ratio < 2 else "not met")
    return "\n".join(
        [
            f"### `kgpub serve` ready against the minimal app: {dt.date.today()}, commit {commit}",
            "",
            f"`python -m bench.ready --rounds {len(kg)}`; load average before {load[0]},",
            f"after {load[1]}. Each round starts both servers on the shipped story, one after",
            "the other (alternating which first), until `/sparql` answers `ASK {}`; kgpub",
            "with the report cached by an untimed first start and one query worker.",
            "",
            "| what | median | spread (lowest to highest) |",
            "|---|---|---|",
            f"| `kgpub serve` ready, cached report | {_s(statistics.median(kg))} | {_spread(kg)} |",
            f"| minimal FastAPI + pyoxigraph app | {_s(statistics.median(mini))} "
            f"| {_spread(mini)} |",
            f"| ratio, per round | {median_ratio:.2f}x "
            f"| {min(ratios):.2f}x to {max(ratios):.2f}x |",
            f"| CPU time until ready, kgpub (all its processes) "
            f"| {_s(statistics.median(results['kgpub_cpu']))} | {_spread(results['kgpub_cpu'])} |",
            f"| CPU time until ready, minimal app "
            f"| {_s(statistics.median(results['minimal_cpu']))} "
            f"| {_spread(results['minimal_cpu'])} |",
            f"| (`kgpub serve` ready, empty report cache, once) | {_s(results['cold'][0])} | |",
            "",
            f"Issue 13's < 2x target: {verdict} in this run.",
            "",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ready", description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--append", action="store_true", help="append to bench/RESULTS.md")
    args = parser.parse_args(argv)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    compileall.compile_dir(REPO / "server" / "kgpub", quiet=1)
    before = loadavg()
    with tempfile.TemporaryDirectory(prefix="kgpub-ready-") as tmp:
        results = rounds(Settings(), Path(tmp), args.rounds)
    text = report(results, commit, (before, loadavg()))
    print(text)
    if args.append:
        with (REPO / "bench" / "RESULTS.md").open("a", encoding="utf-8") as out:
            out.write("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
