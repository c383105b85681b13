"""The edits a revision makes to an article's graphs, one kind of edit per function.

Each function changes a set of quads in place: an anchor's selectors moved to
its new span, a claim invalidated (never deleted), its evidence frozen on the
text it was true of (``oa:hasState`` with an ``oa:TimeState``), a successor
claim that replaces it, the article's text and dates. New quads go into the
graph that holds the subject they describe, so a revision never moves a
statement from one file to another (docs/revisions.md, "The article graphs of
a revision").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import pyoxigraph as ox

from kgpub.errors import RevisionRefusedError
from kgpub.history.evidence import Evidence
from kgpub.history.records import Terms
from kgpub.namespaces import DCTERMS, OA, PROV, RDF, RDF_TYPE, SCHEMA, XSD
from kgpub.rdf.quote_selectors import Selectors

State = set[ox.Quad]


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def date_time(moment: datetime) -> ox.Literal:
    """A revision time as an ``xsd:dateTime`` literal (UTC, whole seconds).

    Written ``+00:00``, not ``Z``: the canonical Turtle of ``kgpub fmt`` (rdflib)
    writes it so, and the graph files must read back as exactly the quads the
    revision's content hash was computed over.
    """
    utc = moment.astimezone(UTC).replace(microsecond=0)
    return ox.Literal(utc.isoformat(), datatype=_n(XSD + "dateTime"))


def _integer(value: int, like: ox.Literal | None) -> ox.Literal:
    datatype = like.datatype if like is not None else _n(XSD + "integer")
    return ox.Literal(str(value), datatype=datatype)


def about(state: State, subject: str) -> list[ox.Quad]:
    """The quads with ``subject`` as their subject."""
    node = _n(subject)
    return [q for q in state if q.subject == node]


def graph_of(state: State, subject: str) -> ox.NamedNode | ox.DefaultGraph:
    """The graph that types ``subject`` (else any graph describing it): where its new quads go."""
    quads = about(state, subject)
    typed = [q for q in quads if q.predicate.value == RDF_TYPE]
    chosen = typed or quads
    if not chosen:
        raise RevisionRefusedError(f"<{subject}> is not described in the article's graphs")
    graph = min(chosen, key=str).graph_name
    assert isinstance(graph, ox.NamedNode | ox.DefaultGraph)
    return graph


def _replace(state: State, subject: str, predicate: str, value: ox.Literal | None) -> None:
    """Set the one value of ``predicate`` on ``subject`` (none: remove it), in its graph."""
    graph = graph_of(state, subject)
    for quad in [q for q in about(state, subject) if q.predicate.value == predicate]:
        state.discard(quad)
    if value is not None:
        state.add(ox.Quad(_n(subject), _n(predicate), value, graph))


def _one_literal(state: State, subject: str, predicate: str) -> ox.Literal | None:
    for quad in about(state, subject):
        if quad.predicate.value == predicate and isinstance(quad.object, ox.Literal):
            return quad.object
    return None


def move_anchor(state: State, evidence: Evidence, to: Selectors) -> None:
    """Rewrite an anchor's two selectors to a span of the new text."""
    start = _one_literal(state, evidence.position, OA + "start")
    end = _one_literal(state, evidence.position, OA + "end")
    _replace(state, evidence.position, OA + "start", _integer(to.start, start))
    _replace(state, evidence.position, OA + "end", _integer(to.end, end))
    _replace(state, evidence.quote, OA + "exact", ox.Literal(to.exact))
    _replace(state, evidence.quote, OA + "prefix", ox.Literal(to.prefix) if to.prefix else None)
    _replace(state, evidence.quote, OA + "suffix", ox.Literal(to.suffix) if to.suffix else None)


def set_text(state: State, article: str, text: str, modified: datetime) -> None:
    """The article's ``schema:articleBody`` and ``schema:dateModified`` of a new revision."""
    _replace(state, article, SCHEMA + "articleBody", ox.Literal(text))
    _replace(state, article, SCHEMA + "dateModified", date_time(modified))


def add_correction(state: State, article: str, revision: str, note: str, language: str) -> None:
    """``<A> schema:correction <rev>``; the revision a ``schema:CorrectionComment`` (the note)."""
    graph = graph_of(state, article)
    rev = _n(revision)
    state.add(ox.Quad(_n(article), _n(SCHEMA + "correction"), rev, graph))
    state.add(ox.Quad(rev, _n(RDF_TYPE), _n(SCHEMA + "CorrectionComment"), graph))
    state.add(ox.Quad(rev, _n(SCHEMA + "text"), ox.Literal(note, language=language), graph))


def invalidate(state: State, claim: str, revision: str, moment: datetime, terms: Terms) -> None:
    """The claim no longer holds from ``revision`` on; it stays in the graph."""
    graph = graph_of(state, claim)
    node = _n(claim)
    state.add(ox.Quad(node, _n(PROV + "invalidatedAtTime"), date_time(moment), graph))
    state.add(ox.Quad(node, terms.term("invalidatedBy"), _n(revision), graph))


