"""Revision records: written as quads and read back the same; broken chains refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyoxigraph as ox
import pytest

from kgpub.errors import HistoryError
from kgpub.history.records import (
    Anchoring,
    AnchorStatus,
    Decision,
    Kind,
    Revision,
    Terms,
    next_time,
    read_revisions,
    revision_quads,
)

TERMS = Terms("https://kgpub.example/")
ARTICLE = "https://kgpub.example/id/bruecke"
GRAPH = "https://kgpub.example/graph/bruecke"
T1 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _revisions() -> list[Revision]:
    first = Revision(
        ARTICLE, 1, "sha256:" + "0" * 64, T1, ARTICLE + "-editor", Kind.ORIGINAL, (GRAPH,)
    )
    second = Revision(
        ARTICLE,
        2,
        "sha256:" + "1" * 64,
        T1 + timedelta(hours=2),
        ARTICLE + "-editor",
        Kind.CORRECTION,
        (GRAPH,),
        note="Die Kosten waren falsch angegeben.",
        note_language="de",
        patch="TX .\nTC .\n",
        anchorings=(
            Anchoring(
                "https://kgpub.example/id/claim-cost",
                AnchorStatus.MODIFIED,
                10,
                40,
                0.91,
                Decision.UPDATED,
            ),
            Anchoring(
                "https://kgpub.example/id/claim-gone",
                AnchorStatus.ORPHANED,
                decision=Decision.RETRACTED,
            ),
        ),
    )
    return [first, second]


def test_records_round_trip() -> None:
    quads = [q for r in _revisions() for q in revision_quads(r, TERMS)]
    assert {q.graph_name for q in quads} == {TERMS.history_graph}
    assert read_revisions(quads, TERMS) == {ARTICLE: _revisions()}


def test_a_missing_revision_is_named() -> None:
    second = _revisions()[1]
    with pytest.raises(HistoryError, match="revision 1 is missing"):
        read_revisions(list(revision_quads(second, TERMS)), TERMS)


def test_a_patch_on_the_first_revision_is_refused() -> None:
    first = _revisions()[0]
    bad = Revision(**{**first.__dict__, "patch": "TX .\nTC .\n"})
    with pytest.raises(HistoryError, match="patch"):
        read_revisions(list(revision_quads(bad, TERMS)), TERMS)


def test_times_move_on_by_a_second_when_they_would_collide() -> None:
    assert next_time(T1, T1 + timedelta(microseconds=300)) == T1 + timedelta(seconds=1)
    assert next_time(T1, T1 + timedelta(minutes=5, microseconds=7)) == T1 + timedelta(minutes=5)
    with pytest.raises(HistoryError, match="time zone"):
        next_time(None, datetime(2026, 1, 1))


def test_record_iri_and_anchoring_iri() -> None:
    quads = list(revision_quads(_revisions()[1], TERMS))
    subjects = {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)}
    assert subjects == {
        ARTICLE + "/revision/2",
        ARTICLE + "/revision/2#claim-cost",
        ARTICLE + "/revision/2#claim-gone",
    }
