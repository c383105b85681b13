"""Folding, stemming and query parsing: the same word in its forms gives the same term."""

from __future__ import annotations

import pytest

from kgpub.search.analysis import Term, fold, parse_query, stem, stems, words


@pytest.mark.parametrize(
    ("word", "folded"),
    [("Straße", "strasse"), ("Führer", "fuhrer"), ("ÄÖÜ", "aou"), ("Café", "cafe")],
)
def test_fold_lowers_and_removes_umlauts_accents_and_sharp_s(word: str, folded: str) -> None:
    assert fold(word) == folded


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Straße", "Strasse"),
        ("Verhandlungen", "Verhandlung"),
        ("Geheimdiensten", "Geheimdienste"),
        ("Präsidentschaftswahl", "Praesidentschaftswahl"),
    ],
)
def test_german_forms_share_a_stem(a: str, b: str) -> None:
    assert stem(a, "de") == stem(b, "de")


def test_english_forms_share_a_stem() -> None:
    assert stem("negotiations", "en") == stem("negotiation", "en")
    assert stem("agencies", "en") == stem("agency", "en")
    assert stem("negotiations", "en") != stem("negotiations", "de")


def test_other_languages_are_only_folded() -> None:
    assert stem("Städte", "fr") == "stadte"


def test_words_keep_their_offsets_in_the_original_text() -> None:
    text = "Die Straße, 2024!"
    found = list(words(text, "de"))
    assert [text[w.start : w.end] for w in found] == ["Die", "Straße", "2024"]
    assert stems(text, "de") == " ".join(w.stem for w in found)


def test_a_query_is_words_phrases_and_prefixes() -> None:
    terms = parse_query('Verhandlungen "der Stadt" Starl* !!', "de")
    assert terms == [
        Term((stem("Verhandlungen", "de"),)),
        Term((stem("der", "de"), stem("Stadt", "de"))),
        Term((stem("Starl", "de"),), prefix=True),
    ]


def test_fts5_syntax_in_a_query_is_only_words() -> None:
    terms = parse_query('a OR b NOT c NEAR(d e) de:f "unbalanced', "en")
    assert all(t.fts().startswith('"') for t in terms)
    assert all('"' not in t.fts()[1:].rstrip('*"') for t in terms)
    assert [t.stems for t in terms][-1] == ("unbalanc",)
