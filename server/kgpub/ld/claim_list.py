"""Claims as a reader lists them: what is claimed, by whom, how it is reported, what contradicts it.

The article page lists its claims in reading order (by where their span
starts), numbered as their marks in the text are; an entity's page lists the
claims about it across all articles, grouped by article and by claimant. A
claim is about an entity when it says so (``schema:about``) or when one of
its statements (``rdf:Statement``) has the entity as subject or object, so
statement nodes are folded into their claim and never shown on their own.
How a claim is reported is its epistemic status, labelled from the SKOS
scheme in the ontology (``skos:prefLabel`` in the reader's language).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from kgpub.ld.page_model import Page, Value, iri_terms
from kgpub.namespaces import OA, RDF, SCHEMA, SKOS
from kgpub.store.protocol import QueryStore


@dataclass
class ClaimItem:
    """One claim as listed: its words, claimant, how it is reported, what contradicts it."""

    iri: str
    text: Value
    claimants: list[Value] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    contradicted_by: list[Value] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)
    start: int | None = None
    number: int | None = None


@dataclass
class ClaimGroup:
    """The claims about an entity that one article carries, by claimant."""

    article: Value
    by_claimant: list[tuple[Value, list[ClaimItem]]]


def _prefixes(kgpub_ns: str) -> str:
    return (
        f"PREFIX schema: <{SCHEMA}> PREFIX kgpub: <{kgpub_ns}> PREFIX oa: <{OA}> "
        f"PREFIX skos: <{SKOS}> PREFIX rdf: <{RDF}> "
    )


def _rows(store: QueryStore, sparql: str) -> list[ox.QuerySolution]:
    result = store.query(sparql)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def _iri(term: object) -> str | None:
    return term.value if isinstance(term, ox.NamedNode) else None


def claims_by(store: QueryStore, claimant: str, kgpub_ns: str) -> list[str]:
    """The claims ``claimant`` makes (``schema:author``)."""
    rows = _rows(
        store,
        _prefixes(kgpub_ns) + "SELECT DISTINCT ?c WHERE { ?c a kgpub:ReportedClaim ; "
        f"schema:author {ox.NamedNode(claimant)} }}",
    )
    return sorted(i for row in rows if (i := _iri(row["c"])) is not None)


def claims_about(store: QueryStore, entity: str, kgpub_ns: str) -> list[str]:
    """The claims about ``entity``: by ``schema:about`` or through one of their statements."""
    node = ox.NamedNode(entity)
    rows = _rows(
        store,
        _prefixes(kgpub_ns) + "SELECT DISTINCT ?c WHERE { ?c a kgpub:ReportedClaim . "
        f"{{ ?c schema:about {node} }} UNION "
        f"{{ ?c kgpub:statement ?s . ?s rdf:subject|rdf:object {node} }} }}",
    )
    return sorted(i for row in rows if (i := _iri(row["c"])) is not None)


Fact = tuple[str, str, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]
"""(claim, what: author | status | contra | article | start, value)."""


def claim_facts(store: QueryStore, claims: Sequence[str], kgpub_ns: str) -> list[Fact]:
    """What a list shows of each claim: claimants, statuses, contradictions, articles, starts."""
    if not claims:
        return []
    values = " ".join(str(ox.NamedNode(c)) for c in claims)
    rows = _rows(
        store,
        _prefixes(kgpub_ns) + "SELECT ?c ?p ?o WHERE { "
        f"VALUES ?c {{ {values} }} {{ ?c schema:author ?o BIND('author' AS ?p) }} "
        "UNION { ?c kgpub:epistemicStatus/skos:prefLabel ?o BIND('status' AS ?p) } "
        "UNION { { ?c kgpub:contradicts ?o } UNION { ?o kgpub:contradicts ?c } "
        "BIND('contra' AS ?p) } "
        "UNION { ?c schema:appearance|schema:firstAppearance ?o BIND('article' AS ?p) } "
        "UNION { ?c kgpub:evidence/oa:hasSelector ?sel . ?sel a oa:TextPositionSelector ; "
        "oa:start ?o BIND('start' AS ?p) } }",
    )
    facts: list[Fact] = []
    for row in rows:
        claim, kind, obj = _iri(row["c"]), row["p"], row["o"]
        if claim is not None and isinstance(kind, ox.Literal) and obj is not None:
            facts.append((claim, kind.value, obj))
    return facts


def iris_in(facts: Iterable[Fact]) -> set[str]:
    """The IRIs the facts name (to label them before listing)."""
    return {claim for claim, _, _ in facts} | {
        o.value for _, _, o in facts if isinstance(o, ox.NamedNode)
    }


def describe_claims(claims: Sequence[str], facts: Iterable[Fact], page: Page) -> list[ClaimItem]:
    """The claims as listed, labelled in ``page``'s language, in reading order."""
    items = {c: ClaimItem(c, Value(page.label(c), page.href(c))) for c in claims}
    labels: dict[str, list[tuple[str, str]]] = {}
    for claim, kind, obj in facts:
        if claim in items:
            _add(items[claim], kind, obj, page, labels.setdefault(claim, []))
    for claim, found in labels.items():
        items[claim].statuses = _in_language(found, page.lang)
    return sorted(items.values(), key=_reading_order)


