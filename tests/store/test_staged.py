"""The store seen through a change set reads as the store with the change applied."""

from __future__ import annotations

import itertools

import pyoxigraph as ox

from kgpub.store.changes import Changes
from kgpub.store.oxigraph import Store

EX = "http://example.org/"
G, H = ox.NamedNode(f"{EX}g"), ox.NamedNode(f"{EX}h")
A, B = ox.NamedNode(f"{EX}a"), ox.NamedNode(f"{EX}b")
P, Q = ox.NamedNode(f"{EX}p"), ox.NamedNode(f"{EX}q")


def test_staged_matches_the_store_after_the_change() -> None:
    store = Store()
    store.add_quads(
        [
            ox.Quad(A, P, B, G),
            ox.Quad(A, Q, ox.Literal(1), G),
            ox.Quad(B, P, A, H),
            ox.Quad(A, P, B, H),
            ox.Quad(B, Q, ox.Literal(2), ox.DefaultGraph()),
        ]
    )
    changes = Changes(
        removed=(ox.Quad(A, P, B, G), *store.graph_quads(H)),
        added=(ox.Quad(A, P, B, G), ox.Quad(B, P, ox.BlankNode("x"), G), ox.Quad(A, Q, B, H)),
        dropped=(H,),
    )
    staged = store.staged(changes)
    applied = store.copy()
    applied.apply(changes)
    subjects: list[ox.NamedNode | ox.BlankNode | None] = [None, A, B]
    predicates: list[ox.NamedNode | None] = [None, P, Q]
    objects: list[ox.NamedNode | ox.BlankNode | ox.Literal | None] = [None, A, B, ox.Literal(1)]
    for s, p, o in itertools.product(subjects, predicates, objects):
        assert set(staged.match(s, p, o)) == set(applied.match(s, p, o)), (s, p, o)
    assert set(staged) == set(applied)
    assert len(list(store)) == 5  # nothing was written
