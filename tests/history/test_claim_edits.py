"""history.claim_edits: each edit a revision makes to an article's graphs, on its own.

The article is the fictional Hafenfest of tests/history_fixtures.py (not news).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pyoxigraph as ox
import pytest

from kgpub.errors import RevisionRefusedError
from kgpub.history import claim_edits as edits
from kgpub.history.evidence import find_evidence
from kgpub.history.records import Terms
from kgpub.namespaces import DCTERMS, OA, PROV, SCHEMA
from kgpub.rdf.quote_selectors import selectors_at
from tests.history_fixtures import ARTICLE, BASE, CLAIM, GRAPH, ID, TEXTS, revised_project

TERMS = Terms(BASE)
ANCHOR = ID + "hafenfest/anchor-1"
MOMENT = datetime(2026, 2, 1, 10, 0, 0, 250, tzinfo=UTC)


@pytest.fixture
def state(tmp_path_factory: pytest.TempPathFactory) -> set[ox.Quad]:
    return set(revised_project(tmp_path_factory.mktemp("edits") / "project").states[-1])


def _values(state: set[ox.Quad], subject: str, predicate: str) -> set[str]:
    node, pred = ox.NamedNode(subject), ox.NamedNode(predicate)
    return {
        q.object.value
        for q in state
        if q.subject == node and q.predicate == pred and not isinstance(q.object, ox.Triple)
    }


def test_date_time_is_utc_whole_seconds_as_kgpub_fmt_writes_it() -> None:
    literal = edits.date_time(MOMENT)
    assert literal.value == "2026-02-01T10:00:00+00:00"


def test_moving_an_anchor_rewrites_both_selectors_in_their_graph(state: set[ox.Quad]) -> None:
    (evidence,) = find_evidence(state, ARTICLE, TERMS)
    text = "Neu: " + TEXTS[-1]
    start = text.index("Das Fest endete")
    to = selectors_at(text, start, start + 15)
    edits.move_anchor(state, evidence, to)
    assert _values(state, ANCHOR + "-position", OA + "start") == {str(start)}
    assert _values(state, ANCHOR + "-position", OA + "end") == {str(start + 15)}
    assert _values(state, ANCHOR + "-quote", OA + "exact") == {"Das Fest endete"}
    assert {q.graph_name for q in state} == {ox.NamedNode(GRAPH)}


def test_text_and_correction(state: set[ox.Quad]) -> None:
    edits.set_text(state, ARTICLE, "Neuer Text\n", MOMENT)
    assert _values(state, ARTICLE, SCHEMA + "articleBody") == {"Neuer Text\n"}
    assert _values(state, ARTICLE, SCHEMA + "dateModified") == {"2026-02-01T10:00:00+00:00"}
    revision = ARTICLE + "/revision/4"
    edits.add_correction(state, ARTICLE, revision, "Korrigiert.", "de")
    assert revision in _values(state, ARTICLE, SCHEMA + "correction")
    assert _values(state, revision, SCHEMA + "text") == {"Korrigiert."}


def test_invalidate_freeze_and_succeed(state: set[ox.Quad]) -> None:
    (evidence,) = find_evidence(state, ARTICLE, TERMS)
    revision = ARTICLE + "/revision/4"
    edits.invalidate(state, CLAIM, revision, MOMENT, TERMS)
    edits.freeze(state, evidence, MOMENT, BASE + "memento/20260201100000/id/hafenfest")
    assert _values(state, CLAIM, TERMS.kgpub + "invalidatedBy") == {revision}
    assert _values(state, ANCHOR + "-state", OA + "sourceDate") == {"2026-02-01T10:00:00+00:00"}
    span = selectors_at(TEXTS[-1], 0, 8)
    edits.succeed(state, CLAIM, CLAIM + "-r4", [(evidence, span)], TERMS)
    assert _values(state, CLAIM, DCTERMS + "isReplacedBy") == {CLAIM + "-r4"}
    assert _values(state, CLAIM + "-r4", PROV + "invalidatedAtTime") == set()
    assert _values(state, CLAIM + "-r4", TERMS.kgpub + "evidence") == {ANCHOR + "-r4"}
    assert _values(state, ANCHOR + "-r4-quote", OA + "exact") == {"Hafenfes"}
    with pytest.raises(RevisionRefusedError, match="exists already"):
        edits.succeed(state, CLAIM, CLAIM + "-r4", [(evidence, span)], TERMS)


def test_assertions_leave_only_when_no_claim_still_states_them(state: set[ox.Quad]) -> None:
    stated = edits.statements_of(state, [CLAIM], TERMS)
    assert len(stated) == 1
    edits.drop_assertions(state, stated)
    ((subject, predicate, obj),) = stated
    assert not any((q.subject, q.predicate, q.object) == (subject, predicate, obj) for q in state)


def test_a_subject_the_graphs_do_not_describe_is_refused(state: set[ox.Quad]) -> None:
    with pytest.raises(RevisionRefusedError, match="not described"):
        edits.graph_of(state, ID + "nobody")
