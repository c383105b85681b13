"""The re-anchoring edit corpus (issue 17): revisions of German news text with the right answers.

Deterministic from its seed. Each revision starts from a base text (the shipped
article, ``data/article.de.txt``, with the anchors of ``data/article.ttl``; or
one of the fictional texts of ``reanchor_texts`` with generated anchors: every
sentence, every paragraph and a few phrases) and applies one to three edits:
spelling edits, number changes, negations added or dropped, names swapped,
quotation marks changed, sentences deleted, moved or rewritten, near-duplicate
sentences inserted (alone, or with the original deleted: the lookalike trap),
sections reordered, NFD and soft hyphens.

The right answer is not computed by the re-anchoring code: every character of
the new text carries the position it had in the base text (``None`` when an
edit inserted it), so where each anchor's characters went is known. An anchor
is ``orphaned`` when less than half of its characters survive; otherwise its
new span runs from its first to its last surviving character, and its status
is ``exact`` (same quote, same span), ``shifted`` (same quote after
normalisation, other span), else ``modified`` when an edit that changes a
number, negation, name or quotation mark (or drops a sentence) touched it,
else ``fuzzy``. An anchor whose surviving characters are out of order or have
another span's characters among them (a sentence moved out of it) has no
single right answer and is left out, and counted.

    python -m bench.reanchor_corpus --summary
"""

from __future__ import annotations

import argparse
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from bench.reanchor_texts import ADVERBS, FICTIONAL, FILLER, NAMES
from kgpub.revisions.meaning import NEGATIONS, NUMBER_WORDS
from kgpub.revisions.normalize import INVISIBLE, normalize_text
from kgpub.revisions.reanchor import Anchor, Status

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT / "data" / "article.de.txt"
ARTICLE_TTL = ROOT / "data" / "article.ttl"
SEED = 17
CONTEXT = 32

Char = tuple[str, int | None]
_SENTENCE = re.compile(r"[^\s][^\n]*?(?:[.!?][“”\"]?(?=\s|$)|$)", re.M)
_WORD = re.compile(r"[\w\u00ad]+")
_CONTENT = "content"
_MEANING = "meaning"


@dataclass(frozen=True)
class Case:
    """One anchor in one revision, with the right answer."""

    name: str
    anchor: Anchor
    status: Status
    start: int | None
    end: int | None


@dataclass(frozen=True)
class Revision:
    """An old text, its revision, the edits made and the answer for every anchor."""

    name: str
    base: str
    edits: tuple[str, ...]
    old: str
    new: str
    cases: tuple[Case, ...]
    undefined: int


@dataclass
class _Doc:
    """The text being edited: each character with its base position, and what touched anchors."""

    chars: list[Char]
    spans: dict[str, tuple[int, int]]
    touched: dict[str, set[str]] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "".join(c for c, _ in self.chars)

    def replace(self, start: int, end: int, new: str, kind: str = _CONTENT) -> None:
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


def article_anchors() -> dict[str, Anchor]:
    """The anchors of the shipped article (claims, sections, quotations) in ``data/article.ttl``."""
    store = ox.Store()
    store.load(path=str(ARTICLE_TTL), format=ox.RdfFormat.TURTLE)
    query = """PREFIX oa: <http://www.w3.org/ns/oa#>
    SELECT ?anchor ?exact ?prefix ?suffix ?start ?end WHERE {
      ?anchor oa:hasSelector ?q, ?p .
      ?q a oa:TextQuoteSelector ; oa:exact ?exact .
      OPTIONAL { ?q oa:prefix ?prefix } OPTIONAL { ?q oa:suffix ?suffix }
      ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
    } ORDER BY ?anchor"""
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    anchors = {}
    for row in result:
        values = {
            name: row[name] for name in ("anchor", "exact", "prefix", "suffix", "start", "end")
        }
        text = {k: v.value if v is not None else "" for k, v in values.items()}
        name = text["anchor"].rsplit("/", 1)[-1]
        anchors[name] = Anchor(
            text["exact"], int(text["start"]), int(text["end"]), text["prefix"], text["suffix"]
        )
    return anchors


def _anchor(text: str, start: int, end: int) -> Anchor:
    prefix, suffix = text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT]
    return Anchor(text[start:end], start, end, prefix, suffix)


def generated_anchors(text: str, rng: random.Random) -> dict[str, Anchor]:
    """Every sentence and paragraph of a text, and a phrase of every other sentence."""
    anchors: dict[str, Anchor] = {}
    offset = 0
    for number, line in enumerate(text.split("\n")):
        if line.count(" ") > 3:
            anchors[f"paragraph-{number}"] = _anchor(text, offset, offset + len(line))
        offset += len(line) + 1
    for number, match in enumerate(_SENTENCE.finditer(text)):
        anchors[f"sentence-{number}"] = _anchor(text, match.start(), match.end())
        words = list(_WORD.finditer(match.group()))
        if number % 2 == 0 and len(words) > 4:
            first = rng.randrange(0, len(words) - 3)
            last = min(len(words) - 1, first + rng.randrange(1, 5))
            start, end = match.start() + words[first].start(), match.start() + words[last].end()
            anchors[f"phrase-{number}"] = _anchor(text, start, end)
    return anchors


