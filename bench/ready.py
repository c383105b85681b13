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
    python -m bench.ready --baseline ../main   # also another checkout's kgpub, same data
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pyoxigraph as ox

from bench.machine import REPO, loadavg
from bench.machine import commit as current_commit
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


Starter = Callable[[], tuple[float, float]]


def rounds(
    settings: Settings, workdir: Path, count: int, baseline: Path | None = None
) -> dict[str, list[float]]:
    """Seconds until ready and CPU seconds by then, per round: kgpub with its cached
    report, the minimal app and, given a ``baseline`` checkout, kgpub as it is there."""
    nquads = workdir / "story.nq"
    ox.serialize(read_all(default_sources(settings)), nquads, ox.RdfFormat.N_QUADS)
    env = {
        **os.environ,
        "KGPUB_REPORT_CACHE_DIR": str(workdir / "reports"),
        "KGPUB_QUERY_WORKERS": "1",
    }
    python = sys.executable

    def kgpub(name: str, environment: dict[str, str]) -> Starter:
        def start() -> tuple[float, float]:
            port = free_port()
            cmd = [python, "-m", "kgpub", "serve", "--port", str(port)]
            return _ready(name, cmd, port, workdir, environment)

        return start

    def minimal() -> tuple[float, float]:
        port = free_port()
        cmd = [python, "-m", "bench.minimal_app", "--corpus", str(nquads), "--port", str(port)]
        return _ready("minimal", cmd, port, workdir, dict(os.environ))

    starters: dict[str, Starter] = {"kgpub": kgpub("kgpub", env), "minimal": minimal}
    if baseline is not None:
        # The baseline's package first on the path; the same project, data and cache folder.
        compileall.compile_dir(baseline / "server" / "kgpub", quiet=1)
        base_env = {**env, "PYTHONPATH": str(baseline / "server")}
        base_env["KGPUB_REPORT_CACHE_DIR"] = str(workdir / "baseline-reports")
        starters["baseline"] = kgpub("baseline", base_env)
        starters["baseline"]()  # fills its report cache, untimed
    out: dict[str, list[float]] = {"cold": [starters["kgpub"]()[0]]}
    names = list(starters)
    for turn in range(count):
        # Rotate which goes first, so none always follows another's exit.
        for name in names[turn % len(names) :] + names[: turn % len(names)]:
            wall, cpu = starters[name]()
            out.setdefault(name, []).append(wall)
            out.setdefault(f"{name}_cpu", []).append(cpu)
    return out


def _spread(values: list[float]) -> str:
    return f"{_s(min(values))} to {_s(max(values))}"


def _row(what: str, values: list[float]) -> str:
    return f"| {what} | {_s(statistics.median(values))} | {_spread(values)} |"


def report(results: dict[str, list[float]], commit: str, load: tuple[str, str]) -> str:
    kg, mini = results["kgpub"], results["minimal"]
    ratios = [a / b for a, b in zip(kg, mini, strict=True)]
    median_ratio = statistics.median(ratios)
    verdict = "met" if max(ratios) < 2 else ("met in the median" if median_ratio < 2 else "not met")
    rows = [
        _row("`kgpub serve` ready, cached report", kg),
        _row("minimal FastAPI + pyoxigraph app", mini),
        f"| ratio, per round | {median_ratio:.2f}x | {min(ratios):.2f}x to {max(ratios):.2f}x |",
        _row("CPU time until ready, kgpub (all its processes)", results["kgpub_cpu"]),
        _row("CPU time until ready, minimal app", results["minimal_cpu"]),
    ]
    if "baseline" in results:
        base = results["baseline"]
        base_ratios = [a / b for a, b in zip(base, mini, strict=True)]
        rows += [
            _row("baseline `kgpub serve` ready (`--baseline`)", base),
            f"| baseline ratio, per round | {statistics.median(base_ratios):.2f}x "
            f"| {min(base_ratios):.2f}x to {max(base_ratios):.2f}x |",
            _row("CPU time until ready, baseline", results["baseline_cpu"]),
        ]
    rows.append(f"| (`kgpub serve` ready, empty report cache, once) | {_s(results['cold'][0])} | |")
    return "\n".join(
        [
            f"### `kgpub serve` ready against the minimal app: {dt.date.today()}, commit {commit}",
            "",
            f"`python -m bench.ready --rounds {len(kg)}`; load average before {load[0]},",
            f"after {load[1]}. Each round starts every server on the shipped story, one after",
            "the other (rotating which first), until `/sparql` answers `ASK {}`; kgpub",
            "with the report cached by an untimed first start and one query worker.",
            "",
            "| what | median | spread (lowest to highest) |",
            "|---|---|---|",
            *rows,
            "",
            f"Issue 13's < 2x target: {verdict} in this run.",
            "",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ready", description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--append", action="store_true", help="append to bench/RESULTS.md")
    parser.add_argument(
        "--baseline", type=Path, help="another kgpub checkout to start too, e.g. the main branch"
    )
    args = parser.parse_args(argv)
    commit = current_commit()
    compileall.compile_dir(REPO / "server" / "kgpub", quiet=1)
    before = loadavg()
    with tempfile.TemporaryDirectory(prefix="kgpub-ready-") as tmp:
        results = rounds(Settings(), Path(tmp), args.rounds, args.baseline)
    text = report(results, commit, (before, loadavg()))
    print(text)
    if args.append:
        with (REPO / "bench" / "RESULTS.md").open("a", encoding="utf-8") as out:
            out.write("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
