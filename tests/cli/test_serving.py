"""The httptools protocol's request-head limits where httptools differs from h11.

httptools reports a head only once it is whole, so ``HttpToolsHeadTimeoutProtocol``
counts the bytes itself: these tests send heads in pieces, bodies in the same
write as their head, and pipelined requests, to a real uvicorn on 127.0.0.1.
The common cases (slow heads, large heads, 503) are in tests/cli/test_security_serving.py.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from kgpub.cli.serving import HttpToolsHeadTimeoutProtocol, log_config, uvicorn_options
from kgpub.config import Settings
from tests.cli.test_security_serving import read_until_closed, serve_on_loopback, status_of
from tests.sparql_fixtures import free_port, write_project

WAIT = 10.0
LIMIT = 8192


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    root: Path = tmp_path_factory.mktemp("serving")
    settings = write_project(root).model_copy(
        update={"port": free_port(), "header_timeout": 1.0, "max_header_bytes": LIMIT}
    )
    with serve_on_loopback(settings) as p:
        yield p


def test_kgpub_parses_requests_with_httptools() -> None:
    assert issubclass(uvicorn_options(Settings())["http"], HttpToolsHeadTimeoutProtocol)


def test_the_servers_own_info_lines_reach_the_operator() -> None:
    """``kgpub``'s loggers print at INFO beside uvicorn's lines (Python's default would
    drop them: no handler, and WARNING only)."""
    assert uvicorn_options(Settings())["log_config"] == log_config()
    program = (
        "import logging, logging.config\n"
        "from kgpub.cli.serving import log_config\n"
        "logging.config.dictConfig(log_config())\n"
        "logging.getLogger('kgpub.sparql.memory_copy').info('copy loaded')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=60
    )
    assert "INFO:     kgpub.sparql.memory_copy: copy loaded" in done.stderr


def test_head_sent_in_pieces_past_the_limit_gets_431(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as sock:
        sock.sendall(b"GET /sparql HTTP/1.1\r\nHost: x\r\n")
        for n in range(LIMIT // 1000 + 2):  # each piece arrives alone, none ends the head
            sock.sendall(b"X-Filler-%d: " % n + b"a" * 1000 + b"\r\n")
            time.sleep(0.02)
        response = read_until_closed(sock)
    assert status_of(response) == 431


def test_body_sent_with_its_head_is_not_counted_as_head(port: int) -> None:
    query = b"ASK { ?s ?p ?o } #" + b"x" * (4 * LIMIT)  # a comment makes the body large
    request = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Content-Type: application/sparql-query\r\nAccept: application/sparql-results+json\r\n"
        b"Content-Length: " + str(len(query)).encode() + b"\r\n\r\n" + query
    )
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as sock:
        sock.sendall(request)
        response = read_until_closed(sock)
    assert status_of(response) == 200
    assert b'"boolean":true' in response.replace(b" ", b"")


def test_pipelined_requests_are_all_answered(port: int) -> None:
    ask = "/sparql?query=" + quote("ASK { ?s ?p ?o }")
    request = f"GET {ask} HTTP/1.1\r\nHost: x\r\nAccept: text/csv\r\n\r\n".encode()
    last = request.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as sock:
        sock.sendall(request * 2 + last)
        response = read_until_closed(sock)
    assert response.count(b"HTTP/1.1 200") == 3


def test_keep_alive_request_after_a_pause_is_answered(port: int) -> None:
    """The deadline runs from a request's first byte, not while the connection is idle."""
    request = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nAccept: text/csv\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as sock:
        sock.sendall(request)
        assert status_of(sock.recv(65536)) == 200
        time.sleep(1.5)  # past the 1 s head deadline, within the keep-alive timeout
        sock.sendall(request.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
        assert status_of(read_until_closed(sock)) == 200
