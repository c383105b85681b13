"""The content hash: order-free, changes with any quad, refuses blank nodes."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kgpub.errors import HistoryError
from kgpub.history.content_hash import content_hash

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
