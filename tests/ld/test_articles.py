"""The articles as a reader sees them (title, date, status) and the entities' claim counts."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kgpub.ld import articles
from kgpub.namespaces import RDF
from kgpub.store.oxigraph import Store

BASE = "https://kgpub.example/id/"
SCHEMA = "https://schema.org/"


@pytest.mark.parametrize(
    ("body", "title"),
    [
        ("Kurzer Titel\nDer Text.", "Kurzer Titel"),
        ("\n\n  Nach Leerzeilen  \nText", "Nach Leerzeilen"),
        (
            "Ein erster Satz, der kurz ist. " + "Dann ein langer zweiter Satz " * 5,
            "Ein erster Satz, der kurz ist.",
        ),
    ],
)
def test_the_title_is_the_first_line_or_its_first_sentence(body: str, title: str) -> None:
    assert articles.derived_title(body) == title


def test_a_long_first_sentence_is_cut_at_a_word() -> None:
    body = "Wort, " * 40 + "Ende."
    title = articles.derived_title(body, limit=30)
    assert title.endswith("…")
    assert len(title) <= 31
    assert title == "Wort, Wort, Wort, Wort, Wort…"


def test_the_shipped_article_is_listed_with_a_derived_title_and_its_status(store: Store) -> None:
    (article,) = articles.articles(store, "en")
    assert article.iri == BASE + "article"
    assert article.title.startswith("Elon Musk, der Tech-Tycoon, nahm einen Tag nach")
    assert article.title.endswith("…")
    assert len(article.title) <= articles.TITLE_CHARS + 1
    assert article.title_derived  # nothing in the data names it
    assert article.developing
    assert article.status == "developing story, will be updated"
    assert article.date is None  # the data gives no date, and none is made up
    assert article.claims == 25
    (german,) = articles.articles(store, "de")
    assert german.status == "sich entwickelnde Geschichte, wird aktualisiert"


def test_the_derived_title_stands_in_only_for_articles_without_a_name(store: Store) -> None:
    titles = articles.derived_titles(store, [BASE + "article", BASE + "elon-musk", "not an iri"])
    assert list(titles) == [BASE + "article"]


def _fictional(store: Store, slug: str, body: str, *extra: tuple[str, ox.Literal]) -> None:
    node = ox.NamedNode(BASE + slug)
    graph = ox.NamedNode(BASE + "graph-test")
    quads = [
        ox.Quad(node, ox.NamedNode(RDF + "type"), ox.NamedNode(SCHEMA + "NewsArticle"), graph),
        ox.Quad(node, ox.NamedNode(SCHEMA + "articleBody"), ox.Literal(body), graph),
    ]
    quads += [ox.Quad(node, ox.NamedNode(SCHEMA + p), o, graph) for p, o in extra]
    store.add_quads(quads)


def test_many_articles_are_listed_newest_first_with_their_own_headlines() -> None:
    store = Store()
    date = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
    # Fictional test articles, not news.
    _fictional(
        store,
        "old",
        "Fiktiver alter Text.",
        ("datePublished", ox.Literal("2020-01-01", datatype=date)),
    )
    _fictional(
        store,
        "new",
        "Fiktiver neuer Text.\nDies ist eine sich entwickelnde Geschichte und wird aktualisiert.",
        ("datePublished", ox.Literal("2024-05-01", datatype=date)),
        ("headline", ox.Literal("Eine Überschrift", language="de")),
    )
    _fictional(store, "undated", "Ohne Datum.")
    found = articles.articles(store, "en")
    assert [a.iri.rsplit("/", 1)[1] for a in found] == ["new", "old", "undated"]
    new, old, _ = found
    assert (new.title, new.title_derived, new.developing) == ("Eine Überschrift", False, True)
    assert (old.title, old.title_derived, old.developing) == ("Fiktiver alter Text.", True, False)
    assert new.date == "2024-05-01"


def test_entities_carry_the_number_of_claims_about_them(store: Store) -> None:
    found = {e.iri.rsplit("/", 1)[1]: e for e in articles.entities(store)}
    assert found["elon-musk"].kind == "people"
    assert found["elon-musk"].claims == 14
    assert found["spacex"].kind == "organisations"
    assert found["ukraine"].kind == "places"
    assert "kgpub-team" not in found  # the publisher of the data, not in any article
