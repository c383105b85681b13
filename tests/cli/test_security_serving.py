"""Connection limits: a real uvicorn on 127.0.0.1, run with ``serving.uvicorn_options``.

Raw sockets play the hostile clients (a request head sent half-way and then
nothing, headers too large, a body dribbled a byte at a time). Every wait is
bounded by a socket timeout, and no test measures how long anything took.
The body deadline is shown on a real ``kgpub serve`` process.
"""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import anyio
import pytest
import uvicorn
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import Message

from kgpub.cli import main as cli
from kgpub.cli.serving import HeadTimeoutProtocol, uvicorn_options
from kgpub.config import Settings
from kgpub.web.body import read_body
from tests.sparql_fixtures import (
    app_for,
    free_port,
    store_of,
    write_project,
    write_served_project,
)

pytestmark = pytest.mark.slow

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
    # 7 connections served: uvicorn counts the asking one and refuses at its limit, so 8.
    assert options["limit_concurrency"] == 8
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


INVALID = b"Invalid HTTP request received."
SPARQL_POST = b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"


@pytest.mark.parametrize(
    ("request_bytes", "status", "says"),
    [
        # Bytes h11 refuses before the app sees anything (RFC 9112 framing).
        (b"GET /sparql?query=ASK%7B%7D\xff HTTP/1.1\r\nHost: x\r\n\r\n", 400, INVALID),
        (b"GET /id/\xff HTTP/1.1\r\nHost: x\r\n\r\n", 400, INVALID),
        ("GET /sparql?query=ASK{?s ?p 'Київ'} HTTP/1.1\r\nHost: x\r\n\r\n".encode(), 400, INVALID),
        (b"GET /sparql HTTP/1.1\r\nHost: x\r\nAccept: a\x00b\r\n\r\n", 400, INVALID),
        (b"G\xffT /sparql HTTP/1.1\r\nHost: x\r\n\r\n", 400, INVALID),
        (
            SPARQL_POST + b"Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"6\r\nASK {}\r\n0\r\n\r\n",
            400,
            INVALID,
        ),
        (SPARQL_POST + b"Content-Length: 6\r\nContent-Length: 7\r\n\r\nASK {}", 400, INVALID),
        (SPARQL_POST + b"Content-Length: -1\r\n\r\nASK {}", 400, INVALID),
        (
            SPARQL_POST + b"Transfer-Encoding: chunked\r\n\r\nZZ\r\nASK {}\r\n0\r\n\r\n",
            400,
            INVALID,
        ),
        (
            SPARQL_POST + b"Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\nASK {}\r\n",
            400,
            INVALID,
        ),
        # Many small headers, together over the 8 KB limit of this server.
        (
            b"GET /sparql HTTP/1.1\r\nHost: x\r\n"
            + b"".join(b"X-%d: y\r\n" % n for n in range(1500))
            + b"\r\n",
            431,
            b"over the limit (KGPUB_MAX_HEADER_BYTES)",
        ),
        # Odd bytes in a header value reach the app, which names them.
        (
            b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nAccept: text/\xffcsv\r\n\r\n",
            406,
            b"none of the offered media types is acceptable",
        ),
        (
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\xff\r\n"
            b"Content-Length: 6\r\n\r\nASK {}",
            415,
            b"needs Content-Type application/sparql-query",
        ),
    ],
    ids=lambda value: repr(value[:24]) if isinstance(value, bytes) else str(value),
)
def test_malformed_http_gets_an_exact_answer(
    port: int, request_bytes: bytes, status: int, says: bytes
) -> None:
    with_close = request_bytes.replace(b"Host: x\r\n", b"Host: x\r\nConnection: close\r\n", 1)
    response = raw_request(port, with_close)
    assert status_of(response) == status, response[:300]
    assert says in response


@pytest.mark.parametrize(
    "host",
    [
        b'a"b<c>',
        b"a b",
        b"x:99999999",
        b"[::1",
        b"\xff\xfe",
        b"",
        b"%41",
        b"h/<script>alert(1)</script>",
    ],
)
@pytest.mark.parametrize(
    ("target", "accept"),
    [
        (b"/sparql", b"text/turtle"),
        (b"/sparql", b"text/html"),
        (b"/sparql?query=CONSTRUCT%7B%3Cs%3E%3Cp%3E1%7DWHERE%7B%7D", b"text/turtle"),
        (b"/.well-known/void", b"text/turtle"),
        (b"/id/x", b"text/html"),
    ],
)
def test_odd_host_headers_never_break_an_answer(
    port: int, host: bytes, target: bytes, accept: bytes
) -> None:
    """The request's URL (service description, base IRI) is built from Host: never a 500."""
    response = raw_request(
        port,
        b"GET "
        + target
        + b" HTTP/1.1\r\nHost: "
        + host
        + b"\r\nAccept: "
        + accept
        + b"\r\nConnection: close\r\n\r\n",
    )
    assert status_of(response) in (200, 404), response[:300]
    assert b"<script>alert" not in response
    assert b"<c>" not in response


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


@pytest.mark.parametrize("limit", [1, 2, 5])
def test_exactly_max_connections_are_served(tmp_path: Path, limit: int) -> None:
    """SECURITY.md: past KGPUB_MAX_CONNECTIONS, 503; up to it, every connection is served."""
    settings = hardened_settings(tmp_path).model_copy(
        update={"max_connections": limit, "header_timeout": WAIT}
    )
    request = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    with serve_on_loopback(settings) as port:
        others = [
            socket.create_connection(("127.0.0.1", port), timeout=WAIT) for _ in range(limit - 1)
        ]
        try:
            time.sleep(0.2)  # let the server take the open connections in
            assert status_of(raw_request(port, request)) == 200  # the limit-th connection
            others.append(socket.create_connection(("127.0.0.1", port), timeout=WAIT))
            time.sleep(0.2)
            past = raw_request(port, request)  # the one past the limit
            assert status_of(past) == 503
        finally:
            for sock in others:
                sock.close()


