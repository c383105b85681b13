"""``PATCH /graph-store`` planned: an RDF Patch applied to one graph, and the revision it makes.

The patch (``kgpub.history.rdf_patch``, parsed before the write lock is
taken) is applied row by row to the graph's quads, strictly:

- a row without a graph (three terms) is a row of the graph the request
  names; a row with a fourth term must name that graph (else HTTP 400: one
  request patches one graph, as every Graph Store request writes one);
- ``A`` of a quad the graph already has, or ``D`` of one it lacks, is a
  conflict (``PatchConflictError``, HTTP 409, naming the row): the patch was
  written against another state, and applying it anyway would record a
  change its author did not see (RDF Patch itself lets such rows pass; a
  revision's recorded patch is exact, ``replay.diff_patch``);
- blank nodes are refused (HTTP 400): a patch's labels are not the store's,
  and an article's graphs may not hold them at all (``content_hash``);
- ``PA``/``PD`` prefix rows change no quad and are ignored; of the ``H``
  header only ``prev`` is read: on a graph with history it must name the
  latest revision (else 412, as a stale If-Match); the recorded patch gets
  its own ``id`` and ``prev``;
- on an article with history, a patch may not change the article's text
  (``schema:articleBody``, HTTP 409): a text revision re-anchors every claim's
  evidence, which is ``kgpub revise``'s work.

``If-Match`` is required (428 without, 412 when stale), checked on the state
the write changes. When an article with history covers the graph
(``kgpub.ingest.covered``), the change gets a revision: the next number, the
next time (``records.next_time``), the content hash over the article's
covered graphs after the change, the exact patch from the state before
(``replay.diff_patch``), the kind, note and editor given. Its record's quads
join the change set, so the writer commits both in one transaction (no
revision without its record, no record without its revision). A patch that
changes nothing makes no revision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pyoxigraph as ox

from kgpub.errors import (
    GraphNotFoundError,
    HistoryError,
    MalformedRequestError,
    PatchConflictError,
    PreconditionFailedError,
    PreconditionRequiredError,
)
from kgpub.history.content_hash import content_hash
from kgpub.history.evidence import find_evidence, move_all, per_claim
from kgpub.history.rdf_patch import Change, Patch
from kgpub.history.records import (
    Anchoring,
    Kind,
    Revision,
    Terms,
    next_time,
    revision_quads,
)
from kgpub.history.replay import diff_patch
from kgpub.ingest import preconditions
from kgpub.ingest.covered import Covered, covering, refuse_history_graph
from kgpub.ingest.graph_tags import current_matcher, revision_matcher
from kgpub.namespaces import SCHEMA
from kgpub.store.changes import Changes
from kgpub.store.oxigraph import Store

GraphName = ox.NamedNode | ox.DefaultGraph


@dataclass(frozen=True)
class RevisionMeta:
    """What a PATCH says about the revision it makes: kind, editor's note, editor."""

    editor: str
    kind: Kind = Kind.UPDATE
    note: str | None = None
    note_language: str | None = None


@dataclass(frozen=True)
class Patched:
    """A planned PATCH: the change set to commit and the revision it records (if any)."""

    changes: Changes
    covered: Covered | None
    revision: Revision | None


def _name(graph: GraphName) -> str:
    return f"<{graph.value}>" if isinstance(graph, ox.NamedNode) else "the default graph"


def _has_blank(term: object) -> bool:
    if isinstance(term, ox.BlankNode):
        return True
    if isinstance(term, ox.Triple):
        return any(_has_blank(t) for t in (term.subject, term.object))
    return False


def _row_quad(index: int, change: Change, graph: GraphName) -> ox.Quad:
    """The quad a row changes in ``graph``; 400 for a row of another graph or a blank node."""
    quad = change.quad
    row = f"row {index} ({change.op} {quad})"
    if not isinstance(quad.graph_name, ox.DefaultGraph) and quad.graph_name != graph:
        raise MalformedRequestError(
            f"{row} names the graph {quad.graph_name}, but the request patches {_name(graph)}: "
            "leave the graph out of the row or name the same one"
        )
    if any(_has_blank(t) for t in (quad.subject, quad.object, quad.graph_name)):
        raise MalformedRequestError(
            f"{row} has a blank node: a patch's blank node labels are not the store's "
            "(and an article's graphs may hold none); give the node an IRI"
        )
    return ox.Quad(quad.subject, quad.predicate, quad.object, graph)


def apply_rows(current: set[ox.Quad], graph: GraphName, patch: Patch) -> set[ox.Quad]:
    """The graph's quads after the patch's rows, in order; a row that does not fit is a 409."""
    state = set(current)
    for index, change in enumerate(patch.changes, start=1):
        quad = _row_quad(index, change, graph)
        if change.op == "A" and quad in state:
            raise PatchConflictError(
                f"row {index} (A {quad}) adds a quad {_name(graph)} already has; "
                "the patch was not written against its current state; nothing was written"
            )
        if change.op == "D" and quad not in state:
            raise PatchConflictError(
                f"row {index} (D {quad}) deletes a quad {_name(graph)} does not have; "
                "the patch was not written against its current state; nothing was written"
            )
        (state.add if change.op == "A" else state.discard)(quad)
    return state


def check_if_match(
    if_match: str | None, store: Store, graph: GraphName, covered: Covered | None, base_iri: str
) -> None:
    """428 without ``If-Match`` (or with ``*`` on a graph with history), 412 when stale; the
    graph exists (a missing one is a 404 whatever the preconditions say, RFC 9110 §13.2.1)."""
    if if_match is None:
        raise PreconditionRequiredError(
            f"PATCH needs If-Match with the ETag of {_name(graph)} as you last read it "
            "(GET or HEAD /graph-store); nothing was written"
        )
    if covered is not None and if_match.strip() == "*":
        raise PreconditionRequiredError(
            f"If-Match: * names no revision; {_name(graph)} belongs to <{covered.article}>, "
            "send the ETag of its latest revision (GET or HEAD /graph-store); nothing was written"
        )
    matches = (
        revision_matcher(covered.latest) if covered else current_matcher(store, graph, base_iri)
    )
    preconditions.check(if_match, None, _name(graph), True, matches)


