"""Re-anchoring: each status on hand-made revisions, the traps that move other tools'
anchors, and the edit corpus of ``bench.reanchor_corpus`` with its right answers.

The hand-made texts are fictional (invented people and places), except where the
shipped article (``articles/musk-trump-zelensky-call/article.de.txt``) is used as it is.
"""

from __future__ import annotations

import unicodedata

import pytest
from bench.reanchor import Tally, kgpub_method, run
from bench.reanchor_baseline import hypothesis_reanchor
from bench.reanchor_corpus import corpus

from kgpub.errors import AnchorMismatchError
from kgpub.revisions.reanchor import Anchor, Reanchored, Status, reanchor
from tests.paths import STORY as STORY_DIR

ARTICLE = (STORY_DIR / "article.de.txt").read_text(encoding="utf-8")

STORY = (
    "Neuhafen baut einen neuen Hafen\n"
    "Der Stadtrat hat am Dienstag mit 23 zu 14 Stimmen den Ausbau beschlossen. "
    "Die Kosten werden auf 48 Millionen Euro geschätzt. Die Arbeiten sollen im Frühjahr "
    "beginnen und drei Jahre dauern.\n"
    "Die Opposition kritisierte die Entscheidung. Sie werde keine weiteren Mittel freigeben, "
    "sagte ihr Sprecher.\n"
    "Dies ist eine fiktive Meldung."
)


def anchor(text: str, quote: str, occurrence: int = 0) -> Anchor:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    end = start + len(quote)
    return Anchor(quote, start, end, text[max(0, start - 32) : start], text[end : end + 32])


def located(new: str, answer: Reanchored) -> str:
    assert answer.start is not None
    assert answer.end is not None
    assert answer.exact == new[answer.start : answer.end]
    return answer.exact


COSTS = "Die Kosten werden auf 48 Millionen Euro geschätzt."


def test_an_unchanged_span_is_exact() -> None:
    new = STORY.replace("Die Opposition kritisierte", "Die Opposition bemängelte")
    answer = reanchor(STORY, new, anchor(STORY, COSTS))
    assert answer.status is Status.EXACT
    assert (answer.start, answer.end) == (STORY.index(COSTS), STORY.index(COSTS) + len(COSTS))
    start = STORY.index(COSTS)
    assert answer.prefix == STORY[start - 32 : start]


def test_text_inserted_before_shifts_the_span() -> None:
    new = STORY.replace("Der Stadtrat", "Es war eine lange Sitzung. Der Stadtrat")
    answer = reanchor(STORY, new, anchor(STORY, COSTS))
    assert answer.status is Status.SHIFTED
    assert answer.start == new.index(COSTS)
    assert located(new, answer) == COSTS


def test_a_moved_sentence_is_shifted() -> None:
    new = STORY.replace(COSTS + " ", "").replace("Dies ist", COSTS + "\nDies ist")
    answer = reanchor(STORY, new, anchor(STORY, COSTS))
    assert answer.status is Status.SHIFTED
    assert answer.start == new.index(COSTS)


def test_a_spelling_edit_is_fuzzy_with_its_score() -> None:
    quote = "Die Arbeiten sollen im Frühjahr beginnen und drei Jahre dauern."
    new = STORY.replace("beginnen und", "begginnen und")
    answer = reanchor(STORY, new, anchor(STORY, quote))
    assert answer.status is Status.FUZZY
    assert located(new, answer) == quote.replace("beginnen", "begginnen")
    assert answer.score is not None
    assert 0.8 < answer.score < 1.0


