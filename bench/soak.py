"""Soak: a real ``kgpub serve`` on loopback at saturation, statuses counted, memory watched.

Three wrk processes load the server at once, each with its own traffic and
the statuses it may get:

- **reads** (200 only): point lookups made unique per request (a trailing
  comment), so each one misses the result cache and runs in a query worker;
  the competency queries of ``queries/competency``; resource pages of every
  ``/id/…`` IRI as HTML and Turtle.
- **bad** (4xx only): a syntax error, an unknown format, no Content-Type, an
  update on the read-only endpoint, nesting and operator chains past the
  guards, a query over the size limit, invalid UTF-8, an unknown IRI, PUT.
- **runaway** (503 only): cartesian products (one filtered by REGEX), a
  ``(<p>|!<p>)*`` path joined with every triple, and a 300-pattern join, each
  with ``timeout=`` a few seconds, so the query deadline kills its worker
  again and again while the reads go on.
- **validate** (200, 413, 422, 503): ``POST /validate`` abuse next to the
  reads: a small valid document, a 1,000-step ``rdfs:subClassOf`` chain, a
  100,000-item collection (over the triple limit), a body over the size
  limit, and 49,000 triples that keep a validation worker busy to its
  deadline. Validation runs in killable, bounded worker processes, so none
  of it may slow the reads into errors or grow the server's memory.

wrk (C, Lua-scripted, one thread per process) rather than locust: on two
cores a Python load generator would take the CPU the server needs, and wrk's
per-response Lua hook is enough to count statuses. While it runs, the
resident memory of the server process and of its whole process tree (query
workers included) is sampled every second after a warm-up (``bench.memwatch``
says when it counts as flat). ``python -m bench.soak --minutes 10 --markdown
bench/SOAK.md`` is the long run; ``tests/system/test_soak.py`` runs a short one in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.machine import REPO, loadavg, machine, versions, wrk_version
from bench.memwatch import MemorySampler, memory_summary
from bench.servers import free_port, get, server, wait_ready
from bench.wrkmix import Request, lua_script

BASE_IRI = "https://kgpub.example/"
CACHE_BYTES = 1024 * 1024
"""The server's result cache: small, so it is full (and evicting) before sampling starts."""
JSON_RESULTS = "application/sparql-results+json"
ALLOWED = {
    "reads": frozenset({200}),
    "bad": frozenset({400, 403, 404, 405, 406, 413, 415}),
    "runaway": frozenset({503}),
    "validate": frozenset({200, 413, 422, 503}),
}


def sparql_get(query: str, accept: str = JSON_RESULTS, **extra: str) -> Request:
    params = "".join(f"&{k}={quote(v, safe='')}" for k, v in extra.items())
    return Request("GET", f"/sparql?query={quote(query, safe='')}{params}", (("Accept", accept),))


def reads(iris: Sequence[str], queries_dir: Path, seed: int) -> list[Request]:
    """Point lookups (half), competency queries (a fifth), pages (the rest), shuffled."""
    lookups = [
        Request(
            "GET",
            "/sparql?query=" + quote(f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }} LIMIT 50", safe=""),
            (("Accept", JSON_RESULTS),),
            unique=True,
        )
        for iri in iris
    ]
    competency = [
        sparql_get(path.read_text(encoding="utf-8")) for path in sorted(queries_dir.glob("*.rq"))
    ]
    pages = [
        Request("GET", "/" + iri[len(BASE_IRI) :], (("Accept", accept),))
        for iri in iris
        for accept in ("text/html", "text/turtle")
    ]
    rng = random.Random(seed)
    mix = [rng.choice(lookups) for _ in range(1000)]
    mix += [rng.choice(competency) for _ in range(400)] if competency else []
    mix += [rng.choice(pages) for _ in range(600)]
    rng.shuffle(mix)
    return mix


