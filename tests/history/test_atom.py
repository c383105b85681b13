"""The Atom feed of revisions, valid against RFC 4287's own RELAX NG schema.

``tests/fixtures/atom/atom.rnc`` is the RFC's Appendix B, transcribed;
``atom.rng`` is it converted once with trang and checked in, so these tests
need only lxml. The schema's Schematron rules (an entry needs an author, in it
or in its feed; an alternate link or content) are not RELAX NG and lxml skips
them: the tests check those two by XPath.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml import etree

from kgpub.history.atom import (
    ATOM_NS,
    KINDS,
    EntryLink,
    Feed,
    FeedEntry,
    atom_datetime,
    feed_xml,
    tag_uri,
)
from tests.paths import FIXTURES

SCHEMA = etree.RelaxNG(etree.parse(str(FIXTURES / "atom" / "atom.rng")))
NS = {"a": ATOM_NS}
ARTICLE = "https://example.org/article/test-story"
"""A fictional article: these entries describe no real story."""
KIND_SCHEME = "https://example.org/ontology#RevisionKind"


def entry(n: int, kind: str, note: str = "") -> FeedEntry:
    return FeedEntry(
        id=f"{ARTICLE}/revision/{n}",
        title=f"Revision {n}: {kind}",
        updated=datetime(2026, 12, 1, 8, tzinfo=UTC) + timedelta(hours=n),
        link=f"{ARTICLE}/revision/{n}",
        kind=kind,
        summary=note,
    )


def feed(*entries: FeedEntry) -> Feed:
    return Feed(
        id=f"{ARTICLE}/revisions",
        title="Test story (fictional): revisions",
        self_link=f"{ARTICLE}/revisions.atom",
        alternate=ARTICLE,
        author="kgpub test desk",
        kind_scheme=KIND_SCHEME,
        entries=entries,
        language="de",
    )


def parsed(data: bytes) -> etree._Element:
    root = etree.fromstring(data)
    SCHEMA.assertValid(root)
    return root


def test_a_feed_of_every_kind_is_valid_atom() -> None:
    entries = [
        entry(1, "update", "Erste Fassung."),
        entry(2, "correction", 'Die Zahl war falsch: "12" statt "21" & <nicht> 21.'),
        entry(3, "clarification"),
        entry(4, "retraction", "Zurückgezogen."),
    ]
    root = parsed(feed_xml(feed(*entries)))
    assert root.xpath("count(a:entry)", namespaces=NS) == 4
    terms = root.xpath("a:entry/a:category/@term", namespaces=NS)
    assert terms == ["retraction", "clarification", "correction", "update"]  # newest first
    assert set(root.xpath("a:entry/a:category/@scheme", namespaces=NS)) == {KIND_SCHEME}
    assert root.xpath("string(a:updated)", namespaces=NS) == "2026-12-01T12:00:00Z"
    note = root.xpath("string(a:entry[3]/a:summary)", namespaces=NS)
    assert note == 'Die Zahl war falsch: "12" statt "21" & <nicht> 21.'
    assert root.xpath("a:entry[2]/a:summary", namespaces=NS) == []  # no note, no summary


def test_the_rules_the_schema_leaves_to_schematron_hold() -> None:
    root = parsed(feed_xml(feed(entry(1, "update"))))
    assert root.xpath("a:author/a:name/text()", namespaces=NS) == ["kgpub test desk"]
    for element in root.xpath("a:entry", namespaces=NS):
        assert element.xpath("a:link[@rel='alternate']/@href", namespaces=NS) == [
            f"{ARTICLE}/revision/1"
        ]
    assert root.xpath("a:link[@rel='self']/@type", namespaces=NS) == ["application/atom+xml"]
    lang = root.get("{http://www.w3.org/XML/1998/namespace}lang")
    assert lang == "de"


def test_the_schema_does_reject_what_atom_forbids() -> None:
    """The validator is no rubber stamp: an entry without id, or a bad date, fails."""
    root = etree.fromstring(feed_xml(feed(entry(1, "update"))))
    (entry_id,) = root.xpath("a:entry/a:id", namespaces=NS)
    entry_id.getparent().remove(entry_id)
    assert not SCHEMA.validate(root)
    root = etree.fromstring(feed_xml(feed(entry(1, "update"))))
    root.xpath("a:updated", namespaces=NS)[0].text = "1 December 2026"
    assert not SCHEMA.validate(root)


def test_tag_uris_serve_as_entry_ids() -> None:
    ident = tag_uri("example.org", "2026-12-01", "test-story/revision/1")
    assert ident == "tag:example.org,2026-12-01:test-story/revision/1"
    one = FeedEntry(ident, "r1", datetime(2026, 12, 1, tzinfo=UTC), ARTICLE, "update")
    root = parsed(feed_xml(feed(one)))
    assert root.xpath("string(a:entry/a:id)", namespaces=NS) == ident


def test_dates_are_rfc_3339_in_utc() -> None:
    cet = timezone(timedelta(hours=1))
    assert atom_datetime(datetime(2026, 12, 7, 4, 52, 9, tzinfo=cet)) == "2026-12-07T03:52:09Z"
    assert atom_datetime(datetime(2026, 12, 7, 3, 52, 9, 250000, tzinfo=UTC)) == (
        "2026-12-07T03:52:09.250000Z"
    )
    with pytest.raises(ValueError, match="timezone-aware"):
        atom_datetime(datetime(2026, 12, 7))


def test_an_unknown_kind_or_an_empty_feed_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown revision kind 'kill'"):
        feed_xml(feed(entry(1, "kill")))
    with pytest.raises(ValueError, match="at least one entry"):
        feed_xml(feed())
    assert KINDS == ("original", "update", "correction", "clarification", "retraction")


def test_an_entry_carries_its_note_as_text_content_and_its_further_links() -> None:
    one = FeedEntry(
        f"{ARTICLE}/revision/2",
        "Korrektur: Testgeschichte",
        datetime(2026, 12, 1, 9, tzinfo=UTC),
        f"{ARTICLE}/revision/2",
        "correction",
        content="Die Zahl war falsch: <b>12</b> & nicht 21.",
        links=(
            EntryLink(f"{ARTICLE}/diff?from=1&to=2", "related", "text/html", "Änderungen"),
            EntryLink("https://example.org/memento/20261201090000/story", "memento"),
        ),
    )
    root = parsed(feed_xml(feed(one, entry(1, "original"))))
    (content,) = root.xpath("a:entry[1]/a:content", namespaces=NS)
    assert content.get("type") == "text"
    assert content.text == "Die Zahl war falsch: <b>12</b> & nicht 21."
    assert root.xpath("a:entry[1]/a:summary", namespaces=NS) == []
    related = root.xpath("a:entry[1]/a:link[@rel='related']", namespaces=NS)
    assert [(x.get("href"), x.get("type"), x.get("title")) for x in related] == [
        (f"{ARTICLE}/diff?from=1&to=2", "text/html", "Änderungen")
    ]
    memento = root.xpath("a:entry[1]/a:link[@rel='memento']", namespaces=NS)
    assert [(x.get("href"), x.get("type")) for x in memento] == [
        ("https://example.org/memento/20261201090000/story", None)
    ]
    assert root.xpath("a:entry[2]/a:category/@term", namespaces=NS) == ["original"]
    assert root.xpath("a:entry[2]/a:content", namespaces=NS) == []


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("trang") is None, reason="trang converts the schema (apt: trang)")
def test_the_checked_in_rng_is_trangs_conversion_of_the_rnc(tmp_path: Path) -> None:
    out = tmp_path / "atom.rng"
    rnc = FIXTURES / "atom" / "atom.rnc"
    subprocess.run(["trang", "-I", "rnc", "-O", "rng", str(rnc), str(out)], check=True)
    assert out.read_bytes() == (FIXTURES / "atom" / "atom.rng").read_bytes()