def freeze(state: State, evidence: Evidence, since: datetime, memento: str) -> None:
    """The anchor points into the text as it was at ``since``: ``oa:hasState`` a TimeState."""
    graph = graph_of(state, evidence.anchor)
    anchor = _n(evidence.anchor)
    node = _n(evidence.anchor + "-state")
    state.add(ox.Quad(anchor, _n(OA + "hasState"), node, graph))
    state.add(ox.Quad(node, _n(RDF_TYPE), _n(OA + "TimeState"), graph))
    state.add(ox.Quad(node, _n(OA + "sourceDate"), date_time(since), graph))
    state.add(ox.Quad(node, _n(OA + "cached"), _n(memento), graph))


_NOT_COPIED = (PROV + "invalidatedAtTime", PROV + "wasRevisionOf", DCTERMS + "isReplacedBy")
"""What a successor does not inherit (with kgpub:evidence and kgpub:invalidatedBy)."""


def succeed(
    state: State,
    claim: str,
    successor: str,
    anchors: list[tuple[Evidence, Selectors]],
    terms: Terms,
) -> None:
    """``successor`` replaces ``claim``: a copy of its description with new anchors.

    The copy keeps the claim's type, statements, sources and texts; the editor
    reviews them in the next edit. The anchors get new IRIs (``<anchor>-<n>``,
    from the successor's suffix) at the spans given.
    """
    if about(state, successor):
        raise RevisionRefusedError(f"<{successor}> exists already: cannot mint the successor")
    graph = graph_of(state, claim)
    old, new = _n(claim), _n(successor)
    skipped = {*_NOT_COPIED, terms.kgpub + "evidence", terms.kgpub + "invalidatedBy"}
    for quad in about(state, claim):
        if quad.predicate.value not in skipped:
            state.add(ox.Quad(new, quad.predicate, quad.object, quad.graph_name))
    state.add(ox.Quad(new, _n(PROV + "wasRevisionOf"), old, graph))
    state.add(ox.Quad(old, _n(DCTERMS + "isReplacedBy"), new, graph))
    suffix = successor[len(claim) :]
    for evidence, span in anchors:
        _new_anchor(state, evidence, evidence.anchor + suffix, span)
        state.add(ox.Quad(new, terms.term("evidence"), _n(evidence.anchor + suffix), graph))


def _new_anchor(state: State, evidence: Evidence, anchor: str, span: Selectors) -> None:
    graph = graph_of(state, evidence.anchor)
    node, quote, position = _n(anchor), _n(anchor + "-quote"), _n(anchor + "-position")
    source = [
        q.object for q in about(state, evidence.anchor) if q.predicate.value == OA + "hasSource"
    ]
    like = _one_literal(state, evidence.position, OA + "start")
    rows = [
        (node, RDF_TYPE, _n(OA + "SpecificResource")),
        *((node, OA + "hasSource", s) for s in source),
        (node, OA + "hasSelector", quote),
        (node, OA + "hasSelector", position),
        (quote, RDF_TYPE, _n(OA + "TextQuoteSelector")),
        (quote, OA + "exact", ox.Literal(span.exact)),
        (position, RDF_TYPE, _n(OA + "TextPositionSelector")),
        (position, OA + "start", _integer(span.start, like)),
        (position, OA + "end", _integer(span.end, like)),
    ]
    if span.prefix:
        rows.append((quote, OA + "prefix", ox.Literal(span.prefix)))
    if span.suffix:
        rows.append((quote, OA + "suffix", ox.Literal(span.suffix)))
    for subject, predicate, obj in rows:
        state.add(ox.Quad(subject, _n(predicate), obj, graph))


Triple = tuple[object, object, object]
"""A (subject, predicate, object), compared by value."""


def statements_of(state: State, claims: Iterable[str], terms: Terms) -> set[Triple]:
    """The (subject, predicate, object) the claims' ``kgpub:statement``s reify."""
    found: set[Triple] = set()
    for claim in claims:
        for quad in about(state, claim):
            if quad.predicate.value != terms.kgpub + "statement" or not isinstance(
                quad.object, ox.NamedNode
            ):
                continue
            parts = {q.predicate.value: q.object for q in about(state, quad.object.value)}
            s, p, o = (parts.get(RDF + name) for name in ("subject", "predicate", "object"))
            if s is not None and p is not None and o is not None:
                found.add((s, p, o))
    return found


def drop_assertions(state: State, gone: set[Triple]) -> None:
    """Remove the plain asserted triples ``gone`` from every graph (history keeps them)."""
    for quad in [q for q in state if (q.subject, q.predicate, q.object) in gone]:
        state.discard(quad)
