"""A new article's starting graph and sidecar."""

from __future__ import annotations

import tomllib

from rdflib import Literal, URIRef

from kgpub.ld.article_scaffold import (
    FICTIONAL_NOTE,
    NewArticle,
    _toml_string,
    article_graph,
    own_prefix,
    prefixes,
    sidecar_toml,
)

SCHEMA = "https://schema.org/"
# A fictional article.
ARTICLE = NewArticle(
    "https://news.example.org/", "fahrrad", "de", "Ein Text.\n", "Titel", fictional=True
)


def test_the_article_node_carries_its_text_and_language() -> None:
    graph = article_graph(ARTICLE)
    node = URIRef("https://news.example.org/id/fahrrad")
    assert graph.value(node, URIRef(SCHEMA + "articleBody")) == Literal("Ein Text.\n")
    assert graph.value(node, URIRef(SCHEMA + "inLanguage")) == Literal("de")
    assert graph.value(node, URIRef(SCHEMA + "name")) == Literal("Titel", lang="de")
    assert graph.value(node, URIRef(SCHEMA + "description")) == Literal(FICTIONAL_NOTE, lang="en")


def test_what_the_article_mints_is_under_its_iri() -> None:
    graph = article_graph(ARTICLE)
    minted = {str(s) for s in graph.subjects()} - {ARTICLE.iri}
    assert minted == {ARTICLE.narrator, ARTICLE.skeleton_claim}
    assert all(s.startswith("https://news.example.org/id/fahrrad/") for s in minted)
    appearance = graph.value(URIRef(ARTICLE.skeleton_claim), URIRef(SCHEMA + "appearance"))
    assert appearance == URIRef(ARTICLE.iri)


def test_a_real_article_has_no_fictional_note() -> None:
    real = NewArticle("https://news.example.org/", "x", "de", "T")
    graph = article_graph(real)
    assert graph.value(URIRef(real.iri), URIRef(SCHEMA + "description")) is None
    assert tomllib.loads(sidecar_toml(real, "x.de.txt"))["fictional"] is False


def test_the_sidecar_reads_back() -> None:
    meta = tomllib.loads(sidecar_toml(ARTICLE, "fahrrad.de.txt"))
    assert meta == {
        "text": "fahrrad.de.txt",
        "language": "de",
        "title": "Titel",
        "fictional": True,
        "description": FICTIONAL_NOTE,
    }


def test_toml_strings_escape_what_they_must() -> None:
    value = 'a"b\\c\nd\x01é\x7f'
    assert tomllib.loads(f"x = {_toml_string(value)}")["x"] == value


def test_the_own_prefix_is_the_slug_when_it_can_be() -> None:
    assert own_prefix("fahrrad") == "fahrrad"
    assert own_prefix("2031-flut") == "this"
    assert prefixes(ARTICLE)["fahrrad"] == "https://news.example.org/id/fahrrad/"


def test_a_title_in_another_language_stays_in_the_sidecar() -> None:
    french = NewArticle("https://news.example.org/", "velo", "fr", "Texte.", "Titre")
    graph = article_graph(french)
    assert graph.value(URIRef(french.iri), URIRef(SCHEMA + "name")) is None
    assert tomllib.loads(sidecar_toml(french, "velo.fr.txt"))["title"] == "Titre"
