"""Normalised text and its maps back to the raw code points."""

from __future__ import annotations

import unicodedata

from kgpub.revisions.normalize import normalize_text, normalized


def test_nfd_and_soft_hyphens_normalise_away_with_raw_positions_kept() -> None:
    raw = unicodedata.normalize("NFD", "Präsi\u00addent Müller") + "\u200b!"
    text = normalized(raw)
    assert text.text == "Präsident Müller!"
    assert normalize_text(raw) == text.text
    start = text.text.index("Müller")
    raw_start, raw_end = text.to_raw(start, start + len("Müller"))
    assert raw[raw_start:raw_end] == unicodedata.normalize("NFD", "Müller")
    assert text.from_raw_span(raw_start, raw_end) == (start, start + len("Müller"))


def test_a_raw_span_starting_at_a_soft_hyphen_maps_to_the_next_character() -> None:
    text = normalized("ab\u00adcd")
    assert text.from_raw_span(2, 5) == (2, 4)
    assert text.to_raw(2, 4) == (3, 5)


def test_composed_text_maps_one_to_one() -> None:
    raw = "Grüße aus Köln"
    text = normalized(raw)
    assert text.text == raw
    assert text.raw_start == tuple(range(len(raw)))
