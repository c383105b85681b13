"""The re-anchoring edit corpus (issue 17): revisions of German news text with the right answers.

Deterministic from its seed. Each revision starts from a base text (the shipped
article, ``articles/musk-trump-zelensky-call/article.de.txt``, with the anchors of
its ``article.ttl``; or
one of the fictional texts of ``reanchor_texts`` with generated anchors: every
sentence, every paragraph and a few phrases) and applies one to three edits:
spelling edits, number changes, negations added or dropped, names swapped,
quotation marks changed, sentences deleted, moved or rewritten, near-duplicate
sentences inserted (alone, or with the original deleted: the lookalike trap),
sections reordered, NFD and soft hyphens (``bench.reanchor_edits``).

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
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from bench.reanchor_edits import EDITS, MEANING, SENTENCE, Doc
from bench.reanchor_texts import FICTIONAL
from kgpub.revisions.normalize import INVISIBLE, normalize_text
from kgpub.revisions.reanchor import Anchor, Status

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT / "articles/musk-trump-zelensky-call" / "article.de.txt"
ARTICLE_TTL = ROOT / "articles/musk-trump-zelensky-call" / "article.ttl"
SEED = 17
CONTEXT = 32
_WORD = re.compile(r"\w+")


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


def article_anchors() -> dict[str, Anchor]:
    """The anchors of the shipped article (claims, sections, quotations) in its ``article.ttl``."""
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
    for number, match in enumerate(SENTENCE.finditer(text)):
        anchors[f"sentence-{number}"] = _anchor(text, match.start(), match.end())
        words = list(_WORD.finditer(match.group()))
        if number % 2 == 0 and len(words) > 4:
            first = rng.randrange(0, len(words) - 3)
            last = min(len(words) - 1, first + rng.randrange(1, 5))
            start, end = match.start() + words[first].start(), match.start() + words[last].end()
            anchors[f"phrase-{number}"] = _anchor(text, start, end)
    return anchors


def _truth(
    doc: Doc,
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
    status = Status.MODIFIED if MEANING in doc.touched.get(name, set()) else Status.FUZZY
    return status, start, end


def _sentence_ends_at(text: str, at: int) -> bool:
    if at < 0:
        return False
    following = text[at + 1 : at + 2]
    if following not in ("", " ", "\n"):
        return False
    return text[at] in ".!?" or (text[at] in '“”"»«' and at > 0 and text[at - 1] in ".!?")


def _widened(doc: Doc, start: int, end: int, head: bool, tail: bool) -> tuple[int, int]:
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
    doc = Doc(
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
