"""A Hypothesis-style re-anchoring baseline, for comparison with ``kgpub.revisions``.

Modelled on the Hypothesis client (``src/annotator/anchoring/match-quote.ts``
and ``types.ts``): the position selector is used when the text there equals
the quote; otherwise the quote is searched, exactly or, failing that,
approximately with up to ``min(256, len(quote) / 2)`` errors, and every
candidate is scored ``50 * quote + 20 * prefix + 20 * suffix + 2 * position``
(similarities in 0..1, the position relative to the old start), the best
taken. No threshold on the score and no margin over the second-best: the
behaviour issue 17 sets out to avoid. Nothing is normalised (Hypothesis
compares DOM text as it is). It reports ``exact`` (position check),
``shifted`` (the quote found elsewhere), ``fuzzy`` (an approximate match) or
``orphaned`` (nothing within the error limit); it has no ``modified``.
"""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein

from kgpub.revisions.candidates import exact_places, search_places, similarity
from kgpub.revisions.reanchor import Anchor, Reanchored, Status

_PLACES = 5


def _score(text: str, anchor: Anchor, start: int, end: int) -> float:
    quote = similarity(anchor.exact, text[start:end])
    prefix = similarity(anchor.prefix, text[max(0, start - len(anchor.prefix)) : start])
    suffix = similarity(anchor.suffix, text[end : end + len(anchor.suffix)])
    prefix = prefix if anchor.prefix else 1.0
    suffix = suffix if anchor.suffix else 1.0
    position = 1.0 - abs(start - anchor.start) / max(len(text), 1)
    return (50 * quote + 20 * prefix + 20 * suffix + 2 * position) / 92


def hypothesis_reanchor(new: str, anchor: Anchor) -> Reanchored:
    """The baseline's answer for ``anchor`` in ``new``."""
    if new[anchor.start : anchor.end] == anchor.exact:
        return Reanchored(Status.EXACT, anchor.start, anchor.end, score=1.0)
    places = exact_places(anchor.exact, new)
    status = Status.SHIFTED
    if not places:
        limit = min(256, len(anchor.exact) / 2)
        places = [
            (s, e)
            for s, e in search_places(anchor.exact, new, _PLACES)
            if Levenshtein.distance(anchor.exact, new[s:e]) <= limit
        ]
        status = Status.FUZZY
    if not places:
        return Reanchored(Status.ORPHANED, reason="no match within the error limit")
    scored = sorted(((_score(new, anchor, s, e), s, e) for s, e in places), reverse=True)
    score, start, end = scored[0]
    return Reanchored(status, start, end, score=round(score, 3))
