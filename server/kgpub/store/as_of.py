"""The store as it was at an instant: every article with history at its revision then.

Memento pages and time-travel queries (docs/revisions.md, "Memento") answer
from the dataset as a reader saw it at an instant T. The store holds each
article's graphs only as they are now; :class:`History` reads every article's
revisions from the history graph once per store version and rebuilds earlier
states on demand (``history.replay``, each state checked against its content
hash). :func:`as_of` then makes an in-memory copy of the store in which

- each article's covered graphs hold its state at the last revision at or
  before T, and are empty when T precedes its first revision (it was not
  published yet);
- the history graph holds only the records made by then (what the store knew
  at T: no later revision is visible in the past);
- every other graph (ontology, shapes, background data) is as now, since it
  has no recorded history.

Instants that select the same revisions give the same state, so callers cache
by :attr:`Selection.key`, not by the instant. A copy costs about as much as the
store is large (tens of milliseconds for the shipped data); it is meant for
stores of news articles, not for a million-quad store.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pyoxigraph as ox

from kgpub.history import replay
from kgpub.history.records import Revision, Terms, read_revisions
from kgpub.store.oxigraph import Store
from kgpub.store.protocol import QueryStore


@dataclass(frozen=True)
class Selection:
    """Which revision of each article with history is current at an instant."""

    numbers: tuple[tuple[str, int], ...]
    """``(article IRI, revision number)`` sorted by article; 0: not published yet."""
    since: datetime | None
    """When this state began: the latest selected revision's time (None: before them all)."""

    @property
    def key(self) -> tuple[tuple[str, int], ...]:
        """What the state depends on (for caches): equal keys, equal stores."""
        return self.numbers


@dataclass
class History:
    """Every article's revisions in one store, read once; earlier states rebuilt on demand."""

    terms: Terms
    revisions: Mapping[str, Sequence[Revision]]
    _current: Mapping[str, frozenset[ox.Quad]]
    _states: dict[str, dict[int, frozenset[ox.Quad]]] = field(default_factory=dict)

    @classmethod
    def read(cls, store: QueryStore, terms: Terms) -> History:
        """The history recorded in ``store`` (empty when it has no history graph)."""
        revisions = read_revisions(store.quads(terms.history_graph.value), terms)
        current = {
            article: frozenset(_graph_quads(store, covered(revs)))
            for article, revs in revisions.items()
        }
        return cls(terms, revisions, current)

    @property
    def empty(self) -> bool:
        return not self.revisions

    def select(self, moment: datetime) -> Selection:
        """The revision of each article current at ``moment`` (0 before its first)."""
        numbers, since = [], None
        for article in sorted(self.revisions):
            revs = self.revisions[article]
            current = [r for r in revs if r.generated <= moment]
            numbers.append((article, current[-1].number if current else 0))
            if current and (since is None or current[-1].generated > since):
                since = current[-1].generated
        return Selection(tuple(numbers), since)

    def state(self, article: str, number: int) -> frozenset[ox.Quad]:
        """Article ``article``'s graphs at revision ``number`` (0: none at all)."""
        if number == 0:
            return frozenset()
        if article not in self._states:
            self._states[article] = replay.states(self._current[article], self.revisions[article])
        return self._states[article][number]

    def history_quads(self, store: QueryStore, selection: Selection) -> Iterator[ox.Quad]:
        """The history graph's quads of the revisions made by the selection's instant."""
        later = {
            rev.iri
            for article, number in selection.numbers
            for rev in self.revisions[article]
            if rev.number > number
        }
        for quad in store.quads(self.terms.history_graph.value):
            subject = quad.subject.value if isinstance(quad.subject, ox.NamedNode) else ""
            if subject.partition("#")[0] not in later:
                yield quad


def covered(revisions: Iterable[Revision]) -> set[str]:
    """The graphs any of an article's revisions covers."""
    return {graph for rev in revisions for graph in rev.graphs}


def _graph_quads(store: QueryStore, graphs: Iterable[str]) -> Iterator[ox.Quad]:
    for graph in sorted(graphs):
        yield from store.quads(graph)


def _graph_of(quad: ox.Quad) -> str | None:
    return quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else None


def as_of(store: QueryStore, history: History, selection: Selection) -> Store:
    """An in-memory copy of ``store`` in the state ``selection`` names (module docstring)."""
    replaced = {history.terms.history_graph.value}
    for article in history.revisions:
        replaced |= covered(history.revisions[article])
    past = Store()
    past.add_quads(q for q in store.quads() if _graph_of(q) not in replaced)
    for article, number in selection.numbers:
        past.add_quads(history.state(article, number))
    past.add_quads(history.history_quads(store, selection))
    return past


class AsOfCache:
    """One store's history and its few most recent as-of stores, for its current version.

    The server's memento routes and each query worker keep one: a crawler
    walking a TimeMap, or a client asking several queries of one instant,
    rebuilds the past once. A write (a new store version) starts afresh.
    Thread-safe: routes build pages in a thread pool.
    """

    def __init__(self, base: str, kept: int = 4) -> None:
        self._terms = Terms(base)
        self._kept = kept
        self._lock = threading.Lock()
        self._version: tuple[int, int] | None = None
        self._history: History | None = None
        self._stores: OrderedDict[tuple[tuple[str, int], ...], Store] = OrderedDict()

    def history(self, store: QueryStore) -> History:
        """The history of ``store`` as it is now (read again after a write)."""
        version = (id(store), store.version)
        with self._lock:
            if self._history is None or self._version != version:
                self._history, self._version = History.read(store, self._terms), version
                self._stores.clear()
            return self._history

    def store_at(self, store: QueryStore, selection: Selection) -> Store:
        """``store`` in the state ``selection`` names, built once and kept for the next."""
        history = self.history(store)
        with self._lock:
            found = self._stores.get(selection.key)
            if found is None:
                found = as_of(store, history, selection)
                self._stores[selection.key] = found
                while len(self._stores) > self._kept:
                    self._stores.popitem(last=False)
            self._stores.move_to_end(selection.key)
            return found