def test_kgpub_serve_uses_the_options() -> None:
    """``kgpub serve`` passes ``uvicorn_options(settings)`` to uvicorn (one call site)."""
    source = Path(cli.__file__).read_text(encoding="utf-8")
    assert "uvicorn.run(app, **uvicorn_options(settings))" in source


# -- the body deadline ----------------------------------------------------------------


def test_read_body_gives_up_at_its_deadline() -> None:
    """A body that never ends: 408 with Connection: close, saying how much came in time."""

    async def receive() -> Message:
        if not sent:
            sent.append(1)
            return {"type": "http.request", "body": b"ASK", "more_body": True}
        await anyio.sleep(WAIT)
        return {"type": "http.disconnect"}

    sent: list[int] = []
    request = Request({"type": "http", "method": "POST", "headers": []}, receive)

    async def read() -> bytes:
        return await read_body(request, limit=1000, timeout=0.2)

    with pytest.raises(HTTPException) as caught:
        anyio.run(read)
    assert caught.value.status_code == 408
    assert caught.value.headers == {"Connection": "close"}
    assert "within 0.2 s (KGPUB_BODY_TIMEOUT); 3 bytes came in time" in caught.value.detail


def test_read_body_in_time_is_whole() -> None:
    async def receive() -> Message:
        return {"type": "http.request", "body": b"ASK {}", "more_body": False}

    request = Request({"type": "http", "method": "POST", "headers": []}, receive)

    async def read() -> bytes:
        return await read_body(request, limit=1000, timeout=5.0)

    assert anyio.run(read) == b"ASK {}"


@contextmanager
def kgpub_serve(root: Path, **environment: str) -> Iterator[int]:
    """``kgpub serve`` in its own process on 127.0.0.1 over a small project; yields the port.

    ``environment`` adds ``KGPUB_`` settings; the process is stopped afterwards.
    """
    write_served_project(root)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KGPUB_")}
    env.update(KGPUB_PROJECT_DIR=str(root), KGPUB_QUERY_WORKERS="1", **environment)
    log = (root / "serve.log").open("w+b")
    server = subprocess.Popen(
        [sys.executable, "-m", "kgpub", "serve", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        for _ in range(600):  # up to 120 s on a loaded machine
            try:
                server.wait(timeout=0.2)  # doubles as the pause between attempts
            except subprocess.TimeoutExpired:
                pass
            else:
                log.seek(0)
                pytest.fail(f"kgpub serve exited: {log.read().decode(errors='replace')}")
            try:
                answer = raw_request(
                    port, b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n\r\n"
                )
            except OSError:
                continue
            if status_of(answer) == 200:
                break
        else:
            pytest.fail("kgpub serve did not answer")
        yield port
    finally:
        server.terminate()
        server.wait(timeout=WAIT)
        log.close()


@pytest.fixture(scope="module")
def slow_body_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    root = tmp_path_factory.mktemp("body-timeout")
    with kgpub_serve(root, KGPUB_BODY_TIMEOUT="1", KGPUB_HEADER_TIMEOUT="5") as port:
        yield port


def dribble(port: int, head: bytes, body: bytes, pause: float) -> tuple[bytes, int]:
    """Send ``head``, then ``body`` a byte every ``pause`` s until the server answers.

    Returns everything the server sent until it closed, and the bytes of body sent.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as sock:
        sock.sendall(head)
        sent = 0
        for byte in body:
            readable, _, _ = select.select([sock], [], [], pause)
            if readable:
                break
            try:
                sock.sendall(bytes([byte]))
            except OSError:  # the server closed first
                break
            sent += 1
        return read_until_closed(sock), sent


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/sparql", "application/sparql-query"), ("/validate", "text/turtle")],
)
def test_dribbled_body_is_cut_off(slow_body_port: int, path: str, content_type: str) -> None:
    body = b"ASK { ?s ?p ?o }" * 10
    head = (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    response, sent = dribble(slow_body_port, head, body, pause=0.2)
    assert status_of(response) == 408
    assert b"application/problem+json" in response
    assert b"KGPUB_BODY_TIMEOUT" in response
    assert b"connection: close" in response.lower()
    assert sent < len(body), "the server answered before the body was complete"


def test_chunked_dribble_is_cut_off(slow_body_port: int) -> None:
    chunks = b"".join(b"1\r\n" + bytes([c]) + b"\r\n" for c in b"ASK { ?s ?p ?o }") + b"0\r\n\r\n"
    head = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    response, sent = dribble(slow_body_port, head, chunks, pause=0.2)
    assert status_of(response) == 408
    assert sent < len(chunks)


def test_silent_body_is_cut_off(slow_body_port: int) -> None:
    with socket.create_connection(("127.0.0.1", slow_body_port), timeout=WAIT) as sock:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 100\r\n\r\nASK"
        )
        response = read_until_closed(sock)
    assert status_of(response) == 408
    assert b"3 bytes came in time" in response


def test_prompt_body_is_answered(slow_body_port: int) -> None:
    body = b"ASK { ?s ?p ?o }"
    response = raw_request(
        slow_body_port,
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Accept: application/sparql-results+json\r\nConnection: close\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body,
    )
    assert status_of(response) == 200
    assert b'"boolean":true' in response.replace(b" ", b"")
