"""``ChangeJournal``: the committed change sets an in-memory copy replays to catch up."""

from __future__ import annotations

import pyoxigraph as ox

from kgpub.store.changes import ChangeJournal, Changes
from kgpub.store.oxigraph import Store

EX = "http://example.org/"


def quad(i: int) -> ox.Quad:
    return ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(f"{EX}p"), ox.Literal(str(i)))


def adding(*numbers: int) -> Changes:
    return Changes(added=tuple(quad(i) for i in numbers))


def test_the_change_sets_between_two_versions_oldest_first() -> None:
    journal = ChangeJournal()
    for version in (1, 2, 3):
        journal.record(version, adding(version))
    assert journal.since(0, 3) == [adding(1), adding(2), adding(3)]
    assert journal.since(1, 3) == [adding(2), adding(3)]
    assert journal.since(3, 3) == []


def test_a_write_it_cannot_replay_forgets_what_came_before() -> None:
    journal = ChangeJournal()
    journal.record(1, adding(1))
    journal.forget(2)
    journal.record(3, adding(3))
    assert journal.since(0, 3) is None
    assert journal.since(1, 3) is None
    assert journal.since(2, 3) == [adding(3)]


def test_old_change_sets_go_past_the_bounds() -> None:
    journal = ChangeJournal(max_quads=3, max_entries=10)
    for version in range(1, 6):
        journal.record(version, adding(version))
    assert journal.since(1, 5) is None
    assert journal.since(2, 5) == [adding(3), adding(4), adding(5)]
    by_count = ChangeJournal(max_quads=100, max_entries=2)
    for version in range(1, 4):
        by_count.record(version, adding(version))
    assert by_count.since(0, 3) is None
    assert by_count.since(1, 3) == [adding(2), adding(3)]


def test_a_change_set_larger_than_the_journal_is_not_kept() -> None:
    journal = ChangeJournal(max_quads=2)
    journal.record(1, adding(1))
    journal.record(2, adding(2, 3, 4))
    assert journal.since(0, 2) is None
    assert journal.since(1, 2) is None
    assert journal.since(2, 2) == []


def test_a_version_ahead_of_the_store_is_unknown() -> None:
    journal = ChangeJournal()
    journal.record(1, adding(1))
    assert journal.since(2, 1) is None


def test_the_store_journals_its_commits_and_forgets_at_a_bulk_write() -> None:
    store = Store()
    store.apply(adding(1))
    store.apply(Changes(removed=(quad(1),), added=(quad(2),)))
    assert store.changes_since(0) == [adding(1), Changes(removed=(quad(1),), added=(quad(2),))]
    store.bulk_extend([quad(3)])
    assert store.changes_since(0) is None
    assert store.changes_since(store.version) == []
    store.apply(Changes())  # an empty change set is no write
    assert store.changes_since(store.version) == []


G = ox.NamedNode(f"{EX}g")
P = ox.NamedNode(f"{EX}p")
AWKWARD: list[ox.NamedNode | ox.Literal] = [
    ox.Literal('a "quoted" \\ backslash\nnew line\ttab'),
    ox.Literal("Grüße, 🚀 — \u2028", language="de"),
    ox.Literal("42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
    ox.Literal("x", datatype=ox.NamedNode(f"{EX}type#ä")),
    ox.NamedNode(f"{EX}o"),
]


def _mixed(prefix: str) -> list[ox.Quad]:
    """Quads of every kind a write holds: ground and with blank nodes, named and default graph."""
    subject = ox.NamedNode(f"{EX}{prefix}")
    blank = ox.BlankNode(f"{prefix}b")
    quoted = ox.Triple(subject, P, ox.Literal(prefix))
    out = [ox.Quad(subject, P, o, G) for o in AWKWARD]
    out += [ox.Quad(subject, P, o) for o in AWKWARD]
    out += [ox.Quad(blank, P, AWKWARD[0], G), ox.Quad(subject, P, blank), ox.Quad(blank, P, blank)]
    out += [ox.Quad(subject, ox.NamedNode(f"{EX}says"), quoted, G)]
    return out


def test_a_change_of_every_kind_of_quad_commits_exactly() -> None:
    """Ground quads go as text, the rest by function: the store ends exactly as the change
    says, blank node ids kept."""
    store = Store()
    old = _mixed("old")
    store.apply(Changes(added=tuple(old)))
    assert set(store.match(None, None, None)) == set(old)
    new = _mixed("new")
    store.apply(
        Changes(removed=tuple(old), added=tuple(new), created=(ox.NamedNode(f"{EX}empty"),))
    )
    assert set(store.match(None, None, None)) == set(new)
    assert store.has_graph(ox.NamedNode(f"{EX}empty"))
    store.apply(Changes(removed=tuple(new), dropped=(G,)))
    assert set(store.match(None, None, None)) == set()
    assert not store.has_graph(G)
