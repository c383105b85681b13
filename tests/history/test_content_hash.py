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


def test_the_hash_is_the_same_however_a_file_spells_a_value() -> None:
    """A store gives typed literals back in canonical form (``+00:00`` as ``Z``, ``007``
    as ``7``): the hash over a file's quads and over the same graphs served agree."""
    g, s, p = ox.NamedNode("http://ex/g"), ox.NamedNode("http://ex/s"), ox.NamedNode("http://ex/p")
    xsd = "http://www.w3.org/2001/XMLSchema#"

    def quads(when: str, count: str) -> list[ox.Quad]:
        return [
            ox.Quad(s, p, ox.Literal(when, datatype=ox.NamedNode(xsd + "dateTime")), g),
            ox.Quad(s, p, ox.Literal(count, datatype=ox.NamedNode(xsd + "integer")), g),
        ]

    as_written = quads("2026-12-07T13:03:07+00:00", "007")
    served = ox.Store()
    served.extend(as_written)
    assert set(served) == set(quads("2026-12-07T13:03:07Z", "7"))
    assert (
        content_hash(as_written)
        == content_hash(served)
        == content_hash(quads("2026-12-07T13:03:07Z", "7"))
    )
    assert content_hash(as_written) != content_hash(quads("2026-12-07T13:03:08Z", "7"))
