"""The benchmark runner: corpus, engine floors, ``kgpub load``, kgpub and two baselines.

    python -m bench.run --articles 10000 --out bench/RESULTS.md

1. generates the corpus (cached in ``bench/out/``);
2. the engine floor: in a subprocess, bulk-loads it into an in-memory
   pyoxigraph store and times each query in-process; and pyoxigraph's own
   on-disk bulk load, the floor for loading;
3. ``kgpub load CORPUS --store DIR`` into a new store, timed as a command;
4. the engine floor on that on-disk store, opened read-only in-process as
   ``kgpub serve --store`` opens it;
5. one after the other on 127.0.0.1: ``kgpub serve --store DIR`` with its
   default HTTP workers (half the cores) and the result cache; the same with one
   worker; the same with the cache off (``KGPUB_CACHE_BYTES=0``, every query
   evaluated); the same again with its query workers forked from the copy
   instead of threads of it (``KGPUB_QUERY_ISOLATION=processes``); the minimal
   FastAPI + pyoxigraph endpoint (``bench.minimal_app``, in memory); and a bare uvicorn app
   (``bench.bare_app``). For each: the time to the first answered query (and,
   for kgpub, until its workers answer from their in-memory copy of the store,
   with the memory then), each query's sequential latency over one
   keep-alive connection, the throughput at concurrency 4 (wrk, or
   ``bench.load`` when wrk is missing) for the point lookup and for the ten
   queries in rotation (and the rotation again with every query text made new
   by a comment: the cache-busted mix), the cache's hits and misses, and the memory of the
   server's whole process tree;
6. the engine floors again (the better of the two runs is kept);
7. writes the tables to ``--out`` and the raw numbers beside it as JSON
   (``--from-json`` renders a report again from such a file).

Each phase is run again when other work on the machine disturbed it
(``bench.phases``). Every loop is bounded in count and time, and every server
is stopped at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench import corpus
from bench.httpload import CONCURRENCY
from bench.machine import REPO, loadavg, machine, versions, wrk_version
from bench.measure import run_json
from bench.phases import ServerRun, kgpub_load, measure_server, run_phase
from bench.report import keep_appended, render
from bench.servers import free_port
from kgpub.cli.http_workers import query_workers_each, worker_count
from kgpub.config import Settings


def ensure_corpus(workdir: Path, articles: int, seed: int) -> tuple[Path, int, float | None]:
    """The corpus file, its quads and the seconds it took to generate (None when cached)."""
    path = workdir / f"corpus-{articles}-s{seed}.nq"
    if path.exists():
        with path.open("rb") as f:
            return path, sum(1 for _ in f), None
    started = time.perf_counter()
    quads = corpus.write_file(path, articles, seed)
    return path, quads, time.perf_counter() - started


def best_floor(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The engine floor from several runs: per query the run with the lowest p50.

    The floor is measured at the start and at the end of the run and the
    better of the two is kept: a floor that is too high would flatter kgpub.
    """
    best = dict(runs[0])
    best["latency"] = {
        name: min((r["latency"][name] for r in runs), key=lambda lat: float(lat["p50"]))
        for name in runs[0]["latency"]
    }
    for kind in ("point", "mixed"):
        best[kind] = max((r[kind] for r in runs), key=lambda t: float(t["rps"]))
    best["load_seconds"] = min(float(r["load_seconds"]) for r in runs)
    return best


def _servers(path: Path, store_dir: Path, args: argparse.Namespace) -> list[ServerRun]:
    py = sys.executable
    serve = [py, "-m", "kgpub", "serve", "--store", str(store_dir)]
    workers = ["--workers", str(args.workers)] if args.workers else []
    uncached = {**os.environ, "KGPUB_CACHE_BYTES": "0"}
    return [
        ServerRun("kgpub", [*serve, *workers], memory_copy=True),
        ServerRun(
            "kgpub_1w", [*serve, "--workers", "1"], sequential=False, mixed=False, memory_copy=True
        ),
        ServerRun("kgpub_nocache", [*serve, *workers], uncached, memory_copy=True),
        ServerRun(
            "kgpub_forks",
            [*serve, *workers],
            {**uncached, "KGPUB_QUERY_ISOLATION": "processes"},
            memory_copy=True,
        ),
        ServerRun("minimal", [py, "-m", "bench.minimal_app", "--corpus", str(path)]),
        ServerRun("bare", [py, "-m", "bench.bare_app"], constant=True),
    ]