def bad_requests() -> list[Request]:
    query_type = (("Content-Type", "application/sparql-query"),)
    return [
        sparql_get("SELECT * WHERE {"),  # 400 syntax
        sparql_get("ASK {}", format="nope"),  # 406
        Request("POST", "/sparql", body=b"ASK {}"),  # 415 no Content-Type
        Request("POST", "/sparql", (("Content-Type", "application/sparql-update"),), b"CLEAR ALL"),
        sparql_get("SELECT * " + "{" * 500 + "}" * 500),  # 400 nesting
        sparql_get("ASK { FILTER(" + "!" * 2000 + "true) }"),  # 400 operator chain
        Request("POST", "/sparql", query_type, b"ASK {} #" + b"x" * 70_000),  # 413
        Request("GET", "/sparql?query=ASK%FF"),  # 400 invalid UTF-8
        Request("GET", "/id/soak-no-such-thing", (("Accept", "text/turtle"),)),  # 404
        Request("PUT", "/sparql?query=ASK%7B%7D"),  # 405
        Request("POST", "/validate", (("Content-Type", "text/plain"),), b"x"),  # 415
    ]


def runaway_requests(timeout: float) -> list[Request]:
    """Queries no engine finishes on this data: each must meet its deadline (503)."""
    seconds = f"{timeout:g}"
    return [
        sparql_get(
            "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }", timeout=seconds
        ),
        sparql_get(
            "SELECT (COUNT(*) AS ?n) { ?s (<http://e/p>|!<http://e/p>)* ?o . ?a ?b ?c }",
            timeout=seconds,
        ),
        sparql_get(
            "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
            'FILTER(REGEX(CONCAT(STR(?c), STR(?f), STR(?i)), "^(a|aa)+(b|bb)+$")) }',
            timeout=seconds,
        ),
        # The join order planner alone: 300 patterns on one subject.
        sparql_get("ASK { ?s <http://e/p> " + " , ".join(["1"] * 300) + " }", timeout=seconds),
    ]


def validate_requests() -> list[Request]:
    """Uploads ``/validate`` must answer within its limits, never with a 500."""
    turtle = (("Content-Type", "text/turtle"),)
    small = b'<urn:a> a <https://schema.org/Person> ; <https://schema.org/name> "A" .'
    chain = b"".join(
        b"<urn:c%d> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <urn:c%d> .\n" % (i, i + 1)
        for i in range(1000)
    )
    collection = b"<urn:s> <urn:p> (" + b" 1" * 100_000 + b" ) ."
    too_large = b"# " + b"x" * (1024 * 1024 + 16) + b"\n"
    busy = b"".join(
        b'<urn:p%d> a <https://schema.org/Person> ; <https://schema.org/name> "n%d" .\n' % (i, i)
        for i in range(24_500)
    )
    return [
        Request("POST", "/validate", turtle, small),  # 200
        Request("POST", "/validate", turtle, chain),  # 200
        Request("POST", "/validate", turtle, collection),  # 422: over the triple limit
        Request("POST", "/validate", turtle, too_large),  # 413
        Request("POST", "/validate", turtle, busy),  # 200, or 503 at the deadline
    ]


# -- the server and its memory ------------------------------------------------------------


