"""A revision's content hash: one digest of an article's graphs, the same wherever it is computed.

A revision is identified by its sequence number *and* by what it contains, so
a reader (or ``kgpub validate``) can tell whether the graphs served are the
ones a revision recorded, and two revisions that say the same have the same
hash. The digest is SHA-256 over the sorted N-Quads lines of the quads (each
term in pyoxigraph's N-Triples form, the graph name last), joined by ``\\n``:
independent of the order quads were read or stored in. Blank nodes are refused
(``HistoryError``): their labels change with every load, so a hash over them
would not identify anything, and a patch naming them could not be replayed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import pyoxigraph as ox

from kgpub.errors import HistoryError

PREFIX = "sha256:"


def nquads_line(quad: ox.Quad) -> str:
    """One quad as the N-Quads line the hash and the patches use."""
    for term in (quad.subject, quad.object, quad.graph_name):
        if isinstance(term, ox.BlankNode):
            raise HistoryError(
                f"a revised article's graphs may not contain blank nodes (found {term} in {quad}): "
                "give the node an IRI"
            )
    return f"{quad.subject} {quad.predicate} {quad.object} {quad.graph_name} ."


def canonical(quads: Iterable[ox.Quad]) -> frozenset[ox.Quad]:
    """The quads as a pyoxigraph store keeps them, which is how the server reads them.

    A store keeps a typed literal as its value and gives back the canonical form:
    ``"2026-12-07T13:03:07+00:00"^^xsd:dateTime`` comes back ending in ``Z``,
    ``"007"^^xsd:integer`` as ``"7"``, ``"3.0"^^xsd:decimal`` as ``"3"``. A hash or a
    patch over the quads as a file spells them would then not match the same graphs
    served (a revision written with ``+00:00`` made every memento of its article a
    ``HistoryError``), so both are computed over this form.
    """
    store = ox.Store()
    store.extend(quads)
    return frozenset(store)


def content_hash(quads: Iterable[ox.Quad]) -> str:
    """``sha256:<hex>`` of the quads in their canonical form (``canonical``), in canonical
    order."""
    digest = hashlib.sha256()
    for line in sorted({nquads_line(q) for q in canonical(quads)}):
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
    return PREFIX + digest.hexdigest()
