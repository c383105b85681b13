"""An Atom feed (RFC 4287) of revisions: what changed, when, of which kind, with the editor's note.

A reader or an aggregator follows a developing story through its feed: one
entry per revision, its ``atom:id`` the revision's IRI (or a ``tag:`` URI),
``atom:updated`` its time, ``link rel="alternate"`` its page and further links
(its diff, its memento) as ``related`` links, ``atom:content`` (or
``atom:summary``) the editor's note, and ``atom:category`` its kind (``original``,
``update``, ``correction``, ``clarification``, ``retraction``: the revision
kinds of ``records.Kind``) under the feed's ``kind_scheme`` (the IRI of the
ontology's revision kinds, which depends on the configured base IRI), so that
a client can pick out corrections. The XML is built with lxml (no string
templates: every text is escaped by the serializer), and the tests validate it
against RFC 4287's RELAX NG schema (Appendix B).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from lxml import etree

from kgpub.history.records import Kind
from kgpub.rdf.formats import ATOM

ATOM_NS: Final = "http://www.w3.org/2005/Atom"
MEDIA_TYPE: Final = ATOM.media_type
KINDS: Final = tuple(kind.value for kind in Kind)
"""Every revision kind: the first publication (``original``) is an entry of the feed too."""

_A = f"{{{ATOM_NS}}}"


@dataclass(frozen=True)
class EntryLink:
    """A further link of an entry (``rel`` a registered relation or an IRI), with its type."""

    href: str
    rel: str
    media_type: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class FeedEntry:
    """One revision as a feed entry.

    ``summary`` and ``content`` are plain text; an entry with neither is valid,
    since its alternate link stands for its content (RFC 4287, 4.1.1).
    """

    id: str
    title: str
    updated: datetime
    link: str
    kind: str
    summary: str = ""
    language: str | None = None
    content: str = ""
    links: tuple[EntryLink, ...] = ()


@dataclass(frozen=True)
class Feed:
    """The feed itself: an article's revisions, or the whole site's."""

    id: str
    title: str
    self_link: str
    alternate: str
    author: str
    kind_scheme: str
    entries: Sequence[FeedEntry]
    language: str | None = None


def atom_datetime(moment: datetime) -> str:
    """An RFC 3339 date-time in UTC (``2026-12-07T03:52:09Z``), as ``atom:updated`` wants."""
    if moment.tzinfo is None:
        raise ValueError("an Atom date must be timezone-aware")
    text = moment.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def _text(parent: etree._Element, name: str, value: str) -> etree._Element:
    element = etree.SubElement(parent, _A + name)
    element.text = value
    return element


def _link(
    parent: etree._Element,
    href: str,
    rel: str,
    media_type: str | None = None,
    title: str | None = None,
) -> None:
    element = etree.SubElement(parent, _A + "link", href=href, rel=rel)
    if media_type is not None:
        element.set("type", media_type)
    if title is not None:
        element.set("title", title)


def _entry(feed: etree._Element, entry: FeedEntry, scheme: str) -> None:
    if entry.kind not in KINDS:
        raise ValueError(f"unknown revision kind {entry.kind!r}; one of {', '.join(KINDS)}")
    element = etree.SubElement(feed, _A + "entry")
    if entry.language:
        element.set("{http://www.w3.org/XML/1998/namespace}lang", entry.language)
    _text(element, "id", entry.id)
    _text(element, "title", entry.title)
    _text(element, "updated", atom_datetime(entry.updated))
    _link(element, entry.link, "alternate", "text/html")
    for extra in entry.links:
        _link(element, extra.href, extra.rel, extra.media_type, extra.title)
    if entry.summary:
        _text(element, "summary", entry.summary)
    if entry.content:
        _text(element, "content", entry.content).set("type", "text")
    etree.SubElement(element, _A + "category", term=entry.kind, scheme=scheme, label=entry.kind)


def feed_xml(feed: Feed) -> bytes:
    """The feed as UTF-8 XML, newest entry first; ``atom:updated`` is the newest entry's time.

    A feed with no entries raises: every article has its first revision, and
    the feed's ``updated`` is taken from its newest entry.
    """
    if not feed.entries:
        raise ValueError("a revision feed needs at least one entry")
    entries = sorted(feed.entries, key=lambda e: e.updated, reverse=True)
    root = etree.Element(_A + "feed", nsmap={None: ATOM_NS})
    if feed.language:
        root.set("{http://www.w3.org/XML/1998/namespace}lang", feed.language)
    _text(root, "id", feed.id)
    _text(root, "title", feed.title)
    _text(root, "updated", atom_datetime(entries[0].updated))
    author = etree.SubElement(root, _A + "author")
    _text(author, "name", feed.author)
    _link(root, feed.self_link, "self", MEDIA_TYPE)
    _link(root, feed.alternate, "alternate", "text/html")
    _text(root, "generator", "kgpub")
    for entry in entries:
        _entry(root, entry, feed.kind_scheme)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def tag_uri(authority: str, date: str, specific: str) -> str:
    """A ``tag:`` URI (RFC 4151), for entries whose revision has no IRI of its own yet."""
    return f"tag:{authority},{date}:{specific}"
