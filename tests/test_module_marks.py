"""``tests.module_marks``: which whole modules ``-m`` deselects, read without importing them."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from tests.module_marks import excluded_marks, module_marks
from tests.paths import REPO


def test_marks_are_read_from_the_modules_pytestmark(tmp_path: Path) -> None:
    one = tmp_path / "test_one.py"
    one.write_text("import pytest\npytestmark = pytest.mark.fuzz\n", encoding="utf-8")
    many = tmp_path / "test_many.py"
    many.write_text(
        "import pytest, sys\n"
        'pytestmark = [pytest.mark.skipif(sys.platform == "win32", reason="x"), '
        "pytest.mark.slow]\n"
        "@pytest.mark.external\ndef test_x() -> None: ...\n",
        encoding="utf-8",
    )
    none = tmp_path / "test_none.py"
    none.write_text("def test_x() -> None: ...\n", encoding="utf-8")
    assert module_marks(one) == {"fuzz"}
    assert module_marks(many) == {"skipif", "slow"}  # a test's own mark is not the module's
    assert module_marks(none) == set()


def test_only_a_conjunction_of_negations_rules_marks_out() -> None:
    assert excluded_marks("not slow and not external and not fuzz") == {"slow", "external", "fuzz"}
    assert excluded_marks("not slow") == {"slow"}
    assert excluded_marks("") == set()
    assert excluded_marks("slow") == set()
    assert excluded_marks("not slow or fuzz") == set()
    assert excluded_marks("not slow and fuzz") == set()


@pytest.mark.slow  # imports every test module that has a pytestmark
def test_the_marks_read_are_the_marks_pytest_applies() -> None:
    """For every test module: the marks read from its source are those of its ``pytestmark``
    as imported, so a module left out is one whose every test ``-m`` deselects."""
    checked = 0
    for path in sorted((REPO / "tests").rglob("test_*.py")):
        name = ".".join(path.relative_to(REPO).with_suffix("").parts)
        module = importlib.import_module(name)
        marks = getattr(module, "pytestmark", [])
        applied = {mark.name for mark in (marks if isinstance(marks, list) else [marks])}
        assert module_marks(path) == applied, path
        checked += bool(applied)
    assert checked >= 20
