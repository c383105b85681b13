"""Planning a revision: from an article's graphs, old and new text and the editor's
decisions to its new graphs and the record of the new revision. Pure: no files,
no store.

The plan follows docs/revisions.md, "The model": every anchor into the text is
re-anchored (``history.evidence``); anchors found (exact, shifted, fuzzy) move
to their new spans; a claim whose evidence was modified or orphaned needs the
editor's decision, and a plan is refused (``UndecidedClaimsError``) while one
is missing. ``kept`` and ``retracted`` invalidate the claim at this revision,
``updated`` also mints a successor (``<claim>-r<n>``) anchored at the span the
editor gives or where the re-anchoring found the changed quote. A claim is
never deleted: an invalidated claim's evidence keeps its old selectors and
points into the text it was true of (``oa:hasState``). The record carries the
exact patch (``replay.diff_patch``) and the content hash of the new graphs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import pyoxigraph as ox

from kgpub.errors import HistoryError, RevisionRefusedError, UndecidedClaimsError
from kgpub.history import claim_edits as edits
from kgpub.history.addresses import memento_iri
from kgpub.history.content_hash import content_hash
from kgpub.history.evidence import ClaimAnchors, Evidence, Moved, find_evidence, move_all, per_claim
from kgpub.history.records import (
    Anchoring,
    AnchorStatus,
    Decision,
    Kind,
    Revision,
    Terms,
    next_time,
)
from kgpub.history.replay import diff_patch
from kgpub.rdf.quote_selectors import Selectors, selectors_at

_SCORED = frozenset({AnchorStatus.FUZZY, AnchorStatus.MODIFIED})


@dataclass(frozen=True)
class Request:
    """What the editor asks for: the new text, the kind of revision and the decisions."""

    new_text: str
    kind: Kind
    editor: str
    now: datetime
    note: str | None = None
    language: str = "de"
    decisions: Mapping[str, Decision] = field(default_factory=dict)
    spans: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    """A successor's span in the new text, by claim (``updated`` only)."""


@dataclass(frozen=True)
class Plan:
    """The new revision: its record, the article's graphs in it, and what became of each claim."""

    revision: Revision
    graphs: frozenset[ox.Quad]
    claims: tuple[ClaimAnchors, ...]
    successors: Mapping[str, str]


def resolve_claims(names: Iterable[str], claims: Sequence[ClaimAnchors]) -> dict[str, str]:
    """Claim names as an editor writes them (IRI or local name) mapped to the claims' IRIs."""
    known = {c.claim: c.claim for c in claims}
    for c in claims:
        known.setdefault(c.claim.rsplit("/", 1)[-1].rsplit("#", 1)[-1], c.claim)
    resolved = {}
    for name in names:
        if name not in known:
            raise RevisionRefusedError(
                f"no current claim with anchored evidence named {name!r} in this article"
            )
        resolved[name] = known[name]
    return resolved


def check_decisions(claims: Sequence[ClaimAnchors], request: Request) -> None:
    """Every modified or orphaned claim decided, no decision on a claim that needs none."""
    by_iri = {c.claim: c for c in claims}
    for claim, decision in request.decisions.items():
        found = by_iri.get(claim)
        if found is None:
            raise RevisionRefusedError(f"<{claim}> is not a current claim with anchored evidence")
        if not found.needs_decision:
            raise RevisionRefusedError(
                f"<{claim}> is {found.status}: it needs no decision (asked: {decision})"
            )
    for claim in request.spans:
        if request.decisions.get(claim) is not Decision.UPDATED:
            raise RevisionRefusedError(f"a span is only for a claim decided updated: <{claim}>")
    missing = [c.claim for c in claims if c.needs_decision and c.claim not in request.decisions]
    if missing:
        raise UndecidedClaimsError(missing)


def _selectors(text: str, moved: Moved) -> Selectors:
    answer = moved.answer
    assert answer.start is not None
    assert answer.end is not None
    return selectors_at(text, answer.start, answer.end)


def _successor_anchors(claim: ClaimAnchors, request: Request) -> list[tuple[Evidence, Selectors]]:
    """The successor's anchors: the editor's span for the worst one, else where each was found."""
    text = request.new_text
    span = request.spans.get(claim.claim)
    anchors = []
    for moved in claim.moved:
        if span is not None and moved is claim.worst:
            start, end = span
            if not 0 <= start < end <= len(text):
                raise RevisionRefusedError(
                    f"span {start}-{end} of <{claim.claim}> is not within the new text "
                    f"(0-{len(text)})"
                )
            anchors.append((moved.evidence, selectors_at(text, start, end)))
        elif moved.answer.start is not None:
            anchors.append((moved.evidence, _selectors(text, moved)))
        else:
            raise RevisionRefusedError(
                f"<{claim.claim}> is decided updated but its evidence is orphaned: "
                "give the successor's span in the new text"
            )
    return anchors


