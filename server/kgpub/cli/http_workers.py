"""``kgpub serve --workers N``: several uvicorn worker processes serving one dataset.

One Python process parses HTTP and answers cache hits on one core at most; uvicorn's
worker processes share the listening socket, so every core does. uvicorn starts
them with multiprocessing's *spawn*: each is a fresh interpreter that receives
only its environment and an import string. So the parent exports its
``Settings`` as ``KGPUB_`` variables (``config.export_to_environment``) and every
worker builds its app with ``create_worker_app``, the factory uvicorn calls.

Each worker opens the data itself (an on-disk store opens in a fraction of a
second; an in-memory dataset is parsed again), but a read-only store's in-memory
copy, which the query workers are forked from, is loaded once by the parent's
``SharedImage`` for all of them, and SHACL validation runs once,
in the parent, before any worker starts: pySHACL takes seconds, and invalid
data must be refused before anything is served. Its report reaches the workers
as a file in a private temporary folder (``Settings.shacl_report_file``), so
every worker's pages show the same results without validating again.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors.multiprocess import Multiprocess

from kgpub.cli.serving import worker_uvicorn_options
from kgpub.config import Settings, export_to_environment
from kgpub.errors import KgpubError
from kgpub.ingest.dataset import load_dataset
from kgpub.metrics import MULTIPROCESS_ENV
from kgpub.shacl.report import ValidationReport
from kgpub.shacl.report_file import read_report, write_report
from kgpub.sparql.image_handle import SharedImage
from kgpub.sparql.memory_copy import too_large
from kgpub.sparql.runners import query_budget
from kgpub.sparql.worker import Snapshot

if TYPE_CHECKING:
    from fastapi import FastAPI

FACTORY = f"{__name__}:create_worker_app"
_REPORT_FILE = "shacl-report.json"
_logger = logging.getLogger("uvicorn.error")


def worker_count(settings: Settings) -> int:
    """``settings.http_workers``, or when it is 0: half the cores (at least one) for an
    on-disk store served read-only, else one (writes are committed by the one process
    holding the store).

    An HTTP worker parses HTTP, answers cache hits and hands queries on; the queries
    run elsewhere, in the in-memory copy's threads (or forks) or in processes over the
    store on disk, which need cores too. On 2 cores one HTTP worker answered as much
    as two (``bench/RESULTS.md``: cache hits 10,534/s against 9,913/s, the uncached
    mix 45-48 q/s against 44-45) in 514 MiB instead of 710, ready in 0.5 s instead of
    1.0. Over an in-memory dataset each worker would hold a copy, so more than one must
    be asked for.
    """
    if settings.http_workers > 0:
        return settings.http_workers
    if settings.store_dir is not None and not settings.writes_enabled:
        return max(1, (os.cpu_count() or 1) // 2)
    return 1


def query_workers_each(settings: Settings, workers: int) -> int:
    """Query worker processes for each of ``workers`` HTTP workers.

    The configured ``query_workers`` when it was set; by default the cores
    plus one are shared out among the HTTP workers, at least two each (so a
    runaway query never leaves an HTTP worker's lookups without a worker).
    Every HTTP worker taking cores + 1 of its own would start more processes
    than the cores can run, each holding its own view of the store.
    """
    if "query_workers" in settings.model_fields_set:
        return settings.query_workers
    cores = os.cpu_count() or 1
    return max(2, -(-(cores + 1) // workers))


def serve(settings: Settings, report: ValidationReport | None, workers: int) -> int:
    """Run ``workers`` worker processes until the server is stopped (Ctrl-C, SIGTERM).

    ``report``: the served data's SHACL report, already computed (None when
    the data was not validated). Returns the exit status: uvicorn's
    ``STARTUP_FAILURE`` (3) when a worker failed to start, as a single-process
    ``kgpub serve`` exits, else 0. ``uvicorn.run`` returns nothing either way
    with several workers, so a server that never answered looked like a
    clean stop to scripts and supervisors.
    """
    with tempfile.TemporaryDirectory(prefix="kgpub-serve-") as folder:
        each = query_workers_each(settings, workers)
        image = _shared_image(settings, workers * each, Path(folder) / "memory-image")
        handed = settings.model_copy(
            update={
                "http_workers": workers,
                "query_workers": each,
                "query_memory_socket": image.path if image is not None else None,
                # Without one shared copy, each HTTP worker's pool keeps its own.
                "query_memory_bytes": settings.query_memory_bytes // workers,
                "shacl_report_file": (
                    write_report(report, Path(folder) / "shacl-report.json")
                    if report is not None
                    else None
                ),
            }
        )
        export_to_environment(handed)
        if settings.metrics_enabled:
            # Set before the workers start: each keeps its metrics in files there, and
            # /metrics sums them (kgpub.metrics). The parent's own are not shown.
            shared = Path(folder) / "metrics"
            shared.mkdir()
            os.environ[MULTIPROCESS_ENV] = str(shared)
        try:
            return _supervise(worker_uvicorn_options(handed, workers))
        finally:
            if image is not None:
                image.close()


def _shared_image(settings: Settings, query_workers: int, path: Path) -> SharedImage | None:
    """One in-memory copy of a read-only on-disk store for every HTTP worker to fork its
    query workers from, loading while they answer from disk; None when the store may
    change (each pool then follows its own) or does not fit the memory budget."""
    if settings.store_dir is None or settings.writes_enabled:
        return None
    snapshot = Snapshot("store", settings.store_dir, 0)
    budget = query_budget(settings, query_workers)
    reason = too_large(snapshot, budget)
    if reason is not None:
        print(f"kgpub serve: {reason}", file=sys.stderr)
        return None
    return SharedImage(snapshot, budget, path)


def _supervise(options: dict[str, Any]) -> int:
    """Run uvicorn's worker supervisor, and say whether every worker started."""
    config = uvicorn.Config(FACTORY, **options)
    supervisor = Multiprocess(config, sockets=[config.bind_socket()])
    supervisor.run()
    failed = any(p.exitcode == STARTUP_FAILURE for p in supervisor.processes)
    return STARTUP_FAILURE if failed else 0


def create_worker_app() -> FastAPI:
    """The app of one worker process, from the settings its parent exported."""
    # Imported here, in the worker: the parent, which only starts workers, never needs it.
    from kgpub.web.app import create_app  # noqa: PLC0415

    settings = Settings()
    try:
        if settings.shacl_report_file is None:
            dataset = load_dataset(settings)
            conformance = dataset.conformance
        else:
            dataset = load_dataset(settings.model_copy(update={"validate_on_start": False}))
            conformance = replace(
                dataset.conformance, report=read_report(settings.shacl_report_file)
            )
    except (KgpubError, OSError, ValueError) as exc:
        # Exiting with uvicorn's start-up failure code stops the parent instead
        # of having it start the same failing worker again and again.
        _logger.error("kgpub worker %s cannot start: %s", os.getpid(), exc)
        raise SystemExit(STARTUP_FAILURE) from exc
    return create_app(settings, dataset.store, conformance)
