"""How ``kgpub serve`` runs uvicorn: every connection-level limit, from ``Settings``.

uvicorn's defaults suit a trusted network, not the open internet: it has no
limit on concurrent connections and, above all, no timeout for a client that
sends its request head slowly (one byte every few seconds keeps a connection
open for ever, "slowloris"). ``uvicorn_options`` turns the settings into
uvicorn's keyword arguments and installs ``HeadTimeoutProtocol``, uvicorn's
h11 protocol with a deadline for the request line and headers.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from kgpub.config import Settings


def _plain_response(status: bytes, text: bytes) -> bytes:
    return (
        b"HTTP/1.1 " + status + b"\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Connection: close\r\nContent-Length: " + str(len(text)).encode() + b"\r\n\r\n" + text
    )


_TIMEOUT_RESPONSE = _plain_response(
    b"408 Request Timeout", b"the request head did not arrive in time.\n"
)
_TOO_LARGE_RESPONSE = _plain_response(
    b"431 Request Header Fields Too Large",
    b"the request line and headers are over the limit (KGPUB_MAX_HEADER_BYTES).\n",
)


class HeadTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing connections whose request head is late or large.

    The deadline starts when the connection opens, and again when the first
    byte of a later request on a keep-alive connection arrives; it ends once
    h11 has the complete request line and headers. A late client gets a 408
    and the connection is closed. h11's own size limit only applies to heads
    still incomplete, so a head that arrives whole but over ``max_head_bytes``
    is measured here and answered with 431. ``head_timeout`` and
    ``max_head_bytes`` are set on the subclass ``head_timeout_protocol``
    makes, since uvicorn builds protocols itself.
    """

    head_timeout: float = 10.0
    max_head_bytes: int = 32_768
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def data_received(self, data: bytes) -> None:
        if self._between_requests():
            if self._head_timer is None:
                self._arm_head_timer()
            if self._head_size(data) > self.max_head_bytes:
                self._cancel_head_timer()
                self.transport.write(_TOO_LARGE_RESPONSE)
                self.transport.close()
                return
        super().data_received(data)
        if not self._between_requests():
            self._cancel_head_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # A pipelined request already buffered gets the same deadline.
        if self._between_requests() and self.conn.trailing_data[0]:
            self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def _head_size(self, data: bytes) -> int:
        """Bytes of the pending request head: up to its blank line, or all so far."""
        pending = bytes(self.conn.trailing_data[0]) + data
        end = pending.find(b"\r\n\r\n")
        return len(pending) if end < 0 else end + 4

    def _between_requests(self) -> bool:
        return self.conn.their_state is h11.IDLE and self.conn.our_state is h11.IDLE

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or not self._between_requests():
            return
        self.logger.info("closing a connection whose request head took over %ss", self.head_timeout)
        self.transport.write(_TIMEOUT_RESPONSE)
        self.transport.close()


def head_timeout_protocol(seconds: float, max_head_bytes: int) -> type[HeadTimeoutProtocol]:
    """A ``HeadTimeoutProtocol`` subclass with its deadline and size limit set."""
    limits = {"head_timeout": seconds, "max_head_bytes": max_head_bytes}
    return type("HeadTimeoutProtocol", (HeadTimeoutProtocol,), limits)


class WorkerHeadTimeoutProtocol(HeadTimeoutProtocol):
    """``HeadTimeoutProtocol`` for worker processes, with the limits of their own settings.

    uvicorn hands its configuration to each worker process by pickling it, and
    a class made at run time (``head_timeout_protocol``) cannot be pickled; so
    workers name this class by import string, and it reads the limits from the
    ``KGPUB_`` environment the parent exported (``config.export_to_environment``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.head_timeout, self.max_head_bytes = _worker_limits()


@functools.cache
def _worker_limits() -> tuple[float, int]:
    settings = Settings()
    return settings.header_timeout, settings.max_header_bytes


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run``/``uvicorn.Config`` from the settings.

    - ``http``: h11 with the request-head deadline (``KGPUB_HEADER_TIMEOUT``);
      httptools is never used, as it would have no deadline.
    - ``h11_max_incomplete_event_size`` and the protocol's own check: a request
      line plus headers beyond ``KGPUB_MAX_HEADER_BYTES`` gets 400 (still
      arriving) or 431 (arrived whole) instead of being buffered.
    - ``limit_concurrency``: past ``KGPUB_MAX_CONNECTIONS`` uvicorn answers 503.
    - ``timeout_keep_alive``: idle keep-alive connections close after
      ``KGPUB_KEEP_ALIVE_TIMEOUT`` seconds.
    - ``forwarded_allow_ips``: only these proxies' X-Forwarded-* are believed.
    """
    return {
        "host": settings.host,
        "port": settings.port,
        "http": head_timeout_protocol(settings.header_timeout, settings.max_header_bytes),
        "h11_max_incomplete_event_size": settings.max_header_bytes,
        "limit_concurrency": settings.max_connections,
        "timeout_keep_alive": settings.keep_alive_timeout,
        "proxy_headers": True,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        "server_header": False,
    }


def worker_uvicorn_options(settings: Settings, workers: int) -> dict[str, Any]:
    """``uvicorn_options`` for ``workers`` processes, each building its app with a factory.

    The limits are the same, per worker: each has its own request-head
    deadline (``WorkerHeadTimeoutProtocol``) and its own ``limit_concurrency``.
    """
    options = uvicorn_options(settings)
    options.update(
        http=f"{__name__}:{WorkerHeadTimeoutProtocol.__name__}", workers=workers, factory=True
    )
    return options
