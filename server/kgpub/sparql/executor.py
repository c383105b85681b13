"""A pool of killable query worker processes, with a hard deadline per query.

A SPARQL endpoint must survive the query that never ends: a REGEX with
catastrophic backtracking, a cartesian product, a ``(<p>|!<p>)*`` path.
pyoxigraph cannot cancel a query, and a thread cannot be killed, so queries
run in worker processes (``kgpub.sparql.worker``) that the server kills with SIGKILL
at the deadline and replaces; the CPU is really freed, the client gets 503
with ``Retry-After`` (never a 200 with a truncated body) and the other workers
go on answering. With more workers than one, queries also use every core.

Workers open a snapshot of the store: the store directory itself when it is
opened read-only, else an N-Quads dump of it (an in-memory store) or a RocksDB
checkpoint (a writable on-disk store). When the store's version changes (a
committed write), the next query takes a new snapshot and a new set of
workers; workers of the old set finish what they run and are then retired.
Each answer carries the version it was computed on, so the result cache never
files an old answer under a new version.

The module is framework-free: the route awaits ``QueryPool.run``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import math
import multiprocessing
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

import anyio
import anyio.to_thread
import pyoxigraph as ox

from kgpub import errors, metrics
from kgpub.errors import KgpubError, QueryTimeoutError, QueryWorkerError
from kgpub.search.sparql_function import IndexFile
from kgpub.sparql import worker
from kgpub.sparql.operation import QueryOperation
from kgpub.sparql.protocol import check_allowed
from kgpub.sparql.results import ResultLimits
from kgpub.sparql.worker import Done, Failed, Job, Ready, Snapshot
from kgpub.store.oxigraph import Store

# Results up to this size come back in the reply (and may be cached); larger
# ones are streamed to the client from the worker's spool file.
INLINE_BYTES = 4 * 1024 * 1024
# How long a new worker may take to open its snapshot before start-up fails.
_START_SECONDS = 120.0
# After a failed snapshot (a full disk), how long the previous one answers before a
# retry (a later write retries at once).
_SNAPSHOT_RETRY_SECONDS = 5.0
_log = logging.getLogger(__name__)
# The forkserver imports the worker module once; each worker is then a cheap fork of it.
PROCESS_CONTEXT = multiprocessing.get_context("forkserver")
PROCESS_CONTEXT.set_forkserver_preload(["kgpub.sparql.worker"])


def start_forkserver() -> None:
    """Start the forkserver now rather than at the first worker (``QueryPool.start``).

    Starting it is a fork and exec; the forkserver then imports the worker module in
    its own process, on another core, while the caller goes on loading the data and
    importing the web stack: ``kgpub serve`` calls it first thing, so the first query
    worker is a cheap fork by the time the app starts its pool.
    """
    from multiprocessing import forkserver  # noqa: PLC0415 - the module PROCESS_CONTEXT uses

    forkserver.ensure_running()


@dataclass(frozen=True)
class Outcome:
    """A finished query: its bytes (or spool file) and the store version it saw."""

    done: Done
    version: int


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection
    lifeline: Connection


@dataclass
class _Generation:
    """The workers over one snapshot of the store."""

    snapshot: Snapshot
    idle: asyncio.Queue[_Worker] = field(default_factory=asyncio.Queue)
    size: int = 0
    retired: bool = False


class QueryPool:
    """``workers`` processes answering queries within ``timeout`` seconds each."""

    def __init__(
        self,
        store: Store,
        workers: int,
        timeout: float,
        limits: ResultLimits,
        search: IndexFile | None = None,
        *,
        base_iri: str | None = None,
    ) -> None:
        self._store = store
        self._search = search
        self._base_iri = base_iri
        self._workers = max(1, workers)
        self._timeout = timeout
        self._limits = limits
        self._spool = Path(tempfile.mkdtemp(prefix="kgpub-results-"))
        self._numbers = itertools.count()
        self._generation: _Generation | None = None
        self._refreshing = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._live: set[_Worker] = set()
        self._retry_snapshot_at = 0.0
        self._failed_version = -1

    @property
    def timeout(self) -> float:
        return self._timeout

    @property
    def ready(self) -> bool:
        """Started and not closed, with a worker process alive to take a query
        (``/readyz``); a dead worker is replaced when the next query comes."""
        return self._generation is not None and any(w.process.is_alive() for w in self._live)

    async def start(self) -> None:
        """Open the first snapshot and wait until every worker is ready."""
        self._generation = await self._new_generation()

    async def close(self) -> None:
        """Stop every worker and remove the spool folder."""
        for task in list(self._tasks):
            task.cancel()
        generation, self._generation = self._generation, None
        if generation is not None:
            generation.retired = True
        for taken in list(self._live):
            self._stop(taken)
        await anyio.to_thread.run_sync(shutil.rmtree, self._spool, True)

    async def run(
        self, operation: QueryOperation, accept: str | None, format_param: str | None
    ) -> Outcome:
        """Run ``operation`` in a worker, within the client's or the server's deadline.

        Waiting for a free worker counts against the deadline too: a server
        busy with runaway queries answers 503 rather than queueing for ever.
        """
        check_allowed(operation.query)
        timeout = min(operation.timeout or self._timeout, self._timeout)
        generation = await self._current()
        job = Job(next(self._numbers), operation, accept, format_param)
        taken: _Worker | None = None
        try:
            with anyio.fail_after(timeout), metrics.QUERY_SECONDS.time():
                taken = await self._take(generation, job)
                reply = await receive(taken.conn)
        except TimeoutError:
            if taken is not None:
                metrics.WORKERS_KILLED.labels("deadline").inc()
                self._replace(generation, taken)
            raise QueryTimeoutError(
                f"the query did not finish within {_seconds(timeout)} s and was stopped; "
                "narrow it, or retry later if the server is busy",
                retry_after=max(1, math.ceil(timeout)),
            ) from None
        except (EOFError, OSError) as exc:
            # The worker died under the query (killed from outside, or a crash).
            if taken is not None:
                self._replace(generation, taken)
            raise QueryWorkerError(f"the query worker stopped while answering ({exc!r})") from exc
        except asyncio.CancelledError:
            # The client hung up (kgpub.web.liveness): its query's worker goes too.
            if taken is not None:
                metrics.WORKERS_KILLED.labels("hangup").inc()
                self._replace(generation, taken)
            raise
        self._release(generation, taken)
        if isinstance(reply, Failed):
            raise _rebuild(reply)
        if not isinstance(reply, Done):
            raise QueryWorkerError(f"a query worker answered {type(reply).__name__}")
        return Outcome(reply, generation.snapshot.version)

    async def _take(self, generation: _Generation, job: Job) -> _Worker:
        """An idle worker that has been sent ``job``; a worker found dead is replaced first.

        A worker killed while idle (the OOM killer, an operator) is only noticed
        when the next job is sent to it. That client is innocent and nothing has
        run yet, so the job goes to the next idle worker (the dead one's
        replacement when no other is idle) instead of failing with a broken pipe.
        A worker that dies after taking the job is not retried: the query may be
        what killed it.
        """
        for _ in range(self._workers + 1):
            taken = await generation.idle.get()
            if _sent(taken, job):
                return taken
            _log.warning("query worker %s was found dead while idle; replaced", taken.process.pid)
            self._replace(generation, taken)
        raise QueryWorkerError("every query worker was found dead; they are being replaced")

    async def _current(self) -> _Generation:
        generation = self._generation
        if generation is None:
            raise QueryWorkerError("the query workers are not running")
        if generation.snapshot.version == self._store.version:
            return generation
        async with self._refreshing:
            generation = self._generation
            assert generation is not None
            if generation.snapshot.version == self._store.version:
                return generation
            if self._failed_version == self._store.version and (
                time.monotonic() < self._retry_snapshot_at
            ):
                return generation  # this snapshot failed: the previous one still answers
            try:
                fresh = await self._new_generation()
            except (OSError, QueryWorkerError) as exc:
                # A snapshot writes (a checkpoint flushes): on a full disk it fails, and
                # reads must not. The previous snapshot answers until a retry succeeds.
                self._failed_version = self._store.version
                self._retry_snapshot_at = time.monotonic() + _SNAPSHOT_RETRY_SECONDS
                _log.warning("new query snapshot failed, answering from the previous: %s", exc)
                return generation
            generation.retired = True
            while not generation.idle.empty():
                self._stop(generation.idle.get_nowait())
            self._generation = generation = fresh
        return generation

    async def _new_generation(self) -> _Generation:
        snapshot = await anyio.to_thread.run_sync(self._snapshot)
        generation = _Generation(snapshot)
        started = await asyncio.gather(
            *(self._start_worker(snapshot) for _ in range(self._workers)),
            return_exceptions=True,
        )
        for item in started:
            if isinstance(item, BaseException):
                for other in started:
                    if isinstance(other, _Worker):
                        self._stop(other)
                raise QueryWorkerError(f"a query worker did not start: {item}") from item
            generation.idle.put_nowait(item)
            generation.size += 1
        return generation

    def _snapshot(self) -> Snapshot:
        store, version = self._store, self._store.version
        if store.path is not None and store.read_only:
            return Snapshot("store", store.path, version, self._search, self._base_iri)
        if store.path is not None:
            target = self._spool / f"snapshot-{version}"
            try:
                store.backup(target)
            except OSError:
                shutil.rmtree(target, ignore_errors=True)  # a partial checkpoint
                raise
            return Snapshot("store", target, version, self._search, self._base_iri)
        dump = self._spool / f"snapshot-{version}.nq"
        try:
            with dump.open("wb") as output:
                store.dump(output, ox.RdfFormat.N_QUADS)
        except OSError:
            dump.unlink(missing_ok=True)
            raise
        return Snapshot("nquads", dump, version, self._search, self._base_iri)

    async def _start_worker(self, snapshot: Snapshot) -> _Worker:
        parent, child = PROCESS_CONTEXT.Pipe()
        # The worker reads its end of the lifeline until EOF: the server's exit.
        lifeline_end, lifeline = PROCESS_CONTEXT.Pipe(duplex=False)
        process = PROCESS_CONTEXT.Process(
            target=worker.serve,
            args=(child, lifeline_end, snapshot, self._limits, self._spool, INLINE_BYTES),
            daemon=True,
            name="kgpub-query-worker",
        )
        await anyio.to_thread.run_sync(process.start)
        child.close()
        lifeline_end.close()
        started = _Worker(process, parent, lifeline)
        self._live.add(started)
        try:
            with anyio.fail_after(_START_SECONDS):
                ready = await receive(parent)
        except (TimeoutError, EOFError, OSError) as exc:
            self._stop(started)
            raise QueryWorkerError(f"the worker could not open the store ({exc!r})") from exc
        if not isinstance(ready, Ready):
            self._stop(started)
            raise QueryWorkerError("the worker did not report ready")
        return started

    def _release(self, generation: _Generation, taken: _Worker) -> None:
        if generation.retired:
            self._stop(taken)
        else:
            generation.idle.put_nowait(taken)

    def _replace(self, generation: _Generation, taken: _Worker) -> None:
        """Kill a worker whose state is unknown (deadline, crash) and start another."""
        self._stop(taken)
        generation.size -= 1
        if generation.retired:
            return
        task = asyncio.get_running_loop().create_task(self._refill(generation))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _refill(self, generation: _Generation) -> None:
        with contextlib.suppress(QueryWorkerError):
            fresh = await self._start_worker(generation.snapshot)
            if generation.retired:
                self._stop(fresh)
                return
            generation.size += 1
            generation.idle.put_nowait(fresh)

    def _stop(self, taken: _Worker) -> None:
        # SIGKILL: a worker may be deep in a query that ignores everything else.
        self._live.discard(taken)
        taken.conn.close()
        taken.lifeline.close()
        if taken.process.is_alive():
            taken.process.kill()
        taken.process.join(timeout=5)


async def receive(conn: Connection) -> object:
    """The next message on ``conn``, awaited without blocking the event loop."""
    loop = asyncio.get_running_loop()
    readable: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not readable.done():
            readable.set_result(None)

    fd = conn.fileno()
    loop.add_reader(fd, wake)
    try:
        await readable
    finally:
        loop.remove_reader(fd)
        # uvloop's add_reader leaves the pipe non-blocking, and a large reply
        # arrives in several reads: recv must wait for the rest, not fail.
        os.set_blocking(fd, True)
    return conn.recv()


def _sent(taken: _Worker, job: Job) -> bool:
    """Send ``job`` to an idle worker; False when the worker is found dead (nothing ran)."""
    try:
        if taken.conn.poll():  # an idle worker has nothing to say: readable is its EOF
            return False
        taken.conn.send(job)
    except (OSError, EOFError):  # a broken pipe or reset above all: the worker is gone
        return False
    return True


def _rebuild(failed: Failed) -> KgpubError:
    """The worker's domain error as the same exception class in this process."""
    if failed.error == "NotAcceptableError":
        return errors.NotAcceptableError(failed.message, offered=list(failed.offered))
    cls = getattr(errors, failed.error, None)
    if isinstance(cls, type) and issubclass(cls, KgpubError):
        with contextlib.suppress(TypeError):
            return cls(failed.message)
    return QueryWorkerError(f"the query failed in its worker: {failed.message}")


def _seconds(value: float) -> str:
    return f"{value:g}"