def _reading_order(item: ClaimItem) -> tuple[bool, int, str]:
    return (item.start is None, item.start or 0, item.text.text.lower())


def _add(
    item: ClaimItem, kind: str, obj: object, page: Page, labels: list[tuple[str, str]]
) -> None:
    if kind == "status" and isinstance(obj, ox.Literal):
        labels.append((obj.value, obj.language or ""))
    elif kind == "start" and isinstance(obj, ox.Literal):
        try:
            start = int(obj.value)
        except ValueError:
            return
        item.start = start if item.start is None else min(item.start, start)
    elif (iri := _iri(obj)) is not None:
        value = Value(page.label(iri), page.href(iri))
        target = {"author": item.claimants, "contra": item.contradicted_by}.get(kind)
        if target is not None and value not in target:
            target.append(value)
        elif kind == "article" and iri not in item.articles:
            item.articles.append(iri)


def _in_language(found: Iterable[tuple[str, str]], lang: str) -> list[str]:
    """One label per status: the reader's language where there is one, English else."""
    pairs = list(found)
    wanted = [text for text, language in pairs if language == lang]
    return sorted(set(wanted or [text for text, language in pairs if language in ("en", "")]))


def group_by_article(items: Sequence[ClaimItem], page: Page) -> list[ClaimGroup]:
    """The claims under each article they appear in, then under each claimant."""
    articles: dict[str, dict[Value, list[ClaimItem]]] = {}
    for item in items:
        for article in item.articles or [""]:
            claimants = articles.setdefault(article, {})
            for claimant in item.claimants or [Value("?")]:
                claimants.setdefault(claimant, []).append(item)
    groups = []
    for article in sorted(articles, key=lambda a: (a == "", page.label(a).lower() if a else "")):
        article_value = Value(page.label(article), page.href(article)) if article else Value("—")
        by_claimant = sorted(
            articles[article].items(), key=lambda kv: (-len(kv[1]), kv[0].text.lower())
        )
        groups.append(ClaimGroup(article_value, by_claimant))
    return groups


def statements(store: QueryStore, iris: Sequence[str]) -> dict[str, tuple[str, str, str]]:
    """Those ``iris`` that are statements (``rdf:Statement``), as (subject, predicate, object).

    A statement is named by its triple ("Trump-Zelensky phone call · attendee · Elon
    Musk"), never by its own IRI. Only statements whose three parts are IRIs are named so.
    """
    nodes = iri_terms(iris)
    if not nodes:
        return {}
    rows = _rows(
        store,
        f"PREFIX rdf: <{RDF}> SELECT ?x ?s ?p ?o WHERE {{ VALUES ?x {{ {' '.join(nodes)} }} "
        "?x a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }",
    )
    found: dict[str, tuple[str, str, str]] = {}
    for row in rows:
        parts = [_iri(row[v]) for v in ("x", "s", "p", "o")]
        x, s, p, o = parts
        if x is not None and s is not None and p is not None and o is not None:
            found.setdefault(x, (s, p, o))
    return found
