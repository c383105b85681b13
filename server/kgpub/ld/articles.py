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
from dataclasses import dataclass

import pyoxigraph as ox

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
    cut = line[:limit].rsplit(" ", 1)[0].rstrip(",;:–- ")
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
    grouped: dict[str, dict[str, object]] = {}
    for row in rows:
        iri, body = _text(row["a"]), _text(row["body"])
        if iri is None or body is None:
            continue
        entry = grouped.setdefault(
            iri, {"body": body, "titles": [], "dates": set(), "statuses": [], "n": 0}
        )
        for key, term in (("titles", row["title"]), ("statuses", row["status"])):
            if isinstance(term, ox.Literal):
                pairs = entry[key]
                assert isinstance(pairs, list)
                pairs.append((term.value, term.language or ""))
        if (date := _text(row["date"])) is not None:
            dates = entry["dates"]
            assert isinstance(dates, set)
            dates.add(date)
        n = _text(row["n"])
        entry["n"] = max(int(n or 0), int(str(entry["n"])))
    out = [_article(iri, entry, lang) for iri, entry in grouped.items()]
    return sorted(out, key=lambda a: (a.date is None, _neg(a.date), a.title.lower(), a.iri))


def _neg(date: str | None) -> tuple[int, ...]:
    """A sort key putting later ISO dates first."""
    return tuple(-ord(c) for c in (date or ""))


def _article(iri: str, entry: dict[str, object], lang: str) -> Article:
    body, titles, dates, statuses = (
        entry["body"],
        entry["titles"],
        entry["dates"],
        entry["statuses"],
    )
    assert isinstance(body, str) and isinstance(titles, list)
    assert isinstance(dates, set) and isinstance(statuses, list)
    title = _pick(titles, lang)
    status = _pick(statuses, lang)
    return Article(
        iri,
        title if title is not None else derived_title(body),
        title is None,
        max(dates) if dates else None,
        status,
        status is not None or is_developing(body),
        int(str(entry["n"])),
    )


def derived_titles(store: QueryStore, iris: Iterable[str]) -> dict[str, str]:
    """The display titles of those ``iris`` that are articles with a text but no name."""
    nodes = []
    for iri in sorted(set(iris)):
        try:
            nodes.append(str(ox.NamedNode(iri)))
        except ValueError:
            continue
    if not nodes:
        return {}
    rows = _query(
        store,
        f"PREFIX schema: <{SCHEMA}> SELECT ?a ?body WHERE {{ VALUES ?a {{ {' '.join(nodes)} }} "
        "?a schema:articleBody ?body "
        "FILTER NOT EXISTS { ?a schema:headline|schema:name ?title } }",
    )
    found: dict[str, str] = {}
    for row in rows:
        iri, body = _text(row["a"]), _text(row["body"])
        if iri is not None and body is not None:
            found.setdefault(iri, derived_title(body))
    return found


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
