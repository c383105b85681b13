"""The edits of the re-anchoring corpus (issue 17), each keeping track of every character.

A ``Doc`` is the text being revised as a list of characters, each with the
position it had in the base text (``None`` for a character an edit inserted),
and which anchors an edit touched and how (``CONTENT``: a spelling edit or a
word inserted; ``MEANING``: a number, negation, name or quotation mark changed,
or a sentence dropped, inserted or rewritten inside the anchor). Every edit
takes the document and a seeded ``random.Random`` and returns what it did, or
``None`` when the text offers nothing to do it to. ``bench.reanchor_corpus``
turns the result into the right answers.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.reanchor_texts import ADVERBS, FILLER, NAMES
from kgpub.revisions.meaning import NEGATIONS, NUMBER_WORDS

Char = tuple[str, int | None]
SENTENCE = re.compile(r"[^\s][^\n]*?(?:[.!?][“”\"]?(?=\s|$)|$)", re.M)
_WORD = re.compile(r"[\w\u00ad]+")
CONTENT = "content"
MEANING = "meaning"


@dataclass
class Doc:
    """The text being edited: each character with its base position, and what touched anchors."""

    chars: list[Char]
    spans: dict[str, tuple[int, int]]
    touched: dict[str, set[str]] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "".join(c for c, _ in self.chars)

    def replace(self, start: int, end: int, new: str, kind: str = CONTENT) -> None:
        """Replace ``[start, end)`` with inserted characters, noting the anchors it touches."""
        origins = {o for _, o in self.chars[start:end] if o is not None}
        first, last = self.positions()
        for name, (s, e) in self.spans.items():
            inside = any(s <= o < e for o in origins)
            kept = [o for o in range(s, e) if o in first and o not in origins]
            around = bool(kept) and first[kept[0]] < start and last[kept[-1]] >= end
            if inside or (new and around):
                self.touched.setdefault(name, set()).add(kind)
        self.chars[start:end] = [(c, None) for c in new]

    def boundaries(self) -> set[int]:
        """Current positions where an anchor starts or ends (edits must not cut across them)."""
        first, last = self.positions()
        found: set[int] = set()
        for s, e in self.spans.values():
            if s in first:
                found.add(first[s])
            if e - 1 in last:
                found.add(last[e - 1] + 1)
        return found

    def positions(self) -> tuple[dict[int, int], dict[int, int]]:
        """Where each surviving base character now starts and ends (NFD makes it several)."""
        first: dict[int, int] = {}
        last: dict[int, int] = {}
        for position, (_, origin) in enumerate(self.chars):
            if origin is not None:
                first.setdefault(origin, position)
                last[origin] = position
        return first, last


def _sentences(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in SENTENCE.finditer(text) if m.group()[-1] in '.!?“”"']


def _words(text: str, keep: Callable[[str], bool], cuts: set[int]) -> list[tuple[int, int]]:
    return [
        (m.start(), m.end())
        for m in _WORD.finditer(text)
        if keep(m.group()) and not any(m.start() < c < m.end() for c in cuts)
    ]


def _plain(word: str) -> bool:
    word = word.replace("\u00ad", "")
    lower = word.lower()
    return (
        word.islower() and len(word) >= 5 and word.isalpha()
        and lower not in NEGATIONS and lower not in NUMBER_WORDS
    )  # fmt: skip


def typo(doc: Doc, rng: random.Random) -> str | None:
    """A letter dropped, doubled or two swapped inside a lowercase word."""
    text = doc.text
    words = _words(text, _plain, doc.boundaries())
    if not words:
        return None
    start, end = rng.choice(words)
    at = rng.randrange(start + 1, end - 1)
    kind = rng.choice(("drop", "double", "swap"))
    new = {"drop": "", "double": text[at] * 2, "swap": text[at + 1] + text[at]}[kind]
    doc.replace(at, at + (2 if kind == "swap" else 1), new)
    return f"typo ({kind}) in {text[start:end]!r}"


def number(doc: Doc, rng: random.Random) -> str | None:
    """A number changed: digits to another value, or a number word to another."""
    text = doc.text
    words = _words(text, lambda w: w.isdigit() or w in ("zwei", "drei"), doc.boundaries())
    if not words:
        return None
    start, end = rng.choice(words)
    old = text[start:end]
    new = (
        str(int(old) + rng.randrange(1, 9))
        if old.isdigit()
        else {"zwei": "drei", "drei": "vier"}[old]
    )
    doc.replace(start, end, new, MEANING)
    return f"number {old!r} -> {new!r}"


def negation(doc: Doc, rng: random.Random) -> str | None:
    """A negation dropped where there is one, else ``nicht`` added before a lowercase word."""
    text = doc.text
    cuts = doc.boundaries()
    present = _words(text, lambda w: w in NEGATIONS, cuts)
    if present and rng.random() < 0.5:
        start, end = rng.choice(present)
        if text[end : end + 1] == " " and end + 1 not in cuts:
            doc.replace(start, end + 1, "", MEANING)
            return f"negation {text[start:end]!r} dropped"
    words = [w for w in _words(text, _plain, cuts) if text[w[0] - 1 : w[0]] == " "]
    if not words:
        return None
    start, _ = rng.choice(words)
    doc.replace(start, start, "nicht ", MEANING)
    return "negation 'nicht' added"


def name(doc: Doc, rng: random.Random) -> str | None:
    """A capitalised name inside a sentence swapped for another."""
    text = doc.text
    cuts = doc.boundaries()
    words = [
        w
        for w in _words(text, lambda w: w[0].isupper() and len(w) > 3, cuts)
        if w[0] > 1 and text[w[0] - 1] == " " and text[w[0] - 2] not in '.!?:“"'
    ]
    if not words:
        return None
    start, end = rng.choice(words)
    new = rng.choice([n for n in NAMES if n != text[start:end]])
    doc.replace(start, end, new, MEANING)
    return f"name {text[start:end]!r} -> {new!r}"


def quotes(doc: Doc, rng: random.Random) -> str | None:
    """A pair of quotation marks changed to another style, or removed."""
    text = doc.text
    pairs = [(m.start(), m.end() - 1) for m in re.finditer(r"„[^“\n]*“|\"[^\"\n]*\"", text)]
    if not pairs:
        return None
    opening, closing = rng.choice(pairs)
    style = rng.choice((("»", "«"), ('"', '"'), ("", "")))
    if text[opening] == '"' and style == ('"', '"'):
        style = ("„", "“")
    doc.replace(closing, closing + 1, style[1], MEANING)
    doc.replace(opening, opening + 1, style[0], MEANING)
    return f"quotation marks -> {style[0] or 'none'}{style[1]}"


def _cut_sentence(doc: Doc, start: int, end: int) -> list[Char]:
    """Remove a sentence with one space beside it; return its characters (origins kept)."""
    text = doc.text
    cut = doc.chars[start:end]
    if text[end : end + 1] == " ":
        end += 1
    elif start > 0 and text[start - 1] == " ":
        start -= 1
    doc.replace(start, end, "", MEANING)
    return cut


def delete(doc: Doc, rng: random.Random) -> str | None:
    """A sentence deleted."""
    sentences = _sentences(doc.text)
    if len(sentences) < 3:
        return None
    start, end = rng.choice(sentences)
    removed = doc.text[start:end]
    _cut_sentence(doc, start, end)
    return f"sentence deleted: {removed[:30]!r}"


def move(doc: Doc, rng: random.Random) -> str | None:
    """A sentence moved to the start of another sentence (its characters keep their origins)."""
    sentences = _sentences(doc.text)
    if len(sentences) < 3:
        return None
    start, end = rng.choice(sentences)
    moved = _cut_sentence(doc, start, end)
    target = rng.choice(_sentences(doc.text))[0]
    doc.chars[target:target] = [*moved, (" ", None)]
    return f"sentence moved: {''.join(c for c, _ in moved)[:30]!r}"


def _variant(sentence: str, rng: random.Random) -> str:
    numbers = re.findall(r"\d+", sentence)
    if numbers and rng.random() < 0.5:
        old = rng.choice(numbers)
        return sentence.replace(old, str(int(old) + 3), 1)
    names = [w for w in _WORD.findall(sentence)[1:] if w[0].isupper() and len(w) > 3]
    if names:
        return sentence.replace(rng.choice(names), rng.choice(NAMES), 1)
    return sentence.replace(" ", f" {rng.choice(ADVERBS)} ", 1)


def duplicate(doc: Doc, rng: random.Random) -> str | None:
    """A near-duplicate of a sentence inserted beside it or elsewhere."""
    sentences = _sentences(doc.text)
    start, end = rng.choice(sentences)
    variant = _variant(doc.text[start:end], rng)
    target = rng.choice((end, rng.choice(sentences)[0]))
    spaced = f" {variant}" if target == end else f"{variant} "
    doc.replace(target, target, spaced, MEANING)
    return f"near-duplicate inserted: {variant[:30]!r}"


def lookalike(doc: Doc, rng: random.Random) -> str | None:
    """A sentence deleted and a near-duplicate of it inserted in another paragraph."""
    sentences = _sentences(doc.text)
    if len(sentences) < 4:
        return None
    start, end = rng.choice(sentences)
    variant = _variant(doc.text[start:end], rng)
    _cut_sentence(doc, start, end)
    here = doc.text.count("\n", 0, start)
    elsewhere = [s for s, _ in _sentences(doc.text) if doc.text.count("\n", 0, s) != here]
    if not elsewhere:
        return None
    target = rng.choice(elsewhere)
    doc.replace(target, target, f"{variant} ", MEANING)
    return f"lookalike: sentence deleted, variant elsewhere: {variant[:30]!r}"


def rewrite(doc: Doc, rng: random.Random) -> str | None:
    """A sentence replaced by an unrelated one."""
    start, end = rng.choice(_sentences(doc.text))
    doc.replace(start, end, rng.choice(FILLER), MEANING)
    return "sentence rewritten"


def insert(doc: Doc, rng: random.Random) -> str | None:
    """An unrelated sentence inserted before a sentence."""
    start, _ = rng.choice(_sentences(doc.text))
    doc.replace(start, start, rng.choice(FILLER) + " ", MEANING)
    return "sentence inserted"


def adverb(doc: Doc, rng: random.Random) -> str | None:
    """A lowercase word inserted before another (no meaning class changes)."""
    words = [w for w in _words(doc.text, _plain, doc.boundaries()) if doc.text[w[0] - 1] == " "]
    if not words:
        return None
    start, _ = rng.choice(words)
    word = rng.choice(ADVERBS)
    doc.replace(start, start, f"{word} ")
    return f"word {word!r} inserted"


def reorder(doc: Doc, rng: random.Random) -> str | None:
    """Two sections (a heading line with its paragraphs) swapped."""
    text = doc.text
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    heads = [i for i, line in enumerate(lines) if line and line[-1] not in '.!?“”"' and i > 0]
    if not heads:
        return None
    blocks = [(a, b) for a, b in zip(heads, [*heads[1:], len(lines)], strict=True) if b > a + 1]
    if len(blocks) < 2:
        return None
    (a1, b1), (a2, b2) = sorted(rng.sample(blocks, 2))

    def chars(a: int, b: int) -> list[Char]:
        return doc.chars[starts[a] : starts[b - 1] + len(lines[b - 1])]

    first, second = chars(a1, b1), chars(a2, b2)
    middle = doc.chars[starts[b1 - 1] + len(lines[b1 - 1]) : starts[a2]]
    doc.chars[starts[a1] : starts[b2 - 1] + len(lines[b2 - 1])] = [*second, *middle, *first]
    return f"sections swapped: lines {a1} and {a2}"


def nfd(doc: Doc, rng: random.Random) -> str | None:
    """The text, or one paragraph of it, in NFD (origins kept on every decomposed character)."""
    text = doc.text
    lo, hi = 0, len(text)
    if rng.random() < 0.5:
        start, end = rng.choice(_sentences(text))
        lo, hi = text.rfind("\n", 0, start) + 1, (text.find("\n", end) + 1 or len(text) + 1) - 1
    out: list[Char] = [*doc.chars[:lo]]
    for char, origin in doc.chars[lo:hi]:
        out.extend((c, origin) for c in unicodedata.normalize("NFD", char))
    doc.chars = [*out, *doc.chars[hi:]]
    return "NFD" + (" (one paragraph)" if hi - lo < len(text) else "")


def soft_hyphens(doc: Doc, rng: random.Random) -> str | None:
    """Soft hyphens inserted into long words, as a CMS hyphenating for narrow columns does."""
    long_words = [m for m in _WORD.finditer(doc.text) if len(m.group()) >= 11]
    if not long_words:
        return None
    chosen = sorted(
        rng.sample(long_words, min(len(long_words), rng.randrange(3, 12))), key=lambda m: -m.start()
    )
    for match in chosen:
        at = match.start() + len(match.group()) // 2
        doc.chars[at:at] = [("\u00ad", None)]
    return f"{len(chosen)} soft hyphens"


EDITS: tuple[Callable[[Doc, random.Random], str | None], ...] = (
    typo, typo, number, negation, name, quotes, delete, move, duplicate, lookalike,
    rewrite, insert, adverb, reorder, nfd, soft_hyphens,
)  # fmt: skip
