"""The store as of an instant: article graphs at their revision then, history trimmed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyoxigraph as ox
import pytest

from kgpub.errors import HistoryError
from kgpub.history.content_hash import content_hash
from kgpub.history.records import Kind, Revision, Terms, revision_quads
from kgpub.history.replay import diff_patch
from kgpub.store.as_of import History, as_of
from kgpub.store.oxigraph import Store

BASE = "https://kgpub.example/"
TERMS = Terms(BASE)
A = BASE + "id/hafen"
G = ox.NamedNode(BASE + "graph/hafen")
OTHER = ox.NamedNode(BASE + "graph/places")
BODY = ox.NamedNode("https://schema.org/articleBody")
MENTIONS = ox.NamedNode("https://schema.org/mentions")
E = ox.NamedNode(BASE + "id/kran")
T1 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _body(text: str) -> ox.Quad:
    return ox.Quad(ox.NamedNode(A), BODY, ox.Literal(text, language="de"), G)


STATES = (
    {_body("Der Hafen hat 3 Kräne.")},
    {_body("Der Hafen hat 4 Kräne."), ox.Quad(ox.NamedNode(A), MENTIONS, E, G)},
    {_body("Der Hafen hat 5 Kräne."), ox.Quad(ox.NamedNode(A), MENTIONS, E, G)},
)
TIMES = (T1, T1 + timedelta(days=1), T1 + timedelta(days=2))


def revisions() -> list[Revision]:
    """Three revisions of the fictional harbour article (fiction: a test of the model)."""
    revs: list[Revision] = []
    previous: set[ox.Quad] = set()
    for number, (state, moment) in enumerate(zip(STATES, TIMES, strict=True), start=1):
        kind = Kind.ORIGINAL if number == 1 else Kind.UPDATE
        rev = Revision(A, number, content_hash(state), moment, BASE + "id/team", kind, (G.value,))
        if number > 1:
            rev = Revision(**{**rev.__dict__, "patch": diff_patch(previous, state, rev)})
        revs.append(rev)
        previous = state
    return revs


def revised_store() -> Store:
    """A store with the article at revision 3, its history and an unrelated graph."""
    store = Store()
    store.add_quads(STATES[-1])
    store.add_quads(q for rev in revisions() for q in revision_quads(rev, TERMS))
    store.add_quads([ox.Quad(E, ox.NamedNode(BASE + "p"), ox.Literal("Kran"), OTHER)])
    return store


def _graph(store: Store, graph: ox.NamedNode) -> set[ox.Quad]:
    return set(store.quads(graph.value))


@pytest.mark.parametrize(
    ("moment", "number", "since"),
    [
        (T1 - timedelta(seconds=1), 0, None),
        (T1, 1, T1),
        (TIMES[1] - timedelta(seconds=1), 1, T1),
        (TIMES[1], 2, TIMES[1]),
        (TIMES[2] + timedelta(days=300), 3, TIMES[2]),
    ],
)
def test_the_revision_current_at_an_instant(
    moment: datetime, number: int, since: datetime | None
) -> None:
    selection = History.read(revised_store(), TERMS).select(moment)
    assert selection.numbers == ((A, number),)
    assert selection.since == since


def test_article_graphs_are_as_they_were() -> None:
    store = revised_store()
    history = History.read(store, TERMS)
    for number, state in enumerate(STATES, start=1):
        past = as_of(store, history, history.select(TIMES[number - 1]))
        assert _graph(past, G) == state
        assert _graph(past, OTHER) == _graph(store, OTHER)


def test_the_history_graph_knows_no_later_revision() -> None:
    store = revised_store()
    history = History.read(store, TERMS)
    past = as_of(store, history, history.select(TIMES[1]))
    subjects = {q.subject.value for q in past.quads(TERMS.history_graph.value)}  # type: ignore[union-attr]
    assert subjects == {A + "/revision/1", A + "/revision/2"}
    assert len(list(past.quads(TERMS.history_graph.value))) == len(
        [q for rev in revisions()[:2] for q in revision_quads(rev, TERMS)]
    )


def test_before_the_first_revision_the_article_was_not_published() -> None:
    store = revised_store()
    history = History.read(store, TERMS)
    past = as_of(store, history, history.select(T1 - timedelta(days=1)))
    assert _graph(past, G) == set()
    assert list(past.quads(TERMS.history_graph.value)) == []
    assert _graph(past, OTHER) == _graph(store, OTHER)


def test_graphs_changed_outside_a_revision_are_refused() -> None:
    store = revised_store()
    store.add_quads([_body("Der Hafen hat 6 Kräne.")])
    history = History.read(store, TERMS)
    with pytest.raises(HistoryError, match="revision 3's content hash"):
        as_of(store, history, history.select(T1))


def test_a_store_without_history() -> None:
    store = Store()
    store.add_quads(STATES[0])
    history = History.read(store, TERMS)
    assert history.empty
    assert history.select(T1).numbers == ()
