"""A hit's snippet: the words around the first match, each match marked.

The text is the news' own and may hold anything, ``<script>`` included, so
the HTML form escapes every character of it and adds nothing but ``<mark>``
elements; the plain form and the marks' offsets are for scripts.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 240
"""About how many characters a snippet shows; shorter texts are shown whole."""

_ELLIPSIS = "…"


@dataclass(frozen=True)
class Snippet:
    """An excerpt of a text, where it starts in it, and the matches in the excerpt."""

    text: str
    offset: int
    marks: tuple[tuple[int, int], ...]
    cut_before: bool
    cut_after: bool

    @property
    def plain(self) -> str:
        """The excerpt with an ellipsis where the text goes on."""
        return (
            (_ELLIPSIS if self.cut_before else "")
            + self.text
            + (_ELLIPSIS if self.cut_after else "")
        )

    def html(self) -> str:
        """The excerpt escaped, each match in a ``<mark>``."""
        out = [_ELLIPSIS] if self.cut_before else []
        last = 0
        for start, end in self.marks:
            out += [html.escape(self.text[last:start]), "<mark>"]
            out += [html.escape(self.text[start:end]), "</mark>"]
            last = end
        out.append(html.escape(self.text[last:]))
        if self.cut_after:
            out.append(_ELLIPSIS)
        return "".join(out)


def snippet(text: str, matches: Sequence[tuple[int, int]], width: int = WIDTH) -> Snippet:
    """The part of ``text`` around its first match (``matches``: sorted offsets)."""
    if len(text) <= width:
        begin, stop = 0, len(text)
    else:
        first = matches[0][0] if matches else 0
        begin = max(0, min(first - width // 3, len(text) - width))
        if begin > 0:
            space = text.find(" ", begin)
            begin = space + 1 if 0 <= space < first else begin
        stop = min(len(text), begin + width)
        if stop < len(text):
            space = text.rfind(" ", begin, stop)
            stop = space if space > (matches[0][1] if matches else begin) else stop
    marks = tuple(
        (max(s, begin) - begin, min(e, stop) - begin) for s, e in matches if s < stop and e > begin
    )
    return Snippet(text[begin:stop], begin, marks, begin > 0, stop < len(text))
