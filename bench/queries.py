"""The benchmark's ten queries, with fixed parameters so every run asks the same.

The entities are among the most frequent of their pools (index 0 is the Zipf
head), so every query has answers even on a small corpus; the article is number 7.
An event and its attendees' names are read from the article graph that states
them: the entities are described again in every article that names them.
Each query names the media type its result is requested and serialised in:
SPARQL JSON for SELECT and ASK, N-Triples for CONSTRUCT.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.corpus import BENCH, article_graph, article_iri, entity_iri

JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"

PREFIXES = """PREFIX schema: <http://schema.org/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX b: <https://kgpub.example/bench/>
"""

ARTICLE = 7
TOP_PERSON = entity_iri("person", 0)
SECOND_PERSON = entity_iri("person", 1)
CLAIM_AUTHOR = entity_iri("person", 3)
TOP_ORGANIZATION = entity_iri("organization", 0)
TOP_PLACE = entity_iri("place", 0)


@dataclass(frozen=True)
class Query:
    name: str
    description: str
    text: str
    accept: str

    @property
    def is_graph(self) -> bool:
        return self.accept == NTRIPLES


def _q(name: str, description: str, body: str, accept: str = JSON) -> Query:
    return Query(name, description, PREFIXES + body.strip() + "\n", accept)


QUERIES: tuple[Query, ...] = (
    _q(
        "article_graph",
        f"one article's graph (article {ARTICLE})",
        f"""
CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{article_graph(ARTICLE)}> {{ ?s ?p ?o }} }}
""",
        NTRIPLES,
    ),
    _q(
        "entity_construct",
        "CONSTRUCT of one entity (person 1)",
        f"""
CONSTRUCT {{ <{SECOND_PERSON}> ?p ?o }} WHERE {{ <{SECOND_PERSON}> ?p ?o }}
""",
        NTRIPLES,
    ),
    _q(
        "mentioning_articles",
        "the 100 latest articles mentioning organization 0",
        f"""
SELECT ?article ?headline ?date WHERE {{
  ?article schema:mentions <{TOP_ORGANIZATION}> ;
           schema:datePublished ?date ;
           schema:headline ?headline .
  FILTER(LANG(?headline) = "en")
}} ORDER BY DESC(?date) LIMIT 100
""",
    ),
    _q(
        "co_mentioned_top20",
        "top-20 entities co-mentioned with person 0 (GROUP BY, ORDER BY)",
        f"""
SELECT ?other (COUNT(?article) AS ?articles) WHERE {{
  ?article schema:mentions <{TOP_PERSON}> , ?other .
  FILTER(?other != <{TOP_PERSON}>)
}} GROUP BY ?other ORDER BY DESC(?articles) ?other LIMIT 20
""",
    ),
    _q(
        "claims_by_person",
        "claims by a person (person 3) with their article",
        f"""
SELECT ?claim ?text ?article ?headline WHERE {{
  ?claim a schema:Claim ;
         schema:author <{CLAIM_AUTHOR}> ;
         schema:text ?text ;
         schema:appearance ?article .
  ?article schema:headline ?headline .
  FILTER(LANG(?text) = "en" && LANG(?headline) = "en")
}}
""",
    ),
    _q(
        "events_in_range",
        "events in March 2024 with their attendees' names",
        """
SELECT ?event ?name ?start ?attendeeName WHERE {
  GRAPH ?article {
    ?event a schema:Event ;
           schema:startDate ?start ;
           schema:name ?name ;
           schema:attendee ?attendee .
    FILTER(?start >= "2024-03-01"^^xsd:date && ?start < "2024-04-01"^^xsd:date)
    FILTER(LANG(?name) = "en")
    ?attendee schema:name ?attendeeName .
    FILTER(LANG(?attendeeName) = "en")
  }
}
""",
    ),
    _q(
        "headline_contains",
        'case-insensitive CONTAINS over headlines ("gipfel")',
        """
SELECT ?article ?headline WHERE {
  ?article schema:headline ?headline .
  FILTER(CONTAINS(LCASE(?headline), "gipfel"))
}
""",
    ),
    _q(
        "count_all",
        "COUNT(*) of every quad",
        """
SELECT (COUNT(*) AS ?quads) WHERE { GRAPH ?g { ?s ?p ?o } }
""",
    ),
    _q(
        "two_hop_path",
        "two-hop path: who attended an event with person 0",
        f"""
SELECT DISTINCT ?other WHERE {{
  <{TOP_PERSON}> ^schema:attendee/schema:attendee ?other .
  FILTER(?other != <{TOP_PERSON}>)
}}
""",
    ),
    _q(
        "ask",
        "ASK: is there an article mentioning both person 0 and place 0",
        f"""
ASK {{ ?article schema:mentions <{TOP_PERSON}> , <{TOP_PLACE}> }}
""",
    ),
)

POINT_LOOKUP = QUERIES[0]
"""The query the point-lookup throughput repeats: one article's graph."""

BY_NAME = {q.name: q for q in QUERIES}

__all__ = ["BENCH", "BY_NAME", "POINT_LOOKUP", "QUERIES", "Query", "article_iri"]
