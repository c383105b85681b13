"""The process context every worker process is started in, and awaiting a pipe.

Query workers, the in-memory copy they are forked from (``memory_image``) and
the validation workers all start from one forkserver, which imports the worker
modules once: each worker is then a cheap fork of it. The pool modules share
this context, ``receive``, which awaits a pipe without blocking the event loop, and
``WorkerHandle``, a worker process as a pool holds it.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import reduction
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Protocol

import anyio.to_thread

PROCESS_CONTEXT = multiprocessing.get_context("forkserver")
PROCESS_CONTEXT.set_forkserver_preload(["kgpub.sparql.worker", "kgpub.sparql.memory_image"])


def start_forkserver() -> None:
    """Start the forkserver now rather than at the first worker (``QueryPool.start``).

    Starting it is a fork and exec; the forkserver then imports the worker module in
    its own process, on another core, while the caller goes on loading the data and
    importing the web stack: ``kgpub serve`` calls it first thing, so the first query
    worker is a cheap fork by the time the app starts its pool.
    """
    from multiprocessing import forkserver  # noqa: PLC0415 - the module PROCESS_CONTEXT uses

    forkserver.ensure_running()


async def start_process(
    target: Callable[..., None], args: tuple[object, ...], name: str
) -> BaseProcess:
    """A daemon process from the forkserver, started in a thread (starting waits for the
    forkserver, which may still be importing)."""
    process = PROCESS_CONTEXT.Process(target=target, args=args, daemon=True, name=name)
    await anyio.to_thread.run_sync(process.start)
    return process


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


async def hand_over(
    control: Connection, pid: int, request: object, conn: Connection, lifeline: Connection
) -> object:
    """Ask the template process ``pid`` for a worker on its ``control`` pipe: ``request``,
    then the descriptors of the worker's pipe and lifeline (``worker.handed_pipes`` takes
    them), and its answer. The query image and the validation template both fork warm
    workers this way; the caller holds the template's lock."""
    control.send(request)
    reduction.send_handle(control, conn.fileno(), pid)
    reduction.send_handle(control, lifeline.fileno(), pid)
    return await receive(control)


class WorkerProcess(Protocol):
    """A worker as the pool watches it: a forkserver child, or a fork of the image."""

    @property
    def pid(self) -> int | None: ...

    def is_alive(self) -> bool: ...

    def kill(self) -> None: ...

    def join(self, timeout: float | None = None) -> None: ...


@dataclass(eq=False)
class WorkerHandle:
    """A worker process as a pool holds it: a process it can kill, the pipe jobs go
    down, and the lifeline whose closing ends the worker with the server."""

    process: WorkerProcess
    conn: Connection
    lifeline: Connection
    thread: bool = False
    """A thread of the in-memory copy's process (``memory_image``): ``process`` is that
    process, which stopping this worker kills, with every other thread of it."""

    def stop(self) -> None:
        """SIGKILL: a worker may be deep in a query or in pySHACL, which ignore everything
        else."""
        self.conn.close()
        self.lifeline.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)

    def retire(self) -> None:
        """Stop a worker that runs nothing the pool waits for: a thread ends once its
        pipe is closed (what it runs finishes first), the process it is in goes on; a
        process is stopped."""
        if not self.thread:
            self.stop()
            return
        self.conn.close()
        self.lifeline.close()