def _sentences(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.group()[-1] in '.!?“”"']


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


def typo(doc: _Doc, rng: random.Random) -> str | None:
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


def number(doc: _Doc, rng: random.Random) -> str | None:
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
    doc.replace(start, end, new, _MEANING)
    return f"number {old!r} -> {new!r}"


def negation(doc: _Doc, rng: random.Random) -> str | None:
    """A negation dropped where there is one, else ``nicht`` added before a lowercase word."""
    text = doc.text
    cuts = doc.boundaries()
    present = _words(text, lambda w: w in NEGATIONS, cuts)
    if present and rng.random() < 0.5:
        start, end = rng.choice(present)
        if text[end : end + 1] == " " and end + 1 not in cuts:
            doc.replace(start, end + 1, "", _MEANING)
            return f"negation {text[start:end]!r} dropped"
    words = [w for w in _words(text, _plain, cuts) if text[w[0] - 1 : w[0]] == " "]
    if not words:
        return None
    start, _ = rng.choice(words)
    doc.replace(start, start, "nicht ", _MEANING)
    return "negation 'nicht' added"


def name(doc: _Doc, rng: random.Random) -> str | None:
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
    doc.replace(start, end, new, _MEANING)
    return f"name {text[start:end]!r} -> {new!r}"


def quotes(doc: _Doc, rng: random.Random) -> str | None:
    """A pair of quotation marks changed to another style, or removed."""
    text = doc.text
    pairs = [(m.start(), m.end() - 1) for m in re.finditer(r"„[^“\n]*“|\"[^\"\n]*\"", text)]
    if not pairs:
        return None
    opening, closing = rng.choice(pairs)
    style = rng.choice((("»", "«"), ('"', '"'), ("", "")))
    if text[opening] == '"' and style == ('"', '"'):
        style = ("„", "“")
    doc.replace(closing, closing + 1, style[1], _MEANING)
    doc.replace(opening, opening + 1, style[0], _MEANING)
    return f"quotation marks -> {style[0] or 'none'}{style[1]}"


def _cut_sentence(doc: _Doc, start: int, end: int) -> list[Char]:
    """Remove a sentence with one space beside it; return its characters (origins kept)."""
    text = doc.text
    cut = doc.chars[start:end]
    if text[end : end + 1] == " ":
        end += 1
    elif start > 0 and text[start - 1] == " ":
        start -= 1
    doc.replace(start, end, "", _MEANING)
    return cut


def delete(doc: _Doc, rng: random.Random) -> str | None:
    """A sentence deleted."""
    sentences = _sentences(doc.text)
    if len(sentences) < 3:
        return None
    start, end = rng.choice(sentences)
    removed = doc.text[start:end]
    _cut_sentence(doc, start, end)
    return f"sentence deleted: {removed[:30]!r}"


def move(doc: _Doc, rng: random.Random) -> str | None:
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


def duplicate(doc: _Doc, rng: random.Random) -> str | None:
    """A near-duplicate of a sentence inserted beside it or elsewhere."""
    sentences = _sentences(doc.text)
    start, end = rng.choice(sentences)
    variant = _variant(doc.text[start:end], rng)
    target = rng.choice((end, rng.choice(sentences)[0]))
    spaced = f" {variant}" if target == end else f"{variant} "
    doc.replace(target, target, spaced, _MEANING)
    return f"near-duplicate inserted: {variant[:30]!r}"


def lookalike(doc: _Doc, rng: random.Random) -> str | None:
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
    doc.replace(target, target, f"{variant} ", _MEANING)
    return f"lookalike: sentence deleted, variant elsewhere: {variant[:30]!r}"


def rewrite(doc: _Doc, rng: random.Random) -> str | None:
    """A sentence replaced by an unrelated one."""
    start, end = rng.choice(_sentences(doc.text))
    doc.replace(start, end, rng.choice(FILLER), _MEANING)
    return "sentence rewritten"


def insert(doc: _Doc, rng: random.Random) -> str | None:
    """An unrelated sentence inserted before a sentence."""
    start, _ = rng.choice(_sentences(doc.text))
    doc.replace(start, start, rng.choice(FILLER) + " ", _MEANING)
    return "sentence inserted"


def adverb(doc: _Doc, rng: random.Random) -> str | None:
    """A lowercase word inserted before another (no meaning class changes)."""
    words = [w for w in _words(doc.text, _plain, doc.boundaries()) if doc.text[w[0] - 1] == " "]
    if not words:
        return None
    start, _ = rng.choice(words)
    word = rng.choice(ADVERBS)
    doc.replace(start, start, f"{word} ")
    return f"word {word!r} inserted"


def reorder(doc: _Doc, rng: random.Random) -> str | None:
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


def nfd(doc: _Doc, rng: random.Random) -> str | None:
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


def soft_hyphens(doc: _Doc, rng: random.Random) -> str | None:
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


