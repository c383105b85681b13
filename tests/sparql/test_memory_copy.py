"""The query workers' in-memory copy of the store: loaded once, answered from, kept current.

Every test runs a real ``QueryPool``: the copy is a process of its own (``memory_image``)
and the workers are its threads (the default) or its forks (``Budget.forks``), so what is
checked is what the server does.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import cast

import pyoxigraph as ox
import pytest

from kgpub.errors import QueryTimeoutError
from kgpub.sparql.executor import Outcome, QueryPool
from kgpub.sparql.image_handle import ImageHandle, SharedImage
from kgpub.sparql.memory_copy import (
    NO_COPY,
    RELOAD_BACKOFF_MAX_SECONDS,
    MemoryCopy,
    estimated_bytes,
    too_large,
)
from kgpub.sparql.memory_image import Budget, load_copy
from kgpub.sparql.operation import QueryOperation
from kgpub.sparql.results import ResultLimits
from kgpub.sparql.worker import Snapshot
from kgpub.store.changes import Changes
from kgpub.store.oxigraph import Store

pytestmark = pytest.mark.slow

EX = "http://example.org/"
GIB = 1024**3
NAMES = f"SELECT ?name {{ ?s <{EX}name> ?name }} ORDER BY ?name"


def quad(i: int, graph: str = "g") -> ox.Quad:
    return ox.Quad(
        ox.NamedNode(f"{EX}s{i}"),
        ox.NamedNode(f"{EX}name"),
        ox.Literal(f"name {i:04d}"),
        ox.NamedNode(f"{EX}{graph}"),
    )


def store_with(count: int, path: Path | None = None) -> Store:
    store = Store(path)
    store.apply(Changes(added=tuple(quad(i) for i in range(count))))
    return store


def names(outcome: Outcome) -> list[str]:
    assert outcome.done.body is not None
    rows = json.loads(outcome.done.body)["results"]["bindings"]
    return [row["name"]["value"] for row in rows]


def with_pool(pool: QueryPool, test: Callable[[QueryPool], Awaitable[None]]) -> None:
    async def main() -> None:
        await pool.start()
        try:
            await test(pool)
        finally:
            await pool.close()

    asyncio.run(main())


async def ask(pool: QueryPool, text: str = NAMES) -> Outcome:
    return await pool.run(QueryOperation(text), None, "json")


async def until_in_memory(pool: QueryPool, seconds: float = 60.0) -> Outcome:
    """Query until an answer comes from the copy (it loads in the background)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        outcome = await ask(pool)
        if outcome.in_memory:
            return outcome
        await asyncio.sleep(0.05)
    raise AssertionError(f"the copy was not answering after {seconds} s")


def parent_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    return int(stat.rsplit(")", 1)[1].split()[1])


def worker_pids(pool: QueryPool) -> set[int]:
    return {pid for w in pool._live if (pid := w.process.pid) is not None}


def image_pid(pool: QueryPool) -> int | None:
    image = pool._copy._image
    return None if image is None else image.pid


def test_an_in_memory_store_is_one_copy_that_every_worker_is_forked_from() -> None:
    async def test(pool: QueryPool) -> None:
        assert pool.in_memory
        outcome = await ask(pool)
        assert outcome.in_memory
        assert names(outcome) == [f"name {i:04d}" for i in range(50)]
        image = image_pid(pool)
        assert image is not None
        assert {parent_of(pid) for pid in worker_pids(pool)} == {image}

    forks = Budget(GIB, 2, forks=True)
    with_pool(QueryPool(store_with(50), 2, 30, ResultLimits(), memory_budget=forks), test)


def test_by_default_every_worker_is_a_thread_of_the_one_copy() -> None:
    """The copy in memory once, read by the one process holding it: no worker makes
    pages of it its own, however much it reads."""

    async def test(pool: QueryPool) -> None:
        image = image_pid(pool)
        assert image is not None
        assert worker_pids(pool) == {image}
        assert all(w.thread for w in pool._live)
        assert len(pool._live) == 3
        before = private_bytes(image)
        answers = await asyncio.gather(*(ask(pool, COUNT) for _ in range(30)))
        assert all(a.in_memory and a.done.body and b'"3000"' in a.done.body for a in answers)
        # Forks reading the whole copy would each have made most of it their own.
        assert worker_pids(pool) == {image}
        assert private_bytes(image) - before < 8 * 1024 * 1024

    with_pool(QueryPool(store_with(3000), 3, 30, ResultLimits(), memory_budget=GIB), test)


COUNT = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"


def private_bytes(pid: int) -> int:
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text(encoding="ascii").splitlines()
    return sum(int(line.split()[1]) * 1024 for line in rollup if line.startswith("Private_"))


