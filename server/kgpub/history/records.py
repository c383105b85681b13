"""Revision records: what a revision of an article is, as plain values and as quads.

One module owns the shape of a revision's record, so the command that writes
revisions, the writes that record them, the Memento and feed routes that read
them and the history pages all agree on it (docs/revisions.md, "The model").
A record lives in the history graph (``<base>graph/history``)::

    <A/revision/n> a kgpub:Revision ; rdfs:label "Revision n"@en, "Fassung n"@de ;
        kgpub:revisionOf <A> ; kgpub:sequenceNumber n ;
        kgpub:contentHash "sha256:…" ; kgpub:coversGraph <g> … ;
        prov:generatedAtTime T ; prov:wasAttributedTo <editor> ;
        kgpub:revisionKind kind:correction ; kgpub:editorNote "…"@de ;
        prov:wasRevisionOf <A/revision/n-1> ; kgpub:patch "…"^^kgpub:RDFPatch ;
        kgpub:anchoring <A/revision/n#claim> … .
    <A/revision/n#claim> a kgpub:Anchoring ; kgpub:claim <claim> ;
        kgpub:anchorStatus anchor:shifted ; kgpub:matchScore 0.93 ;
        oa:start 12 ; oa:end 80 ; kgpub:decision decision:kept .

Times are UTC and whole seconds: Memento-Datetime has a second's resolution,
so two revisions of one article in the same second could not be told apart by
a reader (TailR's collisions); :func:`next_time` moves a revision on by a
second instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

import pyoxigraph as ox

from kgpub.errors import HistoryError
from kgpub.namespaces import OA, PROV, RDF_TYPE, RDFS, XSD


class Kind(StrEnum):
    """What a revision does, as newsrooms signal it (IPTC NewsML-G2; schema.org ``correction``)."""

    ORIGINAL = "original"
    UPDATE = "update"
    CORRECTION = "correction"
    CLARIFICATION = "clarification"
    RETRACTION = "retraction"


class AnchorStatus(StrEnum):
    """Where a claim's evidence went in the revised text (``kgpub.revisions.reanchor``)."""

    EXACT = "exact"
    SHIFTED = "shifted"
    FUZZY = "fuzzy"
    MODIFIED = "modified"
    ORPHANED = "orphaned"


class Decision(StrEnum):
    """An editor's answer for a claim whose evidence was modified or orphaned."""

    UPDATED = "updated"
    RETRACTED = "retracted"
    KEPT = "kept"


@dataclass(frozen=True)
class Terms:
    """The IRIs of the model under one base IRI (``Settings.base_iri``)."""

    base: str

    @property
    def kgpub(self) -> str:
        return self.base + "ontology#"

    def term(self, name: str) -> ox.NamedNode:
        return ox.NamedNode(self.kgpub + name)

    @property
    def history_graph(self) -> ox.NamedNode:
        return ox.NamedNode(self.base + "graph/history")

    def kind(self, kind: Kind) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}ontology/revision-kind#{kind.value}")

    def status(self, status: AnchorStatus) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}ontology/anchor-status#{status.value}")

    def decision(self, decision: Decision) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}ontology/claim-decision#{decision.value}")

    @property
    def patch_datatype(self) -> ox.NamedNode:
        return self.term("RDFPatch")


def revision_iri(article: str, number: int) -> str:
    """``<A>/revision/<n>``."""
    return f"{article}/revision/{number}"


def local_name(iri: str) -> str:
    """The part of an IRI after its last ``/`` or ``#``: a claim's key inside a revision."""
    return iri[max(iri.rfind("/"), iri.rfind("#")) + 1 :]


def whole_seconds(moment: datetime) -> datetime:
    """The moment in UTC without its fraction of a second (an aware datetime is required)."""
    if moment.tzinfo is None:
        raise HistoryError(f"a revision time needs a time zone: {moment.isoformat()}")
    return moment.astimezone(UTC).replace(microsecond=0)


def next_time(previous: datetime | None, now: datetime) -> datetime:
    """``now`` in whole seconds, moved on past ``previous`` so times strictly increase."""
    moment = whole_seconds(now)
    if previous is not None and moment <= previous:
        return previous + timedelta(seconds=1)
    return moment


@dataclass(frozen=True)
class Anchoring:
    """Where one claim's evidence stands in a revision's text, and what the editor decided."""

    claim: str
    status: AnchorStatus
    start: int | None = None
    end: int | None = None
    score: float | None = None
    decision: Decision | None = None


@dataclass(frozen=True)
class Revision:
    """One immutable revision of an article: its identity, provenance, change and anchors."""

    article: str
    number: int
    content_hash: str
    generated: datetime
    editor: str
    kind: Kind
    graphs: tuple[str, ...]
    note: str | None = None
    note_language: str | None = None
    patch: str | None = None
    anchorings: tuple[Anchoring, ...] = field(default=())

    @property
    def iri(self) -> str:
        return revision_iri(self.article, self.number)

    @property
    def previous(self) -> str | None:
        return revision_iri(self.article, self.number - 1) if self.number > 1 else None


