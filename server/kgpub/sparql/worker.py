"""The query worker process: one snapshot of the store, one query at a time.

pyoxigraph's Python API cannot interrupt a query, so the endpoint runs each
query in a process of its own that the server can kill at the deadline, which
really frees the CPU (``kgpub.sparql.executor`` is the parent side). A worker opens a
snapshot of the served store, says it is ready, then answers jobs from its
pipe until the pipe closes. Results up to ``inline_bytes`` travel back in the
reply; larger ones are left in a file in the spool folder for the server to
stream, so neither process ever holds a large result in memory twice.

A worker also answers ``kgpub:search`` from the search index file it is
given (``kgpub.search.sparql_function``), read-only.

This module is imported by the forkserver before any request arrives; it
imports only pyoxigraph, the result writer and the search function.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import signal
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing import reduction
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, Literal, cast

import pyoxigraph as ox

from kgpub import errors
from kgpub.errors import KgpubError, NotAcceptableError
from kgpub.rdf.formats import Representation
from kgpub.search.sparql_function import IndexFile, SparqlSearch
from kgpub.sparql.operation import QueryOperation
from kgpub.sparql.results import ResultLimits, write_query
from kgpub.store.as_of import AsOfCache
from kgpub.store.oxigraph import Store


@dataclass(frozen=True)
class Snapshot:
    """What a worker opens: an on-disk store (read-only) or an N-Quads dump to load."""

    kind: Literal["store", "nquads"]
    path: Path
    version: int
    search: IndexFile | None = None
    """The search index ``kgpub:search`` reads; None: the function is not offered."""
    base_iri: str | None = None
    """The base IRI the history graph is under, for time travel (None: not offered)."""


@dataclass(frozen=True)
class Job:
    """One query, as the endpoint parsed and negotiated it."""

    number: int
    operation: QueryOperation
    accept: str | None
    format_param: str | None


@dataclass(frozen=True)
class Done:
    """A result: in ``body``, or in the spool file ``path`` when large."""

    representation: Representation
    body: bytes | None
    path: str | None
    size: int
    engine_seconds: float


@dataclass(frozen=True)
class Failed:
    """A domain error, rebuilt by the parent: its class name, message and 406 offers."""

    error: str
    message: str
    offered: tuple[str, ...] = ()

    def rebuilt(self) -> KgpubError:
        """The worker's domain error as the same exception class in this process."""
        if self.error == "NotAcceptableError":
            return NotAcceptableError(self.message, offered=list(self.offered))
        cls = getattr(errors, self.error, None)
        if isinstance(cls, type) and issubclass(cls, KgpubError):
            with contextlib.suppress(TypeError):
                return cls(self.message)
        return errors.QueryWorkerError(f"the query failed in its worker: {self.message}")


@dataclass(frozen=True)
class Ready:
    """Sent once the snapshot is open."""

    pid: int


@dataclass(frozen=True)
class Retiring:
    """Sent by an idle worker forked from an in-memory copy that has written to too much
    of it: the pages it touched are its own now, so it exits and a fresh fork replaces it."""


_CHECK_AFTER_SECONDS = 0.02
"""A query this long may have touched much of the store: the worker then measures itself."""
_CHECK_EVERY = 64
"""Jobs between two measurements otherwise."""


def open_snapshot(snapshot: Snapshot) -> Store:
    if snapshot.kind == "store":
        return Store(snapshot.path, read_only=True)
    return load_dump(snapshot.path)


def load_dump(path: Path) -> Store:
    """An N-Quads dump of the store, in memory, its blank nodes keeping their labels:
    pyoxigraph's bulk loader would give them new ones, and a committed change set
    naming one (a write removing it) would then miss it in the copy, which would go
    on answering with what the store no longer holds."""
    store = Store()
    with path.open("rb") as dump:
        store.bulk_extend(ox.parse(dump, ox.RdfFormat.N_QUADS, lenient=True))
    return store


class _Spill(io.RawIOBase):
    """Memory up to ``limit`` bytes, then a file in the spool folder."""

    def __init__(self, limit: int, path: Path) -> None:
        super().__init__()
        self._limit = limit
        self._path = path
        self._memory: io.BytesIO | None = io.BytesIO()
        self._file: IO[bytes] | None = None

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        if self._memory is not None:
            if self._memory.tell() + len(data) <= self._limit:
                return self._memory.write(data)
            self._file = self._path.open("wb")
            self._file.write(self._memory.getbuffer())
            self._memory = None
        assert self._file is not None
        return self._file.write(data)

    def finish(self) -> tuple[bytes | None, str | None]:
        if self._memory is not None:
            return self._memory.getvalue(), None
        assert self._file is not None
        self._file.close()
        return None, str(self._path)

    def discard(self) -> None:
        if self._file is not None:
            self._file.close()
            self._path.unlink(missing_ok=True)


def die_with_server(lifeline: Connection) -> None:
    """End this worker as soon as the server is gone, even mid-query.

    The server holds the other end of ``lifeline`` and never writes to it; when
    the server exits, however it exits (SIGKILL included), the read sees EOF.
    A thread waits for that, since the main thread may be deep in a runaway
    query for minutes (pyoxigraph releases the GIL while it evaluates).
    """

    def wait() -> None:
        with contextlib.suppress(EOFError, OSError):
            lifeline.recv_bytes()
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=wait, name="kgpub-lifeline", daemon=True).start()


def handed_pipes(control: Connection) -> tuple[int, int]:
    """The descriptors of a new worker's pipe and lifeline, which follow a request on a
    template process's ``control`` pipe (``processes.hand_over`` sends them)."""
    return reduction.recv_handle(control), reduction.recv_handle(control)


