"""HTML pages for people who look an IRI up in a browser.

Server-rendered, no JavaScript: labels in the reader's language (de or en),
every property with its values linked and labelled, the resources pointing
here, links to each machine format, the page's own description embedded as
JSON-LD, and the resource's SHACL results. A claim's page shows its sentence
with the claimed span marked; the article's page its whole text with every
claim marked and linked. Jinja2 autoescapes every value: the data is text
from the news, not markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from kgpub.ld import anchors, neighbourhood
from kgpub.ld.describe import (
    FALLBACK_LABEL_PREDICATES,
    RDF_TYPE,
    Description,
    Kind,
    Link,
    graph_subjects,
    incoming,
    labels,
)
from kgpub.ld.page_text import LANGUAGES, TEXT
from kgpub.rdf.formats import Representation
from kgpub.shacl.conformance import Conformance
from kgpub.shacl.validate import ValidationResult
from kgpub.store.oxigraph import Store

SCHEMA = "https://schema.org/"
_ARTICLE_BODY = SCHEMA + "articleBody"

_env = Environment(
    loader=PackageLoader("kgpub", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


_LINK_SCHEMES = frozenset({"http", "https", "mailto"})


@dataclass(frozen=True)
class Value:
    text: str
    href: str | None = None
    lang: str = ""
    datatype: str = ""


@dataclass
class Section:
    anchor: str
    title: str
    iri: str
    types: list[Value] = field(default_factory=list)
    properties: list[tuple[Value, list[Value]]] = field(default_factory=list)
    group: str = ""


# How a document page (ontology, shapes) orders and headlines its terms.
_OWL = "http://www.w3.org/2002/07/owl#"
_SH = "http://www.w3.org/ns/shacl#"
_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("classes", (_OWL + "Class", "http://www.w3.org/2000/01/rdf-schema#Class")),
    (
        "properties",
        (
            _OWL + "ObjectProperty",
            _OWL + "DatatypeProperty",
            _OWL + "AnnotationProperty",
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property",
        ),
    ),
    ("node_shapes", (_SH + "NodeShape",)),
    ("property_shapes", (_SH + "PropertyShape",)),
)


def _group(types: Iterable[str]) -> tuple[int, str]:
    found = set(types)
    for rank, (name, members) in enumerate(_GROUPS):
        if found & set(members):
            return rank, name
    return len(_GROUPS), "other_terms"


@dataclass
class Page:
    """Everything a resource page needs, already labelled in the page's language."""

    settings_base: str
    prefixes: dict[str, str]
    lang: str
    lang_from_param: bool
    label_index: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    fallback_index: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def label(self, iri: str) -> str:
        """The label in the page's language, else in English, German, any; else a CURIE."""
        for index in (self.label_index, self.fallback_index):
            found = index.get(iri, [])
            for wanted in (self.lang, "en", "de", ""):
                for text, lang in found:
                    if lang == wanted:
                        return text
            if found:
                return found[0][0]
        return self.curie(iri)

    def curie(self, iri: str) -> str:
        for name, ns in sorted(self.prefixes.items(), key=lambda kv: -len(kv[1])):
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{name}:{iri[len(ns) :]}"
        return iri

    def href(self, iri: str) -> str | None:
        """Our IRIs as paths on the serving host (keeping ``?lang=``), web IRIs as they are.

        ``None`` (no link) for other schemes: ``javascript:alert(1)`` and
        ``data:text/html,…`` are valid IRIs, and as an ``href`` they run
        script in the reader's browser when clicked.
        """
        if not iri.startswith(self.settings_base):
            return iri if iri.partition(":")[0].lower() in _LINK_SCHEMES else None
        rest = iri[len(self.settings_base) :]
        path, hash_, fragment = rest.partition("#")
        query = f"?lang={self.lang}" if self.lang_from_param else ""
        return f"/{path}{query}{hash_}{fragment}"

    def anchor(self, iri: str) -> str:
        """``href`` where a link must be drawn anyway (graph nodes, claim marks): "#" if none."""
        return self.href(iri) or "#"

    def value(self, term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Value:
        if isinstance(term, ox.NamedNode):
            return Value(self.label(term.value), self.href(term.value))
        if isinstance(term, ox.BlankNode):
            return Value(f"_:{term.value}", f"#b-{term.value}")
        if isinstance(term, ox.Literal):
            datatype = term.datatype.value
            plain = datatype.endswith(("#string", "#langString"))
            return Value(
                term.value, None, term.language or "", "" if plain else self.curie(datatype)
            )
        return Value(str(term))

    def t(self, key: str) -> str:
        return TEXT[self.lang][key]


def _section(page: Page, subject: str, quads: Sequence[ox.Quad], anchor: str) -> Section:
    section = Section(anchor, page.label(subject), subject)
    grouped: dict[str, list[Value]] = {}
    for quad in quads:
        predicate = quad.predicate.value
        if predicate == _ARTICLE_BODY:
            continue
        value = page.value(quad.object)
        if predicate == RDF_TYPE:
            if value not in section.types:
                section.types.append(value)
            continue
        values = grouped.setdefault(predicate, [])
        if value not in values:
            values.append(value)
    for predicate in sorted(grouped, key=lambda p: page.label(p).lower()):
        section.properties.append(
            (Value(page.label(predicate), page.href(predicate)), grouped[predicate])
        )
    return section


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


def resource_page(
    store: Store,
    description: Description,
    conformance: Conformance,
    *,
    base_iri: str,
    prefixes: dict[str, str],
    lang: str,
    lang_from_param: bool,
    formats: Sequence[tuple[Representation, str]],
    jsonld: dict[str, Any] | None,
) -> str:
    """The HTML page of a described resource, document or graph."""
    page = Page(base_iri, prefixes, lang, lang_from_param)
    iri = description.iri
    kgpub_ns = base_iri + "ontology#"
    links: list[Link] = [] if description.kind is Kind.GRAPH else incoming(store, iri)
    subjects = graph_subjects(store, iri) if description.kind is Kind.GRAPH else []
    main = description.roots[0]
    claim_view: dict[str, Any] | None = None
    article_view: list[tuple[str, Markup]] | None = None
    evidence: list[Markup] = []
    wanted = (
        _iris_in(description.quads)
        | {link.subject for link in links}
        | {link.predicate for link in links}
        | set(subjects)
        | {iri}
    )
    spans: list[anchors.Span] = []
    if description.kind is Kind.RESOURCE:
        types = _objects(description, main, RDF_TYPE)
        if kgpub_ns + "ReportedClaim" in types:
            spans = anchors.evidence_spans(store, main, kgpub_ns)
        body = anchors.article_body(store, main)
        article_spans = anchors.claim_spans(store, main, kgpub_ns) if body is not None else []
        wanted |= {s.claim for s in spans + article_spans}
    page.label_index = labels(store, wanted)
    page.fallback_index = labels(
        store, [i for i in wanted if i not in page.label_index], FALLBACK_LABEL_PREDICATES
    )
    if description.kind is Kind.RESOURCE:
        if spans:
            claim_view = {
                key: [page.value(ox.NamedNode(o)) for o in _objects(description, main, pred)]
                for key, pred in (
                    ("claimed_by", SCHEMA + "author"),
                    ("told_to", kgpub_ns + "toldTo"),
                    ("first_appearance", SCHEMA + "firstAppearance"),
                    ("appearance", SCHEMA + "appearance"),
                    ("contradicts", kgpub_ns + "contradicts"),
                )
            }
            for number, span in enumerate(spans, start=1):
                text = anchors.article_body(store, span.source)
                if text is None:
                    continue
                begin, end = anchors.sentence_around(text, span.start, span.end)
                sentence = text[begin:end]
                evidence.append(
                    anchors.highlight(
                        sentence,
                        [span],
                        page.anchor,
                        page.label,
                        offset=begin,
                        id_prefix=f"evidence-{number}-",
                    )
                )
        if body is not None:
            article_view = anchors.blocks(
                body,
                article_spans,
                page.anchor,
                page.label,
                anchors.headings(store, main, kgpub_ns),
            )
    sections = []
    if description.kind is not Kind.GRAPH:
        roots = list(description.roots)
        blanks = list(
            dict.fromkeys(
                q.subject for q in description.quads if isinstance(q.subject, ox.BlankNode)
            )
        )
        terms = []
        for index, root in enumerate(roots):
            fragment = root.partition("#")[2]
            section = _section(page, root, description.about(root), fragment or "about")
            if index == 0:
                sections.append(section)
                continue
            rank, section.group = _group(_objects(description, root, RDF_TYPE))
            terms.append((rank, section.title.lower(), section))
        sections += [section for _, _, section in sorted(terms, key=lambda t: t[:2])]
        for blank in blanks:
            quads = [q for q in description.quads if q.subject == blank]
            sections.append(_section(page, f"_:{blank.value}", quads, f"b-{blank.value}"))
            sections[-1].title = f"_:{blank.value}"
    results: list[ValidationResult] = conformance.results_for(main)
    template = _env.get_template("resource.html")
    return template.render(
        page=page,
        iri=iri,
        title=page.label(main),
        kind=description.kind.value,
        sections=sections,
        claim=claim_view,
        evidence=evidence,
        article=article_view,
        picture=(
            None
            if description.kind is Kind.GRAPH
            else _picture(page, main, description.about(main), links)
        ),
        incoming=[(page.value(ox.NamedNode(x.subject)), page.label(x.predicate)) for x in links],
        subjects=[page.value(ox.NamedNode(s)) for s in subjects],
        triple_count=len(description.quads),
        formats=formats,
        jsonld=jsonld,
        shapes_loaded=conformance.shapes_loaded,
        validated=conformance.validated,
        results=[
            (page.curie(str(r.severity)), page.curie(str(r.path or "")), r.message_in([page.lang]))
            for r in results
        ],
        languages=LANGUAGES,
    )


def not_found_page(iri: str, lang: str) -> str:
    """The page for an IRI the dataset never mentions."""
    page = Page("", {}, lang, False)
    return _env.get_template("notfound.html").render(page=page, iri=iri, languages=LANGUAGES)


def report_page(report_rows: Sequence[tuple[str, str, str, str]], conforms: bool, lang: str) -> str:
    """The page for a ``/validate`` report: one row per result."""
    page = Page("", {}, lang, False)
    return _env.get_template("report.html").render(
        page=page, rows=report_rows, conforms=conforms, languages=LANGUAGES
    )
