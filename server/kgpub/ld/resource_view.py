"""What a resource page shows, as data: the view model the template renders.

``resource_view`` gathers everything a page about one IRI needs from the
store (its description, the resources pointing to it, a claim's evidence
sentence with its span, an article's text with every claim marked, the
neighbourhood picture, the SHACL results) and labels it in the reader's
language. It renders nothing: ``pages.resource_page`` hands the view to the
template, so the view can be tested as data and the template changed alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from markupsafe import Markup

from kgpub.ld import anchors, articles, claim_list, history_view, neighbourhood, revision_log
from kgpub.ld.describe import (
    FALLBACK_LABEL_PREDICATES,
    LABEL_PREDICATES,
    Description,
    Kind,
    Link,
    graph_subjects,
    incoming,
    labels,
)
from kgpub.ld.page_model import Page, Section, Value, group, section
from kgpub.namespaces import RDF_TYPE, SCHEMA, SKOS
from kgpub.search.documents import Span
from kgpub.shacl.conformance import Conformance
from kgpub.store.protocol import QueryStore


@dataclass
class ResourceView:
    """Everything the resource template shows, labelled and linked."""

    title: str
    kind: str
    sections: list[Section]
    lead: list[str] = field(default_factory=list)
    article_info: articles.Article | None = None
    claims: list[claim_list.ClaimItem] = field(default_factory=list)
    claim_groups: list[claim_list.ClaimGroup] = field(default_factory=list)
    claims_made: list[claim_list.ClaimGroup] = field(default_factory=list)
    is_entity: bool = False
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
    history: history_view.HistoryView | None = None

    def template_context(self) -> dict[str, Any]:
        return dict(self.__dict__)


def resource_view(
    store: QueryStore, description: Description, conformance: Conformance, page: Page
) -> ResourceView:
    """The view of ``description``'s page, labelled in ``page``'s language."""
    kgpub_ns = page.settings_base + "ontology#"
    is_graph = description.kind is Kind.GRAPH
    main = description.roots[0]
    links: list[Link] = (
        []
        if is_graph
        else [
            link
            for link in fold(store, incoming(store, description.iri), kgpub_ns)
            if link.subject != main  # its own evidence, folded back into it
        ]
    )
    subjects = graph_subjects(store, description.iri) if is_graph else []
    spans, body, article_spans = _spans(store, description, kgpub_ns)
    types = _objects(description, main, RDF_TYPE)
    entity = description.kind is Kind.RESOURCE and body is None and not spans
    about = claim_list.claims_about(store, main, kgpub_ns) if entity else []
    made = claim_list.claims_by(store, main, kgpub_ns) if entity else []
    listed = [s.claim for s in article_spans] or about + made
    located = None if is_graph else revision_log.locate(store, page.settings_base, main)
    wanted = (
        _iris_in(description.quads)
        | {link.subject for link in links}
        | {link.predicate for link in links}
        | set(subjects)
        | {description.iri}
        | {s.claim for s in spans + article_spans}
        | set(listed)
        | history_view.wanted_iris(store, page.settings_base, main, located)
    )
    facts = claim_list.claim_facts(store, sorted(set(listed)), kgpub_ns)
    add_labels(store, page, wanted | claim_list.iris_in(facts))
    history = history_view.history_view(store, page, main, located)
    items = claim_list.describe_claims(sorted(set(listed)), facts, page)
    if body is not None:
        numbers = anchors.claim_numbers(article_spans, len(body))
        for item in items:
            item.number = numbers.get(item.iri)
        items.sort(key=lambda i: (i.number is None, i.number or 0))
    shown = set(listed)
    results = conformance.results_for(main)
    return ResourceView(
        title=page.label(main),
        kind=description.kind.value,
        sections=[] if is_graph else _sections(page, description),
        lead=[]
        if is_graph
        else [_type_name(page, t) for t in types]
        + [x for x in _said(description, main, page) if x != page.label(main)],
        article_info=_article_info(store, main, page) if body is not None else None,
        claims=items if body is not None else [],
        claim_groups=claim_list.group_by_article([i for i in items if i.iri in about], page),
        claims_made=claim_list.group_by_article([i for i in items if i.iri in made], page),
        is_entity=bool(about or made),
        claim=_claim(page, description, main, kgpub_ns) if spans else None,
        evidence=_evidence(store, page, spans),
        article=_article(store, page, main, (body, article_spans), kgpub_ns),
        picture=None if is_graph else _picture(store, page, main, (description.about(main), links)),
        incoming=_grouped(page, [x for x in links if x.subject not in shown]),
        subjects=[page.value(ox.NamedNode(s)) for s in subjects],
        triple_count=len(description.quads),
        shapes_loaded=conformance.shapes_loaded,
        validated=conformance.validated,
        results=[
            (page.curie(str(r.severity)), page.curie(str(r.path or "")), r.message_in([page.lang]))
            for r in results
        ],
        history=history,
    )


def add_labels(store: QueryStore, page: Page, iris: set[str]) -> None:
    """Add the labels of ``iris`` to the page: names, then articles' display titles, then words.

    Concepts (the epistemic statuses) are named by ``skos:prefLabel``, statements by
    their triple, anchors by their quoted words.
    """
    missing = [i for i in iris if i not in page.label_index]
    page.label_index.update(labels(store, missing, (*LABEL_PREDICATES, SKOS + "prefLabel")))
    triples = claim_list.statements(store, [i for i in missing if i not in page.label_index])
    if triples:
        add_labels(store, page, {part for triple in triples.values() for part in triple})
        page.label_index.update(
            {x: [(" · ".join(map(page.label, spo)), "")] for x, spo in triples.items()}
        )
    titles = articles.derived_titles(store, [i for i in missing if i not in page.label_index])
    page.label_index.update({iri: [(title, "")] for iri, title in titles.items()})
    rest = [i for i in missing if i not in page.label_index and i not in page.fallback_index]
    page.fallback_index.update(labels(store, rest, FALLBACK_LABEL_PREDICATES))
    quoted = [i for i in rest if i not in page.fallback_index]
    page.fallback_index.update(anchors.quotes(store, quoted, page.settings_base + "ontology#"))


def _grouped(page: Page, links: Sequence[Link]) -> list[tuple[Value, str]]:
    """One line per resource pointing here, naming every property it points with."""
    by_subject: dict[str, list[str]] = {}
    for link in links:
        names = by_subject.setdefault(link.subject, [])
        if (name := page.label(link.predicate)) not in names:
            names.append(name)
    return [(page.value(ox.NamedNode(s)), ", ".join(names)) for s, names in by_subject.items()]


def _type_name(page: Page, iri: str) -> str:
    """A type's label; without one, its local name in words ("NewsArticle": "News article")."""
    label = page.label(iri)
    if label != page.curie(iri):
        return label
    local = re.split(r"[#/:]", iri)[-1]
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local)
    return words[:1].upper() + words[1:].lower()


