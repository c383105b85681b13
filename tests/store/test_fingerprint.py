"""The store fingerprint: one pass over the store, and the same from a change set."""

from __future__ import annotations

import pyoxigraph as ox

from kgpub.store import fingerprint
from kgpub.store.changes import Changes
from kgpub.store.oxigraph import Store

EX = "http://example.org/"
G, H = ox.NamedNode(f"{EX}g"), ox.NamedNode(f"{EX}h")


def _quad(
    s: str, o: ox.NamedNode | ox.BlankNode | ox.Literal, g: ox.NamedNode | ox.DefaultGraph
) -> ox.Quad:
    subject = ox.BlankNode(s[2:]) if s.startswith("_:") else ox.NamedNode(f"{EX}{s}")
    return ox.Quad(subject, ox.NamedNode(f"{EX}p"), o, g)


def test_the_fingerprint_depends_on_content_not_on_order() -> None:
    quads = [_quad("a", ox.Literal("x", language="de"), G), _quad("_:b", ox.Literal(1), H)]
    first, second = ox.Store(), ox.Store()
    first.extend(quads)
    second.extend(reversed(quads))
    assert fingerprint.of_store(first) == fingerprint.of_store(second)
    second.add(_quad("c", ox.Literal("y"), ox.DefaultGraph()))
    assert fingerprint.of_store(first)[0] != fingerprint.of_store(second)[0]


def test_a_change_set_updates_it_exactly() -> None:
    store = Store()
    store.add_quads([_quad("a", ox.Literal("x", language="de"), G), _quad("a", ox.Literal(1), H)])
    known, content = store.fingerprint(), set(store)
    steps = [
        Changes(
            added=(
                _quad("_:b", ox.Literal('é\n"q"'), G),
                _quad("d", ox.Literal(2), ox.DefaultGraph()),
            )
        ),
        # One quad the store lacks, one it has; a quad removed and added again.
        Changes(
            removed=(_quad("zz", ox.Literal(9), G), _quad("a", ox.Literal(1), H)),
            added=(_quad("a", ox.Literal("x", language="de"), G), _quad("a", ox.Literal(1), H)),
        ),
        Changes(removed=tuple(store.graph_quads(G)), dropped=(G,)),
        Changes(created=(ox.NamedNode(f"{EX}empty"),)),
    ]
    for changes in steps:
        store.apply(changes)
        copy = ox.Store()
        copy.extend(store)
        assert store.fingerprint() == fingerprint.of_store(copy)[0]
        assert (store.fingerprint() != known) == (set(copy) != content)
        known, content = store.fingerprint(), set(copy)
