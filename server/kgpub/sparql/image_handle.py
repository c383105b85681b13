"""The server's side of an in-memory copy of the store: starting it (or attaching to the
one the HTTP workers share), forking workers from it, bringing it up to date, stopping it
(the process is ``memory_image``).

A forked worker is not the server's child but the image's, so it is watched and
killed by its process id (``ForkedProcess``); the kernel reaps it. A worker that is a
thread of the image (``ImageThread``) lives and dies with the image.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from multiprocessing.connection import Client, Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

import anyio.to_thread

from kgpub.errors import QueryWorkerError
from kgpub.sparql import memory_image
from kgpub.sparql.memory_image import Budget, CatchUp, CaughtUp, Loaded, Spawn, Spawned
from kgpub.sparql.processes import PROCESS_CONTEXT, hand_over, receive, start_process
from kgpub.sparql.worker import Limits, Snapshot
from kgpub.store.changes import Changes

_JOIN_POLL_SECONDS = 0.002
_ATTACH_POLL_SECONDS = 0.2
_ORPHAN_WAIT_SECONDS = 0.5
_PROC = Path("/proc")


class ForkedProcess:
    """A worker forked by the image, watched by its process id (the server is not its parent)."""

    def __init__(self, pid: int) -> None:
        self._pid = pid

    @property
    def pid(self) -> int:
        return self._pid

    def is_alive(self) -> bool:
        """Running: neither gone nor a zombie (a worker whose image died first is
        reaped by init, which may take a while)."""
        return self._state() not in (None, "Z", "X")

    def _state(self) -> str | None:
        """The process's state letter from ``/proc`` ("R" where there is no ``/proc``
        and it exists); None once it is gone."""
        if not _PROC.is_dir():
            try:
                os.kill(self._pid, 0)
            except (ProcessLookupError, PermissionError):
                return None
            return "R"
        try:
            stat = (_PROC / str(self._pid) / "stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            return None
        return stat.rsplit(")", 1)[-1].split()[0]

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)

    def join(self, timeout: float | None = None) -> None:
        """Wait until the process is gone, at most ``timeout``: the image's kernel reaps
        it at once, so its id is free when this returns. An orphan's zombie (its image
        died first) is waited for only briefly: init reaps it in its own time."""
        deadline = time.monotonic() + (timeout if timeout is not None else 5.0)
        zombie_until = time.monotonic() + _ORPHAN_WAIT_SECONDS
        while time.monotonic() < deadline:
            state = self._state()
            if state is None or (state in ("Z", "X") and time.monotonic() > zombie_until):
                return
            time.sleep(_JOIN_POLL_SECONDS)


class ImageThread(ForkedProcess):
    """A worker that is a thread of the image, watched by the image's process id: alive
    while the image is, and killed with it (a thread cannot be stopped on its own)."""


class ImageHandle:
    """One image a pool forks workers from: a copy of the store at ``version``.

    Either the pool's own (``start``: the pool owns its process), or one shared by
    every HTTP worker of ``kgpub serve --workers N`` (``attach``: the server's parent
    owns it, ``SharedImage``).
    """

    def __init__(
        self,
        control: Connection,
        snapshot: Snapshot,
        loaded: Loaded,
        owned: tuple[BaseProcess, Connection] | None = None,
    ) -> None:
        self._control = control
        self._owned = owned
        self._lock = asyncio.Lock()
        self.snapshot = snapshot
        self.pid = loaded.pid
        self.version = loaded.version
        self.quads = loaded.quads
        self.bytes = loaded.bytes

    @classmethod
    async def start(cls, snapshot: Snapshot, budget: Budget) -> ImageHandle:
        """Start an image of ``snapshot`` and wait until it is loaded (seconds for a
        million quads); ``QueryWorkerError`` when it fails to."""
        control, child = PROCESS_CONTEXT.Pipe()
        lifeline_end, lifeline = PROCESS_CONTEXT.Pipe(duplex=False)
        args = (child, lifeline_end, snapshot, budget)
        process = await start_process(memory_image.serve_image, args, "kgpub-memory-image")
        child.close()
        lifeline_end.close()
        try:
            loaded = await _loaded(control)
        except BaseException:
            _end(process, control, lifeline)
            raise
        return cls(control, snapshot, loaded, (process, lifeline))

    @classmethod
    async def attach(cls, path: Path, snapshot: Snapshot) -> ImageHandle:
        """Connect to the shared image listening at ``path``, waiting for it to appear
        (it listens once loaded) and, when the image there has died, for the one the
        server starts in its place; cancelled with the pool."""
        while True:
            while not path.exists():
                await asyncio.sleep(_ATTACH_POLL_SECONDS)
            try:
                control = await anyio.to_thread.run_sync(Client, str(path), "AF_UNIX")
                break
            except OSError:
                await asyncio.sleep(_ATTACH_POLL_SECONDS)
        try:
            loaded = await _loaded(control)
        except BaseException:
            control.close()
            raise
        return cls(control, snapshot, loaded)

    @property
    def alive(self) -> bool:
        if self._owned is not None:
            return self._owned[0].is_alive()
        return ForkedProcess(self.pid).is_alive()

    @property
    def worker_snapshot(self) -> Snapshot:
        """What the forked workers answer over: the loaded snapshot, at the copy's version."""
        return replace(self.snapshot, version=self.version)

    async def fork(self, conn: Connection, lifeline: Connection, limits: Limits) -> ForkedProcess:
        """A worker over the copy (a fork of the image, or a thread of it), answering on
        ``conn`` (the server keeps the other ends); the caller closes its copies of
        ``conn`` and ``lifeline`` afterwards."""
        async with self._lock:
            try:
                request = Spawn(limits, self.worker_snapshot)
                spawned = await hand_over(self._control, self.pid, request, conn, lifeline)
            except (EOFError, OSError) as exc:
                raise QueryWorkerError(f"the in-memory copy cannot fork ({exc!r})") from exc
        if not isinstance(spawned, Spawned):
            raise QueryWorkerError(f"the in-memory copy answered {type(spawned).__name__}")
        return ImageThread(spawned.pid) if spawned.thread else ForkedProcess(spawned.pid)

    async def catch_up(self, changes: Sequence[Changes], version: int) -> None:
        """Apply committed change sets to the copy, bringing it to ``version``."""
        async with self._lock:
            try:
                self._control.send(CatchUp(version, tuple(changes)))
                caught = await receive(self._control)
            except (EOFError, OSError) as exc:
                raise QueryWorkerError(f"the in-memory copy did not catch up ({exc!r})") from exc
        if not isinstance(caught, CaughtUp) or caught.version != version:
            raise QueryWorkerError("the in-memory copy did not catch up")
        self.version = version

    def close(self) -> None:
        """Stop an owned image, or leave a shared one; forked workers go on until the
        server stops them."""
        if self._owned is None:
            self._control.close()
            return
        process, lifeline = self._owned
        _end(process, self._control, lifeline)


