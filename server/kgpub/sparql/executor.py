"""A pool of killable query workers, with a hard deadline per query.

A SPARQL endpoint must survive the query that never ends: a REGEX with
catastrophic backtracking, a cartesian product, a ``(<p>|!<p>)*`` path.
pyoxigraph cannot cancel a query, so the server kills the process running it
with SIGKILL at the deadline; the CPU is really freed, the client gets 503
with ``Retry-After`` (never a 200 with a truncated body) and the pool goes on.

Workers answer from an in-memory copy of the store when it fits the memory
budget (``memory_copy``): one process holds the copy, and the workers are its
threads (killing one kills them all: the queries they held are run again by the
workers taking over, from disk while the copy loads again) or its forks
(``Settings.query_isolation``). Otherwise, and while the copy loads, worker
processes open a snapshot of the store (``generation.take_snapshot``). When the
store's version changes (a committed write), the next query gets a new set of
workers (``generation``), over the copy once it has applied the write's change
set, else over a new snapshot; the old set finishes what it runs and retires.
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
import shutil
import tempfile
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path

import anyio
import anyio.to_thread

from kgpub import metrics
from kgpub.errors import QueryTimeoutError, QueryWorkerError
from kgpub.search.sparql_function import IndexFile
from kgpub.sparql.generation import (
    Generation,
    GenerationLostError,
    Held,
    new_generation,
    send,
    start_worker,
    take_snapshot,
)
from kgpub.sparql.image_handle import ImageHandle
from kgpub.sparql.memory_copy import MemoryCopy
from kgpub.sparql.memory_image import Budget
from kgpub.sparql.operation import QueryOperation
from kgpub.sparql.processes import WorkerHandle, receive
from kgpub.sparql.protocol import check_allowed
from kgpub.sparql.results import ResultLimits
from kgpub.sparql.worker import Done, Failed, Job, Limits, Retiring, Snapshot
from kgpub.store.oxigraph import Store

# Results up to this size come back in the reply (and may be cached); larger
# ones are streamed to the client from the worker's spool file.
INLINE_BYTES = 4 * 1024 * 1024
# After a failed snapshot (a full disk), how long the previous one answers before a
# retry (a later write retries at once).
_SNAPSHOT_RETRY_SECONDS = 5.0
_NEXT_GENERATION_POLL_SECONDS = 0.05
HANGUP_GRACE_SECONDS = 1.0
"""How long a thread of the in-memory copy may go on with a query whose client has gone."""
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """A finished query: its bytes (or spool file) and the store version it saw."""

    done: Done
    version: int
    in_memory: bool = False
    """Answered from the in-memory copy (else from the store on disk)."""


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
        memory_budget: int | Budget = 0,
        shared_image: Path | None = None,
    ) -> None:
        self._store = store
        self._search = search
        self._base_iri = base_iri
        self._workers = max(1, workers)
        self._timeout = timeout
        self._spool = Path(tempfile.mkdtemp(prefix="kgpub-results-"))
        self._limits = Limits(limits, self._spool, INLINE_BYTES)
        self._snapshot_of = (store, self._spool, search, base_iri)
        if not isinstance(memory_budget, Budget):
            memory_budget = Budget(memory_budget, self._workers)
        self._copy = MemoryCopy(store, memory_budget, shared_image)
        self._numbers = itertools.count()
        self._generation: Generation | None = None
        self._refreshing = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._live: set[WorkerHandle] = set()
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

    @property
    def in_memory(self) -> bool:
        """Whether queries are answered from the in-memory copy of the store."""
        return self._generation is not None and self._generation.image is not None

    async def start(self) -> None:
        """Open the first snapshot and wait until every worker is ready.

        An in-memory store's snapshot is a dump, which the copy loads once (instead
        of every worker); an on-disk store answers from disk at once while its copy
        loads in the background.
        """
        snapshot = await anyio.to_thread.run_sync(take_snapshot, *self._snapshot_of)
        image = await self._copy.load(snapshot) if snapshot.kind == "nquads" else None
        self._generation = await self._new_generation(snapshot, image)
        if image is None:
            self._copy.load_later(snapshot, self._swap_in)

    async def close(self) -> None:
        """Stop every worker and the copy, and remove the spool folder."""
        for task in list(self._tasks):
            task.cancel()
        generation, self._generation = self._generation, None
        if generation is not None:
            generation.retired = True
        for taken in list(self._live):
            self._stop(taken, kill=False)  # before the copy: its forks are reaped by it
        await self._copy.close()
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
        job = Job(next(self._numbers), operation, accept, format_param)
        held = Held(await self._current(), time.monotonic() + timeout)
        try:
            with anyio.fail_after(timeout), metrics.QUERY_SECONDS.time():
                reply = await self._answer(job, held)
        except TimeoutError:
            if held.worker is not None:
                metrics.WORKERS_KILLED.labels("deadline").inc()
                self._replace(held.generation, held.worker)
            raise QueryTimeoutError(
                f"the query did not finish within {timeout:g} s and was stopped; "
                "narrow it, or retry later if the server is busy",
                retry_after=max(1, math.ceil(timeout)),
            ) from None
        except (EOFError, OSError) as exc:
            # The worker died under the query (killed from outside, or a crash).
            if held.worker is not None:
                self._replace(held.generation, held.worker)
            raise QueryWorkerError(f"the query worker stopped while answering ({exc!r})") from exc
        except asyncio.CancelledError:
            # The client hung up (kgpub.web.liveness): its query's worker goes too.
            if held.worker is not None:
                self._abandon(held.generation, held.worker, held.deadline)
            raise
        generation = held.generation
        assert held.worker is not None
        self._release(generation, held.worker)
        if isinstance(reply, Failed):
            raise reply.rebuilt()
        if not isinstance(reply, Done):
            raise QueryWorkerError(f"a query worker answered {type(reply).__name__}")
        return Outcome(reply, generation.snapshot.version, generation.image is not None)

    async def _answer(self, job: Job, held: Held) -> object:
        """A worker's reply to ``job``. When the generation ends (the in-memory copy's
        process died, or a write), the one taking over answers: before the job ran, and
        once after it started on a thread of a copy that died under it (another query's
        deadline killed it: reading twice is harmless, and this query did not fail)."""
        rerun = True
        while True:
            try:
                return await self._answer_in(held.generation, job, held)
            except GenerationLostError:
                pass
            except (EOFError, OSError):
                lost = held.worker
                if not rerun or lost is None or not lost.thread:
                    raise
                rerun = False
                self._replace(held.generation, lost)
                held.worker = None
            ended, held.generation = held.generation, await self._current()
            if held.generation is ended:  # none yet: the deadline bounds the waiting
                await asyncio.sleep(_NEXT_GENERATION_POLL_SECONDS)

    async def _answer_in(self, generation: Generation, job: Job, held: Held) -> object:
        """A reply to ``job`` from a worker of ``generation``; ``held`` names the worker
        holding it. A worker that retired just as the job was sent (it ran nothing) is
        replaced and the job goes to another."""
        for _ in range(self._workers + 1):
            held.worker = await self._take(generation, job)
            reply = await receive(held.worker.conn)
            if not isinstance(reply, Retiring):
                return reply
            self._replace(generation, held.worker)
            held.worker = None
        raise QueryWorkerError("every query worker retired; they are being replaced")

    def _abandon(self, generation: Generation, taken: WorkerHandle, deadline: float) -> None:
        """The client of the query ``taken`` runs has gone: its process is killed. A thread
        of the in-memory copy is given ``HANGUP_GRACE_SECONDS`` to finish first (killing
        its process costs the other queries there and the copy), then back to work."""

        async def wait() -> None:
            grace = min(HANGUP_GRACE_SECONDS, deadline - time.monotonic()) if taken.thread else 0
            try:
                with anyio.fail_after(max(0.0, grace)):
                    reply = await receive(taken.conn)
            except (TimeoutError, EOFError, OSError):
                metrics.WORKERS_KILLED.labels("hangup").inc()
                self._replace(generation, taken)
                return
            if isinstance(reply, Done) and reply.path is not None:
                Path(reply.path).unlink(missing_ok=True)  # a spool file no one will read
            self._release(generation, taken)

        self._spawn(wait())

    async def _take(self, generation: Generation, job: Job) -> WorkerHandle:
        """An idle worker that has been sent ``job``; a worker found dead is replaced first.

        A worker killed while idle (the OOM killer, an operator) is only noticed
        when the next job is sent to it. That client is innocent and nothing has
        run yet, so the job goes to the next idle worker (the dead one's
        replacement when no other is idle) instead of failing with a broken pipe.
        A worker that dies after taking the job is not retried: the query may be
        what killed it. A worker that retired while idle is replaced the same way.
        """
        for _ in range(self._workers + 1):
            taken = await generation.next_idle()
            sent = send(taken, job)
            if sent is True:
                return taken
            if not isinstance(sent, Retiring) and not taken.thread:
                _log.warning(
                    "query worker %s was found dead while idle; replaced", taken.process.pid
                )
            self._replace(generation, taken)
            if generation.lost:
                raise GenerationLostError
        raise QueryWorkerError("every query worker was found dead; they are being replaced")

    async def _current(self) -> Generation:
        generation = self._generation
        if generation is None:
            raise QueryWorkerError("the query workers are not running")
        if generation.snapshot.version == self._store.version and not generation.lost:
            return generation
        async with self._refreshing:
            generation = self._generation
            assert generation is not None
            if generation.snapshot.version == self._store.version and not generation.lost:
                return generation
            fresh = await self._from_copy() or await self._from_snapshot()
            if fresh is None:
                return generation  # this snapshot failed: the previous one still answers
            self._retire(generation)
            self._generation = generation = fresh
        return generation

    async def _from_copy(self) -> Generation | None:
        """Workers forked from the in-memory copy, brought up to the store's version."""
        image = await self._copy.current()
        if image is None:
            return None
        try:
            return await self._new_generation(image.worker_snapshot, image)
        except QueryWorkerError as exc:
            _log.warning("no workers from the in-memory copy, answering from disk: %s", exc)
            return None

    async def _from_snapshot(self) -> Generation | None:
        """Workers over a new snapshot of the store (and a copy of it loading meanwhile)."""
        if self._failed_version == self._store.version and (
            time.monotonic() < self._retry_snapshot_at
        ):
            return None
        try:
            snapshot = await anyio.to_thread.run_sync(take_snapshot, *self._snapshot_of)
            fresh = await self._new_generation(snapshot)
        except (OSError, QueryWorkerError) as exc:
            # A snapshot writes (a checkpoint flushes): on a full disk it fails, and
            # reads must not. The previous snapshot answers until a retry succeeds.
            self._failed_version = self._store.version
            self._retry_snapshot_at = time.monotonic() + _SNAPSHOT_RETRY_SECONDS
            _log.warning("new query snapshot failed, answering from the previous: %s", exc)
            return None
        self._copy.load_later(snapshot, self._swap_in)
        return fresh

    async def _swap_in(self) -> None:
        """The copy has loaded: its workers take over from those answering from disk."""
        async with self._refreshing:
            generation = self._generation
            if generation is None or generation.image is not None:
                return
            fresh = await self._from_copy()
            if fresh is None or self._generation is not generation:
                return
            self._retire(generation)
            self._generation = fresh

    def _retire(self, generation: Generation) -> None:
        """Workers of ``generation`` finish what they run, then stop; idle ones stop now."""
        for idle in generation.end():
            self._stop(idle, kill=False)

    async def _new_generation(
        self, snapshot: Snapshot, image: ImageHandle | None = None
    ) -> Generation:
        return await new_generation(snapshot, image, self._workers, self._limits, self._live)

    def _release(self, generation: Generation, taken: WorkerHandle) -> None:
        if generation.retired:
            self._stop(taken, kill=False)
        else:
            generation.idle.put_nowait(taken)

    def _replace(self, generation: Generation, taken: WorkerHandle) -> None:
        """Kill a worker whose state is unknown (deadline, crash) and start another. For a
        thread of the in-memory copy that is the copy's process: its generation is lost,
        and the next query gets workers over the store on disk while the copy loads again."""
        self._stop(taken)
        generation.size -= 1
        if taken.thread and not generation.lost:
            generation.lost = True
            self._retire(generation)
            self._spawn(self._take_over())
        if generation.retired or generation.lost:
            return
        self._spawn(self._refill(generation))

    async def _take_over(self) -> None:
        """A new generation for a lost one at once, not at the next query."""
        with contextlib.suppress(QueryWorkerError):
            await self._current()

    def _spawn(self, work: Coroutine[None, None, None]) -> None:
        """Run ``work`` in the background, cancelled when the pool closes."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _refill(self, generation: Generation) -> None:
        with contextlib.suppress(QueryWorkerError):
            fresh = await start_worker(generation, self._limits, self._live)
            if generation.retired:
                self._stop(fresh, kill=False)
                return
            generation.size += 1
            generation.idle.put_nowait(fresh)

    def _stop(self, taken: WorkerHandle, *, kill: bool = True) -> None:
        """Stop a worker: killed (``WorkerHandle.stop``), or, with ``kill`` False, as one
        that is idle or finishing (``WorkerHandle.retire``: a thread's process goes on)."""
        self._live.discard(taken)
        if kill:
            taken.stop()
        else:
            taken.retire()
