"""Driving a server over HTTP: sequential latency on one connection, throughput under load.

Sequential timings use the standard library's HTTP client, whose overhead is the
smallest; throughput uses wrk (a separate C process that does not starve the
server of CPU), or ``bench.load`` in its own process where wrk is missing.
"""

from __future__ import annotations

import http.client
import json
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.measure import run_json, time_repeatedly
from bench.queries import POINT_LOOKUP, QUERIES, Query

CONCURRENCY = 4


def sparql_path(query: Query) -> str:
    return "/sparql?query=" + quote(query.text, safe="")


def cache_outcome(server_timing: str) -> str | None:
    """``hits`` or ``misses`` from kgpub's ``Server-Timing`` (``cache;desc="hit"``), else None."""
    match = re.search(r'cache;desc="(hit|miss)"', server_timing)
    return None if match is None else ("hits" if match.group(1) == "hit" else "misses")


class Client:
    """One keep-alive HTTP/1.1 connection (the standard library's: the least client overhead)."""

    def __init__(self, port: int) -> None:
        self._conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.server_timing: list[float] = []
        self.cache = {"hits": 0, "misses": 0}
        self.failures: list[str] = []

    def get(self, path: str, accept: str) -> int:
        """GET ``path``; the body's size. Answers other than 200 are kept in ``failures``
        (a benchmark that stops at the first error would report nothing about the rest)."""
        self._conn.request("GET", path, headers={"Accept": accept})
        response = self._conn.getresponse()
        body = response.read()
        if response.status != 200:
            self.failures.append(f"{response.status} {body[:200].decode(errors='replace')}")
        timing = response.getheader("server-timing")
        if timing:
            match = re.search(r"total;dur=([\d.]+)", timing)
            if match:
                self.server_timing.append(float(match.group(1)))
            outcome = cache_outcome(timing)
            if outcome is not None:
                self.cache[outcome] += 1
        return len(body)

    def close(self) -> None:
        self._conn.close()


