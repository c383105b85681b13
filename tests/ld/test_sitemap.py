"""``kgpub.ld.sitemap``: the articles and entities come from the store, however many."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from kgpub.ld import sitemap
from kgpub.rdf.sources import default_sources, read_all
from kgpub.store.oxigraph import Store
from tests.history_fixtures import revised_project
from tests.sparql_fixtures import store_of

BASE = "https://kgpub.example/"
ID = BASE + "id/"
SCHEMA = "https://schema.org/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
# Fictional test articles (say so in their descriptions), not the shipped story.
STORE_GRAPHS: dict[str, list[tuple[str, str, str | ox.Literal]]] = {
    BASE + "graph/one": [
        (ID + "story-one", RDF_TYPE, SCHEMA + "NewsArticle"),
        (ID + "story-one", SCHEMA + "articleBody", ox.Literal("A fictional test article.")),
        (ID + "story-two", RDF_TYPE, SCHEMA + "ReportageNewsArticle"),
        (ID + "story-two", SCHEMA + "articleBody", ox.Literal("Another fictional one.")),
        (ID + "cited-report", RDF_TYPE, SCHEMA + "NewsArticle"),
        (ID + "person", SCHEMA + "name", ox.Literal("A fictional person", language="en")),
        (ID + "place", LABEL, ox.Literal("A fictional place", language="en")),
        (ID + "anchor-1", SCHEMA + "about", ID + "person"),
        ("https://example.org/elsewhere", SCHEMA + "name", ox.Literal("not minted here")),
    ],
    BASE + "graph/two": [
        (ID + "story-three", RDF_TYPE, SCHEMA + "Article"),
        (ID + "event", SCHEMA + "headline", ox.Literal("A fictional event")),
    ],
}


def _store() -> Store:
    return store_of(STORE_GRAPHS)


def test_articles_are_every_minted_article_of_any_article_type() -> None:
    assert sitemap.articles(_store(), BASE) == [
        ID + "cited-report",
        ID + "story-one",
        ID + "story-three",
        ID + "story-two",
    ]


def test_published_articles_are_those_with_their_text() -> None:
    assert sitemap.published_articles(_store(), BASE) == [ID + "story-one", ID + "story-two"]
    without_text = store_of({BASE + "graph/x": [(ID + "a", RDF_TYPE, SCHEMA + "NewsArticle")]})
    assert sitemap.published_articles(without_text, BASE) == [ID + "a"]


def test_entities_are_named_minted_resources_and_articles() -> None:
    found = sitemap.entities(_store(), BASE)
    assert ID + "person" in found
    assert ID + "place" in found
    assert ID + "event" in found
    assert ID + "story-three" in found
    assert ID + "anchor-1" not in found
    assert "https://example.org/elsewhere" not in found


def test_sitemap_xml_lists_each_url_with_lastmod() -> None:
    urls = [sitemap.page_url(ID + "a&b", BASE, "http://127.0.0.1:8000")]
    body = sitemap.sitemap_xml(urls, datetime(2024, 11, 8, 23, 59, tzinfo=UTC))
    root = ET.fromstring(body)
    ns = {"sm": sitemap.SITEMAP_NS}
    assert root.findtext("sm:url/sm:loc", namespaces=ns) == "http://127.0.0.1:8000/id/a&b"
    assert root.findtext("sm:url/sm:lastmod", namespaces=ns) == "2024-11-08"


def test_page_urls_are_urls() -> None:
    site = "http://h"
    assert sitemap.page_url(ID + "zürich", BASE, site) == "http://h/id/z%C3%BCrich"
    assert sitemap.page_url(ID + "a%20b", BASE, site) == "http://h/id/a%20b"


def test_robots_txt_disallows_and_names_the_sitemap() -> None:
    text = sitemap.robots_txt("http://h", ["/sparql?"]).decode()
    assert text.splitlines() == [
        "User-agent: *",
        "Disallow: /sparql?",
        "Allow: /",
        "",
        "Sitemap: http://h/sitemap.xml",
    ]


def test_the_feeds_are_listed_when_articles_have_revisions(tmp_path: Path) -> None:
    """The shared revised project (fictional Hafenfest, 3 revisions) with the shipped story."""
    project = revised_project(tmp_path / "project", with_shipped_story=True)
    store = Store()
    store.add_quads(read_all(default_sources(project.settings)))
    assert sitemap.feeds(store, BASE) == [
        BASE + "feed",
        BASE + "feed/id/article",
        BASE + "feed/id/hafenfest",
    ]
    assert sitemap.feeds(store_of(STORE_GRAPHS), BASE) == []
