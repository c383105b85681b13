"""The text anchors of an article's graphs and where each goes in a revised text.

A revision moves every anchor into the new text (``kgpub.revisions.reanchor``)
and asks the editor about the claims whose evidence it cannot follow with
certainty. This module finds the anchors in the article's quads (by their IRIs:
article graphs have no blank nodes, so every selector can be rewritten in
place) and groups the answers per claim, the worst anchor's status being the
claim's. Anchors of invalidated claims and anchors that already carry an
``oa:hasState`` point into an earlier revision and are left alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kgpub.history.records import AnchorStatus, Terms
from kgpub.namespaces import OA, PROV

if TYPE_CHECKING:
    # The re-anchoring (rapidfuzz) is imported where a revision is made, not when the
    # server, whose PATCH route reaches this module, starts (docs/architecture.md).
    from kgpub.revisions.reanchor import Anchor, Reanchored

WORST_FIRST = (
    AnchorStatus.ORPHANED,
    AnchorStatus.MODIFIED,
    AnchorStatus.FUZZY,
    AnchorStatus.SHIFTED,
    AnchorStatus.EXACT,
)
"""Statuses from the one that needs the editor most; a claim's is its worst anchor's."""

NEEDS_DECISION = frozenset({AnchorStatus.MODIFIED, AnchorStatus.ORPHANED})


@dataclass(frozen=True)
class Evidence:
    """One anchor into the article's text, with the IRIs of its two selectors."""

    holder: str
    """What rests on the anchor: a claim, the article, a section, a quotation."""
    anchor: str
    quote: str
    position: str
    selector: Anchor
    is_claim: bool


@dataclass(frozen=True)
class Moved:
    """One anchor and where the re-anchoring found it in the new text."""

    evidence: Evidence
    answer: Reanchored

    @property
    def status(self) -> AnchorStatus:
        return AnchorStatus(str(self.answer.status))


@dataclass(frozen=True)
class ClaimAnchors:
    """A claim's anchors in the new text; its status is the worst of theirs."""

    claim: str
    moved: tuple[Moved, ...]

    @property
    def worst(self) -> Moved:
        return min(self.moved, key=lambda m: WORST_FIRST.index(m.status))

    @property
    def status(self) -> AnchorStatus:
        return self.worst.status

    @property
    def needs_decision(self) -> bool:
        return self.status in NEEDS_DECISION


def _query(article: str, terms: Terms) -> str:
    return (
        f"PREFIX oa: <{OA}> PREFIX prov: <{PROV}> PREFIX k: <{terms.kgpub}> "
        "SELECT ?holder ?claim ?anchor ?q ?p ?exact ?prefix ?suffix ?start ?end WHERE { "
        f"?holder k:evidence ?anchor . ?anchor oa:hasSource {ox.NamedNode(article)} ; "
        "oa:hasSelector ?q , ?p . ?q a oa:TextQuoteSelector ; oa:exact ?exact . "
        "OPTIONAL { ?q oa:prefix ?prefix } OPTIONAL { ?q oa:suffix ?suffix } "
        "?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end . "
        "FILTER NOT EXISTS { ?anchor oa:hasState ?state } "
        "FILTER NOT EXISTS { ?holder prov:invalidatedAtTime ?gone } "
        "OPTIONAL { ?holder a k:ReportedClaim . BIND (true AS ?claim) } "
        "} ORDER BY ?start ?holder ?anchor"
    )


def find_evidence(quads: Iterable[ox.Quad], article: str, terms: Terms) -> list[Evidence]:
    """Every current anchor into ``article``'s text in its graphs, by position."""
    store = ox.Store()
    store.extend(quads)
    from kgpub.revisions.reanchor import Anchor  # noqa: PLC0415 - see the imports

    result = store.query(_query(article, terms), use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    found = []
    for row in result:

        def text(name: str, row: ox.QuerySolution = row) -> str:
            term = row[name]
            return term.value if term is not None else ""

        found.append(
            Evidence(
                holder=text("holder"),
                anchor=text("anchor"),
                quote=text("q"),
                position=text("p"),
                selector=Anchor(
                    text("exact"),
                    int(text("start")),
                    int(text("end")),
                    text("prefix"),
                    text("suffix"),
                ),
                is_claim=row["claim"] is not None,
            )
        )
    return found


def move_all(old: str, new: str, evidence: Sequence[Evidence]) -> list[Moved]:
    """Each anchor re-anchored from ``old`` into ``new`` (``AnchorMismatchError`` if one
    does not select its own quote in ``old``)."""
    from kgpub.revisions.reanchor import Reanchorer  # noqa: PLC0415 - see the imports

    reanchorer = Reanchorer(old, new)
    return [Moved(e, reanchorer.reanchor(e.selector)) for e in evidence]


def per_claim(moved: Sequence[Moved]) -> list[ClaimAnchors]:
    """The claims' anchors, grouped in the order the claims first occur."""
    claims: dict[str, list[Moved]] = {}
    for item in moved:
        if item.evidence.is_claim:
            claims.setdefault(item.evidence.holder, []).append(item)
    return [ClaimAnchors(claim, tuple(items)) for claim, items in claims.items()]


def _anchor_json(moved: Moved) -> dict[str, Any]:
    selector, answer = moved.evidence.selector, moved.answer
    return {
        "anchor": moved.evidence.anchor,
        "status": str(answer.status),
        "old": [selector.start, selector.end],
        "new": None if answer.start is None else [answer.start, answer.end],
        "score": answer.score,
        "changes": list(answer.changes),
        "reason": answer.reason,
        "exact": answer.exact,
        "prefix": answer.prefix,
        "suffix": answer.suffix,
    }


def claims_json(
    claims: Sequence[ClaimAnchors], decisions: Mapping[str, object] | None = None
) -> list[dict[str, Any]]:
    """Each claim as JSON (``claim``, ``status``, ``anchors``), the way ``kgpub revise
    --json`` and the revisions route answer; with ``decisions``, also ``decision``
    (``None`` where a modified or orphaned claim still lacks one)."""
    out = []
    for claim in claims:
        item: dict[str, Any] = {
            "claim": claim.claim,
            "status": str(claim.status),
            "anchors": [_anchor_json(m) for m in claim.moved],
        }
        if decisions is not None:
            decision = decisions.get(claim.claim)
            if decision is not None:
                item["decision"] = str(decision)
            elif claim.needs_decision:
                item["decision"] = None
        out.append(item)
    return out
