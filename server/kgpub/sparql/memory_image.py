"""The in-memory copy of the store that queries are answered from (its process).

pyoxigraph answers from its in-memory store several times faster than from
RocksDB on disk. One process, the *image*, loads the copy once; how its
workers answer over it is ``Budget.forks``:

- *threads* (the default): each worker is a thread of the image. pyoxigraph
  releases the GIL while it evaluates and serialises, so threads use every core,
  and the copy is in memory once: its pages are read by the one process that
  holds them. A thread cannot be stopped, so a query past its deadline costs the
  whole image (the pool kills it, re-runs the other queries it held from disk,
  and loads the copy again meanwhile: ``executor``).
- *forks*: each worker is a fork of the image, killable on its own. Their pages
  are the image's, shared copy-on-write; but pyoxigraph's reads write to the
  pages they read (each quad carries a lock), so a fork slowly makes the parts
  of the copy it reads its own, and memory grows with the workers. The memory
  budget (``Settings.query_memory_bytes``) bounds the whole: what the copy
  leaves of it is shared out among the forks, and a fork holding more than its
  share retires when idle (``worker.Retiring``) and a fresh fork replaces it.

The image answers three messages on its control pipe: ``Spawn`` (the worker's
pipe and lifeline follow as file descriptors), ``CatchUp`` (apply the change
sets of committed writes, so the copy follows the store without loading it
again) and EOF (stop). With ``kgpub serve --workers N`` over a read-only store,
one image serves every HTTP worker's pool through a Unix socket instead, so
the store is in memory once. The parent side is ``kgpub.sparql.image_handle``.

This module is imported by the forkserver; it imports only pyoxigraph and the
worker. Forking is safe here: the image forks only in *forks* mode, where it
runs no thread of its own but the lifeline's, which holds no lock a forked
worker could need.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import socket
import threading
import traceback
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import cast

import pyoxigraph as ox

from kgpub.sparql.worker import (
    Limits,
    Snapshot,
    answer,
    die_with_server,
    fork_serving,
    handed_pipes,
    load_dump,
    private_memory,
)
from kgpub.store.changes import Changes
from kgpub.store.oxigraph import Store

PRIVATE_FLOOR = 32 * 1024 * 1024
"""The least memory of its own a forked worker may hold before it retires: the
interpreter's pages it writes to count too."""


