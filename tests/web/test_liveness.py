"""A query whose client hangs up is stopped at once, not at the deadline."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from urllib.parse import quote, urlsplit

import anyio
import httpx
import pytest
from fastapi import FastAPI
from starlette.types import Message, Receive

from kgpub.config import Settings
from kgpub.errors import QueryTimeoutError
from kgpub.sparql.executor import HANGUP_GRACE_SECONDS
from kgpub.web.liveness import unless_disconnected
from tests.sparql.test_executor import CARTESIAN, EX, busy_store
from tests.sparql_fixtures import app_for, live_server, query_pool, write_project

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, str]]:
    settings: Settings = write_project(tmp_path_factory.mktemp("liveness")).model_copy(
        update={"query_workers": 2, "query_timeout": 30.0, "cache_bytes": 0}
    )
    app = app_for(settings, busy_store())
    with live_server(app) as base:
        yield app, base


def worker_pids(app: FastAPI) -> set[int]:
    return {pid for worker in query_pool(app)._live if (pid := worker.process.pid) is not None}


def hang_up_after_sending(base: str, request: bytes) -> None:
    url = urlsplit(base)
    with socket.create_connection((url.hostname or "", url.port or 80)) as connection:
        connection.sendall(request)
        time.sleep(0.5)  # the query is now running in a worker


def wait_for_a_replacement(app: FastAPI, before: set[int], within: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < within:
        now = worker_pids(app)
        if len(now) == len(before) and now != before:
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"no worker was replaced within {within} s: {worker_pids(app)}")


def test_a_get_whose_client_hangs_up_frees_its_worker(served: tuple[FastAPI, str]) -> None:
    app, base = served
    before = worker_pids(app)
    request = f"GET /sparql?query={quote(CARTESIAN)} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    hang_up_after_sending(base, request)
    # The deadline is 30 s: a replacement within 5 s means the hang-up stopped it.
    wait_for_a_replacement(app, before, within=5.0)
    answer = httpx.get(f"{base}/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert answer.json()["boolean"] is True


def test_a_post_whose_client_hangs_up_frees_its_worker(served: tuple[FastAPI, str]) -> None:
    app, base = served
    before = worker_pids(app)
    body = f"query={quote(CARTESIAN)}".encode()
    request = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    hang_up_after_sending(base, request)
    wait_for_a_replacement(app, before, within=5.0)


def test_a_client_that_stays_gets_its_answer(served: tuple[FastAPI, str]) -> None:
    app, base = served
    before = worker_pids(app)
    answer = httpx.get(f"{base}/sparql", params={"query": "SELECT * { ?s ?p ?o } LIMIT 3"})
    assert answer.status_code == 200
    assert len(answer.json()["results"]["bindings"]) == 3
    assert worker_pids(app) == before


SHORT = f"SELECT (COUNT(*) AS ?n) {{ ?a <{EX}p> ?b . ?c ?q ?d }}"
"""A million and a half pairs counted: a fifth of a second or so, far less than the grace."""


def test_a_short_query_whose_client_hangs_up_finishes_and_the_copy_stays(
    served: tuple[FastAPI, str],
) -> None:
    """A thread of the in-memory copy is given its grace (``HANGUP_GRACE_SECONDS``): the
    query ends within it, so the copy's process, and every other query there, go on."""
    app, base = served
    pool = query_pool(app)
    for _ in range(200):  # an earlier test's hang-up may have cost the copy: back in memory
        if pool.in_memory and len(pool._live) == 2:
            break
        time.sleep(0.05)
    before = worker_pids(app)
    assert len(before) == 1  # the threads of one process
    request = f"GET /sparql?query={quote(SHORT)} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    url = urlsplit(base)
    with socket.create_connection((url.hostname or "", url.port or 80)) as connection:
        connection.sendall(request)
        time.sleep(0.05)
    time.sleep(HANGUP_GRACE_SECONDS + 0.5)
    assert worker_pids(app) == before
    assert len(pool._live) == 2
    answer = httpx.get(f"{base}/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert answer.json()["boolean"] is True
    assert "in memory" in answer.headers["server-timing"]


# --- unless_disconnected on its own -------------------------------------------


def channel(*messages: Message, then_wait: bool = True) -> Receive:
    queue = list(messages)

    async def receive() -> Message:
        if queue:
            return queue.pop(0)
        if then_wait:
            await anyio.sleep_forever()
        return {"type": "http.disconnect"}

    return receive


def test_the_result_when_the_client_stays() -> None:
    async def work() -> int:
        await anyio.sleep(0.01)
        return 42

    receive = channel({"type": "http.request", "body": b"", "more_body": False})
    assert anyio.run(unless_disconnected, receive, work) == 42


def test_errors_come_out_as_they_are_not_in_a_group() -> None:
    async def work() -> int:
        raise QueryTimeoutError("late", retry_after=1)

    with pytest.raises(QueryTimeoutError):
        anyio.run(unless_disconnected, channel(), work)


def test_a_disconnect_cancels_the_work() -> None:
    cancelled: list[bool] = []

    async def work() -> int:
        try:
            await anyio.sleep(10)
        except anyio.get_cancelled_exc_class():
            cancelled.append(True)
            raise
        return 1

    started = time.monotonic()
    receive = channel({"type": "http.request", "body": b"", "more_body": False}, then_wait=False)
    assert anyio.run(unless_disconnected, receive, work) is None
    assert cancelled == [True]
    assert time.monotonic() - started < 1


def test_a_server_that_keeps_sending_bodies_does_not_hang_the_watch() -> None:
    """Against the ASGI rules, but a watch that spun on it would starve the event loop."""

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def work() -> int:
        await anyio.sleep(0.01)
        return 7

    async def main() -> int | None:
        with anyio.fail_after(2):
            return await unless_disconnected(receive, work)

    assert anyio.run(main) == 7
