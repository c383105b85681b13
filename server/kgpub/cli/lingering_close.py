"""Closing a connection whose request body is still arriving without losing the answer.

When kgpub answers before it has read the whole body (408 past
``KGPUB_BODY_TIMEOUT``) it closes the connection. If more of the client's body
arrives and sits unread at that moment, Linux resets the connection instead of
closing it, and a reset throws away the answer still in the send buffer: the
client sees "connection reset" instead of the 408 that says why. Apache and
nginx avoid this with a *lingering close*, done here the same way: send the
answer, shut down the sending side (FIN), read and discard what the client
still sends until it closes or ``LINGER_SECONDS`` pass, then close.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

LINGER_SECONDS = 2.0
"""Longest a closing connection keeps reading (and discarding) the client's bytes."""


class LingeringTransport:
    """A connection's transport whose ``close`` lingers while ``body_pending()`` says
    the request body may still be arriving; everything else is the transport's own."""

    def __init__(
        self,
        transport: asyncio.Transport,
        body_pending: Callable[[], bool],
        linger: float = LINGER_SECONDS,
    ) -> None:
        self._transport = transport
        self._body_pending = body_pending
        self._linger = linger
        self._closing = False
        self._timer: asyncio.TimerHandle | None = None

    def close(self) -> None:
        if self._closing:
            return
        self._closing = True
        if not (self._body_pending() and self._transport.can_write_eof()):
            self._transport.close()
            return
        self._transport.write_eof()  # after the answer still buffered
        self._transport.resume_reading()  # to drain what arrives, even if paused
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(self._linger, self._transport.close)

    def is_closing(self) -> bool:
        return self._closing or self._transport.is_closing()

    def lost(self) -> None:
        """The connection ended (the client closed it, or the linger ran out)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)
