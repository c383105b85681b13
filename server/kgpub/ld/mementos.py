"""Which IRIs have a past, and their mementos (RFC 7089), read from the store's history.

An IRI has mementos when an article with history covers it (docs/revisions.md,
"Memento"): the article itself, its revisions (``<A>/revision/<n>``), and
every IRI its graphs name (claims, evidence, entities, the graphs themselves)
in any of its revisions. Its mementos are the revisions of the covering
articles in which it exists: an entity named in two articles has the union
of their revision times; a claim added by revision 2 has no memento at
revision 1; revision n exists from its own time on. Each memento is the
whole dataset as of that revision's time (``store.as_of``), so an entity's
memento shows what every article said of it then.

The addresses are the model's: ``<base>memento/<YYYYMMDDhhmmss>/<path>`` and
``<base>timemap/<path>``, with the path of the IRI below the base IRI.
:class:`Past` keeps the timeline and a few as-of stores per store version, so
a crawler walking a TimeMap does not rebuild the past for every memento.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyoxigraph as ox

from kgpub.history.addresses import memento_iri
from kgpub.history.memento import Memento
from kgpub.store.as_of import AsOfCache, History, Selection
from kgpub.store.oxigraph import Store
from kgpub.store.protocol import QueryStore


@dataclass(frozen=True)
class Notice:
    """What a memento's page says above everything: when it is from, and where the rest is."""

    moment: datetime
    current: str
    """The path of the IRI's current answer."""
    timemap: str
    """The path of its TimeMap."""

    @property
    def iso(self) -> str:
        return self.moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _names(quads: frozenset[ox.Quad]) -> frozenset[str]:
    """Every IRI a state names, as subject, object or graph."""
    found: set[str] = set()
    for q in quads:
        for term in (q.subject, q.object, q.graph_name):
            if isinstance(term, ox.NamedNode):
                found.add(term.value)
    return frozenset(found)


@dataclass
class Timeline:
    """The mementos of every IRI of one store version."""

    history: History
    base: str
    _names: dict[tuple[str, int], frozenset[str]] = field(default_factory=dict)

    def names(self, article: str, number: int) -> frozenset[str]:
        key = (article, number)
        if key not in self._names:
            self._names[key] = _names(self.history.state(article, number))
        return self._names[key]

    def _exists(self, iri: str, article: str, number: int) -> bool:
        revision_prefix = f"{article}/revision/"
        if iri.startswith(revision_prefix) and iri[len(revision_prefix) :].isdigit():
            return int(iri[len(revision_prefix) :]) <= number
        return iri == article or iri in self.names(article, number)

    def covering(self, iri: str) -> list[str]:
        """The articles with history that cover ``iri`` in some revision, sorted."""
        return [
            article
            for article, revs in sorted(self.history.revisions.items())
            if any(self._exists(iri, article, rev.number) for rev in revs)
        ]

    def mementos(self, iri: str) -> list[Memento]:
        """``iri``'s mementos, oldest first (empty: it has no history)."""
        times = {
            rev.generated
            for article in self.covering(iri)
            for rev in self.history.revisions[article]
            if self._exists(iri, article, rev.number)
        }
        if not iri.startswith(self.base):
            return []
        return [Memento(t, memento_iri(self.base, iri, t)) for t in sorted(times)]

    def select(self, moment: datetime) -> Selection:
        return self.history.select(moment)


class Past:
    """The timeline of the served store and its recent as-of stores (``store.as_of``)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cache = AsOfCache(base)
        self._timeline: Timeline | None = None

    def timeline(self, store: QueryStore) -> Timeline:
        """The timeline of ``store`` as it is now (read again after a write)."""
        history = self.cache.history(store)
        timeline = self._timeline
        if timeline is None or timeline.history is not history:
            timeline = self._timeline = Timeline(history, self.base)
        return timeline

    def store_at(self, store: QueryStore, selection: Selection) -> Store:
        """``store`` in the state ``selection`` names (kept for the next memento)."""
        return self.cache.store_at(store, selection)
