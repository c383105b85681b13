"""The content hash: order-free, changes with any quad, refuses blank nodes."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kgpub.errors import HistoryError
from kgpub.history.content_hash import canonical, content_hash

G = ox.NamedNode("https://kgpub.example/graph/a")
S = ox.NamedNode("https://kgpub.example/id/a")
P = ox.NamedNode("https://schema.org/name")
QUADS = [ox.Quad(S, P, ox.Literal("A", language="de"), G), ox.Quad(S, P, ox.Literal("B"), G)]


def test_order_does_not_matter_and_any_change_does() -> None:
    assert content_hash(QUADS) == content_hash(reversed(QUADS))
    assert content_hash(QUADS).startswith("sha256:")
    assert len(content_hash(QUADS)) == 7 + 64
    assert content_hash(QUADS[:1]) != content_hash(QUADS)


def test_blank_nodes_are_refused() -> None:
    with pytest.raises(HistoryError, match="blank nodes"):
        content_hash([ox.Quad(ox.BlankNode(), P, ox.Literal("x"), G)])


def test_the_hash_is_the_same_for_a_files_literals_and_the_stores() -> None:
    """``kgpub fmt`` writes ``…+00:00``, a pyoxigraph store gives back ``…Z``: one hash."""
    date = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
    decimal = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    modified = ox.NamedNode("https://schema.org/dateModified")
    from_file = [
        ox.Quad(S, modified, ox.Literal("2026-12-07T13:09:12+00:00", datatype=date), G),
        ox.Quad(S, P, ox.Literal("0.9830", datatype=decimal), G),
    ]
    store = ox.Store()
    store.extend(from_file)
    from_store = list(store)
    assert {q.object.value for q in from_store} == {"2026-12-07T13:09:12Z", "0.983"}
    assert content_hash(from_file) == content_hash(from_store)
    assert canonical(from_file) == set(from_store)
    assert content_hash(QUADS) == content_hash(canonical(QUADS))  # plain literals as they were
