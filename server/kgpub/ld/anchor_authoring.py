"""Anchors as authors write them: selectors as Turtle, added to a claim, checked against the text.

``kgpub anchor`` prints the Web Annotation anchor of a quote (an
``oa:SpecificResource`` on the article with a ``TextPositionSelector`` and a
``TextQuoteSelector``, named like the shipped story's: ``anchor-X``,
``anchor-X-position``, ``anchor-X-quote``) or adds it to a claim's
``kgpub:evidence`` in the graph file that holds the claim, in the canonical
Turtle form. ``kgpub validate`` asks ``anchor_problems`` where the quote of
each anchor that does not fit the stored text actually is; SHACL only says
that it does not fit. The text work itself is ``kgpub.rdf.quote_selectors``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF as RDF_NS

from kgpub.errors import AnchorError
from kgpub.namespaces import OA, SCHEMA, XSD
from kgpub.rdf.articles import Article
from kgpub.rdf.formatting import format_graph
from kgpub.rdf.quote_selectors import Selectors, diagnose

_XSD_INTEGER = URIRef(XSD + "integer")


@dataclass(frozen=True)
class AnchorNames:
    """The IRIs of one anchor: the resource, its position and quote selectors."""

    anchor: str

    @property
    def position(self) -> str:
        return self.anchor + "-position"

    @property
    def quote(self) -> str:
        return self.anchor + "-quote"


def anchor_name_for(claim: str) -> str:
    """The anchor IRI for a claim's evidence: ``…/claim-x`` → ``…/anchor-x``."""
    head, _, local = claim.rpartition("/")
    local = local.removeprefix("claim-")
    return f"{head}/anchor-{local}"


def anchor_graph(article: str, names: AnchorNames, sel: Selectors) -> Graph:
    """The anchor and its two selectors as an rdflib graph."""
    graph = Graph(bind_namespaces="none")
    anchor, position, quote = URIRef(names.anchor), URIRef(names.position), URIRef(names.quote)
    oa = OA
    graph.add((anchor, RDF_NS.type, URIRef(oa + "SpecificResource")))
    graph.add((anchor, URIRef(oa + "hasSource"), URIRef(article)))
    graph.add((anchor, URIRef(oa + "hasSelector"), position))
    graph.add((anchor, URIRef(oa + "hasSelector"), quote))
    graph.add((position, RDF_NS.type, URIRef(oa + "TextPositionSelector")))
    graph.add((position, URIRef(oa + "start"), Literal(sel.start, datatype=_XSD_INTEGER)))
    graph.add((position, URIRef(oa + "end"), Literal(sel.end, datatype=_XSD_INTEGER)))
    graph.add((quote, RDF_NS.type, URIRef(oa + "TextQuoteSelector")))
    graph.add((quote, URIRef(oa + "exact"), Literal(sel.exact)))
    if sel.prefix:
        graph.add((quote, URIRef(oa + "prefix"), Literal(sel.prefix)))
    if sel.suffix:
        graph.add((quote, URIRef(oa + "suffix"), Literal(sel.suffix)))
    return graph


def anchor_turtle(
    article: str, names: AnchorNames, sel: Selectors, prefixes: dict[str, str]
) -> str:
    """The anchor as canonical Turtle, ready to paste into the article's graph file."""
    return format_graph(anchor_graph(article, names, sel), {"oa": OA, **prefixes})


def _prefixes_of(graph: Graph) -> dict[str, str]:
    return {p: str(ns) for p, ns in graph.namespaces() if p}


