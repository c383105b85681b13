"""A new article's starting graph: the article node with its text, a narrator, a skeleton claim.

``kgpub new`` writes this into ``articles/<slug>/<slug>.ttl``. The article is
``<base>id/<slug>`` (a ``schema:NewsArticle`` with ``schema:inLanguage`` and
its text as ``schema:articleBody``, which the anchors count code points in);
what the article mints lives under ``<base>id/<slug>/`` (its narrator, its
claims, their anchors), so two articles never mint the same IRI. The
skeleton claim is real data that does not conform yet: ``kgpub validate``
names what it still needs (its text in German and English, a statement,
evidence), and an editorial note says how to give it. A fictional article
says so in the graph (``schema:description``), never only in a file name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF as RDF_NS

from kgpub.namespaces import OA, PROV, SCHEMA, SKOS

FICTIONAL_NOTE = "Fictional article, invented for kgpub's tests and documentation: not news."
"""The ``schema:description`` (English) every fictional article carries."""

_PREFIX_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_PUBLISHED_LANGUAGES = {"de", "en"}


@dataclass(frozen=True)
class NewArticle:
    """What ``kgpub new`` knows about the article it adds."""

    base_iri: str
    slug: str
    language: str
    text: str
    title: str | None = None
    fictional: bool = False

    @property
    def iri(self) -> str:
        return f"{self.base_iri}id/{self.slug}"

    @property
    def namespace(self) -> str:
        return self.iri + "/"

    @property
    def narrator(self) -> str:
        return self.namespace + "narrator"

    @property
    def skeleton_claim(self) -> str:
        return self.namespace + "claim-1"


def own_prefix(slug: str) -> str:
    """The Turtle prefix of an article's own namespace: its slug, if that is a prefix name."""
    return slug if _PREFIX_NAME.match(slug) else "this"


def prefixes(article: NewArticle) -> dict[str, str]:
    """The prefixes the article's graph file uses; its own namespace under its slug."""
    own = own_prefix(article.slug)
    base = article.base_iri
    return {
        "kg": base + "id/",
        own: article.namespace,
        "kgpub": base + "ontology#",
        "kgstatus": base + "ontology/epistemic-status#",
        "oa": OA,
        "prov": PROV,
        "rdf": str(RDF_NS),
        "schema": SCHEMA,
        "skos": SKOS,
    }


def article_graph(article: NewArticle) -> Graph:
    """The article node, its narrator and a skeleton claim, as a graph."""
    graph = Graph(bind_namespaces="none")
    node, narrator, claim = (
        URIRef(article.iri),
        URIRef(article.narrator),
        URIRef(article.skeleton_claim),
    )
    kgpub = article.base_iri + "ontology#"
    graph.add((node, RDF_NS.type, URIRef(SCHEMA + "NewsArticle")))
    graph.add((node, URIRef(SCHEMA + "inLanguage"), Literal(article.language)))
    graph.add((node, URIRef(SCHEMA + "articleBody"), Literal(article.text)))
    if article.title and article.language in _PUBLISHED_LANGUAGES:
        # The shapes take names in the languages kgpub publishes in; another
        # language's title stays in the sidecar.
        graph.add((node, URIRef(SCHEMA + "name"), Literal(article.title, lang=article.language)))
    if article.fictional:
        graph.add((node, URIRef(SCHEMA + "description"), Literal(FICTIONAL_NOTE, lang="en")))
    graph.add((narrator, RDF_NS.type, URIRef(PROV + "Agent")))
    name = URIRef(SCHEMA + "name")
    graph.add((narrator, name, Literal("the article (its own narration)", lang="en")))
    graph.add((narrator, name, Literal("der Artikel (eigene Erzählung)", lang="de")))
    graph.add((claim, RDF_NS.type, URIRef(kgpub + "ReportedClaim")))
    graph.add((claim, URIRef(SCHEMA + "appearance"), node))
    graph.add((claim, URIRef(SCHEMA + "author"), narrator))
    graph.add(
        (
            claim,
            URIRef(kgpub + "epistemicStatus"),
            URIRef(article.base_iri + "ontology/epistemic-status#narrated"),
        )
    )
    graph.add(
        (
            claim,
            URIRef(SKOS + "editorialNote"),
            Literal(
                "Skeleton from kgpub new: give the claim its schema:text in German and English, "
                "what it is about (schema:about), a kgpub:statement, and its evidence with "
                "kgpub anchor ARTICLE 'quote' --claim claim-1; kgpub validate says what is "
                "missing. Remove this note when done.",
                lang="en",
            ),
        )
    )
    return graph


def sidecar_toml(article: NewArticle, text_file: str) -> str:
    """The article's ``article.toml``: strings quoted as TOML basic strings."""
    lines = [
        f"text = {_toml_string(text_file)}",
        f"language = {_toml_string(article.language)}",
    ]
    if article.title:
        lines.append(f"title = {_toml_string(article.title)}")
    lines.append(f"fictional = {'true' if article.fictional else 'false'}")
    if article.fictional:
        lines.append(f"description = {_toml_string(FICTIONAL_NOTE)}")
    return "\n".join(lines) + "\n"


def _toml_string(value: str) -> str:
    """A TOML basic string: backslash, quote and control characters escaped."""
    out = []
    for char in value:
        if char in '\\"':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'
