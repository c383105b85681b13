"""The history addresses of docs/revisions.md, built in one place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from kgpub.history.addresses import diff_iri, feed_iri, memento_iri, path_below, stamp

BASE = "https://kgpub.example/"
ARTICLE = BASE + "id/hafenfest"


def test_memento_addresses_carry_the_utc_second_and_the_path() -> None:
    cet = timezone(timedelta(hours=1))
    moment = datetime(2026, 1, 10, 9, 0, 0, 750000, tzinfo=cet)
    assert stamp(moment) == "20260110080000"
    assert memento_iri(BASE, ARTICLE, moment) == BASE + "memento/20260110080000/id/hafenfest"
    assert memento_iri(BASE, BASE + "id/article", datetime(2026, 11, 25, 2, 50, 5, tzinfo=UTC)) == (
        "https://kgpub.example/memento/20261125025005/id/article"
    )


def test_diff_and_feed_addresses() -> None:
    assert diff_iri(BASE, ARTICLE) == BASE + "diff/id/hafenfest"
    assert diff_iri(BASE, ARTICLE, 1, 3) == BASE + "diff/id/hafenfest?from=1&to=3"
    assert diff_iri(BASE, ARTICLE, end=2) == BASE + "diff/id/hafenfest?to=2"
    assert feed_iri(BASE) == BASE + "feed"
    assert feed_iri(BASE, ARTICLE) == BASE + "feed/id/hafenfest"


def test_iris_outside_the_base_and_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="not below the base IRI"):
        path_below(BASE, "https://elsewhere.example/id/x")
    with pytest.raises(ValueError, match="not below the base IRI"):
        feed_iri(BASE, BASE)
    with pytest.raises(ValueError, match="timezone-aware"):
        stamp(datetime(2026, 1, 10))
