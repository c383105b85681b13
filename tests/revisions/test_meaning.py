"""The edits that change what a span says."""

from __future__ import annotations

import pytest

from kgpub.revisions.meaning import meaning_changes


@pytest.mark.parametrize(
    ("old", "new", "changes"),
    [
        ("mehr als 118 Millionen", "mehr als 121 Millionen", ("number",)),
        ("seit 2,5 Metern", "seit 2,6 Metern", ("number",)),
        ("nun zwei Jahre", "nun drei Jahre", ("number",)),
        ("Musk reagierte nicht", "Musk reagierte", ("negation",)),
        ("es gab keine Antwort", "es gab eine Antwort", ("negation",)),
        ("er sagte nie etwas", "er sagte niemals etwas", ("negation",)),
        ("sagte Putin", "sagte Lawrow", ("name",)),
        ("von einem „Sieg“", 'von einem "Sieg"', ("quotation",)),
        ("von einem „Sieg“", "von einem Sieg", ("quotation",)),
        ("er hat aufgerufen", "er hatt aufgerufen", ()),
        ("Musk's Beziehungen", "Musk's Beziehungen zudem", ()),
    ],
)
def test_meaning_changes(old: str, new: str, changes: tuple[str, ...]) -> None:
    assert meaning_changes(old, new) == changes


def test_an_apostrophe_inside_a_word_is_no_quotation_mark() -> None:
    assert meaning_changes("Musk's Pläne", "Musk\u2019s Pläne") == ()