@contextmanager
def kgpub_serve(workdir: Path, env_extra: dict[str, str]) -> Iterator[tuple[int, int]]:
    """``kgpub serve`` on the checkout's data, on 127.0.0.1; yields (port, pid)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KGPUB_")}
    env.update(KGPUB_PORT=str(port), **env_extra)
    with server("kgpub", [sys.executable, "-m", "kgpub", "serve"], workdir, env) as proc:
        # Validation at start-up takes a while; at most 180 s.
        started = time.perf_counter()
        path = "/sparql?query=ASK%7B%7D"
        wait_ready(proc, port, path, name="kgpub", workdir=workdir, started=started, timeout=180.0)
        yield port, proc.pid


# -- the run ------------------------------------------------------------------------------


def discover_iris(port: int, limit: int = 60) -> list[str]:
    """The ``/id/…`` IRIs the served data describes, in order, at most ``limit``."""
    query = (
        "SELECT DISTINCT ?s WHERE { ?s ?p ?o "
        f'FILTER(STRSTARTS(STR(?s), "{BASE_IRI}id/")) }} ORDER BY ?s LIMIT {limit}'
    )
    status, body = get(port, "/sparql?query=" + quote(query, safe=""))
    if status != 200:
        raise RuntimeError(f"listing the IRIs failed: {status} {body[:200]!r}")
    return [b["s"]["value"] for b in json.loads(body)["results"]["bindings"]]


def _wrk(port: int, script: Path, connections: int, seconds: float) -> subprocess.Popen[str]:
    command = [
        "wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "30s",
        "-s", str(script), f"http://127.0.0.1:{port}",
    ]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _result(name: str, process: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = process.communicate()
    line = next((line for line in out.splitlines() if line.startswith("SOAK ")), None)
    if process.returncode != 0 or line is None:
        raise RuntimeError(f"wrk ({name}) failed: {err[-2000:] or out[-2000:]}")
    result: dict[str, Any] = json.loads(line[len("SOAK ") :])
    result["statuses"] = {int(k): v for k, v in result["statuses"].items()}
    unexpected = {s: n for s, n in result["statuses"].items() if s not in ALLOWED[name]}
    result["unexpected"] = unexpected
    result["errors"] = sum(unexpected.values()) + sum(result["socket_errors"].values())
    result["rate"] = round(result["requests"] / result["seconds"], 1) if result["seconds"] else 0
    return result


def run(
    seconds: float,
    *,
    connections: int = 16,
    bad_connections: int = 2,
    runaway_connections: int = 2,
    runaway_timeout: float = 2.0,
    validate_connections: int = 2,
    warmup: float | None = None,
    max_growth: float = 0.10,
    seed: int = 1,
) -> dict[str, Any]:
    """Soak a fresh ``kgpub serve`` for ``seconds`` after a warm-up; the figures and verdict."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (scripts/setup-load installs it)")
    warmup = min(30.0, max(3.0, seconds / 10)) if warmup is None else warmup
    # A small result cache fills during the warm-up, so what is sampled is steady state.
    # A short validation deadline, so the upload that keeps a validation worker busy
    # meets it (503) several times a minute rather than once.
    env = {"KGPUB_CACHE_BYTES": str(CACHE_BYTES), "KGPUB_VALIDATE_TIMEOUT": "5"}
    with tempfile.TemporaryDirectory(prefix="kgpub-soak-") as tmp:
        workdir = Path(tmp)
        with kgpub_serve(workdir, env) as (port, pid):
            iris = discover_iris(port)
            classes = {
                "reads": (reads(iris, REPO / "queries" / "competency", seed), connections),
                "bad": (bad_requests(), bad_connections),
                "runaway": (runaway_requests(runaway_timeout), runaway_connections),
                "validate": (validate_requests(), validate_connections),
            }
            scripts = {}
            for name, (requests, _) in classes.items():
                scripts[name] = workdir / f"{name}.lua"
                scripts[name].write_text(lua_script(requests), encoding="utf-8")
            active = {name: c for name, (_, c) in classes.items() if c > 0}
            # The warm-up: the same load, not counted, so caches and worker pools settle.
            warming = [_wrk(port, scripts[n], c, warmup) for n, c in active.items()]
            for process in warming:
                process.communicate()
            sampler = MemorySampler(pid)
            sampler.start()
            started = time.monotonic()
            running = {n: _wrk(port, scripts[n], c, seconds) for n, c in active.items()}
            results = {n: _result(n, p) for n, p in running.items()}
            elapsed = time.monotonic() - started
            sampler.stop()
            alive = get(port, "/sparql?query=ASK%7B%7D")[0] == 200
    memory = memory_summary(sampler.samples, max_growth)
    errors = sum(r["errors"] for r in results.values())
    return {
        "seconds": round(elapsed, 1),
        "warmup_seconds": warmup,
        "connections": active,
        "runaway_timeout": runaway_timeout,
        "iris": len(iris),
        "classes": results,
        "errors": errors,
        "server_alive_after": alive,
        "memory": memory,
        "passed": errors == 0 and alive and memory["flat"],
        "machine": machine(),
        "loadavg_after": loadavg(),
        "versions": versions(wrk_version() or "wrk"),
    }