@pytest.mark.parametrize(
    ("old_words", "new_words", "change"),
    [
        ("48 Millionen", "52 Millionen", "number"),
        ("drei Jahre", "vier Jahre", "number"),
        ("werde keine weiteren", "werde weitere", "negation"),
        ("kritisierte die", "kritisierte nicht die", "negation"),
        ("Die Opposition", "Die Regierung", "name"),
    ],
)
def test_a_close_match_that_changes_meaning_is_modified(
    old_words: str, new_words: str, change: str
) -> None:
    quote = next(s for s in STORY.replace("\n", " ").split(". ") if old_words in s)
    new = STORY.replace(old_words, new_words)
    answer = reanchor(STORY, new, anchor(STORY, quote))
    assert answer.status is Status.MODIFIED
    assert change in answer.changes
    assert new_words in located(new, answer)


def test_changed_quotation_marks_are_modified() -> None:
    old = "Die Ministerin sprach von einem „historischen Tag“ für die Küste. Dann ging sie."
    new = old.replace("„historischen Tag“", '"historischen Tag"')
    answer = reanchor(old, new, anchor(old, "einem „historischen Tag“ für die Küste"))
    assert answer.status is Status.MODIFIED
    assert answer.changes == ("quotation",)


def test_a_deleted_sentence_is_orphaned() -> None:
    new = STORY.replace(COSTS + " ", "")
    answer = reanchor(STORY, new, anchor(STORY, COSTS))
    assert answer.status is Status.ORPHANED
    assert answer.start is None
    assert answer.reason


def test_a_rewritten_sentence_is_orphaned() -> None:
    new = STORY.replace(COSTS, "Über die Kosten wurde nichts bekannt.")
    assert reanchor(STORY, new, anchor(STORY, COSTS)).status is Status.ORPHANED


ROBINS = (
    "Robin Albers leitet die Bibliothek in Altbrück. Sie bedauerte die Schließung.\n"
    "Robin Hartwig leitet die Bibliothek in Neubrück. Er bedauerte die Schließung.\n"
)


def test_the_robin_trap_two_lookalikes_leave_the_anchor_orphaned() -> None:
    """The anchored sentence is gone and two lookalikes remain: no guess between them."""
    old = (
        "Robin Kessler leitet die Bibliothek in Mittelbrück. Er bedauerte die Schließung.\n"
        + ROBINS
    )
    quote = "Robin Kessler leitet die Bibliothek in Mittelbrück."
    new = old.replace(quote + " Er bedauerte die Schließung.\n", "")
    answer = reanchor(old, new, anchor(old, quote))
    assert answer.status is Status.ORPHANED
    baseline = hypothesis_reanchor(new, anchor(old, quote))
    assert baseline.status is Status.FUZZY  # the baseline moves it to one of the lookalikes


def test_a_lookalike_paragraph_does_not_capture_an_anchor() -> None:
    """The anchored paragraph is deleted; a lookalike elsewhere (one name changed) is not it."""
    first = (
        "Robin Albers leitet die Bibliothek in Altbrück seit 2019. Sie bedauerte die Schließung."
    )
    other = (
        "Robin Albers leitet die Bibliothek in Neubrück seit 2019. Sie bedauerte die Schließung."
    )
    old = f"{first}\nDie Stadt äußerte sich nicht.\nEin Wort zum Wetter: Regen.\n{other}"
    new = old.replace(first + "\n", "")
    answer = reanchor(old, new, anchor(old, first))
    assert answer.status is Status.ORPHANED
    assert hypothesis_reanchor(new, anchor(old, first)).status is Status.FUZZY


def test_a_quote_left_only_in_a_changed_sentence_elsewhere_is_orphaned() -> None:
    """The sentence is deleted; another paragraph now has a variant quoting its words."""
    said = "Die Kosten steigen auf 48 Millionen Euro, sagte Robin Albers."
    middle = STORY.split("\n")[1]
    old = f"{said}\n{middle}\nDer Rat tagte lange."
    new = f"{middle}\nDer Rat tagte lange. {said.replace('Albers', 'Kessler')}"
    answer = reanchor(old, new, anchor(old, "Die Kosten steigen auf 48 Millionen Euro"))
    assert answer.status is Status.ORPHANED


