"""The query engine: pyoxigraph behind a small interface.

The server, the CLI and the tests all query through ``Store`` so that the
engine can be swapped (on-disk store, remote SPARQL endpoint) without touching
callers, and so that rdflib's pure-Python SPARQL engine never runs on a query.

An on-disk store (``kgpub load --store DIR``) keeps its named graph sizes and
its number of distinct triples in ``DIR/kgpub-stats.json`` (``store.counts``),
written when the load finishes: the VoID and service description need them,
and counting a million quads at every start would make ``kgpub serve --store``
slow to open. A committed change set (``apply``) updates the counts from the
change alone; any other write drops them, so stale counts are never served.
``kgpub load`` also leaves the search index beside the store
(``DIR/kgpub-search.sqlite``, ``kgpub.search``), which the server copies
instead of building; a write drops it.
"""

from __future__ import annotations

import contextlib
import copy
import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from kgpub.errors import QuerySyntaxError, StorageFullError
from kgpub.store import counts, fingerprint
from kgpub.store.changes import ChangeJournal, Changes, commit_update
from kgpub.store.counts import STATS_FILE, Stats
from kgpub.store.files import FULL_DISK, is_disk_full, open_files
from kgpub.store.protocol import UNION, Dataset
from kgpub.store.staged import Staged

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
CustomFunctions = dict[ox.NamedNode, Callable[..., Any]]
"""SPARQL extension functions by IRI, evaluated by pyoxigraph (``kgpub:search``)."""

__all__ = ["SEARCH_FILE", "STATS_FILE", "Store"]
SEARCH_FILE = "kgpub-search.sqlite"
"""The search index ``kgpub load`` builds beside an on-disk store (``kgpub.search.index``)."""
_log = logging.getLogger(__name__)


FLUSH_AFTER_QUADS = 50_000
"""Quads committed to an on-disk store between two flushes (``Store.apply``)."""