def _lit(value: object, datatype: str) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + datatype))


def _time_literal(moment: datetime) -> ox.Literal:
    return _lit(whole_seconds(moment).strftime("%Y-%m-%dT%H:%M:%SZ"), "dateTime")


def _anchoring_quads(
    rev: Revision, item: Anchoring, terms: Terms, graph: ox.NamedNode
) -> Iterator[ox.Quad]:
    node = ox.NamedNode(f"{rev.iri}#{local_name(item.claim)}")
    yield ox.Quad(ox.NamedNode(rev.iri), terms.term("anchoring"), node, graph)
    yield ox.Quad(node, ox.NamedNode(RDF_TYPE), terms.term("Anchoring"), graph)
    yield ox.Quad(node, terms.term("claim"), ox.NamedNode(item.claim), graph)
    yield ox.Quad(node, terms.term("anchorStatus"), terms.status(item.status), graph)
    if item.score is not None:
        score = Decimal(str(round(item.score, 4)))
        yield ox.Quad(node, terms.term("matchScore"), _lit(score, "decimal"), graph)
    if item.start is not None and item.end is not None:
        yield ox.Quad(
            node, ox.NamedNode(OA + "start"), _lit(item.start, "nonNegativeInteger"), graph
        )
        yield ox.Quad(node, ox.NamedNode(OA + "end"), _lit(item.end, "nonNegativeInteger"), graph)
    if item.decision is not None:
        yield ox.Quad(node, terms.term("decision"), terms.decision(item.decision), graph)


def revision_quads(rev: Revision, terms: Terms) -> Iterator[ox.Quad]:
    """The record of ``rev`` as quads of the history graph."""
    g = terms.history_graph
    s = ox.NamedNode(rev.iri)
    yield ox.Quad(s, ox.NamedNode(RDF_TYPE), terms.term("Revision"), g)
    # Every resource a reader may meet is labelled (a revision is listed on its
    # article's page): by its number, in the page languages.
    for text, language in ((f"Revision {rev.number}", "en"), (f"Fassung {rev.number}", "de")):
        yield ox.Quad(s, ox.NamedNode(RDFS + "label"), ox.Literal(text, language=language), g)
    yield ox.Quad(s, terms.term("revisionOf"), ox.NamedNode(rev.article), g)
    yield ox.Quad(s, terms.term("sequenceNumber"), _lit(rev.number, "integer"), g)
    yield ox.Quad(s, terms.term("contentHash"), ox.Literal(rev.content_hash), g)
    for graph in rev.graphs:
        yield ox.Quad(s, terms.term("coversGraph"), ox.NamedNode(graph), g)
    yield ox.Quad(s, ox.NamedNode(PROV + "generatedAtTime"), _time_literal(rev.generated), g)
    yield ox.Quad(s, ox.NamedNode(PROV + "wasAttributedTo"), ox.NamedNode(rev.editor), g)
    yield ox.Quad(s, terms.term("revisionKind"), terms.kind(rev.kind), g)
    if rev.note is not None:
        note = (
            ox.Literal(rev.note, language=rev.note_language)
            if rev.note_language
            else ox.Literal(rev.note)
        )
        yield ox.Quad(s, terms.term("editorNote"), note, g)
    if rev.previous is not None:
        yield ox.Quad(s, ox.NamedNode(PROV + "wasRevisionOf"), ox.NamedNode(rev.previous), g)
    if rev.patch is not None:
        yield ox.Quad(
            s, terms.term("patch"), ox.Literal(rev.patch, datatype=terms.patch_datatype), g
        )
    for item in rev.anchorings:
        yield from _anchoring_quads(rev, item, terms, g)


# ------------------------------------------------------------------------------- reading back


class _Node:
    """The quads of one subject, by predicate."""

    def __init__(self, quads: Iterable[ox.Quad]) -> None:
        self.values: dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]] = {}
        for q in quads:
            self.values.setdefault(q.predicate.value, []).append(q.object)  # type: ignore[arg-type]

    def one(self, predicate: str, what: str) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        found = self.values.get(predicate, [])
        if len(found) != 1:
            raise HistoryError(f"{what}: expected one <{predicate}>, found {len(found)}")
        return found[0]

    def maybe(self, predicate: str) -> ox.NamedNode | ox.BlankNode | ox.Literal | None:
        found = self.values.get(predicate, [])
        return found[0] if found else None

    def all(self, predicate: str) -> list[ox.NamedNode | ox.BlankNode | ox.Literal]:
        return self.values.get(predicate, [])


_E = TypeVar("_E", bound=StrEnum)


