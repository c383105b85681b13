"""A fallback load generator for when wrk is not installed: asyncio + httpx, own process.

Keeps ``--concurrency`` requests in flight for ``--seconds``, cycling through
the requests in ``--requests`` (a JSON list of ``[path, accept]``), and prints
one JSON object like the runner's wrk parser produces.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from bench.httpload import busted, cache_outcome


async def run(
    base: str,
    requests: list[tuple[str, str]],
    concurrency: int,
    seconds: float,
    unique: bool = False,
) -> dict[str, Any]:
    done = 0
    errors = 0
    cache = {"hits": 0, "misses": 0}
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker(client: httpx.AsyncClient, n: int) -> None:
        nonlocal done, errors
        i = n
        for k in range(10_000_000):  # bounded; the deadline ends it first
            if time.perf_counter() >= deadline:
                return
            path, accept = requests[i % len(requests)]
            if unique:
                path = busted(path, n * 10_000_000 + k)  # the workers' counters never meet
            i += 1
            started = time.perf_counter()
            try:
                response = await client.get(path, headers={"Accept": accept})
                if response.status_code != 200:
                    errors += 1
                outcome = cache_outcome(response.headers.get("server-timing", ""))
                if outcome is not None:
                    cache[outcome] += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.perf_counter() - started)
            done += 1

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60.0) as client:
        await asyncio.gather(*(worker(client, n) for n in range(concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "tool": "httpx",
        "requests": done,
        "errors": errors,
        "seconds": elapsed,
        "rps": done / elapsed,
        "p50_ms": latencies[len(latencies) // 2] * 1000 if latencies else None,
        "cache": cache,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("--url", required=True, help="base URL, e.g. http://127.0.0.1:8000")
    parser.add_argument("--requests", type=Path, required=True)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--unique", action="store_true", help="make every query text new")
    args = parser.parse_args(argv)
    requests = [(str(p), str(a)) for p, a in json.loads(args.requests.read_text(encoding="utf-8"))]
    result = asyncio.run(run(args.url, requests, args.concurrency, args.seconds, args.unique))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