class SharedImage:
    """The image ``kgpub serve --workers N`` starts for its HTTP workers over a read-only
    store (the parent holds it; the workers ``attach``), so the store is in memory once.

    An image that dies (killed with a query thread past its deadline, or by the OOM
    killer) is started again, its socket removed meanwhile so that the pools wait for
    the new one; one that keeps dying soon after starting is restarted less and less
    often (``RESTART_SECONDS`` doubled, at most ``RESTART_MAX_SECONDS``)."""

    RESTART_SECONDS = 0.5
    RESTART_MAX_SECONDS = 60.0

    def __init__(self, snapshot: Snapshot, budget: Budget, path: Path) -> None:
        self._lifeline_end, self._lifeline = PROCESS_CONTEXT.Pipe(duplex=False)
        self._snapshot = snapshot
        self._budget = budget
        self._closing = threading.Event()
        self._process: BaseProcess | None = None
        self.path = path
        self.starts = 0
        """How many times an image was started (1 until one died)."""
        # Starting waits for the forkserver's imports: a thread, so that the HTTP
        # workers start meanwhile (they answer from disk until the copy listens).
        self._keeper = threading.Thread(target=self._keep, name="kgpub-image-keeper", daemon=True)
        self._keeper.start()

    def _keep(self) -> None:
        """Start the image, and again whenever it dies, until ``close``."""
        delay = self.RESTART_SECONDS
        while not self._closing.is_set():
            process = PROCESS_CONTEXT.Process(
                target=memory_image.serve_image,
                args=(None, self._lifeline_end, self._snapshot, self._budget, self.path),
                daemon=True,
                name="kgpub-memory-image",
            )
            started = time.monotonic()
            process.start()
            self._process = process
            self.starts += 1
            process.join()
            if self._closing.is_set():
                return
            self.path.unlink(missing_ok=True)
            lasted = time.monotonic() - started
            delay = self.RESTART_SECONDS if lasted > self.RESTART_MAX_SECONDS else delay
            self._closing.wait(delay)
            delay = min(2 * delay, self.RESTART_MAX_SECONDS)

    @property
    def pid(self) -> int | None:
        """The running image's process id (None before it started)."""
        return None if self._process is None else self._process.pid

    def close(self) -> None:
        self._closing.set()
        self._lifeline.close()  # the image ends itself when its lifeline does
        self._keeper.join(timeout=5)
        pid = self.pid
        if self._keeper.is_alive() and pid is not None:
            # The keeper is still joining the image: kill it by its id (a Process object
            # is not to be waited on from two threads).
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            self._keeper.join(timeout=5)
        self._lifeline_end.close()


async def _loaded(control: Connection) -> Loaded:
    try:
        loaded = await receive(control)
    except (EOFError, OSError) as exc:
        raise QueryWorkerError(f"the in-memory copy of the store did not load ({exc!r})") from exc
    if not isinstance(loaded, Loaded):
        raise QueryWorkerError(f"the in-memory copy answered {type(loaded).__name__}")
    return loaded


def _end(process: BaseProcess, control: Connection, lifeline: Connection) -> None:
    control.close()
    lifeline.close()
    if process.is_alive():
        process.kill()
    process.join(timeout=5)
