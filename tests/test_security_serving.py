"""Connection limits: a real uvicorn on 127.0.0.1, run with ``serving.uvicorn_options``.

Raw sockets play the hostile clients (a request head sent half-way and then
nothing, headers too large). Every wait is bounded by a socket timeout, and
no test measures how long anything took.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn

from kgpub import cli
from kgpub.config import Settings
from kgpub.serving import HeadTimeoutProtocol, uvicorn_options
from tests.sparql_fixtures import app_for, free_port, store_of, write_project

EX = "http://example.org/"
WAIT = 10.0  # the most any socket read here may block


@contextmanager
def serve_on_loopback(settings: Settings) -> Iterator[int]:
    """Run the app with ``uvicorn_options(settings)`` in a thread; yields the port."""
    options = uvicorn_options(settings)
    app = app_for(settings, store_of({f"{EX}g": [(f"{EX}s", f"{EX}p", f"{EX}o")]}))
    config = uvicorn.Config(app, **options, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()
    for _ in range(1000):  # up to 20 s
        if server.started or not thread.is_alive() or started.wait(0.02):
            break
    if not server.started:
        raise RuntimeError("the test server did not start")
    try:
        yield int(options["port"])
    finally:
        server.should_exit = True
        thread.join(WAIT)


def hardened_settings(root: Path) -> Settings:
    return write_project(root).model_copy(
        update={
            "port": free_port(),
            "header_timeout": 0.5,
            "max_header_bytes": 8192,
            "cache_bytes": 0,
        }
    )


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    with serve_on_loopback(hardened_settings(tmp_path_factory.mktemp("serving"))) as p:
        yield p


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes; a timeout fails the test."""
    sock.settimeout(WAIT)
    chunks = []
    for _ in range(10_000):
        chunk = sock.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def raw_request(port: int, request: bytes) -> bytes:
    """Send one request with ``Connection: close`` semantics and read the full answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as sock:
        sock.sendall(request)
        return read_until_closed(sock)


def test_options_come_from_settings() -> None:
    settings = Settings(
        host="127.0.0.1",
        port=8123,
        header_timeout=3.0,
        max_header_bytes=4096,
        max_connections=7,
        keep_alive_timeout=2.0,
        forwarded_allow_ips="10.0.0.1",
    )
    options = uvicorn_options(settings)
    assert issubclass(options["http"], HeadTimeoutProtocol)
    assert options["http"].head_timeout == 3.0
    assert options["http"].max_head_bytes == 4096
    assert options["h11_max_incomplete_event_size"] == 4096
    assert options["limit_concurrency"] == 7
    assert options["timeout_keep_alive"] == 2.0
    assert options["forwarded_allow_ips"] == "10.0.0.1"
    assert (options["host"], options["port"]) == ("127.0.0.1", 8123)
    uvicorn.Config(app_for(settings), **options)  # uvicorn accepts every option


def test_slow_request_head_is_closed(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as sock:
        sock.sendall(b"GET /sparql?query=ASK%7B%7D HT")  # half a request line, then nothing
        response = read_until_closed(sock)
    assert status_of(response) == 408
    assert b"the request head did not arrive in time" in response


def test_silent_connection_is_closed(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as sock:
        response = read_until_closed(sock)
    assert status_of(response) == 408


def test_slow_second_request_on_keep_alive_is_closed(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as sock:
        sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nAccept: text/csv\r\n\r\n")
        sock.settimeout(WAIT)
        first = sock.recv(65536)
        assert status_of(first) == 200
        sock.sendall(b"GET /sparql HTTP/1.1\r\nHost:")
        rest = read_until_closed(sock)
    assert b"408 Request Timeout" in rest


def test_prompt_requests_are_answered(port: int) -> None:
    response = raw_request(
        port,
        b"GET /sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D HTTP/1.1\r\nHost: x\r\n"
        b"Accept: application/sparql-results+json\r\nConnection: close\r\n\r\n",
    )
    assert status_of(response) == 200
    assert b'"boolean":true' in response.replace(b" ", b"")


def test_headers_over_the_limit_get_400(port: int) -> None:
    accept = b"text/turtle;q=0.5, " * 1000  # ~19 KB, over the 8 KB limit
    response = raw_request(
        port, b"GET /sparql HTTP/1.1\r\nHost: x\r\nAccept: " + accept + b"\r\n\r\n"
    )
    assert status_of(response) in (400, 431)


def test_large_accept_within_the_limit_is_negotiated(port: int) -> None:
    accept = b", ".join(b"application/x-nothing-%d;q=0.%d" % (n, n % 9 + 1) for n in range(230))
    assert 6000 < len(accept) < 8000
    response = raw_request(
        port,
        b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAccept: "
        + accept
        + b"\r\n\r\n",
    )
    assert status_of(response) == 406
    assert b"application/problem+json" in response


def test_server_still_answers_after_the_abuse(port: int) -> None:
    test_prompt_requests_are_answered(port)


def test_connections_over_the_limit_get_503(tmp_path: Path) -> None:
    settings = hardened_settings(tmp_path).model_copy(
        update={"max_connections": 2, "header_timeout": WAIT}
    )
    with serve_on_loopback(settings) as port:
        idle = [socket.create_connection(("127.0.0.1", port), timeout=WAIT) for _ in range(2)]
        try:
            response = raw_request(
                port, b"GET /sparql HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            )
        finally:
            for sock in idle:
                sock.close()
    assert status_of(response) == 503


def test_kgpub_serve_uses_the_options() -> None:
    """``kgpub serve`` passes ``uvicorn_options(settings)`` to uvicorn (one call site)."""
    source = Path(cli.__file__).read_text(encoding="utf-8")
    assert "uvicorn.run(app, **uvicorn_options(settings))" in source
