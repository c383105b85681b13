"""The benchmark runner: corpus, engine floor, kgpub, a minimal endpoint and bare uvicorn.

    python -m bench.run --articles 10000 --out bench/RESULTS.md

1. generates the corpus (cached in ``bench/out/``);
2. in a subprocess, bulk-loads it into pyoxigraph and times each query
   in-process, the engine floor; in another, loads it the way ``kgpub serve``
   does, for the load rate;
3. starts, one after the other on 127.0.0.1, ``kgpub serve CORPUS`` (with
   ``KGPUB_VALIDATE_ON_START=false``), the minimal FastAPI + pyoxigraph
   endpoint (``bench.minimal_app``) and a bare uvicorn app (``bench.bare_app``);
   for each it records the time to the first answered query, each query's
   sequential latency over one keep-alive connection, the throughput at
   concurrency 4 (wrk, or ``bench.load`` when wrk is missing) for the point
   lookup and for the ten queries in rotation, and the server's memory;
4. writes the tables to ``--out`` and the raw numbers beside it as JSON
   (``--from-json`` renders a report again from such a file).

Every loop is bounded in count and time, and every server is stopped at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench import corpus
from bench.httpload import CONCURRENCY, constant_latency, load, sequential, sparql_path
from bench.machine import REPO, loadavg, machine, versions, wrk_version
from bench.measure import peak_rss_kib, rss_kib, run_json
from bench.queries import POINT_LOOKUP, QUERIES
from bench.report import render

READY_TIMEOUT = 1800.0  # seconds a server may take to load the corpus


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# -- machine and versions ---------------------------------------------------------------


def ensure_corpus(workdir: Path, articles: int, seed: int) -> tuple[Path, int, float | None]:
    """The corpus file, its quads and the seconds it took to generate (None when cached)."""
    path = workdir / f"corpus-{articles}-s{seed}.nq"
    if path.exists():
        with path.open("rb") as f:
            return path, sum(1 for _ in f), None
    started = time.perf_counter()
    quads = corpus.write_file(path, articles, seed)
    return path, quads, time.perf_counter() - started


# -- servers ----------------------------------------------------------------------------


@contextmanager
def server(
    name: str, cmd: list[str], workdir: Path, env: dict[str, str]
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server subprocess for the duration of the block, then stop it."""
    log_path = workdir / f"server-{name}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)


def _log_tail(workdir: Path, name: str) -> str:
    try:
        return (workdir / f"server-{name}.log").read_text(encoding="utf-8", errors="replace")[
            -3000:
        ]
    except OSError:
        return ""


def wait_ready(
    proc: subprocess.Popen[bytes], port: int, path: str, *, name: str, workdir: Path, started: float
) -> float:
    """Seconds from ``started`` until ``path`` answers 200; polls every 20 ms."""
    deadline = started + READY_TIMEOUT
    for _ in range(int(READY_TIMEOUT / 0.02) + 1):
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}:\n{_log_tail(workdir, name)}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=READY_TIMEOUT)
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
        time.sleep(0.02)
    raise RuntimeError(f"{name} was not ready within {READY_TIMEOUT:.0f} s")


