"""A fictional test article for the search tests: German text, claims, names, hostile text.

Nothing here is news: the article says in its own metadata that it is a
test fixture. It holds the words the stemming tests need (``Straße``,
``Verhandlungen``), a claim in German and English with its evidence span,
and a name full of markup, so snippets can be checked for escaping.
"""

from __future__ import annotations

import pyoxigraph as ox

from kgpub.store.oxigraph import Store

BASE = "https://kgpub.example/"
ID = BASE + "id/"
GRAPH = BASE + "graph/fictional-search"
BODY = (
    "Erfundene Meldung für Tests\n"
    "In der Hauptstraße begannen gestern die Verhandlungen über den Lärmschutz.\n"
    "Die Stadträtin Ada Beispiel sagte, die Verhandlung werde lange dauern.\n"
    'Ein Tag mit <script>alert(1)</script> & "Zeichen" im Text.'
)
_SENTENCE = "Die Stadträtin Ada Beispiel sagte, die Verhandlung werde lange dauern."
SPAN_START = BODY.index(_SENTENCE)
SPAN_END = SPAN_START + len(_SENTENCE)


def _lit(text: str, lang: str | None = None) -> str:
    return str(ox.Literal(text, language=lang) if lang else ox.Literal(text))


def article_turtle(suffix: str = "") -> str:
    """The fictional article as Turtle; ``suffix`` renames its IRIs (many articles)."""
    a, c = f"<{ID}test-article{suffix}>", f"<{ID}test-claim{suffix}>"
    anchor, pos, quote = (f"<{ID}test-anchor{suffix}{x}>" for x in ("", "-pos", "-quote"))
    person = f"<{ID}ada-beispiel{suffix}>"
    return f"""\
@prefix schema: <https://schema.org/> .
@prefix kgpub: <{BASE}ontology#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
{a} a schema:NewsArticle ; schema:inLanguage "de" ;
  schema:description "A fictional test article, not news."@en ;
  schema:articleBody {_lit(BODY)} .
{c} a kgpub:ReportedClaim ; schema:author {person} ; schema:appearance {a} ;
  schema:text {_lit("Die Verhandlungen über den Lärmschutz dauern lange.", "de")} ,
    {_lit("The negotiations about noise protection will take long.", "en")} ;
  kgpub:evidence {anchor} .
{anchor} a oa:SpecificResource ; oa:hasSource {a} ; oa:hasSelector {pos} , {quote} .
{pos} a oa:TextPositionSelector ; oa:start {SPAN_START} ; oa:end {SPAN_END} .
{quote} a oa:TextQuoteSelector ; oa:exact {_lit(_SENTENCE)} .
{person} a schema:Person ; schema:name {_lit("Ada Beispiel", "de")} ;
  rdfs:label {_lit("Ada <b>Beispiel</b> & Co", "en")} .
<{ID}strasse-der-einheit{suffix}> a schema:Place ;
  schema:name {_lit("Straße der Einheit", "de")} .
"""


def fictional_store(articles: int = 1) -> Store:
    """A store holding ``articles`` copies of the fictional article, each in its graph."""
    store = Store()
    for n in range(articles):
        suffix = f"-{n}" if articles > 1 else ""
        data = article_turtle(suffix).encode()
        store.bulk_load(data, ox.RdfFormat.TURTLE, ox.NamedNode(GRAPH + suffix))
    return store
