"""Earlier states rebuilt from the current graphs and the patches, checked by their hashes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyoxigraph as ox
import pytest

from kgpub.errors import HistoryError
from kgpub.history.content_hash import content_hash
from kgpub.history.records import Kind, Revision
from kgpub.history.replay import diff_patch, state_at, states

A = "https://kgpub.example/id/bruecke"
G = ox.NamedNode("https://kgpub.example/graph/bruecke")
S = ox.NamedNode(A)
P = ox.NamedNode("https://schema.org/articleBody")
T = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _q(text: str) -> ox.Quad:
    return ox.Quad(S, P, ox.Literal(text, language="de"), G)


V1 = {_q("Die Brücke kostet 3 Millionen Euro.")}
V2 = {_q("Die Brücke kostet 4 Millionen Euro.")}
V3 = V2 | {ox.Quad(S, ox.NamedNode("https://schema.org/dateModified"), ox.Literal("2026-12-02"), G)}


def _history() -> list[Revision]:
    revs: list[Revision] = []
    previous: set[ox.Quad] = set()
    for number, state in enumerate((V1, V2, V3), start=1):
        rev = Revision(
            A, number, content_hash(state), T + timedelta(hours=number), A, Kind.UPDATE, (G.value,)
        )
        if number > 1:
            rev = Revision(**{**rev.__dict__, "patch": diff_patch(previous, state, rev)})
        revs.append(rev)
        previous = state
    return revs


def test_every_state_is_rebuilt() -> None:
    assert states(V3, _history()) == {1: frozenset(V1), 2: frozenset(V2), 3: frozenset(V3)}
    assert state_at(V3, _history(), 1) == frozenset(V1)


def test_graphs_changed_outside_a_revision_are_named() -> None:
    with pytest.raises(HistoryError, match="revision 3's content hash"):
        states(V2, _history())


def test_no_such_revision() -> None:
    with pytest.raises(HistoryError, match="no revision 4"):
        state_at(V3, _history(), 4)


def test_the_patch_is_the_exact_difference() -> None:
    patch = _history()[1].patch
    assert patch is not None
    rows = [r for r in patch.splitlines() if r[:2] in ("A ", "D ")]
    old, new = _q("Die Brücke kostet 3 Millionen Euro."), _q("Die Brücke kostet 4 Millionen Euro.")
    assert rows == [f"D {old} .", f"A {new} ."]


def test_states_rebuild_from_served_graphs_whatever_the_files_spelled() -> None:
    """The patch rows spell a time ``+00:00`` (as ``kgpub fmt`` writes it); the served
    graphs say ``Z``: the states still replay, in the store's canonical form."""
    moment = ox.NamedNode("https://schema.org/dateModified")
    xsd_date_time = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")

    def modified(text: str) -> ox.Quad:
        return ox.Quad(S, moment, ox.Literal(text, datatype=xsd_date_time), G)

    written = V2 | {modified("2026-12-02T09:00:00+00:00")}
    revs = _history()[:2]
    third = Revision(
        A, 3, content_hash(written), T + timedelta(hours=3), A, Kind.UPDATE, (G.value,)
    )
    third = Revision(**{**third.__dict__, "patch": diff_patch(V2, written, third)})
    served = V2 | {modified("2026-12-02T09:00:00Z")}
    rebuilt = states(served, [*revs, third])
    assert rebuilt[3] == frozenset(served)
    assert rebuilt[2] == frozenset(V2)
    assert rebuilt[1] == frozenset(V1)