def fork_serving(
    fds: tuple[int, int], others: Iterable[Connection], serve: Callable[[Connection], None]
) -> int:
    """Fork a worker that runs ``serve`` on the pipe ``fds[0]`` and dies with the server
    (its lifeline ``fds[1]``); the pid, in the parent, whose copies of ``fds`` are
    closed. The worker closes the parent's pipes ``others`` and exits without running
    anything of its parent's (``os._exit``). Used by the template processes that fork
    warm workers: the query image (``memory_image``) and ``POST /validate``'s
    (``ingest.validation_template``)."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the parent's reaping is not ours
            for other in others:
                other.close()
            conn, lifeline = Connection(fds[0]), Connection(fds[1], writable=False)
            die_with_server(lifeline)
            serve(conn)
        except BaseException:
            traceback.print_exc()
            code = 1
        finally:
            os._exit(code)
    os.close(fds[0])
    os.close(fds[1])
    return pid


def store_for(store: Store, job: Job, past: AsOfCache | None, search: SparqlSearch | None) -> Store:
    """The snapshot, or for a time-travel query the snapshot as of its instant.

    The as-of store is built here, in the worker, from the snapshot's own
    history graph (kept for the next query of the same state), so the server
    sends only the instant. ``kgpub:search`` still searches the index as it is
    now: the index keeps no history.
    """
    if job.operation.at is None or past is None:
        return store
    target = past.store_at(store, past.history(store).select(job.operation.at))
    if search is not None:
        target.use_functions(search.functions())
    return target


def run_job(
    store: Store, job: Job, limits: ResultLimits, spool: Path, inline_bytes: int
) -> Done | Failed:
    output = _Spill(inline_bytes, spool / f"{os.getpid()}-{job.number}.result")
    try:
        written = write_query(
            store,
            job.operation,
            job.accept,
            job.format_param,
            cast("IO[bytes]", output),
            limits=limits,
        )
    except NotAcceptableError as exc:
        output.discard()
        return Failed(type(exc).__name__, str(exc), tuple(exc.offered))
    except KgpubError as exc:
        output.discard()
        return Failed(type(exc).__name__, str(exc))
    except (OSError, RuntimeError, ValueError) as exc:
        output.discard()
        return Failed("internal", f"{type(exc).__name__}: {exc}")
    body, path = output.finish()
    return Done(written.representation, body, path, written.size, written.engine_seconds)


def serve(conn: Connection, lifeline: Connection, snapshot: Snapshot, limits: Limits) -> None:
    """A worker over its own snapshot; returns when the server closes the pipe."""
    # Ctrl-C reaches the whole process group; the server stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_server(lifeline)
    answer(conn, open_snapshot(snapshot), snapshot, limits)


@dataclass(frozen=True)
class Limits:
    """How a worker writes results, and how much private memory it may hold."""

    results: ResultLimits
    spool: Path
    inline_bytes: int
    private_bytes: int = 0
    """For a worker forked from an in-memory copy: past this many bytes of memory of
    its own (pages of the copy it wrote to), it retires when idle. 0: never."""


def answer(conn: Connection, store: Store, snapshot: Snapshot, limits: Limits) -> None:
    """Answer jobs from ``conn`` over ``store`` until the pipe closes (or the worker retires)."""
    search = SparqlSearch(snapshot.search, snapshot.version) if snapshot.search else None
    if search is not None:
        store.use_functions(search.functions())
    past = AsOfCache(snapshot.base_iri) if snapshot.base_iri else None
    conn.send(Ready(os.getpid()))
    retirement = _Retirement(limits.private_bytes)
    for done in itertools.count(1):
        try:
            job: Job = conn.recv()
        except (EOFError, OSError):
            return
        if search is not None:
            search.reset()  # each query searches the index as it is now
        try:
            target = store_for(store, job, past, search)
        except KgpubError as exc:
            conn.send(Failed(type(exc).__name__, str(exc)))
            continue
        reply = run_job(target, job, limits.results, limits.spool, limits.inline_bytes)
        conn.send(reply)
        if retirement.due(conn, reply, done):
            conn.send(Retiring())
            return


@dataclass
class _Retirement:
    """When a worker over its share of the memory budget retires. It measures itself
    after a reply (so the client never waits for it): after a slow query, or every
    ``_CHECK_EVERY`` jobs. Once over, it retires at its first idle moment, a job
    already waiting being answered first; under load that never leaves it idle, it
    retires ``_CHECK_EVERY`` jobs later anyway, and the pool sends the job waiting in
    its pipe to another worker."""

    limit: int
    over_at: int | None = None

    def due(self, conn: Connection, reply: Done | Failed, done: int) -> bool:
        if not self.limit:
            return False
        if self.over_at is None:
            slow = isinstance(reply, Done) and reply.engine_seconds >= _CHECK_AFTER_SECONDS
            if not (slow or done % _CHECK_EVERY == 0) or private_memory() <= self.limit:
                return False
            self.over_at = done
        return not conn.poll() or done - self.over_at >= _CHECK_EVERY


def private_memory() -> int:
    """Bytes of this process's memory no other process shares (``Private_*`` in
    ``smaps_rollup``; it takes milliseconds for a large process); 0 where the system
    does not say (no Linux ``/proc``), so that a worker never retires there."""
    total = 0
    try:
        with open("/proc/self/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Private_"):
                    total += int(line.split()[1]) * 1024
    except OSError:
        return 0
    return total
