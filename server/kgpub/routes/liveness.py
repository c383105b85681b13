"""Stopping the query of a client that has hung up.

Without this, a client could send a runaway query and close the connection
at once: its query would hold a worker process until the deadline (10 s by
default), so a handful of such requests a second would keep every worker
busy while costing the client nothing. So while a query runs the ASGI channel
is watched for ``http.disconnect``; when it comes the query is cancelled,
which kills its worker and starts a replacement (``executor.QueryPool.run``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio
from starlette.types import Receive

T = TypeVar("T")

CLIENT_CLOSED = 499
"""The status nginx uses for a request whose client closed the connection first.
Nobody receives it (the server drops it); it only ends the request cleanly,
without an error in the log."""


async def unless_disconnected(receive: Receive, work: Callable[[], Awaitable[T]]) -> T | None:
    """``work()``'s result, or ``None`` if the client disconnected first (``work`` cancelled).

    ``receive`` must be the request's ASGI channel with its body already read
    (a GET has none): what comes next is only ever the disconnect.
    """
    results: list[T] = []
    failures: list[Exception] = []
    async with anyio.create_task_group() as group:

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            group.cancel_scope.cancel()

        group.start_soon(watch)
        # Caught here and raised below: out of a task group it would come wrapped in
        # an ExceptionGroup, which the error handlers would not recognise.
        try:
            results.append(await work())
        except Exception as exc:
            failures.append(exc)
        group.cancel_scope.cancel()
    if failures:
        raise failures[0]
    return results[0] if results else None
