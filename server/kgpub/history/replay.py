"""An article's earlier states, rebuilt from its current graphs and its revisions' patches.

The store holds each article's graphs once, as they are now (the latest
revision); each later revision's record carries the change from the one
before as RDF Patch. An earlier state is the current one with the patches
undone, newest first: a patch's ``A`` rows are removed and its ``D`` rows
put back, all in the canonical form a store keeps literals in. Every state
rebuilt is checked against its record's content hash, so a history that no
longer fits the graphs (edited outside a revision, a patch altered) is a
:class:`HistoryError` naming the article and revision, never a wrong memento.
Patches are exact (rows are the set difference of the two states), which is
what makes undoing them well defined.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from kgpub.errors import HistoryError
from kgpub.history.content_hash import canonical, content_hash
from kgpub.history.rdf_patch import parse_patch, write_patch
from kgpub.history.records import Revision


def diff_patch(before: Iterable[ox.Quad], after: Iterable[ox.Quad], rev: Revision) -> str:
    """The exact patch from ``before`` to ``after``, headed with ``rev``'s IRI and its previous.

    ``D`` rows are the quads only ``before`` has, ``A`` rows those only
    ``after`` has, each sorted, so the same change always writes the same text.
    Rows keep the spelling of the files (``kgpub fmt`` writes ``+00:00``);
    :func:`undo` reads them in the canonical form a store keeps.
    """
    old, new = set(before), set(after)
    return write_patch(
        sorted(new - old, key=str), sorted(old - new, key=str), patch_id=rev.iri, prev=rev.previous
    )


def undo(state: set[ox.Quad], rev: Revision) -> None:
    """Turn ``rev``'s state into the previous revision's, in place."""
    if rev.patch is None:
        raise HistoryError(f"<{rev.iri}> has no patch to undo")
    patch = parse_patch(rev.patch)
    for quad in canonical(patch.added):
        if quad not in state:
            raise HistoryError(f"<{rev.iri}>: its patch adds {quad}, which its state lacks")
        state.discard(quad)
    for quad in canonical(patch.deleted):
        if quad in state:
            raise HistoryError(f"<{rev.iri}>: its patch deletes {quad}, which its state still has")
        state.add(quad)


def states(
    current: Iterable[ox.Quad], revisions: Sequence[Revision]
) -> dict[int, frozenset[ox.Quad]]:
    """Every revision's state by number, each checked against its content hash.

    ``current`` are the quads of the article's graphs now; they must be the
    latest revision's state. States are in canonical form (``content_hash.canonical``):
    as a store keeps them, whatever spelling a file or a patch row used.
    """
    state = set(canonical(current))
    rebuilt: dict[int, frozenset[ox.Quad]] = {}
    for rev in reversed(revisions):
        if content_hash(state) != rev.content_hash:
            raise HistoryError(
                f"<{rev.article}>: its graphs do not match revision {rev.number}'s content hash "
                f"({rev.content_hash}); were they changed outside a revision?"
            )
        rebuilt[rev.number] = frozenset(state)
        if rev.number > 1:
            undo(state, rev)
    return rebuilt


def state_at(
    current: Iterable[ox.Quad], revisions: Sequence[Revision], number: int
) -> frozenset[ox.Quad]:
    """One revision's state (``number`` between 1 and the latest)."""
    if not 1 <= number <= len(revisions):
        raise HistoryError(f"no revision {number}: there are {len(revisions)}")
    return states(current, revisions)[number]
