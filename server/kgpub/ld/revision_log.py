"""The revisions a store records, and the article whose history a page or a route shows.

The records are read from ``<base>graph/history`` with
:func:`kgpub.history.records.read_revisions` (chains checked), and an
article's earlier states are replayed from its current graphs (the ones its
latest revision covers) with :func:`kgpub.history.replay.states` (each checked
against its content hash). Which article's history belongs on a page: the
article's own; a revision's (``<A>/revision/<n>``, found by its record); a
claim's, the article whose covered graphs hold it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kgpub.history.records import Revision, Terms, read_revisions
from kgpub.history.replay import states
from kgpub.store.protocol import QueryStore


@dataclass(frozen=True)
class Located:
    """An IRI placed in a history: the article's revisions, and which revision it is (if one)."""

    article: str
    revisions: tuple[Revision, ...]
    revision: int | None = None


NO_REVISIONS = "has no recorded revisions (no article history names it)"
"""Why a diff or feed of an IRI is a 404 (``NoHistoryError``): it is no article with a history."""


def histories(store: QueryStore, base: str) -> dict[str, list[Revision]]:
    """Every article's revisions, oldest first, by article IRI (empty without a history graph)."""
    terms = Terms(base)
    graph = terms.history_graph.value
    if graph not in store.named_graphs():
        return {}
    return read_revisions(store.quads(graph), terms)


def article_states(
    store: QueryStore, revisions: tuple[Revision, ...]
) -> dict[int, frozenset[ox.Quad]]:
    """Each revision's state of the article's graphs, by number, replayed from the current ones."""
    current = [q for graph in revisions[-1].graphs for q in store.quads(graph)]
    return states(current, revisions)


def _graphs_claiming(store: QueryStore, base: str, iri: str) -> set[str]:
    """The graphs in which ``iri`` is a claim (``kgpub:ReportedClaim``)."""
    claim = ox.NamedNode(Terms(base).kgpub + "ReportedClaim")
    result = store.query(
        f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ {ox.NamedNode(iri)} a {claim} }} }}"
    )
    assert isinstance(result, ox.QuerySolutions)
    return {row["g"].value for row in result if isinstance(row["g"], ox.NamedNode)}


def locate(store: QueryStore, base: str, iri: str) -> Located | None:
    """The history ``iri``'s page shows: as the article, a revision of one, or a claim in one.

    Only these three: an entity an article mentions is not part of its
    revisions (its page shows what every article says of it).

    ``None`` when no recorded article is or holds ``iri``: such a page shows
    no history at all.
    """
    found = histories(store, base)
    if not found:
        return None
    if iri in found:
        return Located(iri, tuple(found[iri]))
    for article, revisions in found.items():
        for rev in revisions:
            if rev.iri == iri:
                return Located(article, tuple(revisions), rev.number)
    holding = _graphs_claiming(store, base, iri) if iri.startswith(base) else set()
    for article, revisions in sorted(found.items()):
        if holding & set(revisions[-1].graphs):
            return Located(article, tuple(revisions))
    return None
