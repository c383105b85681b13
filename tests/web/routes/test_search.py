"""``GET /search`` over HTTP: JSON and HTML, 400s, re-indexing after a write, and
``kgpub:search`` in SPARQL through the real query worker processes."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import html5lib
import pytest
from fastapi.testclient import TestClient

from kgpub.config import Settings
from kgpub.search.index import Built, SearchIndex
from kgpub.store.protocol import QueryStore
from kgpub.web.app import create_app
from kgpub.web.routes import search as search_route
from tests.search_fixtures import SPAN_END, SPAN_START, article_turtle
from tests.writes_fixtures import AUTH, writable_project

ID = "https://kgpub.example/id/"
PREFIX = "PREFIX kgpub: <https://kgpub.example/ontology#> "
CLAIMS_ABOUT = (
    PREFIX + "SELECT ?s ?score WHERE {{ ?s a kgpub:ReportedClaim . "
    'BIND(kgpub:search(?s, "{words}") AS ?score) FILTER(BOUND(?score)) }} ORDER BY DESC(?score)'
)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    settings = Settings(validate_on_start=False, query_workers=1)
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = writable_project(Path(tmp_path_factory.mktemp("search-writes")))
    with TestClient(create_app(settings)) as c:
        yield c


def test_json_for_scripts_best_hit_first(client: TestClient) -> None:
    response = client.get("/search", params={"q": "Starlink"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert "Accept" in response.headers["vary"]
    answer = response.json()
    assert answer["query"] == "Starlink"
    assert answer["lang"] is None
    assert answer["total"] == len(answer["hits"]) >= 3
    first = answer["hits"][0]
    assert (first["kind"], first["iri"], first["href"]) == ("name", ID + "starlink", "/id/starlink")
    assert first["snippet_html"] == "<mark>Starlink</mark>"


def test_a_claim_hit_links_to_the_claim_and_its_span_in_the_article(client: TestClient) -> None:
    answer = client.get("/search", params={"q": "Starlink", "lang": "de"}).json()
    claim = next(h for h in answer["hits"] if h["kind"] == "claim")
    assert claim["iri"] == ID + "claim-starlink-advantage"
    span = claim["spans"][0]
    assert span["claim"] == claim["iri"]
    assert span["source"] == ID + "article"
    assert span["end"] > span["start"] > 0
    assert span["href"].startswith("/id/article?lang=de#:~:text=In%20der%20Ukraine")


def test_a_passage_hit_says_where_the_match_stands_in_the_article(client: TestClient) -> None:
    answer = client.get("/search", params={"q": "Drohnenbilder", "lang": "de"}).json()
    passage = next(h for h in answer["hits"] if h["kind"] == "article")
    start, end = passage["matches"][0]
    assert passage["text"][start:end] == "Drohnenbilder"
    assert passage["href"] == "/id/article?lang=de#:~:text=Drohnenbilder"
    assert [s["claim"] for s in passage["spans"]] == [ID + "claim-starlink-advantage"]
    # The article is named by its display title, as on the home page, not by its CURIE.
    assert passage["label"].startswith("Elon Musk, der Tech-Tycoon, nahm einen Tag nach")


def test_html_for_browsers_with_the_hits_marked_and_linked(client: TestClient) -> None:
    response = client.get(
        "/search", params={"q": "Starlink", "lang": "en"}, headers={"accept": "text/html"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html5lib.HTMLParser(strict=True).parse(response.text)
    assert '<html lang="en">' in response.text
    assert '<input type="search" id="q" name="q" value="Starlink"' in response.text
    assert "<mark>Starlink</mark>" in response.text
    assert 'href="/id/claim-starlink-advantage?lang=en"' in response.text


def test_an_answer_has_an_etag_and_a_repeat_gets_304(client: TestClient) -> None:
    first = client.get("/search", params={"q": "Musk"})
    etag = first.headers["etag"]
    assert first.headers["cache-control"].startswith("public, max-age=")
    again = client.get("/search", params={"q": "Musk"}, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.headers["etag"] == etag
    page = client.get("/search", params={"q": "Musk", "format": "html"})
    assert page.headers["etag"] != etag


def test_head_answers_the_headers_of_get(client: TestClient) -> None:
    get = client.get("/search", params={"q": "Musk"})
    head = client.head("/search", params={"q": "Musk"})
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-length"] == str(len(get.content))


def test_a_page_says_when_nothing_is_found(client: TestClient) -> None:
    page = client.get("/search", params={"q": "Quantencomputer", "lang": "de", "format": "html"})
    assert page.status_code == 200
    assert "Nichts gefunden für „Quantencomputer“." in page.text
    assert '<ol class="hits"' not in page.text


def test_a_browser_without_q_gets_the_empty_form(client: TestClient) -> None:
    response = client.get("/search", headers={"accept": "text/html", "accept-language": "de"})
    assert response.status_code == 200
    assert 'role="search"' in response.text
    assert "<h1>Suche</h1>" in response.text


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({}, "q is empty"),
        ({"q": "  "}, "q is empty"),
        ({"q": "x" * 201}, "at most 200"),
        ({"q": "!!!"}, "no word"),
        ({"q": "Musk", "lang": "fr"}, "lang='fr'"),
        ({"q": "Musk", "limit": "0"}, "invalid request parameters"),
    ],
)
def test_bad_queries_are_400_naming_the_problem(
    client: TestClient, params: dict[str, str], detail: str
) -> None:
    response = client.get("/search", params=params)
    assert response.status_code == 400
    assert detail in response.json()["detail"]


def test_format_overrides_accept_and_unknown_formats_are_406(client: TestClient) -> None:
    page = client.get("/search", params={"q": "Musk", "format": "html"})
    assert page.headers["content-type"].startswith("text/html")
    assert client.get("/search", params={"q": "Musk", "format": "ttl"}).status_code == 406


def test_hostile_text_in_the_data_is_escaped_in_both_answers(writable: TestClient) -> None:
    _post_article(writable, "-hostile")
    answer = writable.get("/search", params={"q": "alert"}).json()
    snippet = answer["hits"][0]["snippet_html"]
    assert "<script>" not in snippet
    assert "&lt;script&gt;<mark>alert</mark>(1)" in snippet
    page = writable.get("/search", params={"q": "alert", "format": "html"}).text
    assert "<script>alert" not in page
    assert "&lt;script&gt;<mark>alert</mark>" in page
    label = writable.get("/search", params={"q": "Beispiel", "format": "html"}).text
    assert "<b>Beispiel" not in label


def _post_article(client: TestClient, suffix: str) -> None:
    response = client.post(
        "/graph-store",
        params={"graph": f"https://kgpub.example/graph/search{suffix}"},
        content=article_turtle(suffix),
        headers={**AUTH, "content-type": "text/turtle"},
    )
    assert response.status_code in (201, 204), response.text


def test_a_committed_write_is_searchable_at_once_and_a_deleted_graph_is_gone(
    writable: TestClient,
) -> None:
    _post_article(writable, "-w")
    found = writable.get("/search", params={"q": "Verhandlungen", "lang": "de"}).json()
    claims = [h for h in found["hits"] if h["iri"] == ID + "test-claim-w"]
    assert len(claims) == 1
    span = claims[0]["spans"][0]
    assert (span["start"], span["end"]) == (SPAN_START, SPAN_END)
    deleted = writable.delete(
        "/graph-store", params={"graph": "https://kgpub.example/graph/search-w"}, headers=AUTH
    )
    assert deleted.status_code == 204
    found = writable.get("/search", params={"q": "Verhandlungen", "lang": "de"}).json()
    assert ID + "test-claim-w" not in [h["iri"] for h in found["hits"]]


def test_kgpub_search_in_sparql_through_the_query_workers(client: TestClient) -> None:
    response = client.get(
        "/sparql",
        params={"query": CLAIMS_ABOUT.format(words="Starlink")},
        headers={"accept": "text/csv"},
    )
    assert response.status_code == 200
    rows = response.text.strip().splitlines()
    assert rows[0] == "s,score"
    assert rows[1].startswith(ID + "claim-starlink-advantage,")
    assert float(rows[1].split(",")[1]) > 0
    none = client.get(
        "/sparql",
        params={"query": CLAIMS_ABOUT.format(words="Quantencomputer")},
        headers={"accept": "text/csv"},
    )
    assert none.text.strip() == "s,score"


def test_kgpub_search_sees_a_committed_write(writable: TestClient) -> None:
    query = CLAIMS_ABOUT.format(words="Verhandlung")
    before = writable.get("/sparql", params={"query": query}, headers={"accept": "text/csv"})
    assert ID + "test-claim-sparql" not in before.text
    _post_article(writable, "-sparql")
    after = writable.get("/sparql", params={"query": query}, headers={"accept": "text/csv"})
    assert ID + "test-claim-sparql," in after.text


# -- the index is built after start-up (issue 13: start-up off the critical path) ---------


@pytest.fixture
def held_build(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The start-up build of the search index held until the test sets the event."""
    release = threading.Event()
    fill = SearchIndex.fill

    def held(self: SearchIndex, store: QueryStore) -> Built:
        release.wait(30)
        return fill(self, store)

    monkeypatch.setattr(SearchIndex, "fill", held)
    yield release
    release.set()