def _check_prev(patch: Patch, covered: Covered) -> None:
    """412 when the patch's ``H prev`` names a revision that is not the latest: RDF Patch's
    own way of saying which state a patch follows, checked like If-Match."""
    prev = patch.header_value("prev")
    latest = covered.latest.iri
    if prev is not None and prev != ox.NamedNode(latest):
        raise PreconditionFailedError(
            f"the patch's H prev {prev} is not the latest revision of <{covered.article}>, "
            f"<{latest}>; nothing was written"
        )


def _refuse_text_change(article: str, before: list[ox.Quad], after: list[ox.Quad]) -> None:
    """409 when the patch changes the article's text: a text revision moves every claim's
    evidence with the text (re-anchoring, with the editor's decisions), which rows of a
    patch cannot do; ``kgpub revise`` makes it."""
    subject, body = ox.NamedNode(article), ox.NamedNode(SCHEMA + "articleBody")

    def text(quads: list[ox.Quad]) -> set[ox.Quad]:
        return {q for q in quads if q.subject == subject and q.predicate == body}

    if text(before) != text(after):
        raise PatchConflictError(
            f"the patch changes the schema:articleBody of <{article}>: a revision of the text "
            "re-anchors every claim's evidence in it, which a patch cannot do; revise the "
            "text with kgpub revise; nothing was written"
        )


def _anchorings(article: str, after: list[ox.Quad], terms: Terms) -> tuple[Anchoring, ...]:
    """Where each claim's evidence stands in the new revision's text, found and grouped as
    ``kgpub revise`` finds them (``history.evidence``). The text is the latest revision's
    (a patch may not change it), so each anchor is re-anchored into the same text: where
    its selectors, as the patch leaves them, say it is."""
    subject, body = ox.NamedNode(article), ox.NamedNode(SCHEMA + "articleBody")
    texts = [
        q.object.value
        for q in after
        if q.subject == subject and q.predicate == body and isinstance(q.object, ox.Literal)
    ]
    if len(texts) != 1:  # an article without its one text has no anchors to record
        return ()
    text = texts[0]
    claims = per_claim(move_all(text, text, find_evidence(after, article, terms)))
    return tuple(
        Anchoring(c.claim, c.status, start=c.worst.answer.start, end=c.worst.answer.end)
        for c in claims
    )


def _revision(
    store: Store,
    terms: Terms,
    covered: Covered,
    *,
    patched: tuple[GraphName, set[ox.Quad]],
    meta: RevisionMeta,
    now: datetime,
) -> tuple[Revision, list[ox.Quad]]:
    """The new revision of ``covered`` once the patched graph holds its new quads, and its
    record's quads; a ``HistoryError`` (409) when the graphs are not the latest revision's."""
    graph, quads = patched
    before = [q for g in covered.graphs for q in store.graph_quads(g)]
    latest = covered.latest
    if content_hash(before) != latest.content_hash:
        raise HistoryError(
            f"<{covered.article}>: its graphs do not match revision {latest.number}'s content "
            "hash; they were changed outside a revision, so no revision can follow it"
        )
    after = [q for q in before if q.graph_name != graph] + sorted(quads, key=str)
    _refuse_text_change(covered.article, before, after)
    revision = Revision(
        article=covered.article,
        number=latest.number + 1,
        content_hash=content_hash(after),
        generated=next_time(latest.generated, now),
        editor=meta.editor,
        kind=meta.kind,
        graphs=latest.graphs,
        note=meta.note,
        note_language=meta.note_language,
        anchorings=_anchorings(covered.article, after, terms),
    )
    revision = replace(revision, patch=diff_patch(before, after, revision))
    return revision, list(revision_quads(revision, terms))


def plan(
    store: Store,
    terms: Terms,
    request: tuple[GraphName, Patch, str | None],
    *,
    meta: RevisionMeta,
    clock: Callable[[], datetime],
) -> Patched:
    """The change a PATCH makes (with its revision's record), checked; nothing is written here."""
    graph, patch, if_match = request
    refuse_history_graph([graph], terms)
    if not store.has_graph(graph):  # before preconditions: RFC 9110 §13.2.1
        raise GraphNotFoundError(f"the store has no graph {_name(graph)}")
    covered = covering(store, terms, graph)
    check_if_match(if_match, store, graph, covered, terms.base)
    if covered is not None:
        _check_prev(patch, covered)
    current = set(store.graph_quads(graph))
    after = apply_rows(current, graph, patch)
    changes = Changes(removed=tuple(current - after), added=tuple(after - current))
    if covered is None or changes.empty:
        return Patched(changes, covered, None)
    revision, record = _revision(
        store, terms, covered, patched=(graph, after), meta=meta, now=clock()
    )
    return Patched(
        Changes(removed=changes.removed, added=(*changes.added, *record)), covered, revision
    )


def transaction(
    terms: Terms,
    request: tuple[GraphName, Patch, str | None],
    meta: RevisionMeta,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Callable[[Store], tuple[Changes, Patched]]:
    """The PATCH as ``Writer.transact`` runs it: planned on the committed state, under the
    write lock, so If-Match, the revision's number and its record all fit the state changed."""

    def build(store: Store) -> tuple[Changes, Patched]:
        patched = plan(store, terms, request, meta=meta, clock=clock)
        return patched.changes, patched

    return build