EDITS: tuple[Callable[[_Doc, random.Random], str | None], ...] = (
    typo, typo, number, negation, name, quotes, delete, move, duplicate, lookalike,
    rewrite, insert, adverb, reorder, nfd, soft_hyphens,
)  # fmt: skip


def _truth(
    doc: _Doc,
    positions: tuple[dict[int, int], dict[int, int]],
    name: str,
    anchor: Anchor,
    base: str,
) -> tuple[Status, int | None, int | None] | None:
    s, e = doc.spans[name]
    at, last = positions
    found = sorted((at[o], o) for o in range(s, e) if o in at)
    visible = [o for o in range(s, e) if base[o] not in INVISIBLE]
    if 2 * len([o for _, o in found if base[o] not in INVISIBLE]) < len(visible):
        return Status.ORPHANED, None, None
    origins = [o for _, o in found]
    if origins != sorted(origins):
        return None
    start, end = found[0][0], last[found[-1][1]] + 1
    while start < end - 1 and doc.chars[start][0].isspace():  # anchors never start or end
        start += 1  # with a space: one left over from an edit beside it is not the span's
    while end > start + 1 and doc.chars[end - 1][0].isspace():
        end -= 1
    start, end = _widened(doc, start, end, s not in at, e - 1 not in at)
    if any(o is not None and not s <= o < e for _, o in doc.chars[start:end]):
        return None
    new_text = "".join(c for c, _ in doc.chars[start:end])
    if normalize_text(new_text) == normalize_text(anchor.exact):
        same = (start, end) == (anchor.start, anchor.end)
        return (Status.EXACT if same else Status.SHIFTED), start, end
    status = Status.MODIFIED if _MEANING in doc.touched.get(name, set()) else Status.FUZZY
    return status, start, end


def _sentence_ends_at(text: str, at: int) -> bool:
    if at < 0:
        return False
    following = text[at + 1 : at + 2]
    if following not in ("", " ", "\n"):
        return False
    return text[at] in ".!?" or (text[at] in '“”"»«' and at > 0 and text[at - 1] in ".!?")


def _widened(doc: _Doc, start: int, end: int, head: bool, tail: bool) -> tuple[int, int]:
    """Where an anchor's first (last) character was replaced, what replaced it belongs to
    the span: past the spaces, the inserted characters before (after) it, within their
    sentence and line."""
    chars, text = doc.chars, doc.text
    probe = end
    while tail and probe < len(text) and text[probe] == " ":
        probe += 1
    if tail and probe < len(text) and chars[probe][1] is None:
        while probe < len(text) and chars[probe][1] is None and text[probe] != "\n":
            probe += 1
            if _sentence_ends_at(text, probe - 1):
                break
        end = probe
    probe = start
    while head and probe > 0 and text[probe - 1] == " ":
        probe -= 1
    if head and probe > 0 and chars[probe - 1][1] is None:
        while probe > 0 and chars[probe - 1][1] is None:
            if text[probe - 1] == "\n" or (
                text[probe - 1] == " " and _sentence_ends_at(text, probe - 2)
            ):
                break
            probe -= 1
        start = probe
    return start, end


def revise(
    base_name: str, text: str, anchors: dict[str, Anchor], number: int, rng: random.Random
) -> Revision:
    """One revision of ``text`` with one to three edits, and the answer for every anchor."""
    doc = _Doc(
        [(c, i) for i, c in enumerate(text)], {n: (a.start, a.end) for n, a in anchors.items()}
    )
    edits: list[str] = []
    wanted = rng.choice((1, 1, 2, 3))
    while len(edits) < wanted:
        done = rng.choice(EDITS)(doc, rng)
        if done:
            edits.append(done)
    cases, undefined = [], 0
    positions = doc.positions()
    for name, anchor in sorted(anchors.items()):
        truth = _truth(doc, positions, name, anchor, text)
        if truth is None:
            undefined += 1
            continue
        cases.append(Case(name, anchor, *truth))
    return Revision(
        f"{base_name}-{number:03d}",
        base_name,
        tuple(edits),
        text,
        doc.text,
        tuple(cases),
        undefined,
    )


def corpus(seed: int = SEED, article: int = 150, fictional: int = 30) -> list[Revision]:
    """``article`` revisions of the shipped article and ``fictional`` of each fictional text."""
    rng = random.Random(seed)
    bases = [("article", ARTICLE.read_text(encoding="utf-8"), article_anchors(), article)]
    for name, text in FICTIONAL.items():
        bases.append((f"fictional-{name}", text, generated_anchors(text, rng), fictional))
    return [
        revise(name, text, anchors, number, rng)
        for name, text, anchors, count in bases
        for number in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--summary", action="store_true", help="print counts per status")
    args = parser.parse_args()
    revisions = corpus(args.seed)
    counts: dict[str, int] = {}
    for revision in revisions:
        for case in revision.cases:
            counts[case.status] = counts.get(case.status, 0) + 1
    print(f"{len(revisions)} revisions, {sum(counts.values())} anchors:", counts)
    print("left out (no single right answer):", sum(r.undefined for r in revisions))
    if not args.summary:
        for revision in revisions[:5]:
            print(revision.name, revision.edits)


if __name__ == "__main__":
    main()
