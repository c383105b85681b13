"""The Atom feeds of revisions: the whole site's (``/feed``) and each article's (``/feed/<A>``).

A reader or an aggregator follows a developing story by its feed: one entry
per revision, newest first, titled with its kind and the article's title,
``updated`` its ``prov:generatedAtTime``, ``id`` a ``tag:`` URI (RFC 4151:
the base IRI's host, the revision's date, its path; stable, as a revision
never changes), the revision's page as the alternate link, its diff from the
one before (``related``) and the article's memento at that time (``memento``,
RFC 7089's relation) as further links, the editor's note as its text
content, and its kind as a category in the ontology's scheme of revision kinds
(``<base>ontology/revision-kind``), so that corrections can be picked out.
Addresses are IRIs under the base, as everywhere in the data. The XML is
written by :mod:`kgpub.history.atom`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from kgpub.errors import NoHistoryError
from kgpub.history.addresses import diff_iri, feed_iri, memento_iri, path_below
from kgpub.history.atom import EntryLink, Feed, FeedEntry, tag_uri
from kgpub.history.records import Revision, Terms
from kgpub.ld.page_model import Page
from kgpub.ld.resource_view import add_labels
from kgpub.ld.revision_log import NO_REVISIONS, histories
from kgpub.rdf.formats import HTML
from kgpub.store.protocol import QueryStore

AUTHOR = "kgpub"


def _kind_label(page: Page, rev: Revision) -> str:
    label = page.label(Terms(page.settings_base).kind(rev.kind).value)
    return label[:1].upper() + label[1:]


def entry(page: Page, rev: Revision) -> FeedEntry:
    """``rev`` as an entry, labelled in ``page``'s language (its labels already indexed)."""
    base = page.settings_base
    links = [EntryLink(memento_iri(base, rev.article, rev.generated), "memento", HTML.media_type)]
    if rev.number > 1:
        changes = f"{page.t('changes')} {rev.number - 1}→{rev.number}"
        diff = diff_iri(base, rev.article, rev.number - 1, rev.number)
        links.insert(0, EntryLink(diff, "related", HTML.media_type, changes))
    host = urlsplit(base).hostname or "localhost"
    return FeedEntry(
        id=tag_uri(host, rev.generated.date().isoformat(), path_below(base, rev.iri)),
        title=f"{_kind_label(page, rev)}: {page.label(rev.article)}",
        updated=rev.generated,
        link=rev.iri,
        kind=rev.kind.value,
        language=rev.note_language,
        content=rev.note or "",
        links=tuple(links),
    )


def _labelled(store: QueryStore, page: Page, revisions: list[Revision]) -> None:
    terms = Terms(page.settings_base)
    wanted = {rev.article for rev in revisions} | {terms.kind(rev.kind).value for rev in revisions}
    add_labels(store, page, wanted)


def _feed(page: Page, revisions: list[Revision], *, article: str | None, title: str) -> Feed:
    base = page.settings_base
    return Feed(
        id=feed_iri(base, article),
        title=title,
        self_link=feed_iri(base, article),
        alternate=article or base,
        author=AUTHOR,
        kind_scheme=base + "ontology/revision-kind",
        entries=[entry(page, rev) for rev in revisions],
        language=page.lang,
    )


def article_feed(store: QueryStore, page: Page, article: str) -> Feed:
    """Every revision of ``article``; :class:`NoHistoryError` when it has none recorded."""
    revisions = histories(store, page.settings_base).get(article)
    if not revisions:
        raise NoHistoryError(article, NO_REVISIONS)
    _labelled(store, page, revisions)
    return _feed(
        page, revisions, article=article, title=f"{page.label(article)}: {page.t('history')}"
    )


def site_feed(store: QueryStore, page: Page) -> Feed:
    """Every revision of every article; :class:`NoHistoryError` when no article has one."""
    revisions = [rev for revs in histories(store, page.settings_base).values() for rev in revs]
    if not revisions:
        raise NoHistoryError(page.settings_base, NO_REVISIONS)
    _labelled(store, page, revisions)
    return _feed(page, revisions, article=None, title=page.t("site_feed"))


def has_history(store: QueryStore, base: str) -> bool:
    """Whether any article has recorded revisions (the home page then links the site feed)."""
    return bool(histories(store, base))


def feed_articles(store: QueryStore, base: str) -> list[str]:
    """The articles with a feed of their own, sorted (for the sitemap)."""
    return sorted(histories(store, base))
