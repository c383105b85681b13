"""Which IRIs have mementos, when, and at which addresses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyoxigraph as ox
import pytest

from kgpub.errors import MalformedRequestError
from kgpub.history.addresses import memento_iri, parse_stamp, stamp, timemap_iri
from kgpub.history.content_hash import content_hash
from kgpub.history.records import Kind, Revision, revision_quads
from kgpub.ld.mementos import Past
from tests.store.test_as_of import BASE, MENTIONS, OTHER, TERMS, TIMES, A, E, G, revised_store


def test_stamps_round_trip() -> None:
    moment = datetime(2026, 11, 25, 2, 50, 5, tzinfo=UTC)
    assert stamp(moment) == "20261125025005"
    assert parse_stamp("20261125025005") == moment
    assert memento_iri(BASE, BASE + "id/article", moment) == (
        BASE + "memento/20261125025005/id/article"
    )
    assert timemap_iri(BASE, BASE + "id/article") == BASE + "timemap/id/article"


@pytest.mark.parametrize(
    "text", ["2026", "2026112502500", "20261325025005", "2026112502500x", "٢٠٢٦١١٢٥٠٢٥٠٠٥"]
)
def test_a_bad_stamp_is_named(text: str) -> None:
    with pytest.raises(MalformedRequestError, match="memento datetime"):
        parse_stamp(text)


def test_mementos_follow_existence() -> None:
    timeline = Past(BASE).timeline(revised_store())
    assert [m.datetime for m in timeline.mementos(A)] == list(TIMES)
    assert timeline.mementos(A)[0].uri == BASE + "memento/20261201090000/id/hafen"
    # The crane is named from revision 2 on; revision 2 exists from its own time on.
    assert [m.datetime for m in timeline.mementos(BASE + "id/kran")] == list(TIMES[1:])
    assert [m.datetime for m in timeline.mementos(A + "/revision/2")] == list(TIMES[1:])
    assert [m.datetime for m in timeline.mementos(G.value)] == list(TIMES)
    assert timeline.mementos(OTHER.value) == []
    assert timeline.mementos(BASE + "id/nobody") == []
    assert timeline.covering(BASE + "id/kran") == [A]


def test_as_of_stores_are_kept_per_selection() -> None:
    store = revised_store()
    past = Past(BASE)
    first = past.store_at(store, past.timeline(store).select(TIMES[0]))
    assert past.store_at(store, past.timeline(store).select(TIMES[0])) is first
    store.add_quads([])
    assert past.store_at(store, past.timeline(store).select(TIMES[0])) is not first


def test_an_entity_in_two_articles_has_the_union_of_their_times() -> None:
    """A second fictional article names the crane too, at its own time: both count."""
    store = revised_store()
    other = BASE + "id/werft"
    graph = ox.NamedNode(BASE + "graph/werft")
    state = {ox.Quad(ox.NamedNode(other), MENTIONS, E, graph)}
    moment = TIMES[0] + timedelta(hours=3)
    rev = Revision(
        other, 1, content_hash(state), moment, BASE + "id/team", Kind.ORIGINAL, (graph.value,)
    )
    store.add_quads(state)
    store.add_quads(revision_quads(rev, TERMS))
    timeline = Past(BASE).timeline(store)
    assert timeline.covering(E.value) == [A, other]
    assert [m.datetime for m in timeline.mementos(E.value)] == [moment, *TIMES[1:]]
    # The article that does not name it keeps its own mementos only.
    assert [m.datetime for m in timeline.mementos(other)] == [moment]
