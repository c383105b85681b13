"""Searching: German and English stemming, folding, ranking, one hit each, spans, bad queries."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from kgpub.errors import MalformedRequestError
from kgpub.search.documents import Scope
from kgpub.search.index import SearchIndex, connect
from kgpub.search.query import Found, check_query, languages, scores, search
from kgpub.store.oxigraph import Store
from tests.search_fixtures import BASE, BODY, ID, SPAN_END, SPAN_START, fictional_store


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    index = SearchIndex(Path(tmp_path_factory.mktemp("search")) / "i.sqlite", Scope.for_base(BASE))
    index.build(fictional_store(), 1)
    with contextlib.closing(connect(index.path, read_only=True)) as c:
        yield c


@pytest.fixture(scope="module")
def story(store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    index = SearchIndex(Path(tmp_path_factory.mktemp("story")) / "i.sqlite", Scope.for_base(BASE))
    index.build(store, store.version)
    with contextlib.closing(connect(index.path, read_only=True)) as c:
        yield c


def _texts(found: Found) -> list[str]:
    return [h.text for h in found.hits]


def test_strasse_finds_strasse_with_sharp_s_and_back(conn: sqlite3.Connection) -> None:
    for query in ("Strasse", "straße", "STRASSE"):
        found = search(conn, query, "de")
        assert ID + "strasse-der-einheit" in [h.subject for h in found.hits]
    hit = next(h for h in search(conn, "Strasse", "de").hits if h.kind == "name")
    assert hit.snippet.html() == "<mark>Straße</mark> der Einheit"


def test_verhandlungen_finds_verhandlung_and_back(conn: sqlite3.Connection) -> None:
    plural = search(conn, "Verhandlungen", "de")
    singular = search(conn, "Verhandlung", "de")
    assert {h.subject for h in plural.hits} == {h.subject for h in singular.hits}
    texts = " ".join(_texts(plural))
    assert "die Verhandlungen über" in texts
    assert "die Verhandlung werde" in texts


def test_umlauts_may_be_typed_without_dots(conn: sqlite3.Connection) -> None:
    assert search(conn, "Larmschutz", "de").total == search(conn, "Lärmschutz", "de").total > 0


def test_english_is_stemmed_in_english_and_finds_only_english_texts(
    conn: sqlite3.Connection,
) -> None:
    found = search(conn, "negotiation", "en")
    assert [(h.kind, h.lang) for h in found.hits] == [("claim", "en")]
    assert search(conn, "Verhandlungen", "en").total == 0


def test_without_a_language_both_are_searched(conn: sqlite3.Connection) -> None:
    langs = {h.lang for h in search(conn, "Verhandlungen negotiations", None).hits}
    assert langs <= {"de", "en"}
    assert search(conn, "negotiations", None).total == 1
    assert languages(None) == ("de", "en")


def test_names_are_found_in_any_language(conn: sqlite3.Connection) -> None:
    assert next(h.subject for h in search(conn, "Beispiel", "en").hits) == ID + "ada-beispiel"


def test_hits_are_ranked_best_first_and_a_short_name_outranks_a_passage(
    story: sqlite3.Connection,
) -> None:
    found = search(story, "Starlink", None)
    ranked = [h.score for h in found.hits]
    assert ranked == sorted(ranked, reverse=True)
    assert found.hits[0].kind == "name"
    assert found.hits[0].subject == ID + "starlink"
    assert {"article", "claim"} <= {h.kind for h in found.hits}


def test_a_claim_is_one_hit_even_when_its_text_and_quote_both_match(
    conn: sqlite3.Connection,
) -> None:
    claims = [h for h in search(conn, "Verhandlung", "de").hits if h.subject == ID + "test-claim"]
    assert len(claims) == 1
    assert claims[0].spans[0].claim == ID + "test-claim"
    assert (claims[0].spans[0].start, claims[0].spans[0].end) == (SPAN_START, SPAN_END)


def test_a_passage_hit_links_to_the_claims_whose_span_holds_the_match(
    conn: sqlite3.Connection,
) -> None:
    found = search(conn, "dauern", "de")
    passage = next(h for h in found.hits if h.kind == "article")
    assert passage.start is not None
    s, e = passage.matches[0]
    assert BODY[passage.start + s : passage.start + e] == "dauern"
    assert [span.claim for span in passage.spans] == [ID + "test-claim"]
    other = next(h for h in search(conn, "Hauptstraße", "de").hits if h.kind == "article")
    assert other.spans == ()


def test_all_words_must_occur(conn: sqlite3.Connection) -> None:
    assert search(conn, "Verhandlung Starlink", "de").total == 0


def test_limit_and_offset_page_through_the_hits(story: sqlite3.Connection) -> None:
    every = search(story, "Musk", None, limit=100)
    page = search(story, "Musk", None, limit=3, offset=2)
    assert page.total == every.total > 5
    assert [h.text for h in page.hits] == [h.text for h in every.hits[2:5]]


def test_scores_give_each_resource_its_best_score(conn: sqlite3.Connection) -> None:
    found = scores(conn, "Verhandlung", "de")
    assert set(found) == {ID + "test-article", ID + "test-claim"}
    assert all(v > 0 for v in found.values())


@pytest.mark.parametrize("query", ["", "   ", "x" * 201])
def test_an_empty_or_too_long_query_is_refused(query: str) -> None:
    with pytest.raises(MalformedRequestError):
        check_query(query, 200)


def test_a_query_without_words_or_in_another_language_is_refused(
    conn: sqlite3.Connection,
) -> None:
    with pytest.raises(MalformedRequestError, match="no word"):
        search(conn, "!!! ---", None)
    with pytest.raises(MalformedRequestError, match="lang='fr'"):
        search(conn, "Musk", "fr")


@pytest.mark.parametrize("query", ['"', "a OR", "NEAR(", "de : x", "*", "a AND NOT b", "'; DROP"])
def test_fts5_syntax_never_reaches_the_engine(conn: sqlite3.Connection, query: str) -> None:
    with contextlib.suppress(MalformedRequestError):  # no words: a 400, not an SQLite error
        search(conn, query, None)
