"""RFC 9112 §3.2: an HTTP/1.1 request without Host is a 400, over a real socket."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest

from kgpub.config import Settings
from kgpub.web.app import create_app
from tests.sparql_fixtures import live_server


@pytest.fixture(scope="module")
def address() -> Iterator[tuple[str, int]]:
    with live_server(create_app(Settings(validate_on_start=False, query_workers=1))) as base:
        host, port = base.removeprefix("http://").split(":")
        yield host, int(port)


def exchange(address: tuple[str, int], head: bytes) -> bytes:
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(head)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_http_1_1_without_host_is_400(address: tuple[str, int]) -> None:
    answer = exchange(address, b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"content-type: application/problem+json" in head.lower()
    assert json.loads(body)["detail"] == (
        "an HTTP/1.1 request must carry a Host header (RFC 9112 section 3.2)"
    )


def test_with_host_or_over_http_1_0_it_is_answered(address: tuple[str, int]) -> None:
    query = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    assert exchange(address, query).startswith(b"HTTP/1.1 200 ")
    old = exchange(address, b"GET /sparql?query=ASK%7B%7D HTTP/1.0\r\n\r\n")
    assert old.startswith(b"HTTP/1.1 200 ")