def run(args: argparse.Namespace) -> dict[str, Any]:
    args.workdir.mkdir(parents=True, exist_ok=True)
    wrk = wrk_version() if args.load_generator in ("auto", "wrk") else None
    if args.load_generator == "wrk" and wrk is None:
        raise SystemExit("wrk is not installed; use --load-generator httpx")
    use_wrk = wrk is not None
    phases: dict[str, Any] = {}
    # What ``kgpub serve --store`` chooses when not told (any store directory will do).
    default_workers = worker_count(Settings(store_dir=REPO))
    results: dict[str, Any] = {
        "meta": {
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(),
            "versions": versions(wrk or "bench.load (asyncio + httpx; wrk not installed)"),
            "loadavg_start": loadavg(),
            "articles": args.articles,
            "seed": args.seed,
            "load_seconds": max(1, round(args.seconds)) if use_wrk else args.seconds,
            "query_seconds": args.query_seconds,
            "max_samples": args.max_samples,
            "concurrency": CONCURRENCY,
            "disturbed_cores": args.disturbed_cores,
            "retries": args.retries,
            # kgpub serve --store's defaults: HTTP workers for half the cores, each a pool.
            "kgpub_workers": args.workers or default_workers,
            "query_workers": query_workers_each(Settings(), args.workers or default_workers),
        },
        "phases": phases,
    }
    meta = results["meta"]
    path, quads, generated = ensure_corpus(args.workdir, args.articles, args.seed)
    meta.update(
        corpus=str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path),
        quads=quads,
        corpus_bytes=path.stat().st_size,
        generate_seconds=generated,
    )
    print(f"corpus: {path} ({quads} quads)", file=sys.stderr)
    store_dir = args.workdir / f"store-{args.articles}"

    def floor(mode: str) -> dict[str, Any]:
        cmd = ["-m", "bench.floor", "engine", "--corpus", str(path)]
        cmd += ["--store", str(store_dir)] if mode == "disk" else []
        cmd += ["--seconds", str(args.query_seconds), "--max-samples", str(args.max_samples)]
        return run_json([*cmd, "--load-seconds", str(args.seconds)])

    floors: dict[str, list[dict[str, Any]]] = {"memory": [], "disk": []}
    floors["memory"].append(
        run_phase("engine floor, in memory", lambda: floor("memory"), args, phases)
    )
    scratch = args.workdir / f"floor-store-{args.articles}"
    results["disk_load"] = run_phase(
        "pyoxigraph on-disk bulk load",
        lambda: run_json(
            ["-m", "bench.floor", "disk", "--corpus", str(path), "--directory", str(scratch)]
        ),
        args,
        phases,
    )
    results["load"] = run_phase(
        "kgpub load --store", lambda: kgpub_load(path, store_dir, args.workdir), args, phases
    )
    floors["disk"].append(run_phase("engine floor, on disk", lambda: floor("disk"), args, phases))

    servers: dict[str, Any] = {}
    results["servers"] = servers
    for spec in _servers(path, store_dir, args):
        port = free_port()
        on_port = replace(spec, cmd=[*spec.cmd, "--port", str(port)])
        servers[spec.name] = run_phase(
            spec.name,
            lambda s=on_port, p=port: measure_server(s, p, args, use_wrk),  # type: ignore[misc]
            args,
            phases,
        )
    for _ in range(args.floor_runs - 1):
        floors["disk"].append(
            run_phase("engine floor, on disk, again", lambda: floor("disk"), args, phases)
        )
        floors["memory"].append(
            run_phase("engine floor, in memory, again", lambda: floor("memory"), args, phases)
        )
    results["floor_runs"] = floors
    results["floor"] = {mode: best_floor(runs) for mode, runs in floors.items()}
    shutil.rmtree(store_dir, ignore_errors=True)
    meta["loadavg_end"] = loadavg()
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--articles", type=int, default=10_000, help="corpus size (default 10000)")
    parser.add_argument("--seed", type=int, default=corpus.DEFAULT_SEED)
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="duration of each throughput run (default 10)"
    )
    parser.add_argument(
        "--query-seconds",
        type=float,
        default=2.0,
        help="time budget per query and target (default 2)",
    )
    parser.add_argument("--max-samples", type=int, default=300, help="most samples per query")
    parser.add_argument("--workers", type=int, help="kgpub serve --workers (default: kgpub's)")
    parser.add_argument(
        "--retries", type=int, default=2, help="re-runs of a disturbed phase (default 2)"
    )
    parser.add_argument(
        "--floor-runs",
        type=int,
        default=2,
        help="engine floor runs, at the start and the end; the best is kept (default 2)",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=60.0,
        help="seconds to wait for a quiet machine before each phase (default 60)",
    )
    parser.add_argument(
        "--disturbed-cores",
        type=float,
        default=0.25,
        help="other work above this many cores, on average, disturbs a phase (default 0.25)",
    )
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "RESULTS.md")
    parser.add_argument("--workdir", type=Path, default=REPO / "bench" / "out")
    parser.add_argument("--load-generator", choices=["auto", "wrk", "httpx"], default="auto")
    parser.add_argument("--from-json", type=Path, help="only render a report from saved results")
    args = parser.parse_args(argv)

    if args.from_json:
        results = json.loads(args.from_json.read_text(encoding="utf-8"))
    else:
        results = run(args)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.with_suffix(".json").write_text(
            json.dumps(results, indent=1) + "\n", encoding="utf-8"
        )
    soak = args.out.parent / "SOAK.md"
    soak_text = soak.read_text(encoding="utf-8") if soak.is_file() else None
    previous = args.out.read_text(encoding="utf-8") if args.out.is_file() else None
    args.out.write_text(keep_appended(render(results, soak_text), previous), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
