"""Shared fixtures: settings for the checkout, and the published dataset in pyoxigraph."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kgpub.config import Settings
from kgpub.rdf.sources import default_sources, read_all
from kgpub.store.oxigraph import Store
from tests.module_marks import excluded_marks, module_marks

# A test worker on every core leaves no idle CPU, so a validation at idle priority (the
# default) would wait for its deadline: every app and server the tests start, in this
# process or as a subprocess, validates at normal priority. The one test of the
# priority itself (queries fast beside validations) asks for idle explicitly.
os.environ.setdefault("KGPUB_VALIDATE_PRIORITY", "normal")


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """A test module whose every test ``-m`` deselects is not imported (``tests.module_marks``)."""
    if collection_path.suffix != ".py" or not collection_path.name.startswith("test_"):
        return None
    excluded = excluded_marks(str(config.getoption("markexpr") or ""))
    if excluded and module_marks(collection_path) & excluded:
        return True
    return None


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def store(settings: Settings) -> Store:
    """The dataset as the server publishes it: one named graph per source file."""
    s = Store()
    s.add_quads(read_all(default_sources(settings)))
    return s
