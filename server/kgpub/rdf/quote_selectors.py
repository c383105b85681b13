"""Web Annotation selectors for a quote in a text: found, made unique, and checked.

An anchor names its span twice (https://www.w3.org/TR/annotation-model/#selectors):
a ``TextPositionSelector`` (``start``/``end`` in Unicode code points from 0, end
exclusive, which is how Python indexes a ``str``) and a ``TextQuoteSelector``
(``exact`` with an optional ``prefix`` and ``suffix``). The quote's context must
tell its occurrence apart from every other occurrence of the same words, and
no more: the shortest context that does, grown to whole words so that a reader
recognises it. Authors used to count the offsets and contexts by hand; these
functions compute them and, for an anchor already written, say where its quote
actually is. Pure text, no RDF: ``kgpub.ld.anchor_authoring`` makes the triples.
"""

from __future__ import annotations

from dataclasses import dataclass

from kgpub.errors import AnchorError

_SHOWN = 48
"""Characters of a long quote shown in a message, before an ellipsis."""


@dataclass(frozen=True)
class Selectors:
    """Where a quote is: its code-point span and the context that makes it unique."""

    start: int
    end: int
    exact: str
    prefix: str = ""
    suffix: str = ""


def occurrences(text: str, exact: str) -> list[int]:
    """Every start of ``exact`` in ``text``, overlapping ones included."""
    if not exact:
        raise AnchorError("an empty quote cannot be anchored")
    found, at = [], text.find(exact)
    while at >= 0:
        found.append(at)
        at = text.find(exact, at + 1)
    return found


def _word(char: str) -> bool:
    return char.isalnum() or char in "_-"


def _word_start(text: str, at: int) -> bool:
    return at == 0 or (_word(text[at]) and not _word(text[at - 1]))


def _word_end(text: str, at: int) -> bool:
    return at == len(text) or (_word(text[at - 1]) and not _word(text[at]))


def _prefix_start(text: str, start: int, length: int) -> int:
    """Where a prefix of ``length`` characters before ``start`` begins, grown back to the
    start of a word (so it never begins with a bare space or half a word)."""
    begin = max(0, start - length)
    while begin < start and not _word_start(text, begin):
        begin -= 1
    return begin


def _suffix_end(text: str, end: int, length: int) -> int:
    """Where a suffix of ``length`` characters after ``end`` ends, grown to the end of a word."""
    stop = min(len(text), end + length)
    while stop > end and not _word_end(text, stop):
        stop += 1
    return stop


def _matches(text: str, start: int, exact: str, prefix: str, suffix: str) -> bool:
    return text[:start].endswith(prefix) and text[start + len(exact) :].startswith(suffix)


def _unique(text: str, starts: list[int], chosen: Selectors) -> bool:
    return all(
        at == chosen.start or not _matches(text, at, chosen.exact, chosen.prefix, chosen.suffix)
        for at in starts
    )


def selectors_at(text: str, start: int, end: int) -> Selectors:
    """The selectors of the span ``start``-``end``: the shortest whole-word context on
    both sides that no other occurrence of the same quote shares (none if it is unique)."""
    if not 0 <= start < end <= len(text):
        raise AnchorError(f"span {start}-{end} is not within the text (0-{len(text)})")
    exact = text[start:end]
    starts = occurrences(text, exact)
    for length in range(max(start, len(text) - end) + 1):
        candidate = Selectors(
            start,
            end,
            exact,
            text[_prefix_start(text, start, length) : start],
            text[end : _suffix_end(text, end, length)],
        )
        if _unique(text, starts, candidate):
            return _trimmed(text, starts, candidate)
    raise AnchorError(f"span {start}-{end} cannot be told apart from another")  # unreachable


def _trimmed(text: str, starts: list[int], found: Selectors) -> Selectors:
    """Drop a side of the context the other side does not need."""
    for one_sided in (
        Selectors(found.start, found.end, found.exact, found.prefix, ""),
        Selectors(found.start, found.end, found.exact, "", found.suffix),
    ):
        if _unique(text, starts, one_sided):
            return one_sided
    return found


def shown(quote: str) -> str:
    """A quote for a message: in quotes, a long one shortened, line breaks visible."""
    flat = quote.replace("\n", "\\n")
    return repr(flat if len(flat) <= _SHOWN else flat[: _SHOWN - 1] + "…")


def select(text: str, exact: str, at: int | None = None) -> Selectors:
    """The selectors of ``exact`` in ``text``; ``at`` picks one of several occurrences.

    Raises ``AnchorError`` when the quote is not in the text, or is there more than
    once and ``at`` does not pick one: the message lists every place with the
    context that tells it apart, to choose from with ``at``.
    """
    starts = occurrences(text, exact)
    if not starts:
        raise AnchorError(f"{shown(exact)} is not in the text{_near_miss(text, exact)}")
    if at is not None:
        if at not in starts:
            places = ", ".join(str(s) for s in starts)
            raise AnchorError(f"{shown(exact)} does not start at {at}; it starts at {places}")
        return selectors_at(text, at, at + len(exact))
    if len(starts) > 1:
        raise AnchorError(ambiguity(text, exact, starts))
    return selectors_at(text, starts[0], starts[0] + len(exact))


def ambiguity(text: str, exact: str, starts: list[int]) -> str:
    """Every place of a quote found more than once, with the context that tells it apart."""
    lines = [f"{shown(exact)} occurs {len(starts)} times; pick one with --at START:"]
    for start in starts:
        sel = selectors_at(text, start, start + len(exact))
        context = f"{sel.prefix}⟨{exact}⟩{sel.suffix}".replace("\n", "\\n")
        lines.append(f"  --at {start}  ({start}-{sel.end}): …{context}…")
    return "\n".join(lines)


def _near_miss(text: str, exact: str) -> str:
    """A hint when the quote differs only in case or spacing (typed quotes, line breaks)."""
    folded = " ".join(exact.split()).casefold()
    flat = " ".join(text.split()).casefold()
    if folded and folded in flat:
        return " (it is, with different case or spacing: copy it from the text file)"
    return ""


def diagnose(text: str, written: Selectors) -> str | None:
    """What is wrong with an anchor's selectors and where its quote actually is; None if right.

    For example ``exact 'xyz' is at 120-123, not 118-121``. The occurrence meant is
    the one its prefix and suffix pick, else the nearest to the written start.
    """
    exact = written.exact
    span_ok = 0 <= written.start <= written.end <= len(text)
    if span_ok and text[written.start : written.end] == exact:
        if _matches(text, written.start, exact, written.prefix, written.suffix):
            return None
        right = selectors_at(text, written.start, written.end)
        return (
            f"exact {shown(exact)} is at {written.start}-{written.end}, but the text around it "
            f"is not prefix {shown(written.prefix)} / suffix {shown(written.suffix)}; "
            f"a unique context is prefix {shown(right.prefix)} / suffix {shown(right.suffix)}"
        )
    starts = occurrences(text, exact) if exact else []
    if not starts:
        return f"exact {shown(exact)} is nowhere in the text{_near_miss(text, exact)}"
    picked = [s for s in starts if _matches(text, s, exact, written.prefix, written.suffix)]
    best = min(picked or starts, key=lambda s: abs(s - written.start))
    others = [f"{s}-{s + len(exact)}" for s in starts if s != best]
    also = f" (also at {', '.join(others)})" if others else ""
    return (
        f"exact {shown(exact)} is at {best}-{best + len(exact)}{also}, "
        f"not {written.start}-{written.end}"
    )
