"""A store as it would be after a change set, read without copying it.

A write used to be staged in an in-memory copy of the whole store: a second
or more per write on an archive of a thousand articles, for a change of a
few triples. ``Staged`` is the live store seen through a ``Changes``: a
pattern matches the store's quads minus the removed ones, plus the added
ones that fit; iterating it yields the whole staged dataset (what a full
validation needs). Nothing is copied, so staging costs what the change
costs; the store itself is only written when the change is committed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import pyoxigraph as ox

from kgpub.store.changes import Changes

Subject = ox.NamedNode | ox.BlankNode
Object = ox.NamedNode | ox.BlankNode | ox.Literal


Pattern = Callable[
    [Subject | None, ox.NamedNode | None, Object | None, ox.NamedNode | ox.DefaultGraph | None],
    Iterator[ox.Quad],
]
"""A store's ``quads_for_pattern``."""


class Staged:
    """A store after ``changes``, for reading: by pattern, or every quad.

    ``quads_for_pattern`` reads the live store; ``Store.staged`` passes a function
    that looks its pyoxigraph store up at each call, so a staged view kept alive
    (by a failed write's traceback) never holds a store that is being reopened.
    """

    def __init__(self, quads_for_pattern: Pattern, changes: Changes) -> None:
        self._quads_for_pattern = quads_for_pattern
        self._removed = set(changes.removed)
        self._dropped = set(changes.dropped)
        self._added = changes.added
        self._by: dict[tuple[int, ox.NamedNode | ox.BlankNode | ox.Literal], list[ox.Quad]] = {}
        for quad in changes.added:
            for position, term in enumerate((quad.subject, quad.predicate, quad.object)):
                self._by.setdefault((position, term), []).append(quad)  # type: ignore[arg-type]

    def _kept(self, quad: ox.Quad) -> bool:
        return quad not in self._removed and quad.graph_name not in self._dropped

    def match(
        self, subject: Subject | None, predicate: ox.NamedNode | None, obj: Object | None
    ) -> Iterator[ox.Quad]:
        """The staged quads of every graph matching a pattern (None: any term)."""
        for quad in self._quads_for_pattern(subject, predicate, obj, None):
            if self._kept(quad):
                yield quad
        candidates: Sequence[ox.Quad] = self._added
        for position, term in enumerate((subject, predicate, obj)):
            if term is not None:
                candidates = self._by.get((position, term), [])
                break
        for quad in candidates:
            if (
                (subject is None or quad.subject == subject)
                and (predicate is None or quad.predicate == predicate)
                and (obj is None or quad.object == obj)
            ):
                yield quad

    def contains_triple(self, triple: ox.Triple, named_only: bool) -> bool:
        """Whether some staged quad holds ``triple`` (in a named graph, with ``named_only``)."""
        for quad in self.match(triple.subject, triple.predicate, triple.object):  # type: ignore[arg-type]
            if not named_only or isinstance(quad.graph_name, ox.NamedNode):
                return True
        return False

    def __iter__(self) -> Iterator[ox.Quad]:
        return self.match(None, None, None)
