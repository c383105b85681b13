"""The engine floor, run in its own process so its memory is the store's alone.

``engine`` mode bulk-loads the corpus into an in-memory pyoxigraph store (or,
with ``--store``, opens an on-disk store read-only, as ``kgpub serve --store``
does), then times each query in-process (query plus serialisation in the
format the HTTP clients ask for, the least any server must do) and the
throughput of four threads. ``disk`` mode bulk-loads the corpus into a new
on-disk (RocksDB) store with pyoxigraph alone and times opening it again: the
floor for ``kgpub load``. Each prints one JSON object.

    python -m bench.floor engine --corpus FILE --seconds 2
    python -m bench.floor engine --corpus FILE --store DIR --seconds 2
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from bench.measure import peak_rss_kib, rss_kib, time_repeatedly
from bench.queries import POINT_LOOKUP, QUERIES, Query


def answer(store: ox.Store, query: Query) -> int:
    """Run ``query`` and serialise its result; returns the body's size."""
    result = store.query(query.text, use_default_graph_as_union=True)
    if isinstance(result, ox.QueryTriples):
        body = result.serialize(format=ox.RdfFormat.N_TRIPLES)
    else:
        body = result.serialize(format=ox.QueryResultsFormat.JSON)
    return len(body or b"")


def throughput(
    store: ox.Store, queries: Sequence[Query], *, seconds: float, threads: int = 4
) -> dict[str, float]:
    """Requests per second of ``threads`` threads each cycling through ``queries``."""
    stop = threading.Event()
    counts = [0] * threads

    def worker(n: int) -> None:
        i = n  # each thread starts at a different query
        for _ in range(10_000_000):  # bounded; the stop event ends it first
            if stop.is_set():
                return
            answer(store, queries[i % len(queries)])
            i += 1
            counts[n] += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        futures = [pool.submit(worker, n) for n in range(threads)]
        time.sleep(seconds)
        stop.set()
        for future in futures:
            future.result()
    elapsed = time.perf_counter() - started
    return {"requests": sum(counts), "seconds": elapsed, "rps": sum(counts) / elapsed}


def engine(
    store_dir: Path | None, corpus: Path, seconds: float, max_samples: int, load_seconds: float
) -> dict[str, Any]:
    """Latency and throughput of the ten queries in-process; the store is loaded into
    memory from ``corpus``, or, with ``store_dir``, the on-disk store opened read-only."""
    rss_before = rss_kib()
    started = time.perf_counter()
    if store_dir is None:
        store = ox.Store()
        store.bulk_load(path=str(corpus), format=ox.RdfFormat.N_QUADS)
    else:
        store = ox.Store.read_only(str(store_dir))
    load = time.perf_counter() - started
    quads = len(store)
    rss_loaded = rss_kib()
    latencies = {
        q.name: time_repeatedly(
            lambda q=q: answer(store, q),  # type: ignore[misc]
            seconds=seconds,
            max_samples=max_samples,
            min_samples=3,
            warmup=1,
        ).to_json()
        for q in QUERIES
    }
    return {
        "quads": quads,
        "load_seconds": load,
        "rss_before_kib": rss_before,
        "rss_loaded_kib": rss_loaded,
        "latency": latencies,
        "point": throughput(store, [POINT_LOOKUP], seconds=load_seconds),
        "mixed": throughput(store, QUERIES, seconds=load_seconds),
        "rss_end_kib": rss_kib(),
        "peak_rss_kib": peak_rss_kib(),
    }


def disk(corpus: Path, directory: Path) -> dict[str, Any]:
    """The floor for a persistent store: ``bulk_load`` into RocksDB, then open it and ask."""
    shutil.rmtree(directory, ignore_errors=True)
    try:
        started = time.perf_counter()
        store = ox.Store(str(directory))
        store.bulk_load(path=str(corpus), format=ox.RdfFormat.N_QUADS)
        store.flush()
        store.optimize()
        load = time.perf_counter() - started
        quads = len(store)
        del store
        size = sum(f.stat().st_size for f in directory.rglob("*") if f.is_file())
        opened: dict[str, float] = {}
        for mode in ("read_only", "read_write"):
            started = time.perf_counter()
            reopened = (
                ox.Store.read_only(str(directory))
                if mode == "read_only"
                else ox.Store(str(directory))
            )
            assert bool(reopened.query("ASK { GRAPH ?g { ?s ?p ?o } }"))
            opened[mode] = time.perf_counter() - started
            del reopened
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return {"quads": quads, "load_seconds": load, "bytes": size, "open_seconds": opened}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.floor")
    parser.add_argument("mode", choices=["engine", "disk"])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument(
        "--store", type=Path, help="engine: query this on-disk store instead of loading"
    )
    parser.add_argument("--directory", type=Path, help="disk: where to build the store")
    parser.add_argument("--seconds", type=float, default=2.0, help="time budget per query")
    parser.add_argument("--max-samples", type=int, default=500)
    parser.add_argument("--load-seconds", type=float, default=5.0, help="per throughput run")
    args = parser.parse_args(argv)
    if args.mode == "engine":
        result = engine(args.store, args.corpus, args.seconds, args.max_samples, args.load_seconds)
    else:
        result = disk(args.corpus, args.directory or args.corpus.with_suffix(".store"))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
