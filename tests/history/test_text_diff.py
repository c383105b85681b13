"""The text diff of two revisions: a unified diff that ``patch`` applies, and marked words.

The texts are fictional (a harbour story that never happened).
"""

from __future__ import annotations

import shutil
import subprocess
from itertools import pairwise
from pathlib import Path

import pytest

from kgpub.history.text_diff import NO_NEWLINE, Segment, segments, text_of, unified

OLD = (
    "Im Hafen von Nordstadt liegen zwölf Boote.\n\n"
    "Der Hafenmeister sagte, die Mole sei sicher.\n\n"
    "Die Fähre fährt um acht Uhr."
)
NEW = (
    "Im Hafen von Nordstadt liegen dreizehn Boote.\n\n"
    "Der Hafenmeister sagte, die Mole sei sicher.\n\n"
    "Die Fähre fährt um neun Uhr.\n"
)


def test_a_unified_diff_names_both_revisions_and_marks_changed_lines() -> None:
    diff = unified(OLD, NEW, old_name="story/revision/1", new_name="story/revision/2")
    lines = diff.splitlines(keepends=True)
    assert lines[:3] == ["--- story/revision/1\n", "+++ story/revision/2\n", "@@ -1,5 +1,5 @@\n"]
    assert "-Im Hafen von Nordstadt liegen zwölf Boote.\n" in lines
    assert "+Im Hafen von Nordstadt liegen dreizehn Boote.\n" in lines
    assert " Der Hafenmeister sagte, die Mole sei sicher.\n" in lines
    # the old text ends without a newline: said as GNU diff says it, after its last line
    assert lines[lines.index("-Die Fähre fährt um acht Uhr.\n") + 1] == NO_NEWLINE
    assert lines[-1] == "+Die Fähre fährt um neun Uhr.\n"


def test_equal_texts_have_an_empty_diff() -> None:
    assert unified(OLD, OLD, old_name="a", new_name="b") == ""


@pytest.mark.skipif(shutil.which("patch") is None, reason="GNU patch applies the diff")
def test_gnu_patch_applied_to_the_old_text_gives_the_new_one(tmp_path: Path) -> None:
    for old, new in ((OLD, NEW), (NEW, OLD), ("", NEW), (OLD, OLD + "\nNachtrag.")):
        text = tmp_path / "text.txt"
        text.write_text(old, encoding="utf-8", newline="")
        diff = unified(old, new, old_name="text.txt", new_name="text.txt")
        subprocess.run(
            ["patch", "--quiet", "--force", str(text)],
            input=diff.encode(),
            check=True,
            cwd=tmp_path,
        )
        assert text.read_bytes().decode("utf-8") == new


def test_segments_mark_the_changed_words_only() -> None:
    parts = segments(OLD, NEW)
    assert [p for p in parts if p.op != "equal"] == [
        Segment("delete", "zwölf"),
        Segment("insert", "dreizehn"),
        Segment("delete", "acht"),
        Segment("insert", "neun"),
        Segment("insert", "\n"),
    ]
    assert text_of(parts, "old") == OLD
    assert text_of(parts, "new") == NEW


def test_segments_of_an_insertion_and_a_deletion_keep_both_texts() -> None:
    old = "Erster Satz. Zweiter Satz. Dritter Satz."
    new = "Erster Satz. Dritter Satz, neu. Vierter Satz."
    parts = segments(old, new)
    assert text_of(parts, "old") == old
    assert text_of(parts, "new") == new
    assert all(a.op != b.op for a, b in pairwise(parts))  # neighbours joined
    assert segments("", "") == []
    assert segments("", "neu") == [Segment("insert", "neu")]
