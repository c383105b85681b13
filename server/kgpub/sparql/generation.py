"""One generation of query workers: the processes answering over one snapshot of the store.

A generation's workers are forkserver processes that each open the snapshot,
or threads or forks of the in-memory copy (``memory_image``); either way the
pool (``executor``) sees the same ``processes.WorkerHandle``.
"""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

import anyio
import pyoxigraph as ox

from kgpub.errors import QueryWorkerError
from kgpub.search.sparql_function import IndexFile
from kgpub.sparql import worker
from kgpub.sparql.image_handle import ImageHandle, ImageThread
from kgpub.sparql.processes import (
    PROCESS_CONTEXT,
    WorkerHandle,
    WorkerProcess,
    receive,
    start_process,
)
from kgpub.sparql.worker import Job, Limits, Ready, Retiring, Snapshot
from kgpub.store.oxigraph import Store

START_SECONDS = 120.0
"""How long a new worker may take to open its snapshot before start-up fails."""


class GenerationLostError(Exception):
    """The in-memory copy's process was found dead before a job ran (``Generation.lost``):
    the pool's own signal to move the job to the generation taking over."""


@dataclass
class Generation:
    """The workers over one snapshot of the store."""

    snapshot: Snapshot
    image: ImageHandle | None = None
    """The in-memory copy its workers are forked from; None: each opens the snapshot."""
    idle: asyncio.LifoQueue[WorkerHandle | None] = field(default_factory=asyncio.LifoQueue)
    """Last in, first out: the worker that answered last answers next, so that under light
    load one worker does most of the work and owns the pages of the copy it reads,
    instead of every worker copying them in turn."""
    size: int = 0
    retired: bool = False
    lost: bool = False
    """Its image died (killed with a query thread past its deadline, or from outside):
    the next query gets a new generation."""

    async def next_idle(self) -> WorkerHandle:
        """The next idle worker; ``GenerationLostError`` once the generation has ended."""
        taken = await self.idle.get()
        if taken is None:  # the mark ``end`` left: put back for the next one waiting
            self.idle.put_nowait(None)
            raise GenerationLostError
        return taken

    def end(self) -> list[WorkerHandle]:
        """Retire this generation: its idle workers, for the pool to stop; and every query
        waiting for one is woken (``next_idle``), to move to the generation taking over,
        rather than wait for a worker that will not come back, until its deadline."""
        self.retired = True
        idle = []
        while not self.idle.empty():
            taken = self.idle.get_nowait()
            if taken is not None:
                idle.append(taken)
        self.idle.put_nowait(None)
        return idle


@dataclass
class Held:
    """The generation a job runs in, its deadline (``time.monotonic``) and the worker
    holding it, if any: the one to kill when the job is abandoned."""

    generation: Generation
    deadline: float
    worker: WorkerHandle | None = None


def take_snapshot(
    store: Store, spool: Path, search: IndexFile | None, base_iri: str | None
) -> Snapshot:
    """What a new generation's workers open: a read-only store's own directory, else a
    checkpoint of it in ``spool``, or for an in-memory store an N-Quads dump there."""
    version = store.version
    if store.path is not None and store.read_only:
        return Snapshot("store", store.path, version, search, base_iri)
    if store.path is not None:
        target = spool / f"snapshot-{version}"
        try:
            store.backup(target)
        except OSError:
            shutil.rmtree(target, ignore_errors=True)  # a partial checkpoint
            raise
        return Snapshot("store", target, version, search, base_iri)
    dump = spool / f"snapshot-{version}.nq"
    try:
        with dump.open("wb") as output:
            store.dump(output, ox.RdfFormat.N_QUADS)
    except OSError:
        dump.unlink(missing_ok=True)
        raise
    return Snapshot("nquads", dump, version, search, base_iri)


async def new_generation(
    snapshot: Snapshot,
    image: ImageHandle | None,
    workers: int,
    limits: Limits,
    live: set[WorkerHandle],
) -> Generation:
    """``workers`` workers over ``snapshot`` (or ``image``), each ready; when one fails to
    start, the others are stopped and ``QueryWorkerError`` says why."""
    generation = Generation(snapshot, image)
    started = await asyncio.gather(
        *(start_worker(generation, limits, live) for _ in range(workers)),
        return_exceptions=True,
    )
    for item in started:
        if isinstance(item, BaseException):
            for other in started:
                if isinstance(other, WorkerHandle):
                    live.discard(other)
                    other.retire()
            raise QueryWorkerError(f"a query worker did not start: {item}") from item
        generation.idle.put_nowait(item)
        generation.size += 1
    return generation


async def start_worker(
    generation: Generation, limits: Limits, live: set[WorkerHandle]
) -> WorkerHandle:
    """A new worker of ``generation``, ready for jobs; it is in ``live`` from its start,
    so that a pool closing meanwhile stops it too."""
    parent, child = PROCESS_CONTEXT.Pipe()
    # The worker reads its end of the lifeline until EOF: the server's exit.
    lifeline_end, lifeline = PROCESS_CONTEXT.Pipe(duplex=False)
    try:
        process = await _launch(generation, limits, child, lifeline_end)
    except BaseException:
        for end in (parent, child, lifeline_end, lifeline):
            end.close()
        raise
    child.close()
    lifeline_end.close()
    started = WorkerHandle(process, parent, lifeline, thread=isinstance(process, ImageThread))
    live.add(started)
    try:
        with anyio.fail_after(START_SECONDS):
            ready = await receive(parent)
    except (TimeoutError, EOFError, OSError) as exc:
        live.discard(started)
        started.stop()
        raise QueryWorkerError(f"the worker could not open the store ({exc!r})") from exc
    if not isinstance(ready, Ready):
        live.discard(started)
        started.stop()
        raise QueryWorkerError("the worker did not report ready")
    return started


async def _launch(
    generation: Generation, limits: Limits, child: Connection, lifeline_end: Connection
) -> WorkerProcess:
    """A fork of the in-memory copy, or a forkserver process opening the snapshot."""
    if generation.image is not None:
        return await generation.image.fork(child, lifeline_end, limits)
    args = (child, lifeline_end, generation.snapshot, limits)
    return await start_process(worker.serve, args, "kgpub-query-worker")


def send(taken: WorkerHandle, job: Job) -> bool | Retiring:
    """Send ``job`` to an idle worker: True; else (nothing ran) ``Retiring`` when the
    worker retired while idle, False when it was found dead."""
    try:
        if taken.conn.poll():  # an idle worker has nothing to say but that it retires
            message = taken.conn.recv()
            return message if isinstance(message, Retiring) else False
        taken.conn.send(job)
    except (OSError, EOFError):  # a broken pipe or reset above all: the worker is gone
        return False
    return True
