"""Selectors of a quote: code-point offsets, the shortest whole-word context, diagnoses."""

from __future__ import annotations

import pytest

from kgpub.errors import AnchorError
from kgpub.rdf.quote_selectors import Selectors, diagnose, occurrences, select, selectors_at

# Fictional text: three "Es regnet", an emoji and a combining accent before them.
TEXT = "🙂 Anna sagte: Es regnet. Berta sagte: Es regnet. Es regnet nicht."


def test_offsets_are_code_points() -> None:
    sel = select(TEXT, "Anna")
    assert (sel.start, sel.end) == (2, 6)  # the emoji is one code point, not two or four
    assert TEXT[sel.start : sel.end] == "Anna"


def test_a_unique_quote_needs_no_context() -> None:
    assert select(TEXT, "Berta") == Selectors(25, 30, "Berta")


def test_overlapping_occurrences_are_all_found() -> None:
    assert occurrences("aaaa", "aa") == [0, 1, 2]


def test_context_is_the_shortest_that_tells_the_occurrence_apart() -> None:
    starts = occurrences(TEXT, "Es regnet")
    assert len(starts) == 3
    first, second, third = (selectors_at(TEXT, s, s + 9) for s in starts)
    assert (first.prefix, first.suffix) == ("", ". Berta")
    assert (second.prefix, second.suffix) == ("", ". Es")
    # Grown to whole words: never a bare space or half a word.
    assert (third.prefix, third.suffix) == ("regnet. ", "")


def test_context_of_a_quote_inside_a_word_grows_to_the_word() -> None:
    text = "Die Fußgängerbrücke und die Eisenbahnbrücke."
    start = text.rindex("brücke")
    sel = selectors_at(text, start, start + 6)
    assert (sel.exact, sel.prefix, sel.suffix) == ("brücke", "Eisenbahn", "")


def test_a_quote_found_more_than_once_lists_every_place() -> None:
    with pytest.raises(AnchorError) as info:
        select(TEXT, "Es regnet")
    message = str(info.value)
    assert "occurs 3 times" in message
    for start in occurrences(TEXT, "Es regnet"):
        assert f"--at {start} " in message
    assert "⟨Es regnet⟩. Berta" in message
    assert "regnet. ⟨Es regnet⟩" in message


def test_at_picks_an_occurrence() -> None:
    second = occurrences(TEXT, "Es regnet")[1]
    assert select(TEXT, "Es regnet", at=second).suffix == ". Es"
    with pytest.raises(AnchorError, match="does not start at 5"):
        select(TEXT, "Es regnet", at=5)


def test_a_missing_quote_is_an_error_with_a_hint_for_spacing() -> None:
    with pytest.raises(AnchorError, match=r"'Es schneit' is not in the text$"):
        select(TEXT, "Es schneit")
    with pytest.raises(AnchorError, match="different case or spacing"):
        select(TEXT, "es  regnet")
    with pytest.raises(AnchorError, match="empty"):
        select(TEXT, "")


def test_diagnose_says_where_the_quote_actually_is() -> None:
    assert diagnose(TEXT, select(TEXT, "Berta")) is None
    shifted = Selectors(23, 28, "Berta")
    assert diagnose(TEXT, shifted) == "exact 'Berta' is at 25-30, not 23-28"


def test_diagnose_follows_the_context_to_the_occurrence_meant() -> None:
    wrong = Selectors(13, 22, "Es regnet", "", ". Es")  # near the first, but its suffix
    assert diagnose(TEXT, wrong) == (
        "exact 'Es regnet' is at 38-47 (also at 14-23, 49-58), not 13-22"
    )


def test_diagnose_names_a_wrong_context_and_the_right_one() -> None:
    start = occurrences(TEXT, "Es regnet")[0]
    problem = diagnose(TEXT, Selectors(start, start + 9, "Es regnet", "x", ""))
    assert problem is not None
    assert "is not prefix 'x'" in problem
    assert "suffix '. Berta'" in problem


def test_diagnose_a_quote_that_is_nowhere() -> None:
    assert diagnose(TEXT, Selectors(0, 3, "Xyz")) == "exact 'Xyz' is nowhere in the text"