def add_to_claim(
    path: Path, claim: str, article: str, sel: Selectors, kgpub_ns: str
) -> AnchorNames:
    """Add the anchor of ``sel`` to ``claim``'s evidence in the Turtle file ``path``.

    The file is rewritten in the canonical form (``kgpub fmt``). The claim must
    be described in that file; an anchor name already used gets a number.
    """
    graph = Graph(bind_namespaces="none")
    graph.parse(path, format="turtle")
    subject = URIRef(claim)
    if (subject, None, None) not in graph:
        raise AnchorError(f"{path}: no claim {claim} in this file")
    base = anchor_name_for(claim)
    name, number = base, 1
    while (URIRef(name), None, None) in graph:
        number += 1
        name = f"{base}-{number}"
    names = AnchorNames(name)
    graph += anchor_graph(article, names, sel)
    graph.add((subject, URIRef(kgpub_ns + "evidence"), URIRef(names.anchor)))
    prefixes = {"oa": OA, **_prefixes_of(graph)}
    path.write_text(format_graph(graph, prefixes), encoding="utf-8")
    return names


def claim_file(files: Sequence[Path], claim: str) -> Path:
    """The one graph file among ``files`` that describes ``claim``."""
    holding = []
    for path in files:
        graph = Graph(bind_namespaces="none")
        graph.parse(path, format="turtle")
        if (URIRef(claim), None, None) in graph:
            holding.append(path)
    if len(holding) != 1:
        where = ", ".join(str(p) for p in holding) or "none of " + ", ".join(map(str, files))
        raise AnchorError(f"claim {claim} must be described in exactly one file (found: {where})")
    return holding[0]


_ANCHORS = f"""
PREFIX oa: <{OA}> PREFIX schema: <{SCHEMA}>
SELECT ?anchor ?body ?start ?end ?exact ?prefix ?suffix WHERE {{
  ?anchor oa:hasSource/schema:articleBody ?body ; oa:hasSelector ?pos , ?quote .
  ?pos a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  ?quote a oa:TextQuoteSelector ; oa:exact ?exact .
  OPTIONAL {{ ?quote oa:prefix ?prefix }}
  OPTIONAL {{ ?quote oa:suffix ?suffix }}
  FILTER NOT EXISTS {{ ?anchor oa:hasState ?state }}
}} ORDER BY ?anchor"""
"""Anchors into a current text: one with an ``oa:hasState`` points into an earlier
revision (docs/revisions.md) and is not checked against today's text."""


def _value(row: ox.QuerySolution, name: str) -> str:
    term = row[name]
    return term.value if isinstance(term, ox.Literal | ox.NamedNode) else ""


def anchor_problems(quads: Iterable[ox.Quad]) -> list[str]:
    """One line per anchor whose selectors do not fit its article's stored text, saying
    where the quote actually is (``exact 'xyz' is at 120-123, not 118-121``)."""
    store = ox.Store()
    store.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads)
    result = store.query(_ANCHORS)
    assert isinstance(result, ox.QuerySolutions)
    problems = []
    for row in result:
        try:
            start, end = int(_value(row, "start")), int(_value(row, "end"))
        except ValueError:
            continue  # not an integer: the shapes say so
        written = Selectors(
            start, end, _value(row, "exact"), _value(row, "prefix"), _value(row, "suffix")
        )
        problem = diagnose(_value(row, "body"), written)
        if problem is not None:
            problems.append(f"anchor {_value(row, 'anchor')}: {problem}")
    return problems


def text_problems(found: Iterable[Article], quads: Iterable[ox.Quad]) -> list[str]:
    """One line per article whose stored ``schema:articleBody`` is not its text file."""
    bodies: dict[str, list[str]] = {}
    body = ox.NamedNode(SCHEMA + "articleBody")
    for quad in quads:
        subject = quad.subject
        literal = quad.object
        if (
            quad.predicate == body
            and isinstance(subject, ox.NamedNode)
            and isinstance(literal, ox.Literal)
        ):
            bodies.setdefault(subject.value, []).append(literal.value)
    problems = []
    for article in found:
        stored = bodies.get(article.iri, [])
        if stored != [article.text()]:
            what = "no schema:articleBody" if not stored else "a schema:articleBody that differs"
            problems.append(
                f"article {article.iri}: its graph has {what} from {article.text_path}; "
                "anchors count the stored text, so the two must be equal"
            )
    return problems
