"""One generation of query workers: the processes answering over one snapshot of the store.

A generation's workers are forkserver processes that each open the snapshot,
or forks of the in-memory copy (``memory_image``); either way the pool
(``executor``) sees the same ``processes.WorkerHandle``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

import anyio

from kgpub.errors import QueryWorkerError
from kgpub.sparql import worker
from kgpub.sparql.image_handle import ImageHandle
from kgpub.sparql.processes import (
    PROCESS_CONTEXT,
    WorkerHandle,
    WorkerProcess,
    receive,
    start_process,
)
from kgpub.sparql.worker import Job, Limits, Ready, Retiring, Snapshot

START_SECONDS = 120.0
"""How long a new worker may take to open its snapshot before start-up fails."""


@dataclass
class Generation:
    """The workers over one snapshot of the store."""

    snapshot: Snapshot
    image: ImageHandle | None = None
    """The in-memory copy its workers are forked from; None: each opens the snapshot."""
    idle: asyncio.LifoQueue[WorkerHandle] = field(default_factory=asyncio.LifoQueue)
    """Last in, first out: the worker that answered last answers next, so that under light
    load one worker does most of the work and owns the pages of the copy it reads,
    instead of every worker copying them in turn."""
    size: int = 0
    retired: bool = False


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
    started = WorkerHandle(process, parent, lifeline)
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