def measure_server(
    name: str,
    cmd: list[str],
    *,
    env: dict[str, str],
    port: int,
    args: argparse.Namespace,
    use_wrk: bool,
    constant: bool = False,
) -> dict[str, Any]:
    ready_path = "/" if constant else sparql_path(QUERIES[-1])  # the ASK
    started = time.perf_counter()
    with server(name, cmd, args.workdir, env) as proc:
        result: dict[str, Any] = {
            "ready_seconds": wait_ready(
                proc, port, ready_path, name=name, workdir=args.workdir, started=started
            ),
            "rss_ready_kib": rss_kib(proc.pid),
        }
        if constant:
            result["constant_latency"] = constant_latency(
                port, args.query_seconds, args.max_samples
            )
            point: list[tuple[str, str]] = [(sparql_path(POINT_LOOKUP), "*/*")]
            result["point"] = load(
                port,
                point,
                seconds=args.seconds,
                workdir=args.workdir,
                label=f"{name}-point",
                use_wrk=use_wrk,
            )
        else:
            result.update(sequential(port, args.query_seconds, args.max_samples))
            point = [(sparql_path(POINT_LOOKUP), POINT_LOOKUP.accept)]
            mixed = [(sparql_path(q), q.accept) for q in QUERIES]
            result["point"] = load(
                port,
                point,
                seconds=args.seconds,
                workdir=args.workdir,
                label=f"{name}-point",
                use_wrk=use_wrk,
            )
            result["mixed"] = load(
                port,
                mixed,
                seconds=args.seconds,
                workdir=args.workdir,
                label=f"{name}-mixed",
                use_wrk=use_wrk,
            )
        result["rss_kib"] = rss_kib(proc.pid)
        result["peak_rss_kib"] = peak_rss_kib(proc.pid)
        result["loadavg"] = loadavg()
    return result


def best_floor(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The engine floor from several runs: per query the run with the lowest p50.

    The machine may be shared, so the floor is measured at the start and at
    the end of the run and the better of the two is kept: a floor that is too
    high would flatter kgpub.
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


# -- main -------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    args.workdir.mkdir(parents=True, exist_ok=True)
    wrk = wrk_version() if args.load_generator in ("auto", "wrk") else None
    if args.load_generator == "wrk" and wrk is None:
        raise SystemExit("wrk is not installed; use --load-generator httpx")
    use_wrk = wrk is not None
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
        }
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

    floor_cmd = [
        "-m",
        "bench.floor",
        "engine",
        "--corpus",
        str(path),
        "--seconds",
        str(args.query_seconds),
        "--max-samples",
        str(args.max_samples),
        "--load-seconds",
        str(args.seconds),
    ]
    print("engine floor ...", file=sys.stderr)
    floor_runs = [run_json(floor_cmd)]
    floor_runs[0]["loadavg"] = loadavg()
    print("engine floor, on-disk store ...", file=sys.stderr)
    results["disk"] = run_json(
        [
            "-m",
            "bench.floor",
            "disk",
            "--corpus",
            str(path),
            "--directory",
            str(args.workdir / f"store-{args.articles}"),
        ]
    )
    print("kgpub load path ...", file=sys.stderr)
    results["kgpub_load"] = run_json(["-m", "bench.floor", "kgpub-load", "--corpus", str(path)])

    py = sys.executable
    servers: dict[str, Any] = {}
    results["servers"] = servers
    port = free_port()
    env = {**os.environ, "KGPUB_VALIDATE_ON_START": "false"}
    print("kgpub serve ...", file=sys.stderr)
    servers["kgpub"] = measure_server(
        "kgpub",
        [py, "-m", "kgpub.cli", "serve", str(path), "--port", str(port)],
        env=env,
        port=port,
        args=args,
        use_wrk=use_wrk,
    )
    port = free_port()
    print("minimal endpoint ...", file=sys.stderr)
    servers["minimal"] = measure_server(
        "minimal",
        [py, "-m", "bench.minimal_app", "--corpus", str(path), "--port", str(port)],
        env=dict(os.environ),
        port=port,
        args=args,
        use_wrk=use_wrk,
    )
    port = free_port()
    print("bare uvicorn ...", file=sys.stderr)
    servers["bare"] = measure_server(
        "bare",
        [py, "-m", "bench.bare_app", "--port", str(port)],
        env=dict(os.environ),
        port=port,
        args=args,
        use_wrk=use_wrk,
        constant=True,
    )
    print("engine floor again ...", file=sys.stderr)
    floor_runs.append(run_json(floor_cmd))
    floor_runs[1]["loadavg"] = loadavg()
    results["floor_runs"] = floor_runs
    results["floor"] = best_floor(floor_runs)
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
    args.out.write_text(render(results), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
