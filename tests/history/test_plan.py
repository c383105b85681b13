"""history.plan: the next revision of the fictional Hafenfest article, for every anchor
status and every editor's decision (docs/revisions.md, "The model").

The edits are test edits of a fictional article (tests/history_fixtures.py); none is news.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pyoxigraph as ox
import pytest

from kgpub.errors import HistoryError, RevisionRefusedError, UndecidedClaimsError
from kgpub.history.addresses import memento_iri
from kgpub.history.content_hash import content_hash
from kgpub.history.plan import Plan, Request, plan_revision, resolve_claims
from kgpub.history.rdf_patch import parse_patch
from kgpub.history.records import AnchorStatus, Decision, Kind, Revision, Terms
from kgpub.history.replay import states
from kgpub.namespaces import DCTERMS, OA, PROV, RDF_TYPE, SCHEMA, XSD
from tests.history_fixtures import (
    ARTICLE,
    BASE,
    CLAIM,
    EDITOR,
    ID,
    QUOTE,
    TEXTS,
    TIMES,
    RevisedProject,
    revised_project,
)

TERMS = Terms(BASE)
NOW = datetime(2026, 2, 1, 10, 0, 0, 500, tzinfo=UTC)
OLD = TEXTS[-1]
ANCHOR = ID + "hafenfest/anchor-1"
EDITS = {
    "exact": OLD.replace("9000", "9100"),
    "shifted": OLD.replace("Blaskapelle.", "Blaskapelle. Am Abend tanzten die Gäste."),
    "fuzzy": OLD.replace("endete mit einem", "endete dann mit einem"),
    "modified": OLD.replace("einem Feuerwerk", "keinem Feuerwerk"),
    "orphaned": OLD.replace(" Das Fest endete mit einem Feuerwerk über dem Hafen.", ""),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> RevisedProject:
    return revised_project(tmp_path_factory.mktemp("plan") / "project")


def _plan(project: RevisedProject, new: str, **options: object) -> Plan:
    request = Request(new_text=new, kind=Kind.UPDATE, editor=EDITOR, now=NOW, **options)  # type: ignore[arg-type]
    return plan_revision(project.states[-1], project.revisions, OLD, request, TERMS)


def _objects(graphs: frozenset[ox.Quad], subject: str, predicate: str) -> set[str]:
    return {
        q.object.value
        for q in graphs
        if q.subject == ox.NamedNode(subject)
        and q.predicate == ox.NamedNode(predicate)
        and not isinstance(q.object, ox.Triple)
    }


def _span(graphs: frozenset[ox.Quad], anchor: str) -> tuple[int, int, str]:
    position, quote = anchor + "-position", anchor + "-quote"
    start = int(_objects(graphs, position, OA + "start").pop())
    end = int(_objects(graphs, position, OA + "end").pop())
    return start, end, _objects(graphs, quote, OA + "exact").pop()


@pytest.mark.parametrize("status", ["exact", "shifted", "fuzzy"])
def test_a_located_claim_moves_with_the_text(project: RevisedProject, status: str) -> None:
    new = EDITS[status]
    plan = _plan(project, new)
    (anchoring,) = plan.revision.anchorings
    assert anchoring.status is AnchorStatus(status)
    assert anchoring.decision is None
    start, end, exact = _span(plan.graphs, ANCHOR)
    assert (anchoring.start, anchoring.end) == (start, end)
    assert new[start:end] == exact
    assert (anchoring.score is not None) == (status == "fuzzy")
    assert _objects(plan.graphs, CLAIM, PROV + "invalidatedAtTime") == set()
    assert _objects(plan.graphs, ARTICLE, SCHEMA + "articleBody") == {new}


def test_the_record_is_the_next_revision_with_its_patch_and_hash(project: RevisedProject) -> None:
    plan = _plan(project, EDITS["shifted"], note="Abendprogramm ergänzt.")
    rev = plan.revision
    assert (rev.number, rev.kind, rev.editor) == (4, Kind.UPDATE, EDITOR)
    assert rev.generated == datetime(2026, 2, 1, 10, 0, 0, tzinfo=UTC)
    assert (rev.note, rev.note_language) == ("Abendprogramm ergänzt.", "de")
    assert rev.content_hash == content_hash(plan.graphs)
    assert rev.graphs == project.revisions[-1].graphs
    assert rev.patch is not None
    patch = parse_patch(rev.patch)
    assert set(patch.added) == plan.graphs - project.states[-1]
    assert set(patch.deleted) == project.states[-1] - plan.graphs
    rebuilt = states(plan.graphs, [*project.revisions, rev])
    assert rebuilt[3] == project.states[-1]
    assert _objects(plan.graphs, ARTICLE, SCHEMA + "dateModified") == {"2026-02-01T10:00:00+00:00"}


def test_a_revision_in_the_same_second_moves_on(project: RevisedProject) -> None:
    request = Request(EDITS["exact"], Kind.UPDATE, EDITOR, TIMES[-1])
    plan = plan_revision(project.states[-1], project.revisions, OLD, request, TERMS)
    assert (plan.revision.generated - TIMES[-1]).total_seconds() == 1


@pytest.mark.parametrize("status", ["modified", "orphaned"])
def test_a_changed_claim_without_a_decision_is_refused(
    project: RevisedProject, status: str
) -> None:
    with pytest.raises(UndecidedClaimsError) as caught:
        _plan(project, EDITS[status])
    assert caught.value.claims == [CLAIM]
    assert "need a decision" in str(caught.value)


@pytest.mark.parametrize("decision", [Decision.KEPT, Decision.RETRACTED])
@pytest.mark.parametrize("status", ["modified", "orphaned"])
def test_kept_and_retracted_invalidate_the_claim_and_freeze_its_evidence(
    project: RevisedProject, status: str, decision: Decision
) -> None:
    plan = _plan(project, EDITS[status], decisions={CLAIM: decision})
    rev = plan.revision
    (anchoring,) = rev.anchorings
    assert (anchoring.status, anchoring.decision) == (AnchorStatus(status), decision)
    assert (anchoring.start is None) == (status == "orphaned")
    assert plan.successors == {}
    assert _objects(plan.graphs, CLAIM, PROV + "invalidatedAtTime") == {"2026-02-01T10:00:00+00:00"}
    assert _objects(plan.graphs, CLAIM, TERMS.kgpub + "invalidatedBy") == {rev.iri}
    assert _objects(plan.graphs, CLAIM, DCTERMS + "isReplacedBy") == set()
    # The evidence keeps its old selectors and points into the text as it was.
    assert _span(plan.graphs, ANCHOR) == (*project.span(3), QUOTE)
    state = ANCHOR + "-state"
    assert _objects(plan.graphs, ANCHOR, OA + "hasState") == {state}
    assert _objects(plan.graphs, state, RDF_TYPE) == {OA + "TimeState"}
    assert _objects(plan.graphs, state, OA + "cached") == {
        BASE + "memento/20260111093000/id/hafenfest"
    }
    # The claim's plain triple is gone from the current graph (history keeps it).
    located = (ox.NamedNode(ID + "hafenfest-beispielstadt"), ox.NamedNode(SCHEMA + "location"))
    assert not any((q.subject, q.predicate) == located for q in plan.graphs)
    assert any((q.subject, q.predicate) == located for q in project.states[-1])


def test_updated_mints_a_successor_at_the_changed_quote(project: RevisedProject) -> None:
    new = EDITS["modified"]
    plan = _plan(project, new, decisions={CLAIM: Decision.UPDATED})
    successor = CLAIM + "-r4"
    assert plan.successors == {CLAIM: successor}
    assert _objects(plan.graphs, CLAIM, DCTERMS + "isReplacedBy") == {successor}
    assert _objects(plan.graphs, successor, PROV + "wasRevisionOf") == {CLAIM}
    assert _objects(plan.graphs, successor, PROV + "invalidatedAtTime") == set()
    assert _objects(plan.graphs, successor, TERMS.kgpub + "evidence") == {ANCHOR + "-r4"}
    start, end, exact = _span(plan.graphs, ANCHOR + "-r4")
    assert exact == new[start:end] == "Das Fest endete mit keinem Feuerwerk"
    assert _objects(plan.graphs, CLAIM, TERMS.kgpub + "invalidatedBy") == {plan.revision.iri}
    # The successor keeps the statement, so its plain triple stays.
    located = (ox.NamedNode(ID + "hafenfest-beispielstadt"), ox.NamedNode(SCHEMA + "location"))
    assert any((q.subject, q.predicate) == located for q in plan.graphs)


def test_an_orphaned_claim_updated_needs_the_successors_span(project: RevisedProject) -> None:
    new = EDITS["orphaned"].replace("Blaskapelle.", "Blaskapelle. Ein Feuerwerk gab es nicht.")
    with pytest.raises(RevisionRefusedError, match="give the successor's span"):
        _plan(project, new, decisions={CLAIM: Decision.UPDATED})
    start = new.index("Ein Feuerwerk")
    span = (start, start + len("Ein Feuerwerk gab es nicht"))
    plan = _plan(project, new, decisions={CLAIM: Decision.UPDATED}, spans={CLAIM: span})
    assert _span(plan.graphs, ANCHOR + "-r4") == (*span, "Ein Feuerwerk gab es nicht")
    (anchoring,) = plan.revision.anchorings
    assert (anchoring.status, anchoring.start) == (AnchorStatus.ORPHANED, None)
    with pytest.raises(RevisionRefusedError, match="not within the new text"):
        _plan(project, new, decisions={CLAIM: Decision.UPDATED}, spans={CLAIM: (5, 10_000)})


def test_a_correction_is_linked_from_the_article(project: RevisedProject) -> None:
    note = "Korrigiert: Es gab kein Feuerwerk."
    with pytest.raises(RevisionRefusedError, match="needs a note"):
        plan_revision(
            project.states[-1],
            project.revisions,
            OLD,
            Request(EDITS["exact"], Kind.CORRECTION, EDITOR, NOW),
            TERMS,
        )
    request = Request(EDITS["exact"], Kind.CORRECTION, EDITOR, NOW, note=note)
    plan = plan_revision(project.states[-1], project.revisions, OLD, request, TERMS)
    iri = plan.revision.iri
    assert iri in _objects(plan.graphs, ARTICLE, SCHEMA + "correction")
    assert _objects(plan.graphs, iri, RDF_TYPE) == {SCHEMA + "CorrectionComment"}
    assert _objects(plan.graphs, iri, SCHEMA + "text") == {note}


def test_refusals_name_the_problem(project: RevisedProject) -> None:
    with pytest.raises(RevisionRefusedError, match="nothing to revise"):
        _plan(project, OLD)
    with pytest.raises(RevisionRefusedError, match="needs no decision"):
        _plan(project, EDITS["shifted"], decisions={CLAIM: Decision.KEPT})
    with pytest.raises(RevisionRefusedError, match="not a current claim"):
        _plan(project, EDITS["modified"], decisions={ID + "nobody": Decision.KEPT})
    with pytest.raises(RevisionRefusedError, match="only for a claim decided updated"):
        _plan(project, EDITS["modified"], decisions={CLAIM: Decision.KEPT}, spans={CLAIM: (0, 4)})
    with pytest.raises(RevisionRefusedError, match="only revision 1"):
        plan_revision(
            project.states[-1],
            project.revisions,
            OLD,
            Request(EDITS["exact"], Kind.ORIGINAL, EDITOR, NOW),
            TERMS,
        )
    with pytest.raises(RevisionRefusedError, match="no recorded history"):
        plan_revision(
            project.states[-1], [], OLD, Request(EDITS["exact"], Kind.UPDATE, EDITOR, NOW), TERMS
        )


def test_graphs_changed_outside_a_revision_are_refused(project: RevisedProject) -> None:
    changed = {
        *project.states[-1],
        ox.Quad(
            ox.NamedNode(ARTICLE),
            ox.NamedNode(SCHEMA + "x"),
            ox.Literal("y"),
            ox.NamedNode(project.graph),
        ),
    }
    request = Request(EDITS["exact"], Kind.UPDATE, EDITOR, NOW)
    with pytest.raises(HistoryError, match="changed outside a revision"):
        plan_revision(changed, project.revisions, OLD, request, TERMS)


def test_an_invalidated_claim_is_not_asked_about_again(project: RevisedProject) -> None:
    first = _plan(project, EDITS["modified"], decisions={CLAIM: Decision.RETRACTED})
    again = EDITS["modified"].replace("9000", "9100")
    request = Request(again, Kind.UPDATE, EDITOR, NOW)
    plan = plan_revision(
        first.graphs, [*project.revisions, first.revision], EDITS["modified"], request, TERMS
    )
    assert plan.revision.number == 5
    assert plan.revision.anchorings == ()
    assert _span(plan.graphs, ANCHOR) == (*project.span(3), QUOTE)


def test_claims_are_named_by_iri_or_local_name(project: RevisedProject) -> None:
    plan = _plan(project, EDITS["shifted"])
    assert resolve_claims(["claim-1", CLAIM], plan.claims) == {"claim-1": CLAIM, CLAIM: CLAIM}
    with pytest.raises(RevisionRefusedError, match="'claim-9'"):
        resolve_claims(["claim-9"], plan.claims)


def test_memento_iri() -> None:
    moment = datetime(2026, 1, 11, 9, 30, tzinfo=UTC)
    assert memento_iri(BASE, ARTICLE, moment) == BASE + "memento/20260111093000/id/hafenfest"


def _with_title_anchor(project: RevisedProject) -> tuple[set[ox.Quad], list[Revision]]:
    """The article's own anchor on its title added to revision 3's state (and hash)."""
    graph = ox.NamedNode(project.graph)
    anchor, quote, position = (ID + "hafenfest/title" + s for s in ("", "-quote", "-position"))
    title = "Hafenfest zieht Tausende an"
    rows: list[tuple[str, str, ox.NamedNode | ox.Literal]] = [
        (ARTICLE, TERMS.kgpub + "evidence", ox.NamedNode(anchor)),
        (anchor, RDF_TYPE, ox.NamedNode(OA + "SpecificResource")),
        (anchor, OA + "hasSource", ox.NamedNode(ARTICLE)),
        (anchor, OA + "hasSelector", ox.NamedNode(quote)),
        (anchor, OA + "hasSelector", ox.NamedNode(position)),
        (quote, RDF_TYPE, ox.NamedNode(OA + "TextQuoteSelector")),
        (quote, OA + "exact", ox.Literal(title)),
        (position, RDF_TYPE, ox.NamedNode(OA + "TextPositionSelector")),
        (position, OA + "start", ox.Literal("0", datatype=ox.NamedNode(XSD + "integer"))),
        (position, OA + "end", ox.Literal(str(len(title)), datatype=ox.NamedNode(XSD + "integer"))),
    ]
    state = {*project.states[-1]} | {
        ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o, graph) for s, p, o in rows
    }
    latest = replace(project.revisions[-1], content_hash=content_hash(state))
    return state, [*project.revisions[:-1], latest]


def test_anchors_of_the_article_itself_move_or_refuse(project: RevisedProject) -> None:
    state, revisions = _with_title_anchor(project)
    moved = "Vorab: " + OLD
    request = Request(moved, Kind.UPDATE, EDITOR, NOW)
    plan = plan_revision(state, revisions, OLD, request, TERMS)
    assert _span(plan.graphs, ID + "hafenfest/title") == (7, 34, "Hafenfest zieht Tausende an")
    assert [a.claim for a in plan.revision.anchorings] == [CLAIM]
    untitled = OLD.removeprefix("Hafenfest zieht Tausende an\n")
    request = Request(untitled, Kind.UPDATE, EDITOR, NOW)
    with pytest.raises(RevisionRefusedError, match="edit it by hand"):
        plan_revision(state, revisions, OLD, request, TERMS)
