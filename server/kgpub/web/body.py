"""Reading a request body under a size limit and a deadline, for every route that takes one.

The limit is enforced while streaming, not only from Content-Length, so a
client that lies about the length or sends chunked data cannot make the server
hold more than the limit in memory. The deadline (``KGPUB_BODY_TIMEOUT``)
covers the whole body, not each chunk: a client that sends its headers and
then dribbles the body a byte at a time would otherwise hold a connection,
and a slot under ``KGPUB_MAX_CONNECTIONS``, for as long as it likes. It gets
408 and the connection is closed, as the rest of its body may still arrive.
"""

from __future__ import annotations

from http import HTTPStatus

import anyio
from fastapi import Request
from starlette.exceptions import HTTPException

from kgpub.errors import RequestTooLargeError
from kgpub.web.services import services


async def read_body(request: Request, limit: int, timeout: float | None = None) -> bytes:
    """The request body, or ``RequestTooLargeError`` past ``limit`` bytes.

    Past ``timeout`` seconds (default: the app's ``body_timeout`` setting) the
    client gets 408 with ``Connection: close``.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise RequestTooLargeError(f"the request body is over the limit of {limit} bytes")
    if timeout is None:
        timeout = float(services(request).settings.body_timeout)
    chunks: list[bytes] = []
    size = 0
    with anyio.move_on_after(timeout) as deadline:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise RequestTooLargeError(f"the request body is over the limit of {limit} bytes")
            chunks.append(chunk)
    if deadline.cancelled_caught:
        raise HTTPException(
            HTTPStatus.REQUEST_TIMEOUT,
            f"the request body did not arrive within {timeout:g} s (KGPUB_BODY_TIMEOUT); "
            f"{size} bytes came in time",
            headers={"Connection": "close"},
        )
    return b"".join(chunks)
