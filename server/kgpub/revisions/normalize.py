"""Texts compared as readers see them, with the way back to their code points.

Two revisions of an article may differ only in how the same words are encoded:
composed or decomposed umlauts (NFC/NFD), soft hyphens (U+00AD) and zero-width
characters that a CMS inserts for line breaking. Re-anchoring compares the
normalised forms, so such an edit never makes a claim look changed, but every
position it reports is a code point of the *raw* text, as the anchors in the
data are. ``Normalized`` keeps, for each normalised character, the raw range it
came from, and for each raw position the normalised one.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
"""Characters that change no word: soft hyphen, zero-width space/joiners, word joiner, BOM."""


@dataclass(frozen=True)
class Normalized:
    """A raw text, its NFC form without invisible characters, and the maps between them."""

    raw: str
    text: str
    raw_start: tuple[int, ...]
    """For each normalised character, where its raw cluster starts."""
    raw_end: tuple[int, ...]
    """For each normalised character, where its raw cluster ends (exclusive)."""
    from_raw: tuple[int, ...]
    """For each raw position 0..len(raw), the first normalised character at or after it."""

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """The raw span of the normalised span ``[start, end)`` (``end > start``)."""
        return self.raw_start[start], self.raw_end[end - 1]

    def from_raw_span(self, start: int, end: int) -> tuple[int, int]:
        """The normalised span of the raw span ``[start, end)``, clipped to the text."""
        size = len(self.raw)
        start, end = min(max(start, 0), size), min(max(end, 0), size)
        return self.from_raw[start], self.from_raw[max(end, start)]


def normalize_text(text: str) -> str:
    """``text`` in NFC without invisible characters (no maps)."""
    return unicodedata.normalize("NFC", "".join(c for c in text if c not in INVISIBLE))


def normalized(raw: str) -> Normalized:
    """``raw`` normalised cluster by cluster: a starter and the combining marks after it.

    Composition happens within such a cluster, so normalising each on its own
    gives the NFC form of the whole for every script the articles use.
    """
    if unicodedata.is_normalized("NFC", raw) and INVISIBLE.isdisjoint(raw):
        # The common case: nothing to change, every map the identity.
        same = tuple(range(len(raw) + 1))
        return Normalized(raw, raw, same[:-1], same[1:], same)
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    from_raw = [0] * (len(raw) + 1)
    i = 0
    while i < len(raw):
        if raw[i] in INVISIBLE:
            from_raw[i] = len(parts)
            i += 1
            continue
        j = i + 1
        while j < len(raw) and unicodedata.combining(raw[j]) and raw[j] not in INVISIBLE:
            j += 1
        for k in range(i, j):
            from_raw[k] = len(parts)
        for char in unicodedata.normalize("NFC", raw[i:j]):
            parts.append(char)
            starts.append(i)
            ends.append(j)
        i = j
    from_raw[len(raw)] = len(parts)
    return Normalized(raw, "".join(parts), tuple(starts), tuple(ends), tuple(from_raw))