def test_a_runaway_on_a_thread_kills_the_copy_which_loads_again(tmp_path: Path) -> None:
    """A thread cannot be stopped: its process is killed at the deadline (its CPU freed),
    the store on disk answers, and the copy comes back."""
    store_with(200, tmp_path / "store")
    served = Store(tmp_path / "store", read_only=True)
    runaway = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"

    async def test(pool: QueryPool) -> None:
        await until_in_memory(pool)
        image = image_pid(pool)
        assert image is not None
        with pytest.raises(QueryTimeoutError):
            await pool.run(QueryOperation(runaway, timeout=0.3), None, "json")
        assert not Path(f"/proc/{image}").exists() or parent_of(image) == 1
        answered = await ask(pool)
        assert len(names(answered)) == 200
        again = await until_in_memory(pool)
        assert len(names(again)) == 200
        assert image_pid(pool) not in (None, image)

    with_pool(QueryPool(served, 2, 30, ResultLimits(), memory_budget=GIB), test)


def test_an_on_disk_store_answers_from_disk_until_its_copy_has_loaded(tmp_path: Path) -> None:
    store_with(200, tmp_path / "store")
    served = Store(tmp_path / "store", read_only=True)

    async def test(pool: QueryPool) -> None:
        first = await ask(pool)
        assert not first.in_memory  # the copy is a process still starting
        loaded = await until_in_memory(pool)
        assert names(loaded) == names(first)
        assert len(names(loaded)) == 200

    with_pool(QueryPool(served, 2, 30, ResultLimits(), memory_budget=GIB), test)


def test_a_committed_write_reaches_the_copy_as_its_change_set() -> None:
    store = store_with(10)

    async def test(pool: QueryPool) -> None:
        image = image_pid(pool)
        store.apply(Changes(added=(quad(10),), removed=(quad(0),)))
        outcome = await ask(pool)
        assert outcome.in_memory
        assert outcome.version == store.version
        assert names(outcome) == [f"name {i:04d}" for i in range(1, 11)]
        assert image_pid(pool) == image  # caught up, not loaded again

    with_pool(QueryPool(store, 2, 30, ResultLimits(), memory_budget=GIB), test)


def test_a_bulk_write_is_answered_from_a_snapshot_while_the_copy_loads_again() -> None:
    store = store_with(10)

    async def test(pool: QueryPool) -> None:
        image = image_pid(pool)
        store.bulk_extend([quad(i) for i in range(10, 20)])  # no change set to replay
        outcome = await ask(pool)
        assert not outcome.in_memory
        assert len(names(outcome)) == 20
        again = await until_in_memory(pool)
        assert len(names(again)) == 20
        assert image_pid(pool) not in (None, image)

    with_pool(QueryPool(store, 2, 30, ResultLimits(), memory_budget=GIB), test)


def test_a_copy_killed_from_outside_is_loaded_again_and_no_query_fails() -> None:
    store = store_with(10)

    async def test(pool: QueryPool) -> None:
        image = image_pid(pool)
        assert image is not None
        os.kill(image, signal.SIGKILL)
        store.apply(Changes(added=(quad(10),)))
        outcome = await ask(pool)
        assert len(names(outcome)) == 11
        again = await until_in_memory(pool)
        assert len(names(again)) == 11

    with_pool(QueryPool(store, 2, 30, ResultLimits(), memory_budget=GIB), test)


def test_workers_over_their_share_retire_and_no_query_fails() -> None:
    """With no room left in the budget, a worker retires at a measurement (every 64th job,
    unless a job is already waiting): its replacement is a fresh fork of the same copy,
    and every query is still answered."""
    store = store_with(20)

    async def test(pool: QueryPool) -> None:
        before = worker_pids(pool)
        for _ in range(640):  # a busy machine may delay a measurement to the next 64th job
            assert len(names(await ask(pool))) == 20
            if worker_pids(pool) - before:
                break
        replaced = before - worker_pids(pool)
        assert replaced  # the worker answering (the last idle one answers next) retired
        assert len(worker_pids(pool)) == 2
        image = image_pid(pool)
        assert {parent_of(pid) for pid in worker_pids(pool)} == {image}

    tiny = Budget(4 * 1024 * 1024, 2, floor=1, forks=True)
    with_pool(QueryPool(store, 2, 30, ResultLimits(), memory_budget=tiny), test)


def test_a_store_over_the_budget_is_answered_from_disk(tmp_path: Path) -> None:
    store_with(200, tmp_path / "store")
    served = Store(tmp_path / "store", read_only=True)

    async def test(pool: QueryPool) -> None:
        for _ in range(3):
            outcome = await ask(pool)
            assert not outcome.in_memory
            assert len(names(outcome)) == 200
            await asyncio.sleep(0.2)
        assert image_pid(pool) is None

    with_pool(QueryPool(served, 2, 30, ResultLimits(), memory_budget=1024), test)


