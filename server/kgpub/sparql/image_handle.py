"""The server's side of an in-memory copy of the store: starting it, forking workers
from it, bringing it up to date, stopping it (the process is ``memory_image``).

A forked worker is not the server's child but the image's, so it is watched and
killed by its process id (``ForkedProcess``); the kernel reaps it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Sequence
from dataclasses import replace
from multiprocessing import reduction
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

import anyio.to_thread

from kgpub.errors import QueryWorkerError
from kgpub.sparql import memory_image
from kgpub.sparql.memory_image import Budget, CatchUp, CaughtUp, Loaded, Spawn, Spawned
from kgpub.sparql.processes import PROCESS_CONTEXT, receive
from kgpub.sparql.worker import Limits, Snapshot
from kgpub.store.changes import Changes

_JOIN_POLL_SECONDS = 0.002
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
        if not _PROC.is_dir():  # no /proc: a zombie counts as alive
            try:
                os.kill(self._pid, 0)
            except (ProcessLookupError, PermissionError):
                return False
            return True
        try:
            stat = (_PROC / str(self._pid) / "stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            return False
        return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)

    def join(self, timeout: float | None = None) -> None:
        """Wait until the process is gone (the image's kernel-side reaping), at most ``timeout``."""
        deadline = time.monotonic() + (timeout if timeout is not None else 5.0)
        while self.is_alive() and time.monotonic() < deadline:
            time.sleep(_JOIN_POLL_SECONDS)


class ImageHandle:
    """One running image: a copy of the store at ``version``, ready to fork workers."""

    def __init__(
        self,
        process: BaseProcess,
        control: Connection,
        lifeline: Connection,
        snapshot: Snapshot,
        loaded: Loaded,
    ) -> None:
        self._process = process
        self._control = control
        self._lifeline = lifeline
        self._lock = asyncio.Lock()
        self.snapshot = snapshot
        self.version = loaded.version
        self.quads = loaded.quads
        self.bytes = loaded.bytes

    @classmethod
    async def start(cls, snapshot: Snapshot, limits: Limits, budget: Budget) -> ImageHandle:
        """Start an image of ``snapshot`` and wait until it is loaded (seconds for a
        million quads); ``QueryWorkerError`` when it fails to."""
        control, child = PROCESS_CONTEXT.Pipe()
        lifeline_end, lifeline = PROCESS_CONTEXT.Pipe(duplex=False)
        process = PROCESS_CONTEXT.Process(
            target=memory_image.serve_image,
            args=(child, lifeline_end, snapshot, limits, budget),
            daemon=True,
            name="kgpub-memory-image",
        )
        await anyio.to_thread.run_sync(process.start)
        child.close()
        lifeline_end.close()
        try:
            loaded = await receive(control)
        except (EOFError, OSError) as exc:
            _end(process, control, lifeline)
            raise QueryWorkerError(
                f"the in-memory copy of the store did not load ({exc!r})"
            ) from exc
        except BaseException:
            _end(process, control, lifeline)
            raise
        if not isinstance(loaded, Loaded):
            _end(process, control, lifeline)
            raise QueryWorkerError(f"the in-memory copy answered {type(loaded).__name__}")
        return cls(process, control, lifeline, snapshot, loaded)

    @property
    def alive(self) -> bool:
        return self._process.is_alive()

    @property
    def worker_snapshot(self) -> Snapshot:
        """What the forked workers answer over: the loaded snapshot, at the copy's version."""
        return replace(self.snapshot, version=self.version)

    async def fork(self, conn: Connection, lifeline: Connection) -> ForkedProcess:
        """A worker forked from the copy, answering on ``conn`` (the server keeps the other
        ends); the caller closes its copies of ``conn`` and ``lifeline`` afterwards."""
        async with self._lock:
            try:
                self._control.send(Spawn())
                pid = self._process.pid
                assert pid is not None
                reduction.send_handle(self._control, conn.fileno(), pid)
                reduction.send_handle(self._control, lifeline.fileno(), pid)
                spawned = await receive(self._control)
            except (EOFError, OSError) as exc:
                raise QueryWorkerError(f"the in-memory copy cannot fork ({exc!r})") from exc
        if not isinstance(spawned, Spawned):
            raise QueryWorkerError(f"the in-memory copy answered {type(spawned).__name__}")
        return ForkedProcess(spawned.pid)

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
        """Stop the image; workers forked from it go on until the server stops them."""
        _end(self._process, self._control, self._lifeline)


def _end(process: BaseProcess, control: Connection, lifeline: Connection) -> None:
    control.close()
    lifeline.close()
    if process.is_alive():
        process.kill()
    process.join(timeout=5)
