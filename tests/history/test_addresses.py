"""The diff and feed addresses of docs/revisions.md, built in one place."""

from __future__ import annotations

import pytest

from kgpub.history.addresses import diff_iri, feed_iri, path_below

BASE = "https://kgpub.example/"
ARTICLE = BASE + "id/hafenfest"


def test_diff_and_feed_addresses() -> None:
    assert path_below(BASE, ARTICLE) == "id/hafenfest"
    assert diff_iri(BASE, ARTICLE) == BASE + "diff/id/hafenfest"
    assert diff_iri(BASE, ARTICLE, 1, 3) == BASE + "diff/id/hafenfest?from=1&to=3"
    assert diff_iri(BASE, ARTICLE, end=2) == BASE + "diff/id/hafenfest?to=2"
    assert feed_iri(BASE) == BASE + "feed"
    assert feed_iri(BASE, ARTICLE) == BASE + "feed/id/hafenfest"


def test_iris_outside_the_base_are_refused() -> None:
    with pytest.raises(ValueError, match="not below the base IRI"):
        path_below(BASE, "https://elsewhere.example/id/x")
    with pytest.raises(ValueError, match="not below the base IRI"):
        diff_iri(BASE, "https://elsewhere.example/id/x")
