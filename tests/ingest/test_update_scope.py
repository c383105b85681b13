"""Updates bounded to the IRIs they name: found soundly, and staged to the same change set."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kgpub.ingest.update_scope import subjects
from kgpub.store.changes import Changes
from kgpub.store.oxigraph import Store

EX = "http://example.org/"
P = f"<{EX}p>"
REPLACE = f"DELETE {{ <{EX}a> {P} ?o }} WHERE {{ <{EX}a> {P} ?o }}"
BOUNDED = {
    f'{REPLACE} ; INSERT DATA {{ <{EX}a> {P} "x"@de }}': {f"{EX}a"},
    f"INSERT DATA {{ GRAPH <{EX}g> {{ _:b {P} 1 }} }}": set(),
    f"DELETE WHERE {{ <{EX}a> ?p ?o }}": {f"{EX}a"},
    f"DELETE DATA {{ GRAPH <{EX}g> {{ <{EX}b> {P} <{EX}a> }} }}": {f"{EX}b"},
    f"WITH <{EX}g> DELETE {{ <{EX}a> {P} ?o }} INSERT {{ ?o {P} 2 }} WHERE {{ <{EX}a> {P} ?o }}": {
        f"{EX}a"
    },
    f"INSERT {{ <{EX}c> {P} ?o }} WHERE {{ SELECT ?o WHERE {{ <{EX}a> ?q ?o }} }}": {
        f"{EX}a",
        f"{EX}c",
    },
}
UNBOUNDED = [
    f"DELETE {{ ?s {P} ?o }} WHERE {{ ?s {P} ?o }}",
    f"INSERT {{ ?o {P} 1 }} WHERE {{ <{EX}a> {P} ?o FILTER NOT EXISTS {{ ?o {P} 2 }} }}",
    f"INSERT {{ ?o {P} 1 }} WHERE {{ <{EX}a> {P}/{P} ?o }}",
    f"DELETE {{ ?o {P} ?x }} WHERE {{ <{EX}a> {P} ?o }}",
    f"INSERT {{ <{EX}a> {P} 1 }} WHERE {{ [] {P} ?o }}",
    "CLEAR ALL",
    f"DROP GRAPH <{EX}g>",
    f"ADD <{EX}g> TO <{EX}h>",
    "this is not SPARQL",
]


@pytest.mark.parametrize(("update", "expected"), BOUNDED.items())
def test_bounded_updates_name_their_subjects(update: str, expected: set[str]) -> None:
    assert subjects(update, None) == expected


@pytest.mark.parametrize("update", UNBOUNDED)
def test_unbounded_updates_are_staged_in_full(update: str) -> None:
    assert subjects(update, None) is None


def _store() -> Store:
    store = Store()
    g, h = ox.NamedNode(f"{EX}g"), ox.NamedNode(f"{EX}h")
    p = ox.NamedNode(f"{EX}p")
    a, b, c = (ox.NamedNode(f"{EX}{n}") for n in "abc")
    store.add_quads(
        [
            ox.Quad(a, p, b, g),
            ox.Quad(a, p, ox.Literal(1), h),
            ox.Quad(b, p, a, g),
            ox.Quad(b, p, ox.Literal(2), g),
            ox.Quad(c, p, ox.Literal(3), ox.DefaultGraph()),
            ox.Quad(a, p, ox.Literal(4), ox.DefaultGraph()),
        ]
    )
    return store


@pytest.mark.parametrize("update", BOUNDED)
def test_a_bounded_update_stages_the_change_set_of_the_whole_store(update: str) -> None:
    store = _store()
    scope = subjects(update, None)
    assert scope is not None
    small = Store()
    small.add_quads(q for s in scope for q in store.match(ox.NamedNode(s), None, None))
    before = small.copy()
    small.update(update)
    diff = before.changes_to(small)
    scoped = Changes(removed=diff.removed, added=tuple(q for q in diff.added if q not in store))
    whole = store.copy()
    whole.update(update)
    full = store.changes_to(whole)
    # Fresh blank nodes differ between runs: compared with their labels set aside.
    assert _shape(scoped.removed) == _shape(full.removed)
    assert _shape(scoped.added) == _shape(full.added)


def _shape(quads: tuple[ox.Quad, ...]) -> list[str]:
    return sorted(
        str(q) if not isinstance(q.subject, ox.BlankNode) else str(q.predicate) + str(q.object)
        for q in quads
    )
