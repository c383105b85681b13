"""``kgpub load`` into a new store: files parsed in parallel straight into a store built
beside the target, moved into place only when it is complete.

Loading into an empty store needs no staging copy to be all or nothing: the
store is built in a temporary folder next to the target, and only when every
file parsed (and the data conforms, with ``--validate``) is the folder renamed
to the target, atomically. Nothing goes through Python quad by quad: each piece
of input goes to pyoxigraph's bulk loader, which releases the GIL, so
``threads`` pieces load at once, one per core. Files are the pieces, and
N-Triples and N-Quads files (one statement per line) are cut at line ends into
pieces of about ``chunk_bytes``, unless they contain a blank node: the bulk
loader gives blank nodes new names per call, so a file that has them is loaded
whole to keep each label one node. The finished store is compacted
(``optimize``: a store served read-only is never compacted otherwise) and its
graph counts are kept beside it (``Store.save_stats``).

A load killed mid-build (SIGKILL, a power cut) cannot remove its build folder,
and such folders hold up to the whole store. Each build folder therefore
carries a lock file that its load holds locked (``flock``) while it lives;
``remove_leftovers``, run by every ``kgpub load``, removes the build folders
beside the target that carry that file and whose lock nobody holds. A folder
without the file, or with any other name, is never touched.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import os
import re
import shutil
import tempfile
import time
import traceback
from collections import deque
from collections.abc import Generator, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kgpub import guards
from kgpub.config import Settings
from kgpub.errors import KgpubError, RdfSyntaxError
from kgpub.ingest import bulkload, store_seal
from kgpub.ingest.bulkload import InputFile, LoadSummary, Progress
from kgpub.rdf.sources import syntax_error
from kgpub.shacl.report import ValidationReport
from kgpub.store.oxigraph import Store

_LINE_BASED = frozenset({ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS})
_MIN_CHUNK = 8 << 20
_MAX_CHUNK = 64 << 20


def is_new(directory: Path) -> bool:
    """Whether ``directory`` is absent or an empty folder: a load may build the store anew."""
    if not directory.exists():
        return True
    return directory.is_dir() and not any(directory.iterdir())


@dataclass(frozen=True)
class _Piece:
    """Part of one input file, and where it starts in the file (for error locations)."""

    item: InputFile
    data: bytes | _Chained | _Regraph
    first_line: int
    lines: int  # statements in it for line-based pieces (an estimate for progress), else -1
    size: int  # bytes in it (as parsed: after gunzip), 0 if not known
    last: bool  # the file's last piece


def build(
    inputs: Sequence[InputFile],
    directory: Path,
    *,
    into_one_graph: bool = False,
    settings: Settings | None = None,
    progress: Progress | None = None,
    threads: int | None = None,
    chunk_bytes: int | None = None,
) -> tuple[LoadSummary, ValidationReport | None]:
    """Build the store at ``directory`` (absent or empty) from ``inputs``, all or nothing.

    Returns the summary and the validation report (with ``settings``); a
    non-conforming report means nothing was written. ``RdfSyntaxError`` and
    the other ``KgpubError``s leave ``directory`` as it was.
    """
    started = time.perf_counter()
    directory = directory.absolute()
    directory.parent.mkdir(parents=True, exist_ok=True)
    with _build_folder(directory) as building:
        try:
            return _build(
                inputs,
                building,
                directory,
                into_one_graph=into_one_graph,
                settings=settings,
                progress=progress,
                threads=threads,
                chunk_bytes=chunk_bytes,
                started=started,
            )
        except BaseException as exc:
            # The frames of a failure, and reference cycles through them, still hold the
            # open store, which writes into its folder when it is closed: close it first.
            _release_frames(exc)
            gc.collect()
            raise


_LEFTOVER = "kgpub-load.lock"
_LEFTOVER_TEXT = b"kgpub load: a store being built; a load removes it once nobody locks this\n"


@contextlib.contextmanager
def _build_folder(directory: Path) -> Iterator[Path]:
    """A build folder beside ``directory``, marked as a live load's until it is removed."""
    folder = Path(tempfile.mkdtemp(prefix=f".{directory.name}.loading-", dir=directory.parent))
    lock = os.open(folder / _LEFTOVER, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)  # before the text: a marked folder is always locked
        os.write(lock, _LEFTOVER_TEXT)
        (folder / "store").mkdir()
        yield folder / "store"
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.close(lock)


