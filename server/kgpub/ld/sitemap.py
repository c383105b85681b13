"""The pages a crawler should find: the articles and entities, ``sitemap.xml`` and ``robots.txt``.

The lists come from the store, never from a fixed list of IRIs, so a project
holding many articles gets all of them: an *article* is a minted
(``<base>id/…``) resource typed as one of schema.org's article types; an
*entity* is a minted resource with a name (``schema:name``, ``schema:headline``
or ``rdfs:label``): the people, organisations, places, events and claims a
reader lands on. Text anchors, selectors and statement nodes carry no name of
their own: their pages exist but are parts of a claim's, not entries of
the site. The sitemap follows https://www.sitemaps.org/protocol.html: page
addresses at the serving host (a sitemap may only list its own host's pages),
each with ``lastmod``, the date the served data last changed. The Atom feeds
of revisions (the site's and each article's with a history) are listed too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from urllib.parse import quote
from xml.sax.saxutils import escape

import pyoxigraph as ox

from kgpub.history.addresses import feed_iri
from kgpub.ld.revision_log import histories
from kgpub.namespaces import RDFS, SCHEMA
from kgpub.store.protocol import QueryStore

ARTICLE_TYPES = tuple(
    SCHEMA + name
    for name in (
        "Article",
        "NewsArticle",
        "AnalysisNewsArticle",
        "BackgroundNewsArticle",
        "OpinionNewsArticle",
        "ReportageNewsArticle",
        "ReviewNewsArticle",
        "Report",
    )
)
NAME_PREDICATES = (SCHEMA + "name", SCHEMA + "headline", RDFS + "label")
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# The protocol's limit per sitemap file; a larger site would need a sitemap index.
MAX_URLS = 50_000


def _iris(store: QueryStore, sparql: str) -> list[str]:
    result = store.query(sparql)
    assert isinstance(result, ox.QuerySolutions)
    return sorted({row[0].value for row in result if isinstance(row[0], ox.NamedNode)})


def _minted(base_iri: str) -> str:
    return f"FILTER(STRSTARTS(STR(?s), {ox.Literal(base_iri + 'id/')}))"


def articles(store: QueryStore, base_iri: str) -> list[str]:
    """Every minted article, sorted."""
    types = " ".join(f"<{t}>" for t in ARTICLE_TYPES)
    return _iris(
        store,
        f"SELECT DISTINCT ?s WHERE {{ VALUES ?t {{ {types} }} GRAPH ?g {{ ?s a ?t }} "
        f"{_minted(base_iri)} }}",
    )


def published_articles(store: QueryStore, base_iri: str) -> list[str]:
    """The articles this dataset publishes the text of (``schema:articleBody``); the
    reports they cite are articles too, but not the dataset's own entry points.
    All articles when none carries its text."""
    types = " ".join(f"<{t}>" for t in ARTICLE_TYPES)
    own = _iris(
        store,
        f"SELECT DISTINCT ?s WHERE {{ VALUES ?t {{ {types} }} GRAPH ?g {{ ?s a ?t ; "
        f"<{SCHEMA}articleBody> ?body }} {_minted(base_iri)} }}",
    )
    return own or articles(store, base_iri)


def entities(store: QueryStore, base_iri: str) -> list[str]:
    """Every minted resource with a name of its own, articles included, sorted."""
    names = " ".join(f"<{p}>" for p in NAME_PREDICATES)
    named = _iris(
        store,
        f"SELECT DISTINCT ?s WHERE {{ VALUES ?p {{ {names} }} GRAPH ?g {{ ?s ?p ?name }} "
        f"{_minted(base_iri)} }}",
    )
    return sorted({*named, *articles(store, base_iri)})


def feeds(store: QueryStore, base_iri: str) -> list[str]:
    """The feeds' IRIs: the site's and each article's, when any article has recorded revisions."""
    articles_with_history = sorted(histories(store, base_iri))
    if not articles_with_history:
        return []
    return [feed_iri(base_iri), *(feed_iri(base_iri, a) for a in articles_with_history)]


def page_url(iri: str, base_iri: str, site: str) -> str:
    """The address at the serving host ``site`` (no trailing slash) of a minted IRI's page:
    a URL, so characters an IRI allows but a URL does not are percent-encoded (UTF-8)."""
    return site + "/" + quote(iri.removeprefix(base_iri), safe=_URL_SAFE)


# What a URL path keeps as it is: RFC 3986 unreserved and sub-delimiters, ':', '@', '/',
# and '%' (an IRI's own escapes stay as they are).
_URL_SAFE = "/%:@!$&'()*+,;=-._~"


def sitemap_xml(urls: Iterable[str], lastmod: datetime) -> bytes:
    """A sitemap of ``urls`` (at most ``MAX_URLS``), each modified on ``lastmod``."""
    day = lastmod.date().isoformat()
    entries = [
        f"  <url><loc>{escape(url)}</loc><lastmod>{day}</lastmod></url>"
        for url in list(urls)[:MAX_URLS]
    ]
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<urlset xmlns="{SITEMAP_NS}">',
        *entries,
        "</urlset>",
        "",
    ]
    return "\n".join(lines).encode()


def robots_txt(site: str, disallow: Sequence[str]) -> bytes:
    """Every page may be crawled but ``disallow``'s paths (queries, writes); the sitemap named."""
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in disallow), "Allow: /", ""]
    lines.append(f"Sitemap: {site}/sitemap.xml")
    return ("\n".join(lines) + "\n").encode()