def _enum_of(enum: type[_E], term: object, what: str) -> _E:
    value = getattr(term, "value", "")
    key = value.rsplit("#", 1)[-1]
    try:
        return enum(key)
    except ValueError:
        raise HistoryError(f"{what}: unknown {enum.__name__.lower()} <{value}>") from None


def _parse_time(term: object, what: str) -> datetime:
    try:
        return whole_seconds(datetime.fromisoformat(str(getattr(term, "value", ""))))
    except ValueError:
        raise HistoryError(f"{what}: prov:generatedAtTime is not an xsd:dateTime") from None


@dataclass(frozen=True)
class _Reader:
    terms: Terms
    quads_of: dict[str, list[ox.Quad]]

    def node(self, iri: str) -> _Node:
        return _Node(self.quads_of.get(iri, []))

    def anchoring(self, iri: str) -> Anchoring:
        n = self.node(iri)
        k = self.terms.kgpub
        score, start, end = n.maybe(k + "matchScore"), n.maybe(OA + "start"), n.maybe(OA + "end")
        decision = n.maybe(k + "decision")
        return Anchoring(
            claim=n.one(k + "claim", iri).value,
            status=_enum_of(AnchorStatus, n.one(k + "anchorStatus", iri), iri),
            start=int(start.value) if start is not None else None,
            end=int(end.value) if end is not None else None,
            score=float(score.value) if score is not None else None,
            decision=_enum_of(Decision, decision, iri) if decision is not None else None,
        )

    def revision(self, iri: str) -> Revision:
        n = self.node(iri)
        k = self.terms.kgpub
        note = n.maybe(k + "editorNote")
        patch = n.maybe(k + "patch")
        items = sorted(a.value for a in n.all(k + "anchoring"))
        return Revision(
            article=n.one(k + "revisionOf", iri).value,
            number=int(n.one(k + "sequenceNumber", iri).value),
            content_hash=n.one(k + "contentHash", iri).value,
            generated=_parse_time(n.one(PROV + "generatedAtTime", iri), iri),
            editor=n.one(PROV + "wasAttributedTo", iri).value,
            kind=_enum_of(Kind, n.one(k + "revisionKind", iri), iri),
            graphs=tuple(sorted(g.value for g in n.all(k + "coversGraph"))),
            note=note.value if note is not None else None,
            note_language=getattr(note, "language", None) if note is not None else None,
            patch=patch.value if patch is not None else None,
            anchorings=tuple(self.anchoring(a) for a in items),
        )


def read_revisions(quads: Iterable[ox.Quad], terms: Terms) -> dict[str, list[Revision]]:
    """Every article's revisions in a history graph's quads, by article IRI, oldest first.

    The chain is checked: numbers 1..n without gaps, each ``prov:wasRevisionOf``
    the one before, times strictly increasing; a break is a ``HistoryError``
    naming the article and the revision.
    """
    quads_of: dict[str, list[ox.Quad]] = {}
    revisions: list[str] = []
    kind_of = terms.term("Revision")
    for q in quads:
        if not isinstance(q.subject, ox.NamedNode):
            continue
        quads_of.setdefault(q.subject.value, []).append(q)
        if q.predicate.value == RDF_TYPE and q.object == kind_of:
            revisions.append(q.subject.value)
    reader = _Reader(terms, quads_of)
    by_article: dict[str, list[Revision]] = {}
    for iri in revisions:
        rev = reader.revision(iri)
        if rev.iri != iri:
            raise HistoryError(
                f"<{iri}> is revision {rev.number} of <{rev.article}>, not at its IRI"
            )
        by_article.setdefault(rev.article, []).append(rev)
    for article, revs in by_article.items():
        revs.sort(key=lambda r: r.number)
        check_chain(article, revs)
    return by_article


def check_chain(article: str, revs: list[Revision]) -> None:
    """Numbers 1..n, a patch on every revision after the first, times strictly increasing."""
    for index, rev in enumerate(revs):
        if rev.number != index + 1:
            raise HistoryError(f"<{article}>: revision {index + 1} is missing (found {rev.number})")
        if (rev.patch is None) != (rev.number == 1):
            raise HistoryError(f"<{rev.iri}>: a patch is required after revision 1, and only there")
        if index and rev.generated <= revs[index - 1].generated:
            raise HistoryError(f"<{rev.iri}>: its time is not after revision {index}'s")


def history_of(store_quads: Iterable[ox.Quad], terms: Terms, article: str) -> list[Revision]:
    """One article's revisions (oldest first), or an empty list when it has none recorded."""
    return read_revisions(store_quads, terms).get(article, [])


__all__ = [
    "AnchorStatus",
    "Anchoring",
    "Decision",
    "Kind",
    "Revision",
    "Terms",
    "check_chain",
    "history_of",
    "local_name",
    "next_time",
    "read_revisions",
    "revision_iri",
    "revision_quads",
    "whole_seconds",
]
