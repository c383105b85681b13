"""The "History" section of a page, as data: an article's revisions, and a claim through them.

An article's page, each of its claims' pages and each revision's page
(``<A>/revision/<n>``) list the article's revisions: number, time, kind, the
editor's note, and links to the revision, its diff from the one before and
the article's memento at that time. A claim's page adds, per revision, where
its evidence stood: the anchoring status recorded for it (``exact``,
``shifted``, …, with score and the editor's decision) and the words its span
selects in *that* revision's text (the ``schema:articleBody`` of the replayed
state); revision 1 records no anchoring, so its span is read from the state's
own evidence selectors. A claim a revision invalidated says when and by which
revision, and links its successor. A page outside any recorded history gets
no view (``None``), so its template shows no history block. Data only: the
template renders it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from kgpub.history.addresses import diff_iri, feed_iri, memento_iri
from kgpub.history.compare import article_text
from kgpub.history.records import Anchoring, Revision, Terms, local_name
from kgpub.ld import anchors
from kgpub.ld.page_model import Page, Value
from kgpub.ld.revision_log import Located, article_states
from kgpub.namespaces import DCTERMS, PROV
from kgpub.store.oxigraph import Store
from kgpub.store.protocol import QueryStore


@dataclass(frozen=True)
class ClaimAt:
    """A claim in one revision: whether it is there, its status and the words its span selects."""

    present: bool
    invalidated: bool = False
    """Invalidated by an earlier revision: no longer anchored in this one's text."""
    status: Value | None = None
    score: float | None = None
    decision: Value | None = None
    span: str | None = None


@dataclass(frozen=True)
class RevisionRow:
    """One revision as the history lists it."""

    number: int
    time: str
    kind: Value
    kind_key: str
    href: str
    memento_href: str
    diff_href: str | None = None
    note: str | None = None
    note_lang: str = ""
    current: bool = False
    claim: ClaimAt | None = None


@dataclass
class HistoryView:
    """An article's revisions (oldest first) and, on a claim's page, the claim's fate."""

    article: Value
    rows: list[RevisionRow]
    feed_href: str
    feed_iri: str
    is_claim: bool = False
    invalidated_at: str | None = None
    invalidated_by: Value | None = None
    replaced_by: list[Value] = field(default_factory=list)
    revision_of: list[Value] = field(default_factory=list)


def link(page: Page, iri: str) -> str:
    """``page.href`` of an IRI that may carry a query (a diff's ``?from=…&to=…``)."""
    address, _, query = iri.partition("?")
    href = page.anchor(address)
    if not query:
        return href
    return href + ("&" if "?" in href else "?") + query


def _time(rev: Revision) -> str:
    return rev.generated.strftime("%Y-%m-%dT%H:%M:%SZ")


def revision_row(
    page: Page, rev: Revision, *, current: int | None = None, claim: ClaimAt | None = None
) -> RevisionRow:
    """``rev`` labelled and linked for ``page`` (its kind's label must be in the page's index)."""
    base = page.settings_base
    kind = Terms(base).kind(rev.kind).value
    return RevisionRow(
        number=rev.number,
        time=_time(rev),
        kind=Value(page.label(kind), page.href(kind)),
        kind_key=rev.kind.value,
        href=page.anchor(rev.iri),
        memento_href=link(page, memento_iri(base, rev.article, rev.generated)),
        diff_href=link(page, diff_iri(base, rev.article, rev.number - 1, rev.number))
        if rev.number > 1
        else None,
        note=rev.note,
        note_lang=rev.note_language or "",
        current=rev.number == current,
        claim=claim,
    )


def wanted_iris(store: QueryStore, base: str, iri: str, located: Located | None) -> set[str]:
    """The IRIs ``iri``'s history shows labels of: kinds, statuses, decisions, the article,
    and for a claim the revision that invalidated it and the claims it replaced or was
    replaced by."""
    terms = Terms(base)
    found: set[str] = set()
    if located is None:
        return found
    if iri != located.article and located.revision is None:
        for predicate in (
            terms.kgpub + "invalidatedBy",
            DCTERMS + "isReplacedBy",
            PROV + "wasRevisionOf",
        ):
            found |= {
                o.value for o in _objects(store, iri, predicate) if isinstance(o, ox.NamedNode)
            }
    for rev in located.revisions:
        found |= {rev.article, rev.iri, terms.kind(rev.kind).value}
        found |= {item.claim for item in rev.anchorings}
        for item in rev.anchorings:
            found.add(terms.status(item.status).value)
            if item.decision is not None:
                found.add(terms.decision(item.decision).value)
    return found


def _state_span(state: frozenset[ox.Quad], claim: str, article: str, ns: str) -> str | None:
    """The words the claim's first evidence span selects in a state without an anchoring record."""
    scratch = Store()
    scratch.add_quads(state)
    spans = [s for s in anchors.evidence_spans(scratch, claim, ns) if s.source == article]
    text = article_text(state, article)
    return text[spans[0].start : spans[0].end] if spans else None


