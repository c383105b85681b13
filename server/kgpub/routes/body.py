"""Reading a request body under a size limit, for every route that takes one.

The limit is enforced while streaming, not only from Content-Length, so a
client that lies about the length or sends chunked data cannot make the server
hold more than the limit in memory.
"""

from __future__ import annotations

from fastapi import Request

from kgpub.errors import RequestTooLargeError


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, or ``RequestTooLargeError`` past ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise RequestTooLargeError(f"the request body is over the limit of {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestTooLargeError(f"the request body is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