class Store:
    """A pyoxigraph store; in memory unless a directory is given."""

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        if path is None:
            self._store = ox.Store()
        else:
            self._store = open_files(path, read_only)
        self._path = path
        self._read_only = path is not None and read_only
        self._version = 0
        self._failed = False
        self._stats = counts.read(path)
        self._fingerprint: str | None = None
        self._functions: CustomFunctions | None = None
        self._journal = ChangeJournal()
        self._unflushed = 0

    @property
    def path(self) -> Path | None:
        """The store's directory; ``None`` in memory."""
        return self._path

    def sharing(self) -> Store:
        """Another handle on the same pyoxigraph store, with extension functions of its
        own, for reading: each query thread of the in-memory copy registers its own
        ``kgpub:search`` (``sparql.memory_image``)."""
        handle = copy.copy(self)
        handle._functions = None
        return handle

    def use_functions(self, functions: CustomFunctions) -> None:
        """Extension functions every later query may call (a query worker's ``kgpub:search``)."""
        self._functions = dict(functions) or None

    @property
    def read_only(self) -> bool:
        """True for an on-disk store opened read-only (it never changes while open)."""
        return self._read_only

    def backup(self, target: Path) -> None:
        """A consistent copy of an on-disk store in ``target`` (hard links where possible),
        which other processes can open read-only while this one keeps writing."""
        self._store.backup(str(target))

    def close(self) -> None:
        """Nothing to do: pyoxigraph closes the store (and its lock) when it is dropped."""

    @property
    def version(self) -> int:
        """A counter bumped by every write, so caches know when results went stale."""
        return self._version

    def changes_since(self, version: int) -> list[Changes] | None:
        """The change sets from ``version`` to now, oldest first (``ChangeJournal.since``)."""
        return self._journal.since(version, self._version)

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        self._store.extend(list(quads))
        self._written()

    def bulk_extend(self, quads: Iterable[ox.Quad]) -> None:
        """Add many quads with pyoxigraph's bulk loader (not atomic: check them first)."""
        self._store.bulk_extend(quads)
        self._written()

    def bulk_load(
        self, data: IO[bytes] | bytes, fmt: ox.RdfFormat, graph: ox.NamedNode | None
    ) -> None:
        """Parse ``data`` straight into the store; triples (and a TriG default graph) go
        into ``graph``. Not atomic: a ``SyntaxError`` may leave part of the data behind."""
        self._store.bulk_load(data, fmt, to_graph=graph)
        self._written()

    def clear(self) -> None:
        """Remove every quad."""
        self._store.clear()
        self._written()

    def _written(self) -> None:
        self._version += 1
        self._journal.forget(self._version)
        self._fingerprint = None
        self._forget_stats()

    def fingerprint(self) -> str:
        """A hash of every quad (``store.fingerprint``): one pass over the store the first
        time, then kept current by each commit (``apply``) from the change alone."""
        if self._fingerprint is None:
            self._fingerprint = fingerprint.of_store(self._store)[0]
        return self._fingerprint

    def assume_fingerprint(self, value: str) -> None:
        """Take ``value`` as the fingerprint: the data is unchanged since (``store_seal``)."""
        self._fingerprint = value

    def _forget_stats(self) -> None:
        if self._stats is not None or self._path is not None:
            self._stats = None
            if self._path is not None:
                counts.forget(self._path)
                for suffix in ("", "-wal", "-shm"):
                    (self._path / f"{SEARCH_FILE}{suffix}").unlink(missing_ok=True)

    def has_graph(self, graph: ox.NamedNode | ox.DefaultGraph) -> bool:
        """Whether a named graph exists (even empty); the default graph always does."""
        return isinstance(graph, ox.DefaultGraph) or self._store.contains_named_graph(graph)

    def has_quads(self, graph: ox.NamedNode | ox.DefaultGraph) -> bool:
        """Whether a graph holds any quad (without listing them)."""
        return any(True for _ in self._store.quads_for_pattern(None, None, None, graph))

    def __contains__(self, quad: object) -> bool:
        return isinstance(quad, ox.Quad) and quad in self._store

    def staged(self, changes: Changes) -> Staged:
        """This store as it would be after ``changes``, read without copying it."""
        return Staged(self._pattern, changes)

    def _pattern(
        self,
        subject: ox.NamedNode | ox.BlankNode | None,
        predicate: ox.NamedNode | None,
        obj: ox.NamedNode | ox.BlankNode | ox.Literal | None,
        graph: ox.NamedNode | ox.DefaultGraph | None,
    ) -> Iterator[ox.Quad]:
        # The pyoxigraph store looked up at each call: a full disk replaces it (_reopen).
        return iter(self._store.quads_for_pattern(subject, predicate, obj, graph))

    def graph_quads(self, graph: ox.NamedNode | ox.DefaultGraph) -> list[ox.Quad]:
        """The quads of one graph, the default graph included."""
        return list(self._store.quads_for_pattern(None, None, None, graph))

    def match(
        self,
        subject: ox.NamedNode | ox.BlankNode | None,
        predicate: ox.NamedNode | None,
        obj: ox.NamedNode | ox.BlankNode | ox.Literal | None,
    ) -> Iterator[ox.Quad]:
        """The quads of every graph matching a pattern (None: any term)."""
        return iter(self._store.quads_for_pattern(subject, predicate, obj, None))

    def copy(self) -> Store:
        """An in-memory copy, named graphs (empty ones too) and blank node ids kept:
        the staging area where a write is computed and validated before it is applied."""
        staged = Store()
        staged._store.extend(self._store)
        for graph in self._store.named_graphs():
            staged._store.add_graph(graph)
        return staged

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL Update; ``QuerySyntaxError`` when pyoxigraph cannot parse it.

        Meant for staging copies: LOAD and SERVICE must have been refused before,
        as pyoxigraph would fetch the URLs they name.
        """
        try:
            self._store.update(sparql, base_iri=base_iri)
        except SyntaxError as exc:
            raise QuerySyntaxError.located(sparql, str(exc)) from exc
        self._written()

    def changes_to(self, other: Store) -> Changes:
        """What turns this store's content into ``other``'s."""
        mine, theirs = set(self._store), set(other._store)
        my_graphs = {g for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)}
        their_graphs = {g for g in other._store.named_graphs() if isinstance(g, ox.NamedNode)}
        return Changes(
            removed=tuple(mine - theirs),
            added=tuple(theirs - mine),
            created=tuple(their_graphs - my_graphs),
            dropped=tuple(my_graphs - their_graphs),
        )

    def apply(self, changes: Changes) -> None:
        """Commit ``changes`` in one pyoxigraph transaction: all of them or, on any
        failure or crash, none (never ``bulk_load``, which is not atomic).

        The counts are updated from the change alone (``counts.after``); the
        file keeping them beside an on-disk store is dropped *before* the commit
        and written again after it, so a crash in between never leaves stale
        counts behind (the next start counts again).
        """
        if changes.empty:
            return
        if self._read_only:
            raise StorageFullError(
                "the store is served read-only (the disk holding it was full when the server "
                "started): the write was not applied; free some space and restart the server"
            )
        if self._failed:
            self._reopen()
        # Counted from the change when it is small, else counted again after the commit.
        written = len(changes.removed) + len(changes.added)
        small = written <= counts.INCREMENTAL_LIMIT
        recount = self._stats is not None and not small
        stats = counts.after(self._stats, self._store, changes) if self._stats and small else None
        known = self._fingerprint
        after = fingerprint.updated(known, self._store, changes) if known is not None else None
        self._fingerprint = None
        self._forget_stats()
        filled = {q.graph_name for q in changes.added}
        bare = [g for g in changes.created if g not in filled]
        # A full disk fails the transaction as a whole (StorageFullError, HTTP 507).
        with self._full_disk_is_storage_full():
            if not (changes.removed or changes.dropped or bare):
                self._store.extend(changes.added)  # one transaction
            elif not (changes.removed or changes.dropped or changes.added) and len(bare) == 1:
                self._store.add_graph(bare[0])
            else:
                text, functions = commit_update(changes)
                self._store.update(text, custom_functions=functions)  # one transaction
        self._version += 1
        self._journal.record(self._version, changes)
        self._fingerprint = after
        if stats is not None or recount:
            self._keep(stats or self._count())
        self._flush_when_large(written)

    def _flush_when_large(self, written: int) -> None:
        """Write RocksDB's memory tables to disk once ``FLUSH_AFTER_QUADS`` have been
        committed since the last flush. Committed writes are safe in its log either way;
        but after a crash the store replays that log when it opens, which took 6 s for one
        200,000-quad write here (and a flush 0.6 s), so a restart would wait for it. A
        failed flush is logged: the write is committed and stands."""
        self._unflushed += written
        if self._path is None or self._unflushed < FLUSH_AFTER_QUADS:
            return
        self._unflushed = 0
        try:
            self._store.flush()
        except (OSError, RuntimeError) as exc:
            _log.warning("the store could not flush a large write to its files: %s", exc)

    @contextlib.contextmanager
    def _full_disk_is_storage_full(self) -> Iterator[None]:
        try:
            yield
        except (OSError, RuntimeError) as exc:
            if is_disk_full(exc):
                self._failed = True
                raise StorageFullError(FULL_DISK) from exc
            raise

    def _reopen(self) -> None:
        """After a write failed on a full disk: RocksDB refuses every later write until
        the store is opened again, so the next write reopens it (still 507 while full)."""
        assert self._path is not None
        self._store = ox.Store()  # drops this process's handle on the directory
        try:
            with self._full_disk_is_storage_full():
                self._store = ox.Store(str(self._path))
        except BaseException:
            self._store = ox.Store.read_only(str(self._path))
            raise
        self._failed = False

    def __len__(self) -> int:
        return len(self._store)

    def __iter__(self) -> Iterator[ox.Quad]:
        return iter(self._store)

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Every quad, or those of one named graph."""
        name = ox.NamedNode(graph) if graph is not None else None
        return self._store.quads_for_pattern(None, None, None, name)

    def dump(
        self,
        output: IO[bytes],
        fmt: ox.RdfFormat,
        *,
        graph: str | None = None,
        prefixes: dict[str, str] | None = None,
    ) -> None:
        """Write the whole dataset (quad formats) or one graph (``graph``) to ``output``."""
        self._store.dump(
            output,
            fmt,
            from_graph=ox.NamedNode(graph) if graph is not None else None,
            prefixes=prefixes,
        )

    def save_stats(self, counted: Store | None = None) -> None:
        """Count graph sizes and distinct triples now and keep them beside the store.

        ``counted``: a store known to hold the same quads (a faster in-memory copy).
        """
        source = counted if counted is not None else self
        self._keep(source._count())

    def _count(self) -> Stats:
        return counts.count(self._store)

    def _keep(self, stats: Stats) -> None:
        self._stats = stats
        if self._path is not None and not self._read_only:
            counts.write(self._path, stats)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def graph_sizes(self) -> dict[str, int]:
        """The number of triples in each named graph, for the service description."""
        return dict(self._counted().graph_sizes)

    def distinct_triples(self) -> int:
        """The size of the union default graph: distinct triples over all graphs."""
        return self._counted().distinct_triples

    def _counted(self) -> Stats:
        """The counts, counted now if not known; then kept (each commit keeps them current)."""
        if self._stats is None:
            self._keep(self._count())
        assert self._stats is not None
        return self._stats

    def query(
        self,
        sparql: str,
        *,
        dataset: Dataset = UNION,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a query over ``dataset`` (``store.protocol.Dataset`` says what each means);
        relative IRIs resolve against ``base_iri``."""
        try:
            if dataset.named_by_protocol:
                return self._store.query(
                    sparql,
                    base_iri=base_iri,
                    default_graph=[ox.NamedNode(g) for g in dataset.default_graphs],
                    named_graphs=[ox.NamedNode(g) for g in dataset.named_graphs],
                    custom_functions=self._functions,
                )
            return self._store.query(
                sparql,
                base_iri=base_iri,
                use_default_graph_as_union=dataset.union_default,
                custom_functions=self._functions,
            )
        except SyntaxError as exc:
            raise QuerySyntaxError.located(sparql, str(exc)) from exc
