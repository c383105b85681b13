"""Where an old span may be in a new text, and how well each place fits.

Three sources of evidence, all on the normalised texts (``normalize``):

- the character diff of the two texts (diff-match-patch, with its semantic
  clean-up so that chance one-letter agreements inside rewritten passages do
  not count): which of the span's characters survived and where they are now;
- every exact occurrence of the quote;
- an approximate search (rapidfuzz's best-window alignment, repeated on what is
  left of the text so the second-best place is found too, its ends refined with
  diff-match-patch's Bitap ``match_main``).

Each place is scored on the quote, the text before and after it (against the
old text's own context, so a missing ``oa:prefix`` does not matter) and its
distance from where the diff says the span should be. The decision what to
accept is ``reanchor``'s; this module only finds and scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from diff_match_patch import diff_match_patch

CONTEXT: Final = 32
"""Code points of context compared on each side (the data's prefix/suffix length)."""

WEIGHTS: Final = (0.6, 0.15, 0.15, 0.1)
"""Weights of the quote, prefix, suffix and position scores in a place's total."""

_SEARCH_PLACES: Final = 3
_SEARCH_FLOOR: Final = 50.0
_EDGE: Final = 32
_CLOSERS: Final = "“”\"»«'\u2019"


@dataclass(frozen=True)
class Place:
    """A candidate span in the normalised new text, with its scores (each 0..1)."""

    start: int
    end: int
    source: str
    """``diff`` (the diff's surviving characters), ``exact`` or ``search``."""
    quote: float
    prefix: float
    suffix: float
    position: float

    @property
    def total(self) -> float:
        """The weighted score of the place."""
        scores = (self.quote, self.prefix, self.suffix, self.position)
        return sum(w * s for w, s in zip(WEIGHTS, scores, strict=True))

    def overlaps(self, other: Place) -> bool:
        """Whether the two places share a character (an empty place shares none)."""
        return self.start < other.end and other.start < self.end


class TextDiff:
    """The character diff of two normalised texts, as a map of surviving characters."""

    def __init__(self, old: str, new: str, *, timeout: float = 2.0) -> None:
        engine = diff_match_patch()
        engine.Diff_Timeout = timeout
        diffs = engine.diff_main(old, new, False)
        engine.diff_cleanupSemantic(diffs)
        survives: list[int | None] = []
        inserted: list[bool] = []
        position = 0
        for operation, chunk in diffs:
            if operation == engine.DIFF_EQUAL:
                survives.extend(range(position, position + len(chunk)))
                inserted.extend([False] * len(chunk))
                position += len(chunk)
            elif operation == engine.DIFF_DELETE:
                survives.extend([None] * len(chunk))
            else:
                inserted.extend([True] * len(chunk))
                position += len(chunk)
        self.survives: tuple[int | None, ...] = tuple(survives)
        self.inserted: tuple[bool, ...] = tuple(inserted)

    def survivors(self, start: int, end: int) -> list[int]:
        """Where the characters of the old span ``[start, end)`` that survived are now."""
        return [n for n in self.survives[start:end] if n is not None]

    def mapped(self, start: int, end: int, new: str) -> tuple[int, int] | None:
        """The new span from the first to the last surviving character of the old span.

        Where the span's first (last) character did not survive, the text inserted in
        its place belongs to the span: the span is widened over the inserted run before
        (after) it, up to the sentence end or line break that ends it (a name replaced
        at the span's end, a last sentence rewritten; not the next inserted sentence).
        """
        survivors = self.survivors(start, end)
        if not survivors:
            return None
        first, last = survivors[0], survivors[-1] + 1
        while first < last - 1 and new[first].isspace():  # a span never starts with a space
            first += 1
        while last > first + 1 and new[last - 1].isspace():
            last -= 1
        if self.survives[start] is None:
            first = self._widen_back(new, first)
        if self.survives[end - 1] is None:
            last = self._widen_on(new, last)
        return first, last

    def _widen_on(self, new: str, last: int) -> int:
        """``last`` moved over the spaces and the inserted sentence (or word) after it."""
        probe = last
        while probe < len(new) and new[probe] == " ":
            probe += 1
        if probe == len(new) or not self.inserted[probe]:
            return last
        while probe < len(new) and self.inserted[probe] and new[probe] != "\n":
            probe += 1
            if _ends_sentence(new, probe - 1):
                break
        return probe

    def _widen_back(self, new: str, first: int) -> int:
        """``first`` moved over the spaces and the inserted sentence (or word) before it."""
        probe = first
        while probe > 0 and new[probe - 1] == " ":
            probe -= 1
        if probe == 0 or not self.inserted[probe - 1]:
            return first
        while probe > 0 and self.inserted[probe - 1] and not _breaks_before(new, probe):
            probe -= 1
        return probe

    def intact(self, start: int, end: int, keep: int) -> tuple[int, int] | None:
        """The new span of an old span the diff kept whole and in one piece, with at
        least ``keep`` kept characters (or the text's edge) on one side; else None."""
        first = self.survives[start] if start < end else None
        if first is None:
            return None
        for offset in range(end - start):
            if self.survives[start + offset] != first + offset:
                return None
        return (first, first + end - start) if self._kept_beside(start, end, keep) else None

    def _kept_beside(self, start: int, end: int, keep: int) -> bool:
        first = self.survives[start]
        assert first is not None
        left = min(keep, start)
        if all(self.survives[start - k] == first - k for k in range(1, left + 1)):
            return True
        right = min(keep, len(self.survives) - end)
        return all(
            self.survives[end - 1 + k] == first + end - start - 1 + k for k in range(1, right + 1)
        )


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence(s) around ``text[start:end]``: from after the sentence end or line
    break before it to the next sentence end (a closing quotation mark included) or line
    break."""
    begin = start
    while begin > 0 and not _ends_sentence(text, begin - 1):
        begin -= 1
    while begin < start and text[begin] in " \n":
        begin += 1
    stop = max(end, 1)
    while stop < len(text) and not _ends_sentence(text, stop - 1):
        stop += 1
    return begin, stop


def _ends_sentence(text: str, at: int) -> bool:
    """Whether a sentence ends with the character at ``at`` (a line break ends one too)."""
    char = text[at]
    if char == "\n":
        return True
    following = text[at + 1 : at + 2]
    if char in _CLOSERS and at > 0 and text[at - 1] in ".!?":
        return following in ("", " ", "\n")
    return char in ".!?" and following in ("", " ", "\n")


def _breaks_before(text: str, at: int) -> bool:
    """Whether a sentence or line ends just before ``at`` (the space after it skipped)."""
    before = at - 1
    if text[before] == "\n":
        return True
    return text[before] == " " and before > 0 and _ends_sentence(text, before - 1)


def moved_whole(old: str, start: int, end: int, new: str, new_start: int) -> bool:
    """Whether the sentence(s) around the old span stand unchanged around its new place:
    the span moved with its sentence, rather than a lookalike sentence quoting it."""
    begin, stop = sentence_bounds(old, start, end)
    new_begin = new_start - (start - begin)
    return new_begin >= 0 and new[new_begin : new_begin + stop - begin] == old[begin:stop]


def similarity(a: str, b: str) -> float:
    """1 minus the edit distance over the longer length; 1.0 for two empty strings."""
    # rapidfuzz is imported where it is first used: the web app reaches this module
    # (revisions over HTTP) and must start without it (docs/architecture.md, start-up).
    from rapidfuzz.distance import Levenshtein  # noqa: PLC0415

    return float(Levenshtein.normalized_similarity(a, b))


def exact_places(quote: str, text: str) -> list[tuple[int, int]]:
    """Every occurrence of ``quote`` in ``text``, overlapping ones included."""
    found, at = [], text.find(quote)
    while at != -1 and quote:
        found.append((at, at + len(quote)))
        at = text.find(quote, at + 1)
    return found


def search_places(quote: str, text: str, limit: int = _SEARCH_PLACES) -> list[tuple[int, int]]:
    """Up to ``limit`` non-overlapping places where ``quote`` fits best, best first."""
    from rapidfuzz import fuzz  # noqa: PLC0415  (first use: see ``similarity``)

    free = [(0, len(text))]
    found: list[tuple[int, int]] = []
    while len(found) < limit:
        best: tuple[float, int, int] | None = None
        for lo, hi in free:
            if hi - lo < max(1, len(quote) // 2):
                continue
            hit = fuzz.partial_ratio_alignment(quote, text[lo:hi], score_cutoff=_SEARCH_FLOOR)
            if hit is not None and (best is None or hit.score > best[0]):
                best = (hit.score, lo + hit.dest_start, lo + hit.dest_end)
        if best is None:
            break
        start, end = _refine(quote, text, best[1], best[2])
        found.append((start, end))
        free = [
            piece
            for lo, hi in free
            for piece in ((lo, min(hi, start)), (max(lo, end), hi))
            if piece[1] > piece[0]
        ]
    return found


def _refine(quote: str, text: str, start: int, end: int) -> tuple[int, int]:
    """Move the ends of a best window to where the quote's first and last words fit.

    rapidfuzz's window has the quote's length; an insertion or deletion inside
    the quote leaves its true ends a little off, which Bitap on each end fixes.
    """
    engine = diff_match_patch()
    engine.Match_Distance = _EDGE
    head, tail = quote[:_EDGE], quote[-_EDGE:]
    lo = max(0, start - _EDGE)
    window = text[lo : start + len(head) + _EDGE]
    at = engine.match_main(window, head, start - lo)
    new_start = lo + at if at != -1 else start
    hi = min(len(text), end + _EDGE)
    back = text[max(0, end - len(tail) - _EDGE) : hi][::-1]
    at = engine.match_main(back, tail[::-1], hi - end)
    new_end = hi - at if at != -1 else end
    if new_end <= new_start:
        return start, end
    return new_start, new_end


def score_place(
    start: int,
    end: int,
    source: str,
    *,
    quote: str,
    context: tuple[str, str],
    new: str,
    expected: int,
) -> Place:
    """A place scored against the old quote, the old context and the expected start."""
    before, after = context
    prefix = new[max(0, start - (len(before) or CONTEXT)) : start]
    suffix = new[end : end + (len(after) or CONTEXT)]
    distance = abs(start - expected) / max(len(new), 1)
    return Place(
        start,
        end,
        source,
        quote=similarity(quote, new[start:end]),
        prefix=similarity(before, prefix),
        suffix=similarity(after, suffix),
        position=max(0.0, 1.0 - distance),
    )
