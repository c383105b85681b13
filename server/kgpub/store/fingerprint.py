"""A fingerprint of a store's content: recomputed in one pass, updated by a change set.

``kgpub serve --store`` must know whether the data it opens is the data
kgpub last validated, even when another tool wrote to the store in between.
A hash of the content answers that, but a hash of the store's dump in order
would have to be recomputed in full after every write, and writes must cost
what they change. So the fingerprint is a set hash: the sum, modulo 2^128,
of a BLAKE2b hash of each quad's N-Quads line. A store holds each quad once,
so the sum is independent of order and a change set updates it exactly
(add the added quads' hashes, subtract the removed ones'). Recomputing it
reads the store's N-Quads dump, written by pyoxigraph, in one pass.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import pyoxigraph as ox

from kgpub.store.changes import Changes

_MODULUS = 1 << 128


def _line_hash(line: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(line, digest_size=16).digest(), "big")


class _Summing:
    """A writable file that sums the hashes of the N-Quads lines written to it."""

    def __init__(self) -> None:
        self.total = 0
        self.quads = 0
        self._tail = b""

    def write(self, data: bytes) -> int:
        buffered = self._tail + data
        cut = buffered.rfind(b"\n") + 1
        self._tail = buffered[cut:]
        lines = buffered[:cut].split(b"\n")[:-1]
        self.total = (self.total + sum(map(_line_hash, lines))) % _MODULUS
        self.quads += len(lines)
        return len(data)

    def flush(self) -> None:
        """Nothing is buffered beyond a partial line, which the next write completes."""


def of_store(store: ox.Store) -> tuple[str, int]:
    """The fingerprint of every quad in ``store``, and how many quads it read."""
    summing = _Summing()
    store.dump(summing, ox.RdfFormat.N_QUADS)  # type: ignore[arg-type]  # any object with write
    return _hex(summing.total), summing.quads


def _sum(quads: Iterable[ox.Quad]) -> int:
    quads = list(quads)
    if not quads:
        return 0
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    assert data is not None
    return sum(map(_line_hash, data.split(b"\n")[:-1])) % _MODULUS


def updated(fingerprint: str, store: ox.Store, changes: Changes) -> str:
    """The fingerprint once ``changes`` are committed to ``store`` (whose fingerprint it is).

    Only quads that really come or go count: a removed quad the store lacks,
    or an added one it has, changes nothing. The change is read before it is
    committed, as ``store.counts.after`` reads it.
    """
    dropped = set(changes.dropped)
    gone = {q for q in changes.removed if q in store}
    for graph in dropped:
        gone.update(store.quads_for_pattern(None, None, None, graph))
    came = {q for q in changes.added if q in gone or q not in store}
    total = int(fingerprint, 16) + _sum(came) - _sum(gone)
    return _hex(total % _MODULUS)


def _hex(total: int) -> str:
    return f"{total:032x}"