def remove_leftovers(directory: Path) -> list[Path]:
    """Remove the build folders that killed loads left beside ``directory``; returns them.

    Only folders that prove to be a kgpub load's: named as ``build`` names
    them, holding the lock file with its text, and not locked, so no load is
    building there now (a killed process's lock is released by the kernel).
    """
    directory = directory.absolute()
    pattern = re.compile(re.escape(f".{directory.name}.loading-") + r"[A-Za-z0-9_]{8}")
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(directory.parent):
            if pattern.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    if _remove_if_abandoned(Path(entry.path)):
                        removed.append(Path(entry.path))
    return removed


def _remove_if_abandoned(folder: Path) -> bool:
    lock = os.open(folder / _LEFTOVER, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a live load is building there
        if os.read(lock, len(_LEFTOVER_TEXT) + 1) != _LEFTOVER_TEXT:
            return False
        shutil.rmtree(folder)
        return True
    finally:
        os.close(lock)


def _build(
    inputs: Sequence[InputFile],
    building: Path,
    directory: Path,
    *,
    into_one_graph: bool,
    settings: Settings | None,
    progress: Progress | None,
    threads: int | None,
    chunk_bytes: int | None,
    started: float,
) -> tuple[LoadSummary, ValidationReport | None]:
    raw = ox.Store(str(building))
    pieces = _pieces(inputs, into_one_graph, chunk_bytes, settings)
    _load_pieces(raw, pieces, threads or os.cpu_count() or 1, progress)
    raw.optimize()
    del raw  # closes the database, so that it can be opened through Store
    store = Store(building)
    report = None
    if settings is not None:
        report = bulkload.validate_staged(store, settings)
        if not report.accepted:
            return LoadSummary(len(inputs), 0, 0, time.perf_counter() - started), report
    quads = len(store)
    store.save_stats()
    store_seal.seal_loaded(store, settings, report)
    graphs = len(store.graph_sizes())
    del store
    _move_into_place(building, directory)
    return LoadSummary(len(inputs), quads, graphs, time.perf_counter() - started), report


def _release_frames(exc: BaseException | None) -> None:
    """Clear the local variables of every frame in ``exc``'s traceback and its causes'."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        traceback.clear_frames(exc.__traceback__)
        exc = exc.__cause__ or exc.__context__


def _move_into_place(building: Path, directory: Path) -> None:
    try:
        if directory.exists():
            directory.rmdir()  # empty, as is_new said; rename cannot replace a folder
        building.rename(directory)
    except OSError as exc:
        raise KgpubError(
            f"{directory}: could not move the new store into place ({exc.strerror or exc}); "
            "was it created by something else meanwhile?"
        ) from exc


def _load_pieces(
    store: ox.Store,
    pieces: Generator[_Piece, None, None],
    threads: int,
    progress: Progress | None,
) -> None:
    """Bulk-load the pieces ``threads`` at a time; the first failure (in input order) is raised.

    At most ``threads + 1`` pieces are read ahead, so memory stays bounded.
    """
    files = quads = read = 0
    pending: deque[tuple[_Piece, Future[None]]] = deque()

    def finish_oldest() -> None:
        nonlocal files, quads, read
        piece, future = pending.popleft()
        future.result()
        files += piece.last
        read += piece.size
        # Lines are about the quads of a line-based piece; other pieces are counted in the
        # store, a scan too slow to repeat for every piece of a big N-Quads file.
        quads = quads + piece.lines if piece.lines >= 0 else max(quads, len(store))
        if progress is not None:
            progress(files, quads, read)

    with ThreadPoolExecutor(threads, thread_name_prefix="kgpub-load") as pool:
        try:
            for piece in pieces:
                pending.append((piece, pool.submit(_load_piece, store, piece)))
                while len(pending) > threads:
                    finish_oldest()
            while pending:
                finish_oldest()
        finally:
            for piece, future in pending:
                if future.cancel() and isinstance(piece.data, _Chained):
                    piece.data.close()
            pieces.close()


def _load_piece(store: ox.Store, piece: _Piece) -> None:
    item = piece.item
    try:
        if isinstance(piece.data, _Regraph):
            store.bulk_extend(piece.data.quads())
        else:
            store.bulk_load(piece.data, item.format, to_graph=item.graph)  # type: ignore[arg-type]
    except SyntaxError as exc:
        located = syntax_error(str(item.path), exc)
        if located.line is not None:
            located = RdfSyntaxError(
                located.source, located.detail, located.line + piece.first_line, located.column
            )
        raise located from exc
    except (ValueError, OSError) as exc:
        raise RdfSyntaxError(str(item.path), str(exc)) from exc
    finally:
        if isinstance(piece.data, _Chained):
            piece.data.close()


class _Regraph:
    """A dataset file whose quads all go into its one graph (``--graph``): the bulk loader
    cannot move named graphs itself, so these quads pass through Python."""

    def __init__(self, data: bytes, item: InputFile) -> None:
        self._data = data
        self._item = item

    def quads(self) -> Iterator[ox.Quad]:
        for quad in ox.parse(self._data, format=self._item.format):
            yield ox.Quad(quad.subject, quad.predicate, quad.object, self._item.graph)


class _Chained:
    """``head`` and then the rest of ``stream`` (which it closes), for pyoxigraph to read."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head = head
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        if not self._head:
            return self._stream.read(size)
        if 0 <= size < len(self._head):
            head, self._head = self._head[:size], self._head[size:]
            return head
        head, self._head = self._head, b""
        return head + self._stream.read(-1 if size < 0 else size - len(head))

    def close(self) -> None:
        self._stream.close()


def _pieces(
    inputs: Sequence[InputFile],
    into_one_graph: bool,
    chunk_bytes: int | None,
    settings: Settings | None,
) -> Generator[_Piece, None, None]:
    max_depth = settings.max_query_depth if settings is not None else guards.DEFAULT_MAX_DEPTH
    for item in inputs:
        regraph = into_one_graph and item.format.supports_datasets
        if item.format in _LINE_BASED and not regraph:
            yield from _line_pieces(item, chunk_bytes or _chunk_size(item))
            continue
        with bulkload.open_input(item) as stream:
            data = stream.read()
        if item.format not in _LINE_BASED:
            guards.check_rdf(data, item.format, str(item.path), max_depth)
        piece = _Regraph(data, item) if regraph else data
        yield _Piece(item, piece, 0, -1, len(data), last=True)


def _chunk_size(item: InputFile) -> int:
    """About a quarter of a file per piece (two rounds on two cores), within bounds."""
    size = item.path.stat().st_size * (5 if item.gzipped else 1)
    return max(_MIN_CHUNK, min(_MAX_CHUNK, size // 4))


def _line_pieces(item: InputFile, chunk_bytes: int) -> Iterator[_Piece]:
    """The file in pieces of whole lines, or from the first blank node on, the rest whole."""
    stream = bulkload.open_input(item)
    handed_over = False
    first_line = 0
    try:
        while True:
            data = stream.read(chunk_bytes)
            if data and not data.endswith(b"\n"):
                data += stream.readline()
            if b"_:" in data:
                handed_over = True
                yield _Piece(item, _Chained(data, stream), first_line, -1, len(data), last=True)
                return
            lines = data.count(b"\n")
            at_end = len(data) < chunk_bytes
            if data or first_line == 0:
                yield _Piece(item, data, first_line, lines, len(data), last=at_end)
            if at_end:
                return
            first_line += lines
    finally:
        if not handed_over:
            stream.close()
