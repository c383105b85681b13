"""How ``kgpub serve`` runs uvicorn: every connection-level limit, from ``Settings``.

uvicorn's defaults suit a trusted network, not the open internet: it has no
limit on concurrent connections and, above all, no timeout for a client that
sends its request head slowly (one byte every few seconds keeps a connection
open for ever, "slowloris"). ``uvicorn_options`` turns the settings into
uvicorn's keyword arguments and installs a ``HeadTimeoutProtocol``: uvicorn's
httptools protocol with a deadline and a size limit for the request line and
headers. httptools rather than h11 because it parses requests in C: answering
cached point lookups, kgpub serves about twice as many requests per second
with it (measured in docs/store.md).
"""

from __future__ import annotations

import asyncio
import copy
import functools
import logging
import re
import signal
import socket
import sys
from typing import Any

from uvicorn.config import LOGGING_CONFIG
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from kgpub.cli.lingering_close import LingeringTransport
from kgpub.config import Settings
from kgpub.errors import ConfigurationError


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
# Where a request head ends; bare LFs are tolerated like the parsers tolerate them.
_HEAD_END = re.compile(rb"\r?\n\r?\n")


class HeadTimeoutProtocol(asyncio.Protocol):
    """A deadline and a size limit for request heads, mixed into one of uvicorn's protocols.

    The deadline starts when the connection opens, and again when the first
    byte of a later request on a keep-alive connection arrives; it ends once
    the request line and headers are complete. A late client gets a 408 and
    the connection is closed; a head over ``max_head_bytes`` gets 431 before
    the parser buffers more of it. A subclass says where its parser is
    (``_awaiting_head``, ``_head_size``); ``head_timeout`` and
    ``max_head_bytes`` are set on the subclass ``head_timeout_protocol`` makes,
    since uvicorn builds protocols itself.
    """

    head_timeout: float = 10.0
    max_head_bytes: int = 32_768
    _head_timer: asyncio.TimerHandle | None = None
    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop
    logger: logging.Logger

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._lingering = LingeringTransport(transport, self._body_pending)
        super().connection_made(self._lingering)  # type: ignore[arg-type]
        self._arm_head_timer()

    def data_received(self, data: bytes) -> None:
        if self._lingering.is_closing():
            return  # answered and closing: the rest of the body is read and dropped
        if self._awaiting_head():
            if self._head_timer is None:
                self._arm_head_timer()
            if self._head_size(data) > self.max_head_bytes:
                self._cancel_head_timer()
                self.transport.write(_TOO_LARGE_RESPONSE)
                self.transport.close()
                return
        super().data_received(data)
        if not self._awaiting_head():
            self._cancel_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        self._lingering.lost()
        super().connection_lost(exc)

    def _awaiting_head(self) -> bool:
        """No request is being read or answered: the next bytes are a request head."""
        raise NotImplementedError

    def _body_pending(self) -> bool:
        """A request's body is still arriving (so a close lingers: ``lingering_close``)."""
        raise NotImplementedError

    def _head_size(self, data: bytes) -> int:
        """Bytes of the pending request head with ``data``: up to its end, or all so far."""
        raise NotImplementedError

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or not self._awaiting_head():
            return
        self.logger.info("closing a connection whose request head took over %ss", self.head_timeout)
        self.transport.write(_TIMEOUT_RESPONSE)
        self.transport.close()


class HttpToolsHeadTimeoutProtocol(HeadTimeoutProtocol, HttpToolsProtocol):
    """uvicorn's httptools protocol with the request-head deadline and size limit.

    httptools reports a head only once it is complete, so the bytes since the
    last request ended are counted here, and a connection awaits a head from
    the end of one request until the headers of the next are parsed.
    """

    _head_pending = True
    _head_bytes = 0
    _head_tail = b""

    def on_headers_complete(self) -> None:
        self._head_pending = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._head_pending, self._head_bytes, self._head_tail = True, 0, b""

    def _awaiting_head(self) -> bool:
        busy = self.cycle is not None and not self.cycle.response_complete
        return self._head_pending and not busy

    def _body_pending(self) -> bool:
        return not self._head_pending and self.cycle is not None and self.cycle.more_body

    def _head_size(self, data: bytes) -> int:
        window = self._head_tail + data
        end = _HEAD_END.search(window)
        if end is not None:
            return self._head_bytes + end.end() - len(self._head_tail)
        self._head_bytes += len(data)
        self._head_tail = window[-3:]
        return self._head_bytes