def _anchoring(claim: ClaimAnchors, decision: Decision | None) -> Anchoring:
    worst = claim.worst
    status = worst.status
    located = status is not AnchorStatus.ORPHANED
    return Anchoring(
        claim=claim.claim,
        status=status,
        start=worst.answer.start if located else None,
        end=worst.answer.end if located else None,
        score=worst.answer.score if status in _SCORED else None,
        decision=decision,
    )


@dataclass
class _Edit:
    state: set[ox.Quad]
    request: Request
    terms: Terms
    revision: str
    number: int
    moment: datetime
    previous: datetime
    article: str

    def move_others(self, moved: Sequence[Moved]) -> None:
        """Anchors not of claims (the article, its sections, quotations) follow the text."""
        for item in moved:
            if item.evidence.is_claim:
                continue
            if item.answer.start is None:
                raise RevisionRefusedError(
                    f"the anchor <{item.evidence.anchor}> of <{item.evidence.holder}> is orphaned "
                    f"({item.answer.reason}): edit it by hand before revising"
                )
            edits.move_anchor(self.state, item.evidence, _selectors(self.request.new_text, item))

    def claim(self, claim: ClaimAnchors) -> str | None:
        """Apply what becomes of one claim; the successor's IRI when it is updated."""
        decision = self.request.decisions.get(claim.claim)
        if decision is None:
            for item in claim.moved:
                edits.move_anchor(
                    self.state, item.evidence, _selectors(self.request.new_text, item)
                )
            return None
        edits.invalidate(self.state, claim.claim, self.revision, self.moment, self.terms)
        memento = memento_iri(self.terms.base, self.article, self.previous)
        for item in claim.moved:
            edits.freeze(self.state, item.evidence, self.previous, memento)
        if decision is not Decision.UPDATED:
            return None
        successor = f"{claim.claim}-r{self.number}"
        anchors = _successor_anchors(claim, self.request)
        edits.succeed(self.state, claim.claim, successor, anchors, self.terms)
        return successor


def plan_revision(
    current: Iterable[ox.Quad],
    history: Sequence[Revision],
    old_text: str,
    request: Request,
    terms: Terms,
) -> Plan:
    """The next revision of the article whose revisions are ``history`` (oldest first).

    ``current`` are the quads of its graphs now, which must be the latest
    revision's (its content hash); ``old_text`` its text now.
    """
    if not history:
        raise RevisionRefusedError(
            "the article has no recorded history (no history.ttl): record its revision 1 first"
        )
    latest = history[-1]
    before = frozenset(current)
    state = set(before)
    if content_hash(state) != latest.content_hash:
        raise HistoryError(
            f"<{latest.article}>: its graphs do not match revision {latest.number}'s content hash; "
            "were they changed outside a revision?"
        )
    if request.new_text == old_text:
        raise RevisionRefusedError("the new text is the article's current text: nothing to revise")
    if request.kind is Kind.ORIGINAL:
        raise RevisionRefusedError("only revision 1 is an original; choose update, correction, …")
    if request.kind is Kind.CORRECTION and not request.note:
        raise RevisionRefusedError("a correction needs a note saying what was corrected")
    article = latest.article
    moved = move_all(old_text, request.new_text, find_evidence(state, article, terms))
    claims = per_claim(moved)
    check_decisions(claims, request)
    number = latest.number + 1
    moment = next_time(latest.generated, request.now)
    shell = Revision(
        article=article,
        number=number,
        content_hash="",
        generated=moment,
        editor=request.editor,
        kind=request.kind,
        graphs=latest.graphs,
    )
    edit = _Edit(state, request, terms, shell.iri, number, moment, latest.generated, article)
    edit.move_others(moved)
    successors = {}
    for claim in claims:
        successor = edit.claim(claim)
        if successor is not None:
            successors[claim.claim] = successor
    invalid = [c.claim for c in claims if c.claim in request.decisions]
    kept = [c.claim for c in claims if c.claim not in request.decisions] + list(successors.values())
    gone = edits.statements_of(state, invalid, terms) - edits.statements_of(state, kept, terms)
    edits.drop_assertions(state, gone)
    edits.set_text(state, article, request.new_text, moment)
    if request.kind is Kind.CORRECTION and request.note:
        edits.add_correction(state, article, shell.iri, request.note, request.language)
    revision = replace(
        shell,
        content_hash=content_hash(state),
        note=request.note,
        note_language=request.language if request.note else None,
        patch=diff_patch(before, state, shell),
        anchorings=tuple(_anchoring(c, request.decisions.get(c.claim)) for c in claims),
    )
    return Plan(revision, frozenset(state), tuple(claims), successors)