def markdown(report: dict[str, Any]) -> str:
    """``bench/SOAK.md``: the figures of one run, with its machine and versions."""
    m, mem = report["machine"], report["memory"]
    lines = [
        "# Soak",
        "",
        "`python -m bench.soak` against a real `kgpub serve` (the shipped article, result cache",
        "capped at 1 MiB) on 127.0.0.1; written by `--markdown`. What each traffic class sends and",
        "may get back is in `bench/soak.py`.",
        "",
        f"- **Verdict: {'passed' if report['passed'] else 'FAILED'}** — {report['errors']} "
        f"unexpected answers or socket errors; memory {'flat' if mem['flat'] else 'NOT flat'}"
        " (below); server "
        f"{'answering' if report['server_alive_after'] else 'NOT answering'} afterwards.",
        f"- Duration {report['seconds']} s after a {report['warmup_seconds']:g} s warm-up; "
        f"connections {report['connections']}; runaway queries carry "
        f"`timeout={report['runaway_timeout']:g}`.",
        f"- Machine: {m['nproc']} cores, {m['mem_total_kib'] // 1024} MiB, {m['cpu_model']}, "
        f"Linux {m['kernel']}; load average after: {report['loadavg_after']}.",
        "",
        "| class | requests | rate /s | p50 ms | p99 ms | max ms | statuses | unexpected |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, r in report["classes"].items():
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(r["statuses"].items()))
        unexpected = sum(r["unexpected"].values()) + sum(r["socket_errors"].values())
        lat = r["latency_ms"]
        lines.append(
            f"| {name} | {r['requests']} | {r['rate']} | {lat['p50']:.1f} | {lat['p99']:.1f} "
            f"| {lat['max']:.0f} | {statuses} | {unexpected} |"
        )
    lines += [
        "",
        f"Memory, sampled once a second ({mem['samples']} samples; up to "
        f"{mem['processes_max']} processes: server, forkserver, query workers):",
        "",
        "| RSS | first quarter: mean (max) MiB | last quarter: mean MiB | growth | max MiB "
        "| flat |",
        "|---|---|---|---|---|---|",
    ]
    for name, label in (("server", "server process"), ("tree", "whole process tree")):
        s = mem[name]
        lines.append(
            f"| {label} | {s['first_quarter_mib']} ({s['first_quarter_max_mib']}) | "
            f"{s['last_quarter_mib']} | {s['growth']:+.1%} | {s['max_mib']} | "
            f"{'yes' if s['flat'] else 'NO'} |"
        )
    lines += [
        "",
        f"Flat means: the server process's last-quarter mean within {mem['max_growth']:.0%} of "
        "its first-quarter mean; the tree's (query workers are killed at each deadline and "
        "replaced, and a runaway holds memory until then) within "
        f"{mem['max_growth']:.0%} of the first quarter's highest total.",
    ]
    lines += _by_minute(mem["series"])
    lines += ["", "Versions: " + ", ".join(f"{k} {v}" for k, v in report["versions"].items()), ""]
    return "\n".join(lines)


def _by_minute(series: Sequence[Sequence[int]]) -> list[str]:
    """Mean RSS per minute, and how much the server process moved in the second half."""
    if len(series) < 120:
        return []
    lines = ["", "| minute | server process MiB | whole tree MiB |", "|---|---|---|"]
    for start in range(0, len(series), 60):
        chunk = series[start : start + 60]
        server = sum(c[1] for c in chunk) / len(chunk) / 1024
        tree = sum(c[2] for c in chunk) / len(chunk) / 1024
        lines.append(f"| {start // 60 + 1} | {server:.1f} | {tree:.1f} |")
    half = [c[1] / 1024 for c in series[len(series) // 2 :]]
    lines += [
        "",
        f"Second half of the run: the server process between {min(half):.1f} and "
        f"{max(half):.1f} MiB.",
    ]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=16, help="for the reads (default 16)")
    parser.add_argument("--bad-connections", type=int, default=2)
    parser.add_argument(
        "--runaway-connections", type=int, default=2, help="0: no runaway queries (default 2)"
    )
    parser.add_argument("--runaway-timeout", type=float, default=2.0, help="their timeout= (s)")
    parser.add_argument(
        "--validate-connections", type=int, default=2, help="0: no /validate abuse (default 2)"
    )
    parser.add_argument("--max-growth", type=float, default=0.10)
    parser.add_argument("--json", type=Path, help="write the raw figures here")
    parser.add_argument("--markdown", type=Path, help="write the report here (bench/SOAK.md)")
    parser.add_argument("--from-json", type=Path, help="render a report --json wrote; no run")
    args = parser.parse_args(argv)
    if args.from_json:
        report = json.loads(args.from_json.read_text(encoding="utf-8"))
    else:
        report = run(
            args.minutes * 60,
            connections=args.connections,
            bad_connections=args.bad_connections,
            runaway_connections=args.runaway_connections,
            runaway_timeout=args.runaway_timeout,
            validate_connections=args.validate_connections,
            max_growth=args.max_growth,
        )
    text = markdown(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    print(text)
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