@dataclass(frozen=True)
class Budget:
    """The memory the copy and its workers may take in all, and how many workers share it."""

    bytes: int
    workers: int
    floor: int = PRIVATE_FLOOR
    """The least share, whatever the budget leaves (lowered by tests to make workers retire)."""
    forks: bool = False
    """Workers are forks of the image, each killable on its own; False: threads of it."""

    def share(self, image_bytes: int) -> int:
        """Each worker's share of what the copy leaves of the budget (at least the floor)."""
        return max(self.floor, (self.bytes - image_bytes) // max(1, self.workers))


@dataclass(frozen=True)
class Loaded:
    """Sent once the copy is in memory."""

    pid: int
    version: int
    quads: int
    bytes: int
    """The image's own memory after loading (its share of what the workers fork)."""


@dataclass(frozen=True)
class Spawn:
    """Fork one worker; its pipe and its lifeline follow as two file descriptors.

    The worker writes results as ``limits`` say (the pool's spool folder) and offers
    what ``snapshot`` names (search, time travel); the copy is its data."""

    limits: Limits
    snapshot: Snapshot


@dataclass(frozen=True)
class Spawned:
    pid: int
    thread: bool = False
    """A thread of the image (``pid`` is the image's), not a fork."""


@dataclass(frozen=True)
class CatchUp:
    """Apply ``changes`` (oldest first), which bring the copy to ``version``."""

    version: int
    changes: tuple[Changes, ...]


@dataclass(frozen=True)
class CaughtUp:
    version: int


def load_copy(snapshot: Snapshot) -> Store:
    """The snapshot in memory: an on-disk store read quad by quad (empty named
    graphs kept), or an N-Quads dump (``worker.load_dump``); blank nodes keep their
    labels either way, so that change sets apply to the copy as to the store."""
    if snapshot.kind == "nquads":
        return load_dump(snapshot.path)
    copy = Store()
    disk = ox.Store.read_only(str(snapshot.path))
    copy.bulk_extend(disk.quads_for_pattern(None, None, None, None))
    filled = set(copy.named_graphs())
    empty = [
        g for g in disk.named_graphs() if isinstance(g, ox.NamedNode) and g.value not in filled
    ]
    if empty:
        copy.apply(Changes(created=tuple(empty)))
    return copy


LOAD_NICENESS = 10
"""The loading thread's niceness: queries answered from disk meanwhile come first."""


def _load_gently(snapshot: Snapshot) -> Store:
    """``load_copy`` in a thread of lower priority (Linux sets niceness per thread), so
    that loading does not slow the workers answering from disk; the image's main
    thread, which forks the workers, keeps its priority."""
    loaded: list[Store] = []
    failed: list[BaseException] = []

    def load() -> None:
        with contextlib.suppress(OSError, AttributeError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOAD_NICENESS)
        try:
            loaded.append(load_copy(snapshot))
        except BaseException as exc:  # raised again in the main thread
            failed.append(exc)

    thread = threading.Thread(target=load, name="kgpub-image-load")
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
    return loaded[0]


def serve_image(
    control: Connection | None,
    lifeline: Connection,
    snapshot: Snapshot,
    budget: Budget,
    listen: Path | None = None,
) -> None:
    """The image's main loop. Owned by one pool (``control``), it returns when that pool
    closes the pipe; shared (``listen``: a Unix socket, ``control`` None) by the HTTP
    workers of ``kgpub serve --workers N``, it serves every pool that connects until
    its lifeline ends (the server's exit)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_server(lifeline)
    store = _load_gently(snapshot)
    _trim()
    size = private_memory()
    # The kernel reaps the forked workers: the server kills them, the image never waits.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    image = _Image(store, snapshot.version, budget.share(size) if budget.forks else None)
    loaded = Loaded(os.getpid(), snapshot.version, len(store), size)
    clients: list[Connection] = []
    if control is not None:
        control.send(loaded)
        clients.append(control)
    server = _listening(listen) if listen is not None else None
    while clients or server is not None:
        waiting: list[Connection | socket.socket] = [*clients]
        if server is not None:
            waiting.append(server)
        for ready in wait(waiting):
            if isinstance(ready, socket.socket):
                client = Connection(ready.accept()[0].detach())
                client.send(loaded)
                clients.append(client)
            elif not image.answer(cast("Connection", ready), clients):
                clients.remove(cast("Connection", ready))
                if ready is control:
                    return


def _listening(path: Path) -> socket.socket:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    partial = path.with_name(path.name + ".tmp")
    server.bind(str(partial))
    server.listen()
    partial.rename(path)  # the path appears only once the copy is loaded and listening
    return server


class _Image:
    """The copy, its version, and each forked worker's share of the budget (None: the
    workers are threads)."""

    def __init__(self, store: Store, version: int, share: int | None) -> None:
        self.store = store
        self.version = version
        self.share = share

    def answer(self, client: Connection, clients: list[Connection]) -> bool:
        """Answer one message from ``client``; False when it has gone."""
        try:
            message = client.recv()
        except (EOFError, OSError):
            return False
        if isinstance(message, Spawn):
            client.send(self._spawn(message, client, clients))
        elif isinstance(message, CatchUp):
            for changes in message.changes:
                self.store.apply(changes)
            self.version = message.version
            client.send(CaughtUp(self.version))
        return True

    def _spawn(self, message: Spawn, client: Connection, clients: list[Connection]) -> Spawned:
        """A worker answering on the pipe whose descriptor follows ``message``: a thread of
        the image, or a fork of it."""
        conn_fd, lifeline_fd = handed_pipes(client)
        snapshot = replace(message.snapshot, version=self.version)
        if self.share is None:
            os.close(lifeline_fd)  # the image's own lifeline ends it with the server
            args = (conn_fd, self.store.sharing(), snapshot, message.limits)
            threading.Thread(target=_thread, args=args, name="kgpub-query", daemon=True).start()
            return Spawned(os.getpid(), thread=True)
        store, limits = self.store, replace(message.limits, private_bytes=self.share)
        pid = fork_serving(
            (conn_fd, lifeline_fd), clients, lambda conn: answer(conn, store, snapshot, limits)
        )
        return Spawned(pid)


def _thread(conn_fd: int, store: Store, snapshot: Snapshot, limits: Limits) -> None:
    """A worker as a thread of the image: answers until the pool closes its pipe."""
    conn = Connection(conn_fd)
    try:
        answer(conn, store, snapshot, limits)
    except Exception:
        traceback.print_exc()
    finally:
        conn.close()


def _trim() -> None:
    """Give the loader's freed memory back to the system (glibc keeps it otherwise), so
    that the workers do not inherit it and write into pages they would then own."""
    name = ctypes.util.find_library("c")
    if name is None:
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(name).malloc_trim(0)