def test_the_app_answers_before_the_index_is_built_and_search_waits_for_it(
    held_build: threading.Event,
) -> None:
    settings = Settings(validate_on_start=False, query_workers=1)
    with TestClient(create_app(settings)) as c:
        assert c.get("/sparql", params={"query": "ASK {}"}).status_code == 200
        threading.Timer(0.3, held_build.set).start()
        response = c.get("/search", params={"q": "Starlink"})  # waits for the build
        assert response.status_code == 200
        assert response.json()["total"] >= 3
        # kgpub:search in a query also sees the index, once it is there.
        found = c.get(
            "/sparql",
            params={"query": CLAIMS_ABOUT.format(words="Starlink")},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert found.json()["results"]["bindings"]


def test_a_search_that_outwaits_the_build_gets_503_with_retry_after(
    held_build: threading.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_route, "BUILD_WAIT_SECONDS", 0.05)
    settings = Settings(validate_on_start=False, query_workers=1)
    with TestClient(create_app(settings)) as c:
        response = c.get("/search", params={"q": "Starlink"})
        assert response.status_code == 503
        assert response.headers["retry-after"] == str(search_route.RETRY_AFTER_SECONDS)
        assert "still being built" in response.json()["detail"]
        held_build.set()
        # The build now runs on; a search waits for it (the default wait, not the
        # 0.05 s that made the first one give up), however busy the machine.
        monkeypatch.setattr(search_route, "BUILD_WAIT_SECONDS", 30.0)
        assert c.get("/search", params={"q": "Starlink"}).status_code == 200


def test_a_failed_build_is_a_503_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: SearchIndex, store: QueryStore, version: int) -> Built:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(SearchIndex, "_build", broken)
    settings = Settings(validate_on_start=False, query_workers=1)
    with TestClient(create_app(settings)) as c:
        assert c.get("/sparql", params={"query": "ASK {}"}).status_code == 200
        response = c.get("/search", params={"q": "Starlink"})
        assert response.status_code == 503
        assert "could not be built: disk I/O error" in response.json()["detail"]