def _said(description: Description, main: str, page: Page) -> list[str]:
    """The resource's ``schema:description`` (or ``schema:jobTitle``) in the reader's language."""
    found = [
        (q.object.value, q.object.language or "")
        for q in description.about(main)
        if q.predicate.value in (SCHEMA + "description", SCHEMA + "jobTitle")
        and isinstance(q.object, ox.Literal)
    ]
    mine = [text for text, lang in found if lang == page.lang]
    return mine or [text for text, lang in found if lang in ("en", "")][:1]


def _article_info(store: QueryStore, main: str, page: Page) -> articles.Article | None:
    return next((a for a in articles.articles(store, page.lang) if a.iri == main), None)


def fold(store: QueryStore, links: Sequence[Link], kgpub_ns: str) -> list[Link]:
    """Links from a claim's statements and evidence anchors, shown as links from the claim.

    A statement (``rdf:Statement``) or an anchor has no page a reader wants:
    each is part of the claim (or article section) that holds it through
    ``kgpub:statement`` or ``kgpub:evidence``. Duplicates are dropped.
    """
    subjects = sorted({link.subject for link in links})
    if not subjects:
        return []
    values = " ".join(str(ox.NamedNode(s)) for s in subjects)
    result = store.query(
        f"SELECT ?x ?holder ?via WHERE {{ VALUES ?x {{ {values} }} "
        f"VALUES ?via {{ <{kgpub_ns}statement> <{kgpub_ns}evidence> }} ?holder ?via ?x }}"
    )
    assert isinstance(result, ox.QuerySolutions)
    holder: dict[str, tuple[str, str]] = {}
    for row in result:
        x, h, via = row["x"], row["holder"], row["via"]
        if isinstance(x, ox.NamedNode) and isinstance(h, ox.NamedNode):
            holder.setdefault(x.value, (h.value, str(via.value if via else "")))
    folded: dict[tuple[str, str], Link] = {}
    for link in links:
        subject, predicate = holder.get(link.subject, (link.subject, link.predicate))
        folded.setdefault((subject, predicate), Link(subject, predicate, link.graph))
    return list(folded.values())


def _spans(
    store: QueryStore, description: Description, kgpub_ns: str
) -> tuple[list[Span], str | None, list[Span]]:
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


def _evidence(store: QueryStore, page: Page, spans: Sequence[Span]) -> list[Markup]:
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
    text: tuple[str | None, Sequence[Span]],
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


def _picture(
    store: QueryStore, page: Page, main: str, around: tuple[Sequence[ox.Quad], Sequence[Link]]
) -> Markup:
    """The neighbourhood drawing: every IRI ``main`` links to (but its types) or is linked from."""
    own, links = around
    kgpub_ns = page.settings_base + "ontology#"
    edges = [
        neighbourhood.Edge(q.object.value, q.predicate.value, outgoing=True)
        for q in own
        if isinstance(q.object, ox.NamedNode)
        # its types; its evidence (the text shows it) and statements (the facts list does)
        and q.predicate.value not in (RDF_TYPE, kgpub_ns + "evidence", kgpub_ns + "statement")
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
        between=_between(store, [n.iri for n in nodes[: neighbourhood.CAP]]),
    )


def _between(store: QueryStore, iris: Sequence[str]) -> list[tuple[str, str]]:
    """The links among the drawn neighbours (either direction, any property, any graph)."""
    if len(iris) < 2:
        return []
    values = " ".join(str(ox.NamedNode(i)) for i in iris)
    result = store.query(
        f"SELECT DISTINCT ?a ?b WHERE {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} "
        "?a ?p ?b FILTER(?a != ?b) }"
    )
    assert isinstance(result, ox.QuerySolutions)
    return [
        (row["a"].value, row["b"].value)
        for row in result
        if isinstance(row["a"], ox.NamedNode) and isinstance(row["b"], ox.NamedNode)
    ]
