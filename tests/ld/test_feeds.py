"""The revision feeds as values, and as Atom valid against RFC 4287's RELAX NG schema."""

from __future__ import annotations

import pytest
from lxml import etree

from kgpub.errors import NoHistoryError
from kgpub.history.atom import EntryLink, feed_xml
from kgpub.ld.feeds import article_feed, entry, feed_articles, has_history, site_feed
from kgpub.ld.page_model import Page
from kgpub.store.oxigraph import Store
from tests.history_fixtures import BASE, NOTES, TIMES, RevisedProject, revised_project
from tests.paths import FIXTURES

SCHEMA = etree.RelaxNG(etree.parse(str(FIXTURES / "atom" / "atom.rng")))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> RevisedProject:
    return revised_project(tmp_path_factory.mktemp("feeds") / "project", with_shipped_story=True)


@pytest.fixture(scope="module")
def store(project: RevisedProject) -> Store:
    return project.store()


def test_an_entry_is_a_revision_with_its_kind_note_and_links(project: RevisedProject) -> None:
    page = Page(BASE, {}, "en", False)
    page.label_index.update({project.article: [("Hafenfest", "")]})
    page.label_index.update({BASE + "ontology/revision-kind#correction": [("correction", "en")]})
    made = entry(page, project.revisions[2])
    assert made.id == "tag:kgpub.example,2026-01-11:id/hafenfest/revision/3"
    assert made.title == "Correction: Hafenfest"
    assert made.updated == TIMES[2]
    assert made.link == project.revision_iri(3)
    assert made.kind == "correction"
    assert made.content == NOTES[2]
    assert made.language == "de"
    assert made.links == (
        EntryLink(BASE + "diff/id/hafenfest?from=2&to=3", "related", "text/html", "Changes 2→3"),
        EntryLink(BASE + "memento/20260111093000/id/hafenfest", "memento", "text/html"),
    )


def test_an_articles_feed_is_valid_atom_with_every_revision(
    store: Store, project: RevisedProject
) -> None:
    feed = article_feed(store, Page(BASE, {}, "de", False), project.article)
    assert feed.id == feed.self_link == BASE + "feed/id/hafenfest"
    assert feed.alternate == project.article
    assert feed.kind_scheme == BASE + "ontology/revision-kind"
    assert feed.title == "Hafenfest zieht Tausende an: Versionen"
    assert [e.kind for e in feed.entries] == ["original", "update", "correction"]
    SCHEMA.assertValid(etree.fromstring(feed_xml(feed)))


def test_the_site_feed_has_every_articles_revisions(store: Store, project: RevisedProject) -> None:
    feed = site_feed(store, Page(BASE, {}, "en", False))
    assert feed.id == BASE + "feed"
    assert feed.alternate == BASE
    assert sorted(e.link for e in feed.entries) == [
        BASE + "id/article/revision/1",
        *(project.revision_iri(n) for n in (1, 2, 3)),
    ]
    (shipped,) = [e for e in feed.entries if e.link == BASE + "id/article/revision/1"]
    assert shipped.title.startswith("Original: Elon Musk, der Tech-Tycoon")  # its derived title
    SCHEMA.assertValid(etree.fromstring(feed_xml(feed)))
    assert has_history(store, BASE)
    assert feed_articles(store, BASE) == [BASE + "id/article", BASE + "id/hafenfest"]


def test_no_history_no_feed(store: Store) -> None:
    page = Page(BASE, {}, "en", False)
    with pytest.raises(NoHistoryError, match="id/elon-musk> has no recorded revisions"):
        article_feed(store, page, BASE + "id/elon-musk")
    with pytest.raises(NoHistoryError):
        site_feed(Store(), page)
    assert not has_history(Store(), BASE)
