"""Re-anchoring a span of an old text into a new one, never by a guess.

An anchor (a ``TextQuoteSelector`` with its ``TextPositionSelector``, code
points) follows its text into the next revision with one of five statuses:

- ``exact``: the same quote at the same position;
- ``shifted``: the same quote, moved, found without ambiguity;
- ``fuzzy``: a close match (with its score) that changed nothing that matters;
- ``modified``: found, but its numbers, negations, names or quotation marks
  changed (``meaning``), so an editor must look at it however close it is;
- ``orphaned``: gone, or not found with certainty. Never a silent move.

The order: the same position; then the character diff (a span the diff kept
whole); then the candidate places (``candidates``), of which the best is
accepted only with a clear margin over the best place elsewhere: the same quote
elsewhere only in its unchanged sentence (moved), a changed quote only in its
slot (where the diff leads, the text on both sides kept, enough of it left).
Comparisons are on normalised text (NFC, no soft hyphens); positions are
reported in the new text's code points.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from kgpub.errors import AnchorMismatchError
from kgpub.revisions.candidates import (
    CONTEXT,
    Place,
    TextDiff,
    exact_places,
    moved_whole,
    score_place,
    search_places,
)
from kgpub.revisions.meaning import meaning_changes
from kgpub.revisions.normalize import normalize_text, normalized


class Status(StrEnum):
    """What became of an anchor in a new revision."""

    EXACT = "exact"
    SHIFTED = "shifted"
    FUZZY = "fuzzy"
    MODIFIED = "modified"
    ORPHANED = "orphaned"


LOCATED: Final = frozenset({Status.EXACT, Status.SHIFTED, Status.FUZZY, Status.MODIFIED})


@dataclass(frozen=True)
class Anchor:
    """An anchor in the old text: its quote selector and its position (code points)."""

    exact: str
    start: int
    end: int
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class Thresholds:
    """When a place is good enough to accept (scores as in ``candidates.Place``)."""

    accept: float = 0.8
    """Lowest total score of a place of the same quote that has a rival elsewhere."""
    margin: float = 0.1
    """How far the accepted place must score above the best rival elsewhere."""
    quote: float = 0.6
    """Lowest quote similarity of a changed quote."""
    rival: float = 0.5
    """Lowest quote similarity of a place elsewhere that counts as a rival."""
    retained: float = 0.6
    """Share of the old span's characters the diff must keep for a changed quote, and
    share of the new span that must be those characters."""
    context: float = 0.75
    """A side's context counts as kept at this similarity."""
    keep: int = 8
    """Kept characters beside a span the diff kept whole, for the diff to be trusted."""


@dataclass(frozen=True)
class Reanchored:
    """The anchor in the new text: its status, and its selectors unless orphaned."""

    status: Status
    start: int | None = None
    end: int | None = None
    exact: str | None = None
    prefix: str | None = None
    suffix: str | None = None
    score: float | None = None
    """For ``fuzzy`` and ``modified``: the accepted place's total score."""
    changes: tuple[str, ...] = ()
    """For ``modified``: what changed (``number``, ``negation``, ``name``, ``quotation``)."""
    reason: str = ""


