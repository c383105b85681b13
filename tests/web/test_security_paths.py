"""Odd resource paths: dot segments, encoded dots and slashes, NUL, very long paths.

A resource path only ever becomes an IRI looked up in the store (or a file
name under ``/static``, which Starlette confines), so each must answer 404 or
400: never 500, never a file's content. Literal ``..`` segments are sent over
a raw socket to a real uvicorn, since HTTP client libraries remove them.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.cli.test_security_serving import WAIT, hardened_settings, read_until_closed, status_of
from tests.cli.test_security_serving import serve_on_loopback as serve
from tests.sparql_fixtures import app_for, store_of, write_project

EX = "http://example.org/"
SECRET = b"root:x:0:0"
PATHS = [
    "/id/%2e%2e/%2e%2e/etc/passwd",
    "/id/..%2f..%2f..%2fetc%2fpasswd",
    "/id/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "/graph/..%5c..%5cwindows%5cwin.ini",
    "/static/..%2f..%2f..%2fetc%2fpasswd",
    "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/id/%00",
    "/id/a%00b",
    "/id/%ff%fe",
    "/id/%",
    "/id/%zz",
    "/id/" + "a" * 20_000,
    "/ontology/..%2f..%2fpyproject.toml",
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = write_project(Path(tmp_path_factory.mktemp("paths")))
    app = app_for(settings, store_of({f"{EX}g": [(f"{EX}s", f"{EX}p", f"{EX}o")]}))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p[:40])
@pytest.mark.parametrize("accept", ["text/html", "text/turtle", "*/*"])
def test_odd_paths_in_process(client: TestClient, path: str, accept: str) -> None:
    response = client.get(path, headers={"accept": accept})
    assert response.status_code in (400, 404), response.text[:200]
    assert SECRET not in response.content
    assert b"[project]" not in response.content


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    settings = hardened_settings(tmp_path_factory.mktemp("paths-live")).model_copy(
        update={"header_timeout": WAIT, "max_header_bytes": 32_768}
    )
    with serve(settings) as p:
        yield p


@pytest.mark.parametrize(
    "target",
    [
        b"/id/../../etc/passwd",
        b"/static/../../../../etc/passwd",
        b"/static/../../pyproject.toml",
        b"/id/./../graph/../../etc/passwd",
        b"/id/%2e%2e/%2e%2e/etc/passwd",
        b"/id/\x00",
        b"/id/a b",
        b"/" + b"a" * 40_000,
        b"../../etc/passwd",
        b"//etc/passwd",
    ],
    ids=lambda t: repr(t[:30]),
)
def test_raw_paths_over_http(port: int, target: bytes) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        response = read_until_closed(sock)
    assert status_of(response) in (400, 404, 431), response[:200]
    assert SECRET not in response
    assert b"[project]" not in response


def test_server_alive_after_odd_paths(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as sock:
        sock.sendall(b"GET /id/s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        response = read_until_closed(sock)
    assert status_of(response) in (200, 404)
