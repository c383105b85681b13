"""What a resource page shows, as data: the view model the template renders.

``resource_view`` gathers everything a page about one IRI needs from the
store (its description, the resources pointing to it, a claim's evidence
sentence with its span, an article's text with every claim marked, the
neighbourhood picture, the SHACL results) and labels it in the reader's
language. It renders nothing: ``pages.resource_page`` hands the view to the
template, so the view can be tested as data and the template changed alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from markupsafe import Markup

from kgpub.ld import anchors, neighbourhood
from kgpub.ld.describe import (
    FALLBACK_LABEL_PREDICATES,
    Description,
    Kind,
    Link,
    graph_subjects,
    incoming,
    labels,
)
from kgpub.ld.page_model import Page, Section, Value, group, section
from kgpub.namespaces import RDF_TYPE, SCHEMA
from kgpub.shacl.conformance import Conformance
from kgpub.store.protocol import QueryStore


@dataclass
class ResourceView:
    """Everything the resource template shows, labelled and linked."""

    title: str
    kind: str
    sections: list[Section]
    claim: dict[str, list[Value]] | None = None
    evidence: list[Markup] = field(default_factory=list)
    article: list[tuple[str, Markup]] | None = None
    picture: Markup | None = None
    incoming: list[tuple[Value, str]] = field(default_factory=list)
    subjects: list[Value] = field(default_factory=list)
    triple_count: int = 0
    shapes_loaded: bool = False
    validated: bool = False
    results: list[tuple[str, str, str]] = field(default_factory=list)

    def template_context(self) -> dict[str, Any]:
        return dict(self.__dict__)


def resource_view(
    store: QueryStore, description: Description, conformance: Conformance, page: Page
) -> ResourceView:
    """The view of ``description``'s page, labelled in ``page``'s language."""
    kgpub_ns = page.settings_base + "ontology#"
    is_graph = description.kind is Kind.GRAPH
    main = description.roots[0]
    links: list[Link] = [] if is_graph else incoming(store, description.iri)
    subjects = graph_subjects(store, description.iri) if is_graph else []
    spans, body, article_spans = _spans(store, description, kgpub_ns)
    wanted = (
        _iris_in(description.quads)
        | {link.subject for link in links}
        | {link.predicate for link in links}
        | set(subjects)
        | {description.iri}
        | {s.claim for s in spans + article_spans}
    )
    page.label_index = labels(store, wanted)
    page.fallback_index = labels(
        store, [i for i in wanted if i not in page.label_index], FALLBACK_LABEL_PREDICATES
    )
    results = conformance.results_for(main)
    return ResourceView(
        title=page.label(main),
        kind=description.kind.value,
        sections=[] if is_graph else _sections(page, description),
        claim=_claim(page, description, main, kgpub_ns) if spans else None,
        evidence=_evidence(store, page, spans),
        article=_article(store, page, main, (body, article_spans), kgpub_ns),
        picture=None if is_graph else _picture(page, main, description.about(main), links),
        incoming=[(page.value(ox.NamedNode(x.subject)), page.label(x.predicate)) for x in links],
        subjects=[page.value(ox.NamedNode(s)) for s in subjects],
        triple_count=len(description.quads),
        shapes_loaded=conformance.shapes_loaded,
        validated=conformance.validated,
        results=[
            (page.curie(str(r.severity)), page.curie(str(r.path or "")), r.message_in([page.lang]))
            for r in results
        ],
    )


def _spans(
    store: QueryStore, description: Description, kgpub_ns: str
) -> tuple[list[anchors.Span], str | None, list[anchors.Span]]:
    """A claim's evidence spans; an article's text and every claim's span in it."""
    if description.kind is not Kind.RESOURCE:
        return [], None, []
    main = description.roots[0]
    types = _objects(description, main, RDF_TYPE)
    spans = (
        anchors.evidence_spans(store, main, kgpub_ns) if kgpub_ns + "ReportedClaim" in types else []
    )
    body = anchors.article_body(store, main)
    article_spans = anchors.claim_spans(store, main, kgpub_ns) if body is not None else []
    return spans, body, article_spans