class Reanchorer:
    """Re-anchors any number of anchors from one text into its revision (one diff)."""

    def __init__(self, old: str, new: str, thresholds: Thresholds | None = None) -> None:
        self.old, self.new = normalized(old), normalized(new)
        self.diff = TextDiff(self.old.text, self.new.text)
        self.limits = thresholds or Thresholds()

    def reanchor(self, anchor: Anchor) -> Reanchored:
        """Where ``anchor`` is in the new text, and with what status."""
        start, end = self._old_span(anchor)
        quote = self.old.text[start:end]
        if len(exact_places(quote, self.new.text)) > len(exact_places(quote, self.old.text)):
            # A new copy of the quote (a near-duplicate inserted beside it): which copy the
            # diff kept is its arbitrary choice, so only the scored places and the margin decide.
            return self._decide(anchor, start, end)
        if self._unmoved(anchor, quote):
            return self._located(Status.EXACT, anchor.start, anchor.end)
        kept = self.diff.intact(start, end, self.limits.keep)
        if kept is not None:
            return self._same_quote(anchor, *kept)
        return self._decide(anchor, start, end)

    def _old_span(self, anchor: Anchor) -> tuple[int, int]:
        raw = self.old.raw
        if not 0 <= anchor.start < anchor.end <= len(raw):
            raise AnchorMismatchError(
                f"anchor [{anchor.start}, {anchor.end}) lies outside the old text"
                f" ({len(raw)} code points)"
            )
        if any(
            0 < at < len(raw) and unicodedata.combining(raw[at])
            for at in (anchor.start, anchor.end)
        ):
            raise AnchorMismatchError(
                f"anchor [{anchor.start}, {anchor.end}) starts or ends inside a character"
                " (between a letter and its combining mark)"
            )
        start, end = self.old.from_raw_span(anchor.start, anchor.end)
        if start == end or self.old.text[start:end] != normalize_text(anchor.exact):
            raise AnchorMismatchError(
                f"anchor [{anchor.start}, {anchor.end}) selects"
                f" {raw[anchor.start : anchor.end]!r} in the old text, not its quote"
                f" {anchor.exact!r}"
            )
        return start, end

    def _unmoved(self, anchor: Anchor, quote: str) -> bool:
        """The quote at the same position, with the diff or its context agreeing."""
        if anchor.end > len(self.new.raw):
            return False
        if normalize_text(self.new.raw[anchor.start : anchor.end]) != quote:
            return False
        start, end = self.new.from_raw_span(anchor.start, anchor.end)
        old_start, _ = self.old.from_raw_span(anchor.start, anchor.end)
        if self.diff.survives[old_start] == start:
            return True
        place = self._score((start, end), "exact", (old_start, old_start + len(quote)))
        return max(place.prefix, place.suffix) >= self.limits.context

    def _same_quote(self, anchor: Anchor, start: int, end: int) -> Reanchored:
        raw_start, raw_end = self.new.to_raw(start, end)
        if raw_start == anchor.start and self.new.from_raw_span(anchor.start, anchor.end) == (
            start,
            end,
        ):
            # Invisible characters at the anchor's edges (a soft hyphen) count as unmoved.
            return self._located(Status.EXACT, anchor.start, anchor.end)
        return self._located(Status.SHIFTED, raw_start, raw_end)

    def _decide(self, anchor: Anchor, start: int, end: int) -> Reanchored:
        places = self._places(start, end)
        if not places:
            return Reanchored(Status.ORPHANED, reason="not found in the new text")
        best = places[0]
        rivals = [p for p in places[1:] if not p.overlaps(best)]
        rival = rivals[0] if rivals else None
        quote = self.old.text[start:end]
        refusal = self._refusal(best, rival, start, end)
        if refusal:
            return Reanchored(Status.ORPHANED, reason=refusal)
        if best.quote == 1.0:
            return self._same_quote(anchor, best.start, best.end)
        raw_start, raw_end = self.new.to_raw(best.start, best.end)
        changes = meaning_changes(quote, self.new.text[best.start : best.end])
        status = Status.MODIFIED if changes else Status.FUZZY
        return self._located(status, raw_start, raw_end, round(best.total, 3), changes)

    def _refusal(self, best: Place, rival: Place | None, start: int, end: int) -> str:
        """Why the best place may not be accepted; empty when it may."""
        limits = self.limits
        followed = self._followed(best, start, end)
        if not followed:
            why = self._refusal_elsewhere(best, start, end)
            if why:
                return why
        if best.quote < 1.0 and self._copy_elsewhere(best, start, end):
            return (
                "changed here, while its sentence stands unchanged elsewhere: an edit here"
                " or a copy there, which the texts cannot tell apart"
            )
        contested = rival is not None and rival.quote >= limits.rival
        if contested and rival is not None and best.total - rival.total < limits.margin:
            return (
                f"ambiguous: two places score {best.total:.3f} and {rival.total:.3f},"
                f" less than the margin {limits.margin} apart"
            )
        if best.quote == 1.0 and not contested:
            return ""
        return self._refusal_by_score(best, start, end)

    def _refusal_elsewhere(self, best: Place, start: int, end: int) -> str:
        """A place the diff does not lead to is taken only for the same quote, moved
        with its sentence(s) unchanged, and found once in each text."""
        if best.quote < 1.0:
            if not self.diff.survivors(start, end):
                return (
                    "deleted: none of its text is left where it was, and the closest text"
                    f" elsewhere ({best.quote:.3f} alike) is not it"
                )
            return "a changed quote elsewhere: the diff does not show it moved there"
        if not moved_whole(self.old.text, start, end, self.new.text, best.start):
            return "the quote stands elsewhere, but not in its sentence as it was"
        if not self._unique(self.old.text[start:end]):
            return "the quote occurs more than once and the diff does not lead to this one"
        return ""

    def _refusal_by_score(self, best: Place, start: int, end: int) -> str:
        limits = self.limits
        if best.quote == 1.0:
            if best.total < limits.accept:
                return f"best place scores {best.total:.3f}, below {limits.accept}"
            return ""
        # A changed quote is taken only in its slot: where the diff leads, with the text
        # on both sides kept, and with enough of it left.
        if min(best.prefix, best.suffix) < limits.context:
            return "changed, and so is the text beside it: not certainly the same place"
        if best.quote < limits.quote:
            return f"quote similarity {best.quote:.3f} below {limits.quote}"
        return self._refusal_by_kept(best, start, end)

    def _refusal_by_kept(self, best: Place, start: int, end: int) -> str:
        """A changed quote needs most of its old text kept, and its new span to be mostly that."""
        survivors = self.diff.survivors(start, end)
        retained = len(survivors) / (end - start)
        if retained < self.limits.retained:
            return f"only {retained:.0%} of its text is left"
        inside = sum(1 for n in survivors if best.start <= n < best.end)
        if inside / (best.end - best.start) < self.limits.retained:
            return f"only {inside / (best.end - best.start):.0%} of the new span is its old text"
        return ""

    def _copy_elsewhere(self, best: Place, start: int, end: int) -> bool:
        """Whether the old quote stands elsewhere in the new text in its unchanged sentence."""
        quote, old, new = self.old.text[start:end], self.old.text, self.new.text
        return any(
            (at >= best.end or stop <= best.start) and moved_whole(old, start, end, new, at)
            for at, stop in exact_places(quote, new)
        )

    def _unique(self, quote: str) -> bool:
        return len(exact_places(quote, self.old.text)) == 1 and (
            len(exact_places(quote, self.new.text)) == 1
        )

    def _followed(self, place: Place, start: int, end: int) -> bool:
        """Whether the diff puts the span's first surviving character in the place."""
        survivors = self.diff.survivors(start, end)
        return bool(survivors) and place.start <= survivors[0] < max(place.end, place.start + 1)

    def _places(self, start: int, end: int) -> list[Place]:
        """Every candidate place, best first, one per stretch of text."""
        quote, new = self.old.text[start:end], self.new.text
        survivors = self.diff.survivors(start, end)
        expected = (
            survivors[0] if survivors else round(start * len(new) / max(len(self.old.text), 1))
        )
        spans = [(s, e, "exact") for s, e in exact_places(quote, new)]
        mapped = self.diff.mapped(start, end, new)
        if mapped and 2 * len(survivors) >= end - start:
            spans.append((*mapped, "diff"))
        if not any(source == "exact" for _, _, source in spans):
            spans.extend((s, e, "search") for s, e in search_places(quote, new))
        places = sorted(
            (self._score((s, e), source, (start, end), expected) for s, e, source in spans),
            key=lambda p: -p.total,
        )
        kept: list[Place] = []
        for place in sorted(places, key=lambda p: _EVIDENCE.index(p.source)):
            if not any(place.overlaps(k) and _same_stretch(place, k) for k in kept):
                kept.append(place)
        return sorted(kept, key=lambda p: (-p.total, p.start))

    def _score(
        self, span: tuple[int, int], source: str, old_span: tuple[int, int], expected: int = -1
    ) -> Place:
        old, (old_start, old_end) = self.old.text, old_span
        context = (old[max(0, old_start - CONTEXT) : old_start], old[old_end : old_end + CONTEXT])
        return score_place(
            *span,
            source,
            quote=old[old_start:old_end],
            context=context,
            new=self.new.text,
            expected=span[0] if expected < 0 else expected,
        )

    def _located(
        self,
        status: Status,
        start: int,
        end: int,
        score: float | None = None,
        changes: tuple[str, ...] = (),
    ) -> Reanchored:
        raw = self.new.raw
        return Reanchored(
            status,
            start,
            end,
            exact=raw[start:end],
            prefix=raw[max(0, start - CONTEXT) : start],
            suffix=raw[end : end + CONTEXT],
            score=1.0 if score is None else score,
            changes=changes,
        )


_EVIDENCE: Final = ("exact", "diff", "search")
"""Of two candidates for one stretch of text, the one kept: the quote itself, then the diff."""


def _same_stretch(a: Place, b: Place) -> bool:
    """Two places that share most of their characters are one candidate, not rivals."""
    shared = min(a.end, b.end) - max(a.start, b.start)
    return shared * 2 >= min(a.end - a.start, b.end - b.start)


def reanchor(
    old: str, new: str, anchor: Anchor, thresholds: Thresholds | None = None
) -> Reanchored:
    """Re-anchor one anchor (``Reanchorer`` diffs once for many)."""
    return Reanchorer(old, new, thresholds).reanchor(anchor)
