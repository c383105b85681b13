"""Which edits change what a span says, however small they are.

A copy-edit that fixes a letter leaves a claim's evidence as it was; an edit
that changes a number, adds or drops a negation, swaps a name or moves a
quotation mark changes what the evidence says, even when only a character or
two differ. Re-anchoring reports such a span as ``modified`` so an editor
looks at it, never as a close (``fuzzy``) match. The rules are for German news
text: names are capitalised tokens (German capitalises nouns too, so a changed
noun counts: the safe side), numbers are digits or number words, negations
the words below, quotation marks every typographic and ASCII quote that is not
an apostrophe inside a word.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Final

NEGATIONS: Final = frozenset(
    {
        "nicht", "nichts", "kein", "keine", "keinen", "keinem", "keiner", "keines",
        "nie", "niemals", "niemand", "niemanden", "nirgends", "weder",
    }
)  # fmt: skip
NUMBER_WORDS: Final = frozenset(
    {
        "null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht",
        "neun", "zehn", "elf", "zwölf", "zwanzig", "dreißig", "vierzig", "fünfzig",
        "hundert", "tausend", "million", "millionen", "milliarde", "milliarden",
        "hälfte", "drittel", "viertel", "dutzend", "dutzende", "doppelt", "halb",
    }
)  # fmt: skip
QUOTES: Final = frozenset("\"'„“”«»\u201a\u2018\u2019\u2039\u203a")
"""Quotation marks: ASCII, German and English double and single ones, guillemets."""

_TOKEN = re.compile(r"\w+(?:[.,]\d+)*", re.UNICODE)


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _numbers(tokens: list[str]) -> Counter[str]:
    return Counter(
        t.lower() for t in tokens if any(c.isdigit() for c in t) or t.lower() in NUMBER_WORDS
    )


def _negations(tokens: list[str]) -> Counter[str]:
    return Counter(t.lower() for t in tokens if t.lower() in NEGATIONS)


def _names(tokens: list[str]) -> Counter[str]:
    return Counter(t for t in tokens if t[0].isupper())


def _quotes(text: str) -> Counter[str]:
    marks: Counter[str] = Counter()
    for i, char in enumerate(text):
        inside_word = 0 < i < len(text) - 1 and text[i - 1].isalpha() and text[i + 1].isalpha()
        if char in QUOTES and not (char in "'\u2019" and inside_word):
            marks[char] += 1
    return marks


def meaning_changes(old: str, new: str) -> tuple[str, ...]:
    """What changed between two versions of a span: any of ``number``, ``negation``,
    ``name``, ``quotation``; empty when the edit left all four as they were."""
    old_tokens, new_tokens = _tokens(old), _tokens(new)
    changes = []
    if _numbers(old_tokens) != _numbers(new_tokens):
        changes.append("number")
    if _negations(old_tokens) != _negations(new_tokens):
        changes.append("negation")
    if _names(old_tokens) != _names(new_tokens):
        changes.append("name")
    if _quotes(old) != _quotes(new):
        changes.append("quotation")
    return tuple(changes)
