"""Which whole test modules the fast loop can leave unimported.

``scripts/check`` runs ``-m "not slow and not external and not fuzz"``. A module whose
``pytestmark`` carries one of those marks has every test deselected, but pytest would
still import it to find that out: Schemathesis builds its operation tests, the system
tests import their drivers. Read from the module's source (its top-level ``pytestmark``
assignment), without importing it, so that deselected modules cost nothing.
"""

from __future__ import annotations

import ast
from pathlib import Path


def module_marks(path: Path) -> set[str]:
    """The names of the marks a module's top-level ``pytestmark`` applies to all its tests."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in tree.body:
        if not isinstance(node, ast.Assign):
            continue
        if not any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets):
            continue
        values = node.value.elts if isinstance(node.value, ast.List | ast.Tuple) else [node.value]
        found |= {name for value in values if (name := _mark_name(value)) is not None}
    return found


def _mark_name(node: ast.expr) -> str | None:
    """``X`` of ``pytest.mark.X`` or ``pytest.mark.X(...)``."""
    if isinstance(node, ast.Call):
        node = node.func
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "mark"
    ):
        return node.attr
    return None


def excluded_marks(markexpr: str) -> set[str]:
    """The marks ``markexpr`` rules out for any test carrying them: those of an expression
    that is only ``not X`` terms joined by ``and``; none for any other expression."""
    terms = [term.strip() for term in markexpr.split(" and ")] if markexpr.strip() else []
    names = [term.removeprefix("not ").strip() for term in terms if term.startswith("not ")]
    if len(names) != len(terms) or not all(name.isidentifier() for name in names):
        return set()
    return set(names)
