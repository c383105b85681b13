"""Which graphs belong to an article with history, and the writes that may change them.

An article with history has its revision records in the history graph
(``<base>graph/history``, docs/revisions.md "The model"); its latest record
names the graphs that make it up (``kgpub:coversGraph``). Those graphs may
change only by a revision, written in the same transaction as its record, or
the chain breaks: the next replay would find graphs that no revision's content
hash describes. So every write is checked here before it is committed:

- a change to the history graph itself is refused (``ProtectedGraphError``,
  HTTP 403): records are written only with the change they record;
- a change to a covered graph that is not a revision (a Graph Store PUT,
  POST or DELETE, a SPARQL Update) is refused (``UnrecordedWriteError``,
  HTTP 409), naming the graph, its article and the way to revise it
  (``PATCH`` with ``If-Match``, or ``kgpub revise``).

Refusing those writes, rather than recording a revision for each, keeps one
rule for every revision: it is made against a state its writer named
(``If-Match``), so two editors never revise over each other unseen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from kgpub.errors import HistoryError, ProtectedGraphError, UnrecordedWriteError
from kgpub.history.records import Revision, Terms, read_revisions
from kgpub.store.changes import Changes
from kgpub.store.oxigraph import Store

GraphName = ox.NamedNode | ox.DefaultGraph
_MARK = "/revision/"


@dataclass(frozen=True)
class Covered:
    """An article with history: its IRI and its revisions, oldest first."""

    article: str
    revisions: tuple[Revision, ...]

    @property
    def latest(self) -> Revision:
        return self.revisions[-1]

    @property
    def graphs(self) -> tuple[ox.NamedNode, ...]:
        """The graphs that make up the article now (its latest revision's)."""
        return tuple(ox.NamedNode(g) for g in self.latest.graphs)


def _article_of(revision: ox.NamedNode | ox.BlankNode | ox.Triple) -> str | None:
    """The article of a revision IRI ``<A>/revision/<n>``."""
    if not isinstance(revision, ox.NamedNode) or _MARK not in revision.value:
        return None
    return revision.value.rsplit(_MARK, 1)[0]


def covered_graphs(store: Store, terms: Terms) -> dict[ox.NamedNode, set[str]]:
    """Every graph some revision record covers, with the articles covering it."""
    found: dict[ox.NamedNode, set[str]] = {}
    history = terms.history_graph
    for quad in store.match(None, terms.term("coversGraph"), None):
        article = _article_of(quad.subject)
        if quad.graph_name == history and isinstance(quad.object, ox.NamedNode) and article:
            found.setdefault(quad.object, set()).add(article)
    return found


def history(store: Store, terms: Terms, article: str) -> tuple[Revision, ...]:
    """One article's revisions, read from its records alone (another article's broken chain
    does not stop this one's writes); its chain is checked (``HistoryError``)."""
    prefix = article + _MARK
    quads = [
        q
        for q in store.graph_quads(terms.history_graph)
        if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(prefix)
    ]
    return tuple(read_revisions(quads, terms).get(article, []))


def covering(store: Store, terms: Terms, graph: GraphName) -> Covered | None:
    """The article whose latest revision covers ``graph``; ``None`` when no article does.

    A graph two articles claim is a ``HistoryError``: no write could say whose
    revision it makes.
    """
    if not isinstance(graph, ox.NamedNode):
        return None
    articles = covered_graphs(store, terms).get(graph, set())
    found = [
        Covered(article, revs)
        for article in sorted(articles)
        if (revs := history(store, terms, article)) and graph.value in revs[-1].graphs
    ]
    if len(found) > 1:
        names = ", ".join(f"<{c.article}>" for c in found)
        raise HistoryError(
            f"the graph <{graph.value}> is covered by more than one article: {names}"
        )
    return found[0] if found else None


def touched(changes: Changes) -> set[GraphName]:
    """Every graph a change set adds to, removes from, creates or drops."""
    graphs: set[GraphName] = {*changes.created, *changes.dropped}
    for quad in (*changes.removed, *changes.added):
        name = quad.graph_name
        if isinstance(name, ox.NamedNode | ox.DefaultGraph):
            graphs.add(name)
    return graphs


def refuse_history_graph(graphs: Iterable[GraphName], terms: Terms) -> None:
    """``ProtectedGraphError`` when ``graphs`` include the history graph."""
    if terms.history_graph in set(graphs):
        raise ProtectedGraphError(
            f"<{terms.history_graph.value}> is the history graph: its revision records are "
            "written only together with the revisions they record; nothing was written"
        )


def refuse_unrecorded(store: Store, terms: Terms, changes: Changes) -> None:
    """Refuse a write that is not a revision but changes the history graph or a covered graph."""
    graphs = touched(changes)
    refuse_history_graph(graphs, terms)
    covered = covered_graphs(store, terms)
    for graph in sorted((g for g in graphs if g in covered), key=str):
        assert isinstance(graph, ox.NamedNode)
        articles = ", ".join(f"<{a}>" for a in sorted(covered[graph]))
        raise UnrecordedWriteError(
            f"the write would change <{graph.value}>, a graph of {articles}, which has a "
            "revision history: change it by a revision, PATCH /graph-store?graph=<graph> "
            "with an RDF Patch and If-Match (its ETag), or kgpub revise; nothing was written"
        )
