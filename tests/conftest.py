"""Shared fixtures: settings for the checkout, and the published dataset in pyoxigraph."""

from __future__ import annotations

import pytest

from kgpub.config import Settings
from kgpub.rdf.sources import default_sources, read_all
from kgpub.store.oxigraph import Store


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def store(settings: Settings) -> Store:
    """The dataset as the server publishes it: one named graph per source file."""
    s = Store()
    s.add_quads(read_all(default_sources(settings)))
    return s
