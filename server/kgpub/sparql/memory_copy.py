"""When the query workers answer from an in-memory copy of the store, and keeping it current.

pyoxigraph's in-memory store answers several times faster than RocksDB on disk
(``bench/RESULTS.md``). So while a store fits the memory budget
(``Settings.query_memory_bytes``), the pool loads one copy in the background
(``memory_image``) and, once it is loaded, its workers answer from it (threads
of its process, or forks of it); until then, and for stores over the budget,
workers answer from disk. A committed write reaches the copy as its change set
(``Store.changes_since``): the copy applies it in a few milliseconds and new
workers start over it. A copy that cannot catch up (a bulk write, or too many
writes at once), or that died (killed with a query thread past its deadline),
is loaded again, the store on disk answering meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from kgpub.errors import QueryWorkerError
from kgpub.sparql.image_handle import ImageHandle
from kgpub.sparql.memory_image import Budget
from kgpub.sparql.worker import Snapshot
from kgpub.store.oxigraph import Store

MEMORY_PER_DISK_BYTE = 1.25
"""An on-disk store takes about this many times its size on disk in memory (measured:
1.1 M quads, 327 MiB on disk, 380 MiB in pyoxigraph's memory store)."""
RELOAD_BACKOFF_MAX_SECONDS = 60.0
"""The longest wait before loading again a copy that died within this long of loading."""
NO_COPY = "queries are answered from the store on disk, with no in-memory copy"
"""How the log's line saying the copy will not load begins."""
_log = logging.getLogger(__name__)


def estimated_bytes(snapshot: Snapshot) -> int:
    """The memory a copy of ``snapshot`` would take, from its size on disk."""
    path = snapshot.path
    if snapshot.kind == "nquads":
        return path.stat().st_size * 2  # N-Quads text → pyoxigraph's memory store, about 2x
    return int(_directory_bytes(path) * MEMORY_PER_DISK_BYTE)


def _directory_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.iterdir() if f.is_file())


def too_large(snapshot: Snapshot, budget: Budget) -> str | None:
    """Why a copy of ``snapshot`` does not fit ``budget``, for the log; None when it fits.
    An operator (or the benchmark) reads it to know the workers stay on disk for good."""
    if budget.bytes <= 0:
        return f"{NO_COPY}: the query memory budget (KGPUB_QUERY_MEMORY_BYTES) is 0"
    copy, least = estimated_bytes(snapshot), budget.workers * budget.floor
    if copy + least <= budget.bytes:
        return None
    return (
        f"{NO_COPY}: it would take about {copy // 2**20} MiB and {budget.workers} query "
        f"workers at least {least // 2**20} MiB, over the query memory budget of "
        f"{budget.bytes // 2**20} MiB (KGPUB_QUERY_MEMORY_BYTES)"
    )


class MemoryCopy:
    """The pool's in-memory copy of ``store``: it and the workers forked from it take at
    most ``budget`` (whose bytes are 0: no copy, ever). With ``shared``, the copy is the
    one at that socket, which every HTTP worker of the server shares."""

    def __init__(self, store: Store, budget: Budget, shared: Path | None = None) -> None:
        self._store = store
        self._budget = budget
        self._shared = shared
        self._image: ImageHandle | None = None
        self._loading: asyncio.Task[None] | None = None
        self._said = False
        self._loaded_at = 0.0
        self._backoff = 0.0

    def fits(self, snapshot: Snapshot) -> bool:
        """Whether the copy and each worker's least share fit the budget (a shared copy
        was judged by the server's parent, which started it). The first time it does not,
        the log says why."""
        if self._shared is not None:
            return True
        reason = too_large(snapshot, self._budget)
        if reason is not None and not self._said:
            self._said = True
            _log.info("%s", reason)
        return reason is None

    async def load(self, snapshot: Snapshot) -> ImageHandle | None:
        """Load a copy of ``snapshot`` now and keep it; None when it does not fit or fails."""
        if not self.fits(snapshot):
            return None
        try:
            if self._shared is not None:
                image = await ImageHandle.attach(self._shared, snapshot)
            else:
                image = await ImageHandle.start(snapshot, self._budget)
        except QueryWorkerError as exc:
            _log.warning("the in-memory copy of the store did not load: %s", exc)
            return None
        _log.info(
            "query workers answer from an in-memory copy of the store: %d quads, %d MiB",
            image.quads,
            image.bytes // 2**20,
        )
        self._keep(image)
        return image

    def load_later(self, snapshot: Snapshot, loaded: Callable[[], Awaitable[None]]) -> None:
        """Load a copy in the background, then await ``loaded`` (one load at a time)."""
        if self._loading is not None and not self._loading.done():
            return
        if not self.fits(snapshot):
            return

        async def load() -> None:
            await asyncio.sleep(self._backoff)
            if await self.load(snapshot) is not None:
                await loaded()

        self._loading = asyncio.get_running_loop().create_task(load())

    async def current(self) -> ImageHandle | None:
        """The copy brought up to the store's version, or None when there is none, it has
        died (killed with a query thread past its deadline) or it cannot catch up (it is
        then dropped)."""
        image = self._image
        if image is None:
            return None
        if not image.alive:
            self._died()
            return None
        if image.version == self._store.version:
            return image
        changes = self._store.changes_since(image.version)
        if changes is None:
            self._keep(None)
            return None
        try:
            await image.catch_up(changes, self._store.version)
        except QueryWorkerError as exc:
            _log.warning("the in-memory copy of the store could not catch up: %s", exc)
            self._keep(None)
            return None
        return image

    def _died(self) -> None:
        """Drop a copy whose process died. One that dies soon after loading (a stream of
        runaway queries, each killing it at its deadline) is loaded again later and later,
        the store on disk answering meanwhile, rather than loaded again and again."""
        if time.monotonic() - self._loaded_at < RELOAD_BACKOFF_MAX_SECONDS:
            self._backoff = min(max(1.0, 2 * self._backoff), RELOAD_BACKOFF_MAX_SECONDS)
        else:
            self._backoff = 0.0
        self._keep(None)

    def _keep(self, image: ImageHandle | None) -> None:
        if image is not None:
            self._loaded_at = time.monotonic()
        old, self._image = self._image, image
        if old is not None and old is not image:
            old.close()

    async def close(self) -> None:
        if self._loading is not None:
            self._loading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loading
        self._keep(None)
