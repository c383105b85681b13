"""The search index: an SQLite FTS5 database built from the store and kept current.

SQLite's FTS5 (in Python's own ``sqlite3``) does the indexing and the bm25
ranking; kgpub only feeds it words. FTS5's tokenizers cannot stem German, so
each document is stored twice in stemmed form, once per language
(``kgpub.search.analysis``): the ``de`` and ``en`` columns of the ``terms``
table hold its German and English stems, and a query searches the column of
its language. Beside them, ``entries`` keeps each document as it was (its
kind, resource, language, text and place in the article) and ``spans`` the
claims' evidence spans.

The index is one file. The server builds it from whatever it serves right
after start-up, in a thread, so it is not on the way to the first answer
(``prepared``, then ``fill``): until it is there, ``/search`` waits for it
(``wait_built``) and ``kgpub:search`` in a query waits too (``sparql_function``).
After each committed write the server re-indexes the resources the write
touched (``reindex``), after the build. Query workers open it read-only (WAL mode lets them
read while the server writes); ``meta.version`` says which store version
the index reflects, so a worker on a newer snapshot can wait for it.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kgpub.errors import SearchIndexUnavailableError
from kgpub.search.analysis import LANGUAGES, stems
from kgpub.search.documents import Document, Scope, Span, affected, claim_spans, documents
from kgpub.store.oxigraph import SEARCH_FILE, Store
from kgpub.store.protocol import QueryStore

_log = logging.getLogger(__name__)

_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE entries (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL,"
    ' lang TEXT NOT NULL, text TEXT NOT NULL, source TEXT, start INTEGER, "end" INTEGER)',
    "CREATE INDEX entries_subject ON entries (subject)",
    "CREATE VIRTUAL TABLE terms USING fts5("
    + ", ".join(LANGUAGES)
    + ", tokenize='unicode61 remove_diacritics 0')",
    "CREATE TABLE spans (claim TEXT NOT NULL, anchor TEXT NOT NULL, source TEXT NOT NULL,"
    ' start INTEGER NOT NULL, "end" INTEGER NOT NULL)',
    "CREATE INDEX spans_claim ON spans (claim)",
    "CREATE INDEX spans_source ON spans (source, start)",
)


@dataclass(frozen=True)
class Built:
    """What a build or re-index did: documents and spans written, and the time taken."""

    documents: int
    spans: int
    seconds: float


def connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """A connection to the index file (read-only for query workers and searches)."""
    if read_only:
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    conn = sqlite3.connect(path, check_same_thread=False)
    conn.execute("PRAGMA synchronous = NORMAL")  # WAL: safe, and no sync per commit
    return conn


def stored_version(conn: sqlite3.Connection) -> int:
    """The store version the index reflects (-1 when it has none yet)."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
    return int(row[0]) if row is not None else -1