_INVALIDATED_AT = ox.NamedNode(PROV + "invalidatedAtTime")


def _claim_at(page: Page, rev: Revision, state: frozenset[ox.Quad], claim: str) -> ClaimAt:
    node = ox.NamedNode(claim)
    if not any(q.subject == node for q in state):
        return ClaimAt(present=False)
    terms = Terms(page.settings_base)
    record: Anchoring | None = next((a for a in rev.anchorings if a.claim == claim), None)
    if record is None:
        # No anchoring recorded: revision 1 (its own selectors hold), or a claim an earlier
        # revision invalidated (its selectors point into an older text: no span here).
        if any(q.subject == node and q.predicate == _INVALIDATED_AT for q in state):
            return ClaimAt(True, invalidated=True)
        return ClaimAt(True, span=_state_span(state, claim, rev.article, terms.kgpub))
    text = article_text(state, rev.article)
    span = (
        text[record.start : record.end]
        if record.start is not None and record.end is not None
        else None
    )
    status = terms.status(record.status).value
    decision = terms.decision(record.decision).value if record.decision is not None else None
    return ClaimAt(
        True,
        status=Value(page.label(status), page.href(status)),
        score=record.score,
        decision=Value(page.label(decision), page.href(decision)) if decision else None,
        span=span,
    )


def _objects(
    store: QueryStore, subject: str, predicate: str
) -> list[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]:
    result = store.query(
        f"SELECT DISTINCT ?o WHERE {{ {ox.NamedNode(subject)} {ox.NamedNode(predicate)} ?o }}"
    )
    assert isinstance(result, ox.QuerySolutions)
    return [row["o"] for row in result if row["o"] is not None]


def _fate(store: QueryStore, page: Page, view: HistoryView, claim: str) -> None:
    """Whether a revision invalidated the claim, which one, and what replaced it or it replaced."""
    times = _objects(store, claim, PROV + "invalidatedAtTime")
    view.invalidated_at = next((t.value for t in times if isinstance(t, ox.Literal)), None)
    by = _objects(store, claim, Terms(page.settings_base).kgpub + "invalidatedBy")
    view.invalidated_by = page.value(by[0]) if by and isinstance(by[0], ox.NamedNode) else None
    for predicate, into in (
        (DCTERMS + "isReplacedBy", view.replaced_by),
        (PROV + "wasRevisionOf", view.revision_of),
    ):
        into.extend(
            page.value(o) for o in _objects(store, claim, predicate) if isinstance(o, ox.NamedNode)
        )


def name_records(page: Page, located: Located) -> None:
    """Label the revisions of ``located`` and their anchorings on ``page``.

    Wherever a page names a revision (its title, pointing here, invalidated by)
    it reads as its label with its article's ("Revision 2 · <article>": a
    record's own ``rdfs:label`` names no article), an anchoring, which has no
    label, as "Anchoring in revision 2 · <claim>". Called once per page.
    """
    for rev in located.revisions:
        own = page.label(rev.iri) if rev.iri in page.label_index else None
        name = own or f"{page.t('revision')} {rev.number}"
        page.label_index[rev.iri] = [(f"{name} · {page.label(rev.article)}", "")]
        for item in rev.anchorings:
            name = f"{page.t('anchoring').format(n=rev.number)} · {page.label(item.claim)}"
            page.label_index.setdefault(f"{rev.iri}#{local_name(item.claim)}", [(name, "")])


def history_view(
    store: QueryStore,
    page: Page,
    iri: str,
    located: Located | None,
    *,
    states: Mapping[int, frozenset[ox.Quad]] | None = None,
) -> HistoryView | None:
    """The history of ``located`` (``revision_log.locate``) as ``iri``'s page shows it.

    The labels of what it shows must be in ``page``'s index already
    (:func:`wanted_iris` names them; ``resource_view`` adds them with its own);
    ``states`` are the article's replayed states when the caller has them.
    Revisions are named with their article (:func:`name_records`) for the
    page's title and every other mention. ``None`` (no history block) when
    ``located`` is.
    """
    if located is None:
        return None
    name_records(page, located)
    is_claim = iri != located.article and located.revision is None
    replayed = (
        states if states is not None or not is_claim else article_states(store, located.revisions)
    )
    rows = [
        revision_row(
            page,
            rev,
            current=located.revision,
            claim=_claim_at(page, rev, replayed[rev.number], iri)
            if is_claim and replayed is not None
            else None,
        )
        for rev in located.revisions
    ]
    feed = feed_iri(page.settings_base, located.article)
    view = HistoryView(
        article=page.value(ox.NamedNode(located.article)),
        rows=rows,
        feed_href=page.anchor(feed),
        feed_iri=feed,
        is_claim=is_claim,
    )
    if is_claim:
        _fate(store, page, view, iri)
    return view
