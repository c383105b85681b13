"""The articles the store holds, as a reader sees them: a display title, a date, a status.

An article is a ``schema:NewsArticle`` with a ``schema:articleBody`` (a report
it only cites, like the Wall Street Journal's, has none and is not listed).
The shipped article has no ``schema:name`` or ``schema:headline``, and none is
invented in the data: its *display* title is computed here from what the text
gives (its first line, cut to its first sentence and to a readable length)
and marked as derived, so a page can say where it comes from. A headline or
name in the data always wins. The status is ``schema:creativeWorkStatus`` in
the reader's language; a text that ends by saying it is a developing story is
one even without it. The people, organisations and places are listed with the
number of claims about each, over all articles.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from kgpub.ld.page_model import iri_terms
from kgpub.namespaces import RDF, SCHEMA
from kgpub.store.protocol import QueryStore

TITLE_CHARS = 100
DEVELOPING_PHRASES = ("sich entwickelnde Geschichte", "developing story")

# The schema.org classes each home-page group lists (the store holds no schema.org hierarchy).
KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("people", ("Person",)),
    (
        "organisations",
        ("Organization", "GovernmentOrganization", "NewsMediaOrganization", "Corporation"),
    ),
    ("places", ("Place", "Country", "City", "AdministrativeArea")),
)


@dataclass(frozen=True)
class Article:
    """One article: where it lives, its display title and what the data says of its state."""

    iri: str
    title: str
    title_derived: bool
    date: str | None
    status: str | None
    developing: bool
    claims: int


@dataclass(frozen=True)
class Entity:
    """A person, organisation or place, with the number of claims about it."""

    iri: str
    kind: str
    claims: int


def derived_title(body: str, limit: int = TITLE_CHARS) -> str:
    """The text's first line; if long, its first sentence; if still long, cut at a word."""
    line = next((x.strip() for x in body.splitlines() if x.strip()), "")
    if len(line) > limit:
        for end, char in enumerate(line):
            if char in ".!?" and (end + 1 == len(line) or line[end + 1] == " "):
                line = line[: end + 1]
                break
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0].rstrip(",;:\u2013- ")
    return cut + "…"


def is_developing(body: str) -> bool:
    """Whether the text says it is a developing story (German or English wording)."""
    return any(phrase in body for phrase in DEVELOPING_PHRASES)


def _query(store: QueryStore, sparql: str) -> list[ox.QuerySolution]:
    result = store.query(sparql)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def _text(term: object) -> str | None:
    return term.value if isinstance(term, ox.Literal | ox.NamedNode) else None


def _pick(values: Iterable[tuple[str, str]], lang: str) -> str | None:
    found = list(values)
    for wanted in (lang, "en", "de", ""):
        for text, language in found:
            if language == wanted:
                return text
    return found[0][0] if found else None


def articles(store: QueryStore, lang: str) -> list[Article]:
    """Every article with a text, newest first where dates are given, then by title."""
    rows = _query(
        store,
        f"PREFIX schema: <{SCHEMA}> "
        "SELECT ?a ?body ?title ?date ?status (COUNT(DISTINCT ?c) AS ?n) WHERE { "
        "?a a schema:NewsArticle ; schema:articleBody ?body . "
        "OPTIONAL { ?a schema:headline|schema:name ?title } "
        "OPTIONAL { ?a schema:datePublished|schema:dateModified|schema:dateCreated ?date } "
        "OPTIONAL { ?a schema:creativeWorkStatus ?status } "
        "OPTIONAL { ?c schema:appearance|schema:firstAppearance ?a } "
        "} GROUP BY ?a ?body ?title ?date ?status",
    )
    grouped: dict[str, _Found] = {}
    for row in rows:
        iri, body = _text(row["a"]), _text(row["body"])
        if iri is None or body is None:
            continue
        found = grouped.setdefault(iri, _Found(body))
        if isinstance(title := row["title"], ox.Literal):
            found.titles.append((title.value, title.language or ""))
        if isinstance(status := row["status"], ox.Literal):
            found.statuses.append((status.value, status.language or ""))
        if (date := _text(row["date"])) is not None:
            found.dates.add(date)
        found.claims = max(found.claims, int(_text(row["n"]) or 0))
    out = [found.article(iri, lang) for iri, found in grouped.items()]
    return sorted(out, key=lambda a: (a.date is None, _neg(a.date), a.title.lower(), a.iri))


def _neg(date: str | None) -> tuple[int, ...]:
    """A sort key putting later ISO dates first."""
    return tuple(-ord(c) for c in (date or ""))


@dataclass
class _Found:
    """What the query found of one article, over its rows."""

    body: str
    titles: list[tuple[str, str]] = field(default_factory=list)
    statuses: list[tuple[str, str]] = field(default_factory=list)
    dates: set[str] = field(default_factory=set)
    claims: int = 0

    def article(self, iri: str, lang: str) -> Article:
        title, status = _pick(self.titles, lang), _pick(self.statuses, lang)
        return Article(
            iri,
            title if title is not None else derived_title(self.body),
            title is None,
            max(self.dates) if self.dates else None,
            status,
            status is not None or is_developing(self.body),
            self.claims,
        )


def derived_titles(store: QueryStore, iris: Iterable[str]) -> dict[str, str]:
    """The display titles of those ``iris`` that are articles with a text but no name."""
    nodes = iri_terms(sorted(set(iris)))
    if not nodes:
        return {}
    rows = _query(
        store,
        f"PREFIX schema: <{SCHEMA}> SELECT ?a ?body WHERE {{ VALUES ?a {{ {' '.join(nodes)} }} "
        "?a schema:articleBody ?body "
        "FILTER NOT EXISTS { ?a schema:headline|schema:name ?title } }",
    )
    titles: dict[str, str] = {}
    for row in rows:
        article, text = _text(row["a"]), _text(row["body"])
        if article is not None and text is not None:
            titles.setdefault(article, derived_title(text))
    return titles


def entities(store: QueryStore) -> list[Entity]:
    """The people, organisations and places, each with the number of claims about it."""
    kinds = {SCHEMA + cls: kind for kind, classes in KINDS for cls in classes}
    values = " ".join(f"<{iri}>" for iri in kinds)
    rows = _query(
        store,
        f"PREFIX schema: <{SCHEMA}> PREFIX rdf: <{RDF}> "
        "SELECT ?e ?type (COUNT(DISTINCT ?c) AS ?n) WHERE { "
        f"VALUES ?type {{ {values} }} ?e a ?type . FILTER(isIRI(?e)) "
        "FILTER EXISTS { ?work schema:mentions|schema:about ?e } "
        "OPTIONAL { { ?c schema:about ?e } UNION "
        "{ ?c ?statement ?s . ?s rdf:subject|rdf:object ?e . ?s a rdf:Statement } "
        "?c schema:appearance|schema:firstAppearance ?article } "
        "} GROUP BY ?e ?type",
    )
    found: dict[str, Entity] = {}
    for row in rows:
        iri, cls, n = _text(row["e"]), _text(row["type"]), _text(row["n"])
        if iri is None or cls is None or iri in found:
            continue
        found[iri] = Entity(iri, kinds[cls], int(n or 0))
    return list(found.values())