def test_an_edited_original_beats_an_inserted_sentence_quoting_its_old_words() -> None:
    old = "Musk investierte 118 Millionen Dollar in die Kampagne. Das ist viel."
    new = (
        "Musk investierte 120 Millionen Dollar in die Kampagne. Das ist viel."
        " Zuvor war von 118 Millionen Dollar die Rede."
    )
    answer = reanchor(old, new, anchor(old, "118 Millionen Dollar"))
    # Not "shifted" onto the old words in the new sentence: the original, changed.
    assert answer.status is Status.MODIFIED
    assert answer.changes == ("number",)
    assert (answer.start, located(new, answer)) == (17, "120 Millionen Dollar")


def test_nfd_before_the_span_shifts_it_and_positions_are_the_new_code_points() -> None:
    quote = "Musk reagierte nicht auf die Anfragen des Journal für einen Kommentar."
    new = unicodedata.normalize("NFD", ARTICLE)
    answer = reanchor(ARTICLE, new, anchor(ARTICLE, quote))
    assert answer.status is Status.SHIFTED
    assert answer.start == new.index(unicodedata.normalize("NFD", quote))
    assert located(new, answer) == unicodedata.normalize("NFD", quote)


def test_nfd_after_the_span_leaves_it_exact() -> None:
    quote = "Elon Musk, der Tech-Tycoon"
    new = quote + unicodedata.normalize("NFD", ARTICLE[len(quote) :])
    assert reanchor(ARTICLE, new, anchor(ARTICLE, quote)).status is Status.EXACT


def test_a_soft_hyphen_inside_the_span_is_no_change() -> None:
    quote = "Die Arbeiten sollen im Frühjahr beginnen und drei Jahre dauern."
    new = STORY.replace("Frühjahr", "Früh\u00adjahr")
    answer = reanchor(STORY, new, anchor(STORY, quote))
    assert answer.status is Status.SHIFTED  # the same start, one code point longer
    assert answer.start == STORY.index(quote)
    assert answer.end == STORY.index(quote) + len(quote) + 1


def test_a_soft_hyphen_before_the_span_shifts_it() -> None:
    new = STORY.replace("Dienstag", "Diens\u00adtag")
    answer = reanchor(STORY, new, anchor(STORY, COSTS))
    assert answer.status is Status.SHIFTED
    assert answer.start == STORY.index(COSTS) + 1


def test_an_anchor_that_does_not_select_its_quote_is_refused() -> None:
    bad = Anchor("Die Kosten", 0, 10)
    with pytest.raises(AnchorMismatchError, match="not its quote"):
        reanchor(STORY, STORY, bad)
    with pytest.raises(AnchorMismatchError, match="outside the old text"):
        reanchor(STORY, STORY, Anchor("x", 5000, 5001))
    decomposed = "Ku\u0308ste"
    with pytest.raises(AnchorMismatchError, match="inside a character"):
        reanchor(decomposed, decomposed, Anchor("\u0308ste", 2, 6))


def test_a_short_corpus_places_every_accepted_anchor_right() -> None:
    """Ten revisions of the article and three of each fictional text (the whole corpus,
    240 revisions, is the slow test below)."""
    revisions = corpus(seed=5, article=10, fictional=3)
    tally = run(revisions, kgpub_method)
    assert tally.accepted > 500
    assert tally.wrong_place == 0, tally.wrong
    assert tally.hits[Status.ORPHANED] == tally.right[Status.ORPHANED]


@pytest.mark.slow
def test_the_corpus_places_every_accepted_anchor_right_and_orphans_every_deleted_span() -> None:
    revisions = corpus()
    assert len(revisions) >= 200
    tally: Tally = run(revisions, kgpub_method)
    assert tally.wrong_place == 0, tally.wrong[:10]
    assert tally.right[Status.ORPHANED] > 100
    assert tally.hits[Status.ORPHANED] == tally.right[Status.ORPHANED]
    for status in (Status.FUZZY, Status.MODIFIED):
        assert tally.hits[status] > 0.8 * tally.right[status]
