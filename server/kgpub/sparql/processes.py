"""The process context every worker process is started in, and awaiting a pipe.

Query workers, the in-memory copy they are forked from (``memory_image``) and
the validation workers all start from one forkserver, which imports the worker
modules once: each worker is then a cheap fork of it. The pool modules share
this context and ``receive``, which awaits a pipe without blocking the event loop.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from multiprocessing.connection import Connection

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
