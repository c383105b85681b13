"""Pages for people over HTTP: the home page, the article and entity pages, VoID and results.

Each asserts what a reader sees; clients that ask for data get what they got
before (the service description at ``/``, Turtle VoID, JSON results).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from kgpub.config import Settings
from kgpub.web.app import create_app

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
HTML = {"Accept": BROWSER}
PEOPLE = (
    "PREFIX schema: <https://schema.org/> SELECT ?p ?name WHERE "
    "{ ?p a schema:Person ; schema:name ?name FILTER(lang(?name) = 'en') } ORDER BY ?name"
)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(validate_on_start=False))) as c:
        yield c


def _text(page: str) -> str:
    """What a reader sees: the page without its markup and its embedded JSON-LD."""
    seen = re.sub(r"<script\b.*?</script>", "", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", seen))


def test_home_lists_the_article_and_the_people_with_claim_counts(client: TestClient) -> None:
    page = client.get("/?lang=de", headers=HTML).text
    assert '<html lang="de">' in page
    article = re.search(r'<li class="article">(.*?)</li>', page, re.S)
    assert article is not None
    assert 'href="/id/article?lang=de"' in article.group(1)
    words = " ".join(_text(article.group(1)).split())
    assert "Elon Musk, der Tech-Tycoon, nahm einen Tag nach" in words
    assert "sich entwickelnde Geschichte" in words
    assert "25 Behauptungen" in words
    assert "kein Datum angegeben" in words
    people = re.search(r'<h3 id="kind-people">Personen</h3>\s*<ul[^>]*>(.*?)</ul>', page, re.S)
    assert people is not None
    first = " ".join(_text(people.group(1)).split())
    assert first.startswith("Elon Musk (14) Donald Trump (8)")
    assert re.search(r'<a class="brand" href="/\?lang=de">kgpub</a>', page)


def test_the_article_page_lists_its_claims_in_reading_order(client: TestClient) -> None:
    page = client.get("/id/article", headers=HTML).text
    assert '<h1 lang="de">Elon Musk, der Tech-Tycoon' in page
    assert "kg:article" not in _text(page)
    assert "kg:anchor" not in _text(page)
    items = re.findall(r'<li id="claim-(\d+)">(.*?)</li>', page, re.S)
    assert [int(n) for n, _ in items] == list(range(1, 26))
    first = " ".join(_text(items[0][1]).split())
    assert "Claimed by:" in first
    assert "How it is reported:" in first
    assert "<h3>Details zur Meldung</h3>" not in page
    incoming = re.search(r'<section id="incoming">(.*?)</section>', page, re.S)
    listed = incoming.group(1) if incoming else ""
    assert "/id/anchor-" not in listed
    assert "statement" not in listed
    assert "/id/claim-" not in listed  # already in the list of claims


def test_appears_in_lines_name_the_article_by_its_title(client: TestClient) -> None:
    page = client.get("/id/claim-musk-founded-spacex", headers=HTML).text
    appears = re.search(r"<dt>Appears in</dt>\s*<dd>(.*?)</dd>", page, re.S)
    assert appears is not None
    assert _text(appears.group(1)).startswith("Elon Musk, der Tech-Tycoon")


def test_an_entity_page_says_who_it_is_then_the_claims_then_the_rest(client: TestClient) -> None:
    page = client.get("/id/elon-musk", headers=HTML).text
    lead = re.search(r'<p class="lead">(.*?)</p>', page)
    assert lead is not None
    assert lead.group(1) == "Person · tech tycoon"
    order = [page.index(x) for x in ('id="claims-about"', 'id="facts"', 'id="neighbourhood"')]
    assert order == sorted(order)
    about = page[order[0] : order[1]]
    assert re.findall(r"<h3>(.*?)</h3>", about, re.S)[0].count("/id/article") == 1
    assert "<h4>Claimed by: " in about
    assert "/id/claim-musk-joined-call" in about
    assert "statement" not in _text(about)


def test_a_browser_gets_void_as_a_page_and_clients_get_turtle(client: TestClient) -> None:
    page = client.get("/.well-known/void", headers=HTML)
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    parts = re.findall(r'<tr><td><a href="([^"]+)">', page.text)
    assert "/graph/article" in parts
    assert "Dataset: kgpub" in page.text
    turtle = client.get("/.well-known/void")
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert client.get("/.well-known/void?format=html").text == page.text


def test_a_browser_gets_select_results_as_a_table(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": PEOPLE}, headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    header = re.findall(r'<th scope="col">(.*?)</th>', response.text)
    assert header == ["p", "name"]
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", response.text, re.S)
    names = [_text(name).split(" @")[0] for _, name in rows]
    assert names == sorted(names)
    assert "Elon Musk" in names
    assert any('href="/id/elon-musk"' in person for person, _ in rows)
    edit = re.search(r'href="(/sparql#query=[^"]+)"', response.text)
    assert edit is not None
    assert unquote(html.unescape(edit.group(1)).split("#query=", 1)[1]) == PEOPLE
    switch = re.search(r'href="\?([^"]*lang=de)" hreflang="de"', response.text)
    assert switch is not None  # switching language keeps the query
    assert unquote(html.unescape(switch.group(1))) == f"query={PEOPLE}&lang=de"
    data = client.get("/sparql", params={"query": PEOPLE})  # a client: JSON, as before
    assert data.headers["content-type"].startswith("application/sparql-results+json")
    assert len(json.loads(data.text)["results"]["bindings"]) == len(rows)


def test_ask_and_construct_results_as_pages(client: TestClient) -> None:
    ask = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers=HTML).text
    assert "Answer: <strong>true</strong>" in ask
    construct = client.get(
        "/sparql",
        params={
            "query": "CONSTRUCT { ?s ?p ?o } WHERE "
            "{ VALUES ?s { <https://kgpub.example/id/elon-musk> } ?s ?p ?o }"
        },
        headers=HTML,
    ).text
    assert re.findall(r'<th scope="col">(.*?)</th>', construct) == [
        "subject",
        "predicate",
        "object",
    ]
    assert "kg:elon-musk" in construct


def test_the_editor_restores_a_shared_query_against_this_endpoint(client: TestClient) -> None:
    page = client.get("/sparql", headers=HTML).text
    # YASGUI's share link is the page with #query=…; the page reads it back (populateFromUrl),
    # always against its own endpoint.
    assert "populateFromUrl: function (config)" in page
    assert '{ endpoint: endpoint, method: "POST" }' in page


def test_the_home_search_box_searches_every_language(client: TestClient) -> None:
    page = client.get("/?lang=en", headers=HTML).text
    form = re.search(r'<form class="search".*?</form>', page, re.S)
    assert form is not None
    assert 'action="/search"' in form.group(0)
    assert 'name="q"' in form.group(0)
    assert "required" in form.group(0)
    # No hidden lang: an English reader's "Starlink" finds the German article too.
    assert 'name="lang"' not in form.group(0)


def _facts(page: str) -> dict[str, str]:
    """The article's own facts: each property's label and its values as a reader reads them."""
    about = re.search(r'<section id="about">(.*?)</section>', page, re.S)
    assert about is not None
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", about.group(1), re.S)
    return {_text(dt): dd for dt, dd in pairs}


@pytest.mark.parametrize(
    ("lang", "mentions", "part_of"), [("en", "mentions", "has part"), ("de", "erwähnt", "hat Teil")]
)
def test_the_articles_mentions_are_one_line_sorted_by_label_and_terms_read_as_words(
    client: TestClient, lang: str, mentions: str, part_of: str
) -> None:
    page = client.get(f"/id/article?lang={lang}", headers=HTML).text
    facts = _facts(page)
    assert mentions in facts
    assert part_of in facts
    assert not [label for label in facts if label.startswith("schema:")]
    line = facts[mentions]
    assert line.startswith('<p class="inline-list">')
    assert "<li>" not in line
    names = [_text(a) for a in re.findall(r"<a [^>]*>.*?</a>", line)]
    assert len(names) > 40
    assert names == sorted(names, key=str.casefold)
    assert "Donald Trump" in names
    assert "Elon Musk" in names
    # Types read as words too: the lead says what the article is.
    lead = re.search(r'<p class="lead">(.*?)</p>', page)
    assert lead is not None
    assert lead.group(1) == {"en": "News article", "de": "Nachrichtenartikel"}[lang]


def test_the_void_page_tables_classes_and_properties_by_their_labels(client: TestClient) -> None:
    page = client.get("/.well-known/void?lang=en", headers=HTML).text
    seen = _text(page)
    assert "void#class-" not in seen  # the partitions' own IRIs mean nothing to a reader
    assert "void#property-" not in seen
    classes = re.search(r'<section id="by_class">(.*?)</section>', page, re.S)
    properties = re.search(r'<section id="by_property">(.*?)</section>', page, re.S)
    assert classes is not None
    assert properties is not None
    rows = re.findall(r"<tr><td>(.*?)</td><td>(\d+)</td></tr>", classes.group(1), re.S)
    counts = [int(n) for _, n in rows]
    assert counts == sorted(counts, reverse=True)
    assert "Person (schema:Person)" in [_text(name) for name, _ in rows]
    assert "mentions (schema:mentions)" in _text(properties.group(1))
    labels = [_text(dt) for dt in re.findall(r"<dt>(.*?)</dt>", page, re.S)]
    assert "licence" in labels
    assert "SPARQL endpoint" in labels
    assert not [label for label in labels if ":" in label]
