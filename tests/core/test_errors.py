"""``kgpub.errors.point_at``: a SPARQL syntax error shown where it is."""

from __future__ import annotations

import pytest

from kgpub.errors import QuerySyntaxError, point_at
from kgpub.store.oxigraph import Store


def test_the_line_is_shown_with_a_caret_under_the_column() -> None:
    text = "SELECT *\n  WHERE { ?s ?p ?o } LIMT 1"
    shown = point_at(text, "error at 2:21: expected one of HAVING")
    assert shown.splitlines() == [
        "error at 2:21: expected one of HAVING",
        "  2 |   WHERE { ?s ?p ?o } LIMT 1",
        "    |                     ^",
    ]
    caret_line = shown.splitlines()[2]
    assert caret_line.index("^") - caret_line.index("|") - 2 == 20  # column 21, 1-based


def test_a_long_line_is_cut_around_the_column() -> None:
    text = "a" * 100 + "X" + "b" * 100
    lines = point_at(text, "error at 1:101: here").splitlines()
    assert lines[1].startswith("  1 | …")
    assert lines[1].endswith("…")
    assert lines[1][lines[2].index("^")] == "X"


def test_a_message_without_a_location_is_kept() -> None:
    assert point_at("SELECT", "something else") == "something else"


def test_the_store_reports_a_typo_where_it_is() -> None:
    with pytest.raises(QuerySyntaxError) as raised:
        Store().query("SELEC * WHERE { ?s ?p ?o }")
    lines = str(raised.value).splitlines()
    assert lines[0].startswith("error at 1:")
    assert lines[1] == "  1 | SELEC * WHERE { ?s ?p ?o }"
    assert lines[2].rstrip().endswith("^")
    assert isinstance(raised.value.__cause__, SyntaxError)