def test_the_budget_holds_the_copy_and_each_workers_least_share(tmp_path: Path) -> None:
    dump = tmp_path / "dump.nq"
    dump.write_bytes(b"x" * 1000)
    snapshot = Snapshot("nquads", dump, 0)
    need = estimated_bytes(snapshot) + 2 * 100
    assert MemoryCopy(Store(), Budget(need, 2, floor=100)).fits(snapshot)
    assert not MemoryCopy(Store(), Budget(need - 1, 2, floor=100)).fits(snapshot)
    assert not MemoryCopy(Store(), Budget(0, 2, floor=0)).fits(snapshot)
    assert too_large(snapshot, Budget(need, 2, floor=100)) is None
    reason = too_large(snapshot, Budget(need - 1, 2, floor=100))
    assert reason is not None
    assert reason.startswith(NO_COPY)
    assert "KGPUB_QUERY_MEMORY_BYTES" in reason


def test_a_copy_over_the_budget_is_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The operator learns why the workers stay on disk, without a line per write."""
    dump = tmp_path / "dump.nq"
    dump.write_bytes(b"x" * 1000)
    snapshot = Snapshot("nquads", dump, 0)
    copy = MemoryCopy(Store(), Budget(10, 2, floor=100))
    with caplog.at_level(logging.INFO, logger="kgpub"):
        assert not copy.fits(snapshot)
        assert not copy.fits(snapshot)
    said = [r.getMessage() for r in caplog.records if NO_COPY in r.getMessage()]
    assert len(said) == 1
    assert Budget(10_000, 4, floor=10).share(2_000) == 2_000
    assert Budget(10_000, 4, floor=10).share(20_000) == 10


def pools_sharing(shared: SharedImage, store_dir: Path) -> list[QueryPool]:
    """Two HTTP workers' pools over one read-only store, both attached to ``shared``."""
    return [
        QueryPool(
            Store(store_dir, read_only=True),
            2,
            30,
            ResultLimits(),
            memory_budget=1,  # ignored: the shared copy was judged by its starter
            shared_image=shared.path,
        )
        for _ in range(2)
    ]


def with_shared_pools(
    shared: SharedImage, store_dir: Path, test: Callable[[list[QueryPool]], Awaitable[None]]
) -> None:
    """Run ``test`` with two pools sharing ``shared``, then close them and it."""

    async def main() -> None:
        pools = pools_sharing(shared, store_dir)
        for pool in pools:
            await pool.start()
        try:
            await test(pools)
        finally:
            for pool in pools:
                await pool.close()

    try:
        asyncio.run(main())
    finally:
        shared.close()


def test_http_workers_share_one_copy_of_a_read_only_store(tmp_path: Path) -> None:
    """``kgpub serve --workers N``: the parent's image, every pool's workers forked from it."""
    store_with(30, tmp_path / "store")
    shared = SharedImage(
        Snapshot("store", tmp_path / "store", 0),
        Budget(GIB, 4, forks=True),
        tmp_path / "image.sock",
    )

    async def test(pools: list[QueryPool]) -> None:
        for pool in pools:
            assert len(names(await until_in_memory(pool))) == 30
        parents = {parent_of(pid) for pool in pools for pid in worker_pids(pool)}
        assert parents == {image_pid(pools[0])} == {image_pid(pools[1])}

    with_shared_pools(shared, tmp_path / "store", test)


def test_a_shared_copy_killed_by_a_deadline_is_started_again_for_every_pool(
    tmp_path: Path,
) -> None:
    """``kgpub serve --workers N``: one pool's runaway kills the shared copy (its threads
    die with it); the server starts it again, and every pool answers from it again."""
    store_with(30, tmp_path / "store")
    shared = SharedImage(
        Snapshot("store", tmp_path / "store", 0), Budget(GIB, 4), tmp_path / "image.sock"
    )
    runaway = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }"

    async def test(pools: list[QueryPool]) -> None:
        for pool in pools:
            await until_in_memory(pool)
        first = shared.pid
        assert {image_pid(pool) for pool in pools} == {first}
        with pytest.raises(QueryTimeoutError):
            await pools[0].run(QueryOperation(runaway, timeout=0.3), None, "json")
        for pool in pools:  # from disk at first, then from the new copy
            assert len(names(await until_in_memory(pool))) == 30
        assert shared.starts == 2
        assert {image_pid(pool) for pool in pools} == {shared.pid} != {first}

    with_shared_pools(shared, tmp_path / "store", test)


