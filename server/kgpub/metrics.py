"""The Prometheus metrics kgpub records, through the official client library.

Defined once here, at the bottom of the layers, so the module that does the
work records it (the result cache its hits, the query pool the workers it
kills) without knowing HTTP; ``kgpub.web.operations`` counts requests and
answers ``/metrics``. With ``kgpub serve --workers N`` every HTTP worker is a
process of its own: ``kgpub.cli.http_workers`` then points
``PROMETHEUS_MULTIPROC_DIR`` at a private folder before the workers start, the
library keeps each worker's values in files there, and ``/metrics`` sums them
(``registry``), so a scrape sees the whole server whichever worker answers.
docs/operations.md lists every metric with an example scrape.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
"""The library's own variable: set, every process keeps its values in files there."""

# Seconds, from point lookups answered by a worker to the deadline's 10 s and past it.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# Validation and writes take from milliseconds (incremental) to a minute (a big upload).
_SLOW_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 60.0, 120.0)

REQUESTS = Counter(
    "kgpub_http_requests",
    "HTTP requests answered, by route template (not the raw path), method and status.",
    ["route", "method", "status"],
)
QUERY_SECONDS = Histogram(
    "kgpub_query_duration_seconds",
    "Time from handing a SPARQL query to a worker to its answer (cache hits not included).",
    buckets=_LATENCY_BUCKETS,
)
CACHE_LOOKUPS = Counter(
    "kgpub_result_cache_lookups",
    "Result-cache lookups of a SPARQL query, by result (hit or miss).",
    ["result"],
)
WORKERS_KILLED = Counter(
    "kgpub_query_workers_killed",
    "Query worker processes killed with SIGKILL: at the query's deadline, or when its "
    "client hung up.",
    ["reason"],
)
VALIDATION_SECONDS = Histogram(
    "kgpub_validation_duration_seconds",
    "SHACL validations: of the served data at start-up (when not cached), of a POST "
    "/validate upload, of a write before it commits.",
    ["kind"],
    buckets=_SLOW_BUCKETS,
)
WRITE_SECONDS = Histogram(
    "kgpub_write_duration_seconds",
    "Writes (Graph Store Protocol, SPARQL Update) from staging to commit, validation "
    "included, by outcome (committed or rejected).",
    ["outcome"],
    buckets=_SLOW_BUCKETS,
)


@contextmanager
def timed_write() -> Iterator[None]:
    """Time a write into ``WRITE_SECONDS``: committed when the block ends, else rejected."""
    started = time.perf_counter()
    try:
        yield
    except BaseException:
        WRITE_SECONDS.labels("rejected").observe(time.perf_counter() - started)
        raise
    WRITE_SECONDS.labels("committed").observe(time.perf_counter() - started)


def multiprocess() -> bool:
    """Whether this process shares its metrics with sibling worker processes."""
    return bool(os.environ.get(MULTIPROCESS_ENV))


def registry() -> CollectorRegistry:
    """What ``/metrics`` exposes: this process's registry, or every worker's values summed."""
    if not multiprocess():
        from prometheus_client import REGISTRY  # noqa: PLC0415

        return REGISTRY
    collected = CollectorRegistry()
    MultiProcessCollector(collected)  # type: ignore[no-untyped-call]
    return collected