class SearchIndex:
    """The index file of one served store: built at start-up, re-indexed after writes."""

    def __init__(self, path: Path, scope: Scope) -> None:
        self.path = path
        self.scope = scope
        self._lock = threading.Lock()
        # Set unless ``prepared`` made this index to be filled: an index over an existing
        # file, or one built in the caller's thread, never makes anyone wait.
        self._built = threading.Event()
        self._built.set()
        self._failure: str | None = None

    def wait_built(self, timeout: float | None = None) -> bool:
        """Whether the index is built (waiting up to ``timeout`` seconds for ``fill``);
        ``SearchIndexUnavailableError`` if building it failed."""
        built = self._built.wait(timeout)
        if self._failure is not None:
            raise SearchIndexUnavailableError(
                f"the search index could not be built: {self._failure}", retry_after=60
            )
        return built

    def build(self, store: QueryStore, version: int) -> Built:
        """Index the whole store anew (the file is replaced)."""
        try:
            return self._build(store, version)
        finally:
            self._built.set()

    def _build(self, store: QueryStore, version: int) -> Built:
        started = time.perf_counter()
        with self._lock:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            with contextlib.closing(connect(self.path)) as conn:
                conn.execute("PRAGMA journal_mode = WAL")
                # The index is rebuilt from the store whenever lost: no need to sync to disk.
                conn.execute("PRAGMA synchronous = OFF")
                with conn:
                    for statement in _SCHEMA:
                        conn.execute(statement)
                    count = _insert(conn, documents(store, self.scope))
                    spans = _insert_spans(conn, claim_spans(store, self.scope))
                    _set_version(conn, version)
                with conn:
                    conn.execute("INSERT INTO terms (terms) VALUES ('optimize')")
        return Built(count, spans, time.perf_counter() - started)

    def reindex(self, store: QueryStore, subjects: Sequence[str], version: int) -> Built:
        """Index ``subjects`` again from the store (what a committed write touched), in one
        transaction: a search sees the index before or after, never half of it."""
        self._built.wait()  # a write right after start-up waits for the first build
        started = time.perf_counter()
        with self._lock, contextlib.closing(connect(self.path)) as conn, conn:
            for chunk in _chunks(subjects, 500):
                marks = ", ".join("?" for _ in chunk)
                conn.execute(
                    f"DELETE FROM terms WHERE rowid IN "
                    f"(SELECT id FROM entries WHERE subject IN ({marks}))",
                    chunk,
                )
                conn.execute(f"DELETE FROM entries WHERE subject IN ({marks})", chunk)
                conn.execute(f"DELETE FROM spans WHERE claim IN ({marks})", chunk)
            count = spans = 0
            for chunk in _chunks(subjects, 500):
                count += _insert(conn, documents(store, self.scope, chunk))
                spans += _insert_spans(conn, claim_spans(store, self.scope, chunk))
            _set_version(conn, version)
        return Built(count, spans, time.perf_counter() - started)

    def after_write(self, store: Store, changed: Sequence[ox.Quad]) -> None:
        """Re-index what a committed write changed (``changed``: its removed and added
        quads), at the store's new version. A failure is logged: the write stands."""
        try:
            self.reindex(store, affected(store, self.scope, changed), store.version)
        except (sqlite3.Error, OSError) as exc:
            _log.error("the search index was not updated after a write: %s", exc)

    def version(self) -> int:
        with contextlib.closing(connect(self.path, read_only=True)) as conn:
            return stored_version(conn)

    @classmethod
    def served(cls, store: QueryStore, base_iri: str) -> tuple[SearchIndex, Built]:
        """The index of a served store, in a folder of its own (``remove`` deletes it): a copy
        of the one ``kgpub load`` left beside a read-only store, else built now."""
        index = cls.prepared(base_iri)
        try:
            return index, index.fill(store)
        except BaseException:
            index.remove()
            raise

    @classmethod
    def prepared(cls, base_iri: str) -> SearchIndex:
        """An index in a folder of its own, not built yet: ``fill`` builds it."""
        folder = Path(tempfile.mkdtemp(prefix="kgpub-search-"))
        index = cls(folder / "search.sqlite", Scope.for_base(base_iri))
        index._built.clear()
        return index

    def fill(self, store: QueryStore) -> Built:
        """Copy the index ``kgpub load`` left beside a read-only store, else build it."""
        try:
            prebuilt = beside(store)
            if prebuilt is not None:
                return self._copy(prebuilt, store.version)
            return self._build(store, store.version)
        except BaseException as exc:
            self._failure = str(exc) or type(exc).__name__
            raise
        finally:
            self._built.set()

    def fill_logged(self, store: QueryStore) -> None:
        """``fill``, for a thread of its own: a failure is logged (and ``wait_built`` says it)."""
        try:
            built = self.fill(store)
        except Exception as exc:
            _log.error("the search index could not be built: %s", exc)
            return
        _log.info("search index built: %s documents in %.2f s", built.documents, built.seconds)

    def _copy(self, source: Path, version: int) -> Built:
        """This index as a copy of ``source`` (SQLite's online backup), at ``version``."""
        started = time.perf_counter()
        with (
            self._lock,
            contextlib.closing(connect(source, read_only=True)) as original,
            contextlib.closing(connect(self.path)) as conn,
        ):
            original.backup(conn)
            conn.execute("PRAGMA journal_mode = WAL")
            with conn:
                _set_version(conn, version)
            (count,) = conn.execute("SELECT COUNT(*) FROM entries").fetchone()
            (spans,) = conn.execute("SELECT COUNT(*) FROM spans").fetchone()
        return Built(count, spans, time.perf_counter() - started)

    def remove(self) -> None:
        """Delete the index and its folder (the server's, when it stops)."""
        shutil.rmtree(self.path.parent, ignore_errors=True)


def beside(store: QueryStore) -> Path | None:
    """The index ``kgpub load`` left beside a read-only on-disk store, if it is there (a
    write through ``Store`` deletes it, so one that is there is current)."""
    if not isinstance(store, Store) or store.path is None or not store.read_only:
        return None
    path = store.path / SEARCH_FILE
    return path if path.is_file() else None


def build_beside(store: Store, base_iri: str) -> Built:
    """Build the index beside an on-disk store (``kgpub load``), for servers to copy."""
    assert store.path is not None
    return SearchIndex(store.path / SEARCH_FILE, Scope.for_base(base_iri)).build(store, 0)


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _set_version(conn: sqlite3.Connection, version: int) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('version', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (str(version),),
    )


def _insert(conn: sqlite3.Connection, docs: Iterable[Document]) -> int:
    """Add ``docs`` to both tables, in batches (one statement each per batch)."""
    (last,) = conn.execute("SELECT COALESCE(MAX(id), 0) FROM entries").fetchone()
    count = 0
    for batch in _batches(docs, 2000):
        ids = range(last + count + 1, last + count + 1 + len(batch))
        conn.executemany(
            'INSERT INTO entries (id, kind, subject, lang, text, source, start, "end") '
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (i, d.kind, d.subject, d.lang, d.text, d.source, d.start, d.end)
                for i, d in zip(ids, batch, strict=True)
            ],
        )
        conn.executemany(
            f"INSERT INTO terms (rowid, {', '.join(LANGUAGES)}) VALUES (?, "
            + ", ".join("?" for _ in LANGUAGES)
            + ")",
            [
                (i, *(stems(d.text, lang) for lang in LANGUAGES))
                for i, d in zip(ids, batch, strict=True)
            ],
        )
        count += len(batch)
    return count


def _batches(docs: Iterable[Document], size: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert_spans(conn: sqlite3.Connection, spans: Iterable[Span]) -> int:
    rows = [(s.claim, s.anchor, s.source, s.start, s.end) for s in spans]
    conn.executemany(
        'INSERT INTO spans (claim, anchor, source, start, "end") VALUES (?, ?, ?, ?, ?)', rows
    )
    return len(rows)