def _claim(
    page: Page, description: Description, main: str, kgpub_ns: str
) -> dict[str, list[Value]]:
    """Who claims it, to whom, where it appeared and what contradicts it."""
    fields = (
        ("claimed_by", SCHEMA + "author"),
        ("told_to", kgpub_ns + "toldTo"),
        ("first_appearance", SCHEMA + "firstAppearance"),
        ("appearance", SCHEMA + "appearance"),
        ("contradicts", kgpub_ns + "contradicts"),
    )
    return {
        key: [page.value(ox.NamedNode(o)) for o in _objects(description, main, predicate)]
        for key, predicate in fields
    }


def _evidence(store: QueryStore, page: Page, spans: Sequence[anchors.Span]) -> list[Markup]:
    """Each evidence span in its sentence, marked."""
    evidence = []
    for number, span in enumerate(spans, start=1):
        text = anchors.article_body(store, span.source)
        if text is None:
            continue
        begin, end = anchors.sentence_around(text, span.start, span.end)
        evidence.append(
            anchors.highlight(
                text[begin:end],
                [span],
                page.anchor,
                page.label,
                offset=begin,
                id_prefix=f"evidence-{number}-",
            )
        )
    return evidence


def _article(
    store: QueryStore,
    page: Page,
    main: str,
    text: tuple[str | None, Sequence[anchors.Span]],
    kgpub_ns: str,
) -> list[tuple[str, Markup]] | None:
    """An article's text in blocks (headings, paragraphs) with every claim marked."""
    body, spans = text
    if body is None:
        return None
    headings = anchors.headings(store, main, kgpub_ns)
    return anchors.blocks(body, spans, page.anchor, page.label, headings)


def _sections(page: Page, description: Description) -> list[Section]:
    """The main resource first, then the document's terms by kind, then blank nodes."""
    sections: list[Section] = []
    terms = []
    for index, root in enumerate(description.roots):
        fragment = root.partition("#")[2]
        made = section(page, root, description.about(root), fragment or "about")
        if index == 0:
            sections.append(made)
            continue
        rank, made.group = group(_objects(description, root, RDF_TYPE))
        terms.append((rank, made.title.lower(), made))
    sections += [made for _, _, made in sorted(terms, key=lambda t: t[:2])]
    blanks = dict.fromkeys(
        q.subject for q in description.quads if isinstance(q.subject, ox.BlankNode)
    )
    for blank in blanks:
        quads = [q for q in description.quads if q.subject == blank]
        sections.append(section(page, f"_:{blank.value}", quads, f"b-{blank.value}"))
        sections[-1].title = f"_:{blank.value}"
    return sections


def _objects(description: Description, subject: str, predicate: str) -> list[str]:
    return [
        q.object.value
        for q in description.about(subject)
        if q.predicate.value == predicate and isinstance(q.object, ox.NamedNode)
    ]


def _iris_in(quads: Iterable[ox.Quad]) -> set[str]:
    found: set[str] = set()
    for q in quads:
        for term in (q.subject, q.predicate, q.object):
            if isinstance(term, ox.NamedNode):
                found.add(term.value)
            if isinstance(term, ox.Literal):
                found.add(term.datatype.value)
    return found


def _picture(page: Page, main: str, own: Sequence[ox.Quad], links: Sequence[Link]) -> Markup:
    """The neighbourhood drawing: every IRI ``main`` links to (but its types) or is linked from."""
    edges = [
        neighbourhood.Edge(q.object.value, q.predicate.value, outgoing=True)
        for q in own
        if isinstance(q.object, ox.NamedNode)
        and q.predicate.value != RDF_TYPE
        and q.object.value != main
    ]
    edges += [
        neighbourhood.Edge(link.subject, link.predicate, outgoing=False)
        for link in links
        if link.subject != main
    ]
    nodes = neighbourhood.nodes(edges, page.label, page.anchor)
    return neighbourhood.svg(
        page.label(main),
        page.anchor(main),
        nodes,
        title=page.t("neighbourhood"),
        more=lambda n: page.t("more").format(n=n),
    )
