"""The home page's view: what the site holds, for a person arriving at ``/``.

The articles (display title, date, status, number of claims), then the
people, organisations and places with the number of claims about each, most
discussed first, then the ways into the data for machines and the curious:
the ontology, the shapes, VoID, the query editor and the API docs. Everything
is queried from the store, so a project holding many articles lists them all.
When articles have recorded revisions, the page links the site's Atom feed of them.
A search box posts to ``/search`` (served by the search module when present).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kgpub.history.addresses import feed_iri
from kgpub.ld import articles
from kgpub.ld.describe import labels
from kgpub.ld.page_model import Page, Value
from kgpub.ld.revision_log import histories
from kgpub.store.protocol import QueryStore


@dataclass(frozen=True)
class EntityGroup:
    """One kind of entity (people, organisations, places) and its members with claim counts."""

    kind: str
    members: list[tuple[Value, int]] = field(default_factory=list)


@dataclass(frozen=True)
class HomeView:
    """What the home template shows."""

    articles: list[tuple[articles.Article, str]]
    groups: list[EntityGroup]
    feed_href: str | None = None
    """The site's feed of revisions, when any article has recorded revisions."""


def home_view(store: QueryStore, page: Page) -> HomeView:
    """The articles and the entities, labelled in ``page``'s language."""
    found = articles.articles(store, page.lang)
    entities = articles.entities(store)
    page.label_index = labels(store, [e.iri for e in entities])
    groups = []
    for kind, _ in articles.KINDS:
        members = [
            (Value(page.label(e.iri), page.href(e.iri)), e.claims)
            for e in entities
            if e.kind == kind
        ]
        members.sort(key=lambda m: (-m[1], m[0].text.lower()))
        if members:
            groups.append(EntityGroup(kind, members))
    feed = (
        page.anchor(feed_iri(page.settings_base)) if histories(store, page.settings_base) else None
    )
    return HomeView([(a, page.anchor(a.iri)) for a in found], groups, feed)
