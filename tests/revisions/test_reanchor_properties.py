"""Properties of every re-anchoring answer, on generated texts and edits (Hypothesis).

Whatever the edit, an answer is internally consistent: a located anchor's new
``oa:exact`` is the new text at its new position, ``exact`` and ``shifted`` carry
the old quote (after normalisation), ``exact`` keeps the position, and an
unchanged text leaves every anchor ``exact``. The texts are generated, not news.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kgpub.revisions.normalize import normalize_text
from kgpub.revisions.reanchor import LOCATED, Anchor, Status, reanchor

WORDS = st.sampled_from(
    ["Der", "Rat", "tagte", "nicht", "Robin", "Albers", "sagte", "48", "Millionen", "Euro",
     "Stra\u00dfe", "Ku\u0308ste", "Fr\u00fch\u00adjahr", "„Sieg“", "und", "die", "Stadt"]
)  # fmt: skip
SENTENCES = st.lists(WORDS, min_size=3, max_size=8).map(lambda w: " ".join(w) + ".")
TEXTS = st.lists(SENTENCES, min_size=2, max_size=6).map(" ".join)


@st.composite
def revisions(draw: st.DrawFn) -> tuple[str, str, Anchor]:
    old = draw(TEXTS)
    start = draw(st.integers(0, len(old) - 2))
    end = draw(st.integers(start + 1, min(len(old), start + 40)))
    while start < end and (old[start] in " \u00ad" or unicodedata.combining(old[start])):
        start += 1
    while end < len(old) and unicodedata.combining(old[end]):
        end += 1
    if start == end or not normalize_text(old[start:end]):
        start, end = 0, len(old)
    at = draw(st.integers(0, len(old)))
    cut = draw(st.integers(0, 20))
    new = old[:at] + draw(st.sampled_from(["", "Neu. ", "x", " nicht", "Robin "])) + old[at + cut :]
    return old, new, Anchor(old[start:end], start, end)


@pytest.mark.fuzz
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(revisions())
def test_every_answer_is_consistent(revision: tuple[str, str, Anchor]) -> None:
    old, new, anchor = revision
    answer = reanchor(old, new, anchor)
    assert reanchor(old, old, anchor).status is Status.EXACT
    if answer.status not in LOCATED:
        assert answer.start is None
        assert answer.reason
        return
    assert answer.start is not None
    assert answer.end is not None
    assert 0 <= answer.start < answer.end <= len(new)
    assert answer.exact == new[answer.start : answer.end]
    if answer.status in (Status.EXACT, Status.SHIFTED):
        assert normalize_text(answer.exact) == normalize_text(anchor.exact)
    if answer.status is Status.EXACT:
        assert (answer.start, answer.end) == (anchor.start, anchor.end)
    if answer.status is Status.MODIFIED:
        assert answer.changes