def test_a_query_waiting_for_a_worker_of_a_lost_copy_moves_to_the_next_workers() -> None:
    """The only thread runs a runaway; a query waits for it. The deadline kills the copy:
    the waiting query is answered by the workers taking over, not left to its own deadline."""
    runaway = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"

    async def test(pool: QueryPool) -> None:
        stuck = asyncio.ensure_future(pool.run(QueryOperation(runaway, timeout=0.5), None, "json"))
        await asyncio.sleep(0.1)
        started = time.monotonic()
        waiting = await pool.run(QueryOperation(NAMES, timeout=20), None, "json")
        assert len(names(waiting)) == 200
        assert time.monotonic() - started < 5
        with pytest.raises(QueryTimeoutError):
            await stuck

    with_pool(QueryPool(store_with(200), 1, 30, ResultLimits(), memory_budget=GIB), test)


class _DeadImage:
    """An image whose process has died."""

    alive = False
    version = 0

    def close(self) -> None:
        pass


def test_a_copy_that_keeps_dying_is_loaded_again_later_and_later() -> None:
    """A stream of runaway queries, each killing the copy at its deadline, must not keep
    the server loading it: the wait before the next load doubles, up to a minute, and
    starts again once a copy has lived that long."""
    copy = MemoryCopy(Store(), Budget(GIB, 2))
    waits = []
    for _ in range(8):
        copy._keep(cast("ImageHandle", _DeadImage()))
        assert asyncio.run(copy.current()) is None
        waits.append(copy._backoff)
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
    copy._keep(cast("ImageHandle", _DeadImage()))
    copy._loaded_at -= RELOAD_BACKOFF_MAX_SECONDS + 1  # this one lived longer than that
    assert asyncio.run(copy.current()) is None
    assert copy._backoff == 0.0


def test_a_cancelled_query_on_a_thread_finishes_and_its_spool_file_is_removed() -> None:
    """A client gone (its request cancelled): the thread finishes within its grace, goes
    back to work, and the large result it left in the spool folder is deleted."""
    pairs = f"SELECT ?a ?b {{ ?a <{EX}name> ?x . ?b <{EX}name> ?y }}"  # 90,000 rows, ~10 MB

    async def test(pool: QueryPool) -> None:
        image = image_pid(pool)
        spool = pool._spool
        task = asyncio.ensure_future(pool.run(QueryOperation(pairs), None, "json"))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        for _ in range(100):
            if not pool._tasks:
                break
            await asyncio.sleep(0.05)
        assert not pool._tasks
        assert list(spool.glob("*.result")) == []
        assert image_pid(pool) == image
        assert len(pool._live) == 2
        assert len(names(await ask(pool))) == 300

    with_pool(QueryPool(store_with(300), 2, 30, ResultLimits(), memory_budget=GIB), test)


def test_a_copy_of_an_on_disk_store_holds_exactly_its_quads(tmp_path: Path) -> None:
    """Streamed through N-Quads: the default graph, blank nodes, awkward literals and an
    empty named graph come through as they are."""
    disk = Store(tmp_path / "store")
    node = ox.BlankNode("b1")
    disk.apply(
        Changes(
            added=(
                ox.Quad(ox.NamedNode(f"{EX}s"), ox.NamedNode(f"{EX}p"), node, ox.DefaultGraph()),
                ox.Quad(node, ox.NamedNode(f"{EX}q"), ox.Literal('a "b"\nc', language="de")),
                quad(1),
            ),
            created=(ox.NamedNode(f"{EX}empty"),),
        )
    )
    expected = set(disk._store.quads_for_pattern(None, None, None, None))
    del disk
    copy = load_copy(Snapshot("store", tmp_path / "store", 0))
    assert set(copy._store.quads_for_pattern(None, None, None, None)) == expected
    assert ox.NamedNode(f"{EX}empty") in set(copy._store.named_graphs())


def test_a_write_removing_a_blank_node_reaches_the_copy_of_an_in_memory_store() -> None:
    """The copy is loaded from a dump: its blank nodes must keep their labels, or the
    change set removing one misses it and the copy goes on answering with it."""
    node = ox.BlankNode("b1")
    held = ox.Quad(ox.NamedNode(f"{EX}s"), ox.NamedNode(f"{EX}p"), node, ox.NamedNode(f"{EX}g"))
    store = Store()
    store.apply(Changes(added=(held, quad(1))))
    objects = f"SELECT ?o {{ <{EX}s> <{EX}p> ?o }}"

    async def test(pool: QueryPool) -> None:
        before = await ask(pool, objects)
        assert before.in_memory
        assert before.done.body is not None
        assert b'"b1"' in before.done.body
        store.apply(Changes(removed=(held,)))
        after = await ask(pool, objects)
        assert after.in_memory
        assert after.done.body is not None
        assert json.loads(after.done.body)["results"]["bindings"] == []

    with_pool(QueryPool(store, 2, 30, ResultLimits(), memory_budget=GIB), test)
