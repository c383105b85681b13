"""What changed in an article's text between two revisions: a unified diff and marked words.

Two readers, two forms. A program (``patch``, ``git apply``, a review tool)
reads ``text/x-diff``: the unified diff of the two texts, line by line, as GNU
diff writes it (``\\ No newline at end of file`` where a text ends without
one, so applying it gives the text back to the character). A person reads
the text once with what was taken out and what was put in marked; a line diff
would mark a whole paragraph for one changed number, so :func:`segments`
compares words (runs of letters and digits, of spaces, single punctuation
marks) and joins neighbours of one kind. Both come from :mod:`difflib`, with
its automatic junk heuristic off: in a long article common words would
otherwise be ignored as junk and the diff would wander.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final, Literal

Op = Literal["equal", "insert", "delete"]

NO_NEWLINE: Final = "\\ No newline at end of file\n"
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Segment:
    """A run of text both revisions share (``equal``), or only the new (``insert``) or old."""

    op: Op
    text: str


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def unified(old: str, new: str, *, old_name: str, new_name: str, context: int = 3) -> str:
    """The unified diff from ``old`` to ``new`` (empty when the texts are equal).

    ``old_name`` and ``new_name`` head the diff (``--- a`` / ``+++ b``): a
    revision's IRI, say, so the reader knows which texts were compared.
    """
    out: list[str] = []
    for line in difflib.unified_diff(
        _lines(old), _lines(new), old_name, new_name, n=context, lineterm="\n"
    ):
        if line.endswith("\n"):
            out.append(line)
        else:
            out.extend((line + "\n", NO_NEWLINE))
    return "".join(out)


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _runs(old: list[str], new: list[str]) -> Iterator[Segment]:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            yield Segment("equal", "".join(old[i1:i2]))
            continue
        if i2 > i1:
            yield Segment("delete", "".join(old[i1:i2]))
        if j2 > j1:
            yield Segment("insert", "".join(new[j1:j2]))


def segments(old: str, new: str) -> list[Segment]:
    """The new text with what was deleted and inserted, word by word, in reading order.

    Joining the ``equal`` and ``delete`` segments gives ``old``, the ``equal``
    and ``insert`` segments ``new``; a deletion comes before the insertion that
    replaces it.
    """
    merged: list[Segment] = []
    for seg in _runs(_tokens(old), _tokens(new)):
        if merged and merged[-1].op == seg.op:
            merged[-1] = Segment(seg.op, merged[-1].text + seg.text)
        else:
            merged.append(seg)
    return merged


def text_of(parts: list[Segment], side: Literal["old", "new"]) -> str:
    """One side's text back from its segments (what :func:`segments` promises)."""
    dropped: Op = "insert" if side == "old" else "delete"
    return "".join(s.text for s in parts if s.op != dropped)
