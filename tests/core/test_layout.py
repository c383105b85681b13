"""The package's layout rules, checked: every module imports, says why, stays small.

The layering contract itself is import-linter's (``pyproject.toml``, run by
``scripts/lint``); this checks what it does not: that each module imports on
its own (no hidden import-order dependency), opens with a docstring, and stays
within the size a reader takes in at once (``docs/architecture.md``).
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import kgpub

MODULES = sorted(info.name for info in pkgutil.walk_packages(kgpub.__path__, prefix="kgpub."))
MAX_LINES = 400


def test_every_layer_is_a_subpackage_with_a_map() -> None:
    layers = (
        "rdf",
        "store",
        "search",
        "shacl",
        "sparql",
        "ld",
        "ingest",
        "web",
        "web.routes",
        "cli",
    )
    for layer in layers:
        package = importlib.import_module(f"kgpub.{layer}")
        assert package.__doc__, f"kgpub.{layer} has no docstring mapping its modules"
        depth = layer.count(".") + 2
        for module in MODULES:
            if module.startswith(f"kgpub.{layer}.") and module.count(".") == depth:
                name = module.rsplit(".", 1)[1]
                assert f"``{name}``" in package.__doc__, f"kgpub.{layer}'s map lacks {name}"


@pytest.mark.parametrize("name", MODULES)
def test_a_module_imports_alone_and_says_why(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__doc__, f"{name} has no docstring"
    assert len(module.__doc__.strip()) > 20, f"{name}'s docstring says too little"
    assert module.__file__ is not None
    lines = len(Path(module.__file__).read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines; split it by job"