def sequential(port: int, seconds: float, max_samples: int) -> dict[str, Any]:
    """Each query's latency over one keep-alive connection, one request at a time."""
    client = Client(port)
    latencies: dict[str, Any] = {}
    server_total: dict[str, float] = {}
    try:
        for query in QUERIES:
            path = sparql_path(query)
            client.server_timing = []
            client.failures = []
            latencies[query.name] = time_repeatedly(
                lambda path=path, accept=query.accept: client.get(path, accept),  # type: ignore[misc]
                seconds=seconds,
                max_samples=max_samples,
                min_samples=3,
                warmup=1,
            ).to_json()
            if client.failures:
                latencies[query.name]["failures"] = client.failures
            timings = sorted(client.server_timing[1:])  # without the warm-up
            if timings:
                server_total[query.name] = timings[(len(timings) - 1) // 2]
    finally:
        client.close()
    return {"latency": latencies, "server_timing_p50": server_total, "cache": client.cache}


def constant_latency(port: int, seconds: float, max_samples: int) -> dict[str, Any]:
    """The HTTP floor's latency: the point lookup's request, answered with a constant."""
    client = Client(port)
    path = sparql_path(POINT_LOOKUP)
    try:
        result = time_repeatedly(
            lambda: client.get(path, "*/*"),
            seconds=seconds,
            max_samples=max_samples,
            min_samples=3,
            warmup=1,
        )
    finally:
        client.close()
    return result.to_json()


# -- load generation --------------------------------------------------------------------

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_wrk(output: str) -> dict[str, Any]:
    """Requests, errors, requests/s and latency percentiles from wrk's report."""

    def ms(value: str) -> float:
        match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
        return float(match.group(1)) * _UNITS[match.group(2)] if match else float("nan")

    result: dict[str, Any] = {"tool": "wrk"}
    if match := re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output):
        result["requests"] = int(match.group(1))
        result["seconds"] = float(match.group(2)) * _UNITS[match.group(3)] / 1000
    if match := re.search(r"Requests/sec:\s+([\d.]+)", output):
        result["rps"] = float(match.group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(match.group(1))
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        errors += sum(int(g) for g in match.groups())
    result["errors"] = errors
    if match := re.search(r"cache hits: (\d+) misses: (\d+)", output):
        result["cache"] = {"hits": int(match.group(1)), "misses": int(match.group(2))}
    for pct in ("50", "99"):
        if match := re.search(rf"^\s+{pct}%\s+(\S+)", output, re.MULTILINE):
            result[f"p{pct}_ms"] = ms(match.group(1))
    return result


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


UNIQUE_SUFFIX = "%0A%23%20"
"""Appended to a query in the cache-busted mix, then a counter: a comment line, so every
query text is new to a result cache (``busted``) while meaning the same."""


def busted(path: str, n: int) -> str:
    """``path`` (a ``/sparql?query=`` URL) with a comment making its query text unique."""
    return f"{path}{UNIQUE_SUFFIX}{n}"


def wrk_script(requests: Sequence[tuple[str, str]], *, unique: bool = False) -> str:
    rows = ",\n".join(f"  {{{_lua_string(p)}, {_lua_string(a)}}}" for p, a in requests)
    # Each wrk thread has its own Lua state: the thread's id keeps its counters apart.
    path = f'reqs[i][1] .. "{UNIQUE_SUFFIX}" .. tid .. "-" .. n' if unique else "reqs[i][1]"
    return (
        "-- generated by bench.run: cycle through the requests\n"
        f"local reqs = {{\n{rows}\n}}\n"
        "local i, n = 0, 0\n"
        "tid = 0\n"
        "request = function()\n"
        "  i = i % #reqs + 1\n"
        "  n = n + 1\n"
        f'  return wrk.format("GET", {path}, {{ ["Accept"] = reqs[i][2] }})\n'
        "end\n" + _WRK_CACHE_COUNT
    )


# Counts kgpub's cache hits and misses from Server-Timing; each wrk thread has its own
# Lua state, so done() adds up the threads' counters.
_WRK_CACHE_COUNT = """hits, misses = 0, 0
response = function(status, headers, body)
  local timing = headers["server-timing"] or headers["Server-Timing"]
  if timing then
    if timing:find('cache;desc="hit"', 1, true) then hits = hits + 1
    elseif timing:find('cache;desc="miss"', 1, true) then misses = misses + 1 end
  end
end
local threads = {}
setup = function(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
done = function(summary, latency, requests)
  local h, m = 0, 0
  for _, t in ipairs(threads) do h = h + t:get("hits"); m = m + t:get("misses") end
  io.write(string.format("cache hits: %d misses: %d\\n", h, m))
end
"""


def load(
    port: int,
    requests: Sequence[tuple[str, str]],
    *,
    seconds: float,
    workdir: Path,
    label: str,
    use_wrk: bool,
    unique: bool = False,
) -> dict[str, Any]:
    """Throughput at concurrency 4 for ``seconds``, cycling through ``requests`` (with
    ``unique``, each query text made new by a comment: the cache-busted mix)."""
    base = f"http://127.0.0.1:{port}"
    if use_wrk:
        script = workdir / f"wrk-{label}.lua"
        script.write_text(wrk_script(requests, unique=unique), encoding="utf-8")
        duration = max(1, round(seconds))
        # One wrk thread leaves the other core to the server; the 60 s timeout
        # keeps slow queries queued behind each other from counting as errors.
        cmd = ["wrk", "-t1", f"-c{CONCURRENCY}", f"-d{duration}s", "--timeout", "60s", "--latency"]
        done = subprocess.run(
            [*cmd, "-s", str(script), base],
            capture_output=True,
            text=True,
            timeout=duration + 120,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"wrk failed: {done.stderr[-2000:]}")
        return parse_wrk(done.stdout)
    spec = workdir / f"load-{label}.json"
    spec.write_text(json.dumps([list(r) for r in requests]), encoding="utf-8")
    return run_json(
        [
            "-m",
            "bench.load",
            "--url",
            base,
            "--requests",
            str(spec),
            "--concurrency",
            str(CONCURRENCY),
            "--seconds",
            str(seconds),
            *(["--unique"] if unique else []),
        ],
        timeout=seconds + 300,
    )