def head_timeout_protocol(seconds: float, max_head_bytes: int) -> type[HeadTimeoutProtocol]:
    """A ``HttpToolsHeadTimeoutProtocol`` subclass with its deadline and size limit set."""
    limits = {"head_timeout": seconds, "max_head_bytes": max_head_bytes}
    return type("HeadTimeoutProtocol", (HttpToolsHeadTimeoutProtocol,), limits)


class WorkerHeadTimeoutProtocol(HttpToolsHeadTimeoutProtocol):
    """The protocol of worker processes, with the limits of their own settings.

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

    - ``http``: httptools with the request-head deadline (``KGPUB_HEADER_TIMEOUT``)
      and size limit: a request line plus headers beyond ``KGPUB_MAX_HEADER_BYTES``
      gets 431 instead of being buffered. ``h11_max_incomplete_event_size`` is
      uvicorn's own limit for its h11 protocol, the same, should h11 be chosen.
    - ``limit_concurrency``: past ``KGPUB_MAX_CONNECTIONS`` uvicorn answers 503.
      uvicorn counts the connection asking among the open ones and refuses
      when the count *reaches* its limit, so it gets one more: the setting's
      number of connections are served, the next one gets 503.
    - ``timeout_keep_alive``: idle keep-alive connections close after
      ``KGPUB_KEEP_ALIVE_TIMEOUT`` seconds.
    - ``forwarded_allow_ips``: only these proxies' X-Forwarded-* are believed.
    - ``log_config``: uvicorn's, with kgpub's own loggers at INFO on the same
      handler, so what the server says about itself (an in-memory copy loaded, or
      why not) reaches the operator beside uvicorn's lines.
    """
    return {
        "host": settings.host,
        "port": settings.port,
        "http": head_timeout_protocol(settings.header_timeout, settings.max_header_bytes),
        "h11_max_incomplete_event_size": settings.max_header_bytes,
        "limit_concurrency": settings.max_connections + 1,
        "timeout_keep_alive": settings.keep_alive_timeout,
        "proxy_headers": True,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        "server_header": False,
        "log_config": log_config(),
    }


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration plus the ``kgpub`` loggers: on standard error like
    uvicorn's own lines, each line naming its logger (``kgpub.ingest.writes: PUT …``)."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["kgpub"] = {
        "()": "uvicorn.logging.DefaultFormatter",
        "fmt": "%(levelprefix)s %(name)s: %(message)s",
    }
    config["handlers"]["kgpub"] = {
        "formatter": "kgpub",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
    }
    config["loggers"]["kgpub"] = {"handlers": ["kgpub"], "level": "INFO"}
    return config


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


def check_port_free(host: str, port: int) -> None:
    """``ConfigurationError`` naming the port when ``host:port`` cannot be listened on.

    Run before the data is loaded and validated, which takes seconds: a taken
    port must fail at once, not after that with uvicorn's bare ``[Errno 98]``.
    The socket is bound the way uvicorn binds it (``SO_REUSEADDR``), so a port
    only in TIME_WAIT counts as free, as it is for uvicorn.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ConfigurationError(f"cannot listen on {host}: {exc.strerror or exc}") from exc
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise ConfigurationError(
                f"port {port} on {host} is not free ({exc.strerror or exc}); "
                "stop what listens there or choose another with --port"
            ) from exc


def exit_normally_on_sigterm() -> None:
    """Make SIGTERM end this process through Python's normal exit (status 143).

    uvicorn shuts down gracefully on SIGTERM, then raises the signal again
    under the handler it found at start. With the default handler the process
    dies right there and no exit handler runs: multiprocessing's temporary
    folder (the query workers' forkserver socket) would be left in /tmp at
    every stop. Call before ``uvicorn.run`` in the process that serves.
    """
    signal.signal(signal.SIGTERM, _exit_on_signal)


def _exit_on_signal(signum: int, frame: object) -> None:
    sys.exit(128 + signum)
