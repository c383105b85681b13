"""The article's graph says what the text says, no more, and every fact has its evidence."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from kgpub.config import Settings
from kgpub.rdf.articles import Article, articles, find_article
from kgpub.store.oxigraph import Store

_PREFIXES = """
PREFIX kg: <https://kgpub.example/id/>
PREFIX kgpub: <https://kgpub.example/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX schema: <https://schema.org/>
"""
_ARTICLE_GRAPH = "https://kgpub.example/graph/article"
_BACKGROUND_GRAPH = "https://kgpub.example/graph/background"


def _rows(store: Store, query: str) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
    result = store.query(_PREFIXES + query)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: row[n] for n in names if row[n] is not None} for row in result]


def _ask(store: Store, query: str) -> bool:
    result = store.query(_PREFIXES + query)
    assert isinstance(result, ox.QueryBoolean)
    return bool(result)


@pytest.fixture(scope="module")
def story(settings: Settings) -> Article:
    """The shipped story: one article of the project, keeping its IRI ``kg:article``."""
    return find_article(settings, "musk-trump-zelensky-call")


@pytest.fixture(scope="module")
def text(story: Article) -> str:
    return story.text_path.read_text(encoding="utf-8")


def test_shipped_story_is_the_one_real_article(settings: Settings, story: Article) -> None:
    assert [a.slug for a in articles(settings)] == [story.slug]
    assert story.iri == "https://kgpub.example/id/article"
    assert (story.language, story.fictional) == ("de", False)
    assert [p.name for p in story.graph_files] == ["article.ttl", "reported.ttl"]


def test_article_text_is_the_shared_article_byte_for_byte(
    settings: Settings, story: Article
) -> None:
    shared = settings.project_dir.parent / "shared" / "article.de.txt"
    if not shared.exists():
        pytest.skip("no ../shared/article.de.txt beside this checkout")
    assert story.text_path.read_bytes() == shared.read_bytes()


def test_article_body_is_the_text(store: Store, text: str) -> None:
    rows = _rows(store, "SELECT ?body WHERE { kg:article schema:articleBody ?body }")
    assert [r["body"].value for r in rows] == [text]
    assert len(text) == 3506


def test_article_invents_nothing(store: Store) -> None:
    for prop in ("author", "publisher", "headline", "datePublished", "url"):
        assert not _ask(store, f"ASK {{ kg:article schema:{prop} ?x }}"), prop
    assert _ask(store, 'ASK { kg:article a schema:NewsArticle ; schema:inLanguage "de" }')


def _anchors(store: Store) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
    return _rows(
        store,
        """SELECT ?anchor ?start ?end ?exact ?prefix ?suffix WHERE {
          ?anchor a oa:SpecificResource ; oa:hasSource kg:article ; oa:hasSelector ?p , ?q .
          ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
          ?q a oa:TextQuoteSelector ; oa:exact ?exact ; oa:prefix ?prefix ; oa:suffix ?suffix .
        }""",
    )


def test_every_anchor_round_trips(store: Store, text: str) -> None:
    anchors = _anchors(store)
    declared = _rows(store, "SELECT ?a WHERE { ?a a oa:SpecificResource }")
    assert len(anchors) == len(declared) > 30
    for a in anchors:
        start, end = int(a["start"].value), int(a["end"].value)
        assert 0 <= start < end <= len(text), a["anchor"]
        assert text[start:end] == a["exact"].value, a["anchor"]
        assert text[:start].endswith(a["prefix"].value), a["anchor"]
        assert text[end:].startswith(a["suffix"].value), a["anchor"]


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of the paragraphs (headings have no final punctuation)."""
    spans = []
    offset = 0
    for line in text.split("\n"):
        if line.endswith((".", "“")) or line.endswith(".\n"):
            for m in re.finditer(r"[^.]+?(?:\.(?=\s|$)|$)(?:“)?", line):
                chunk = m.group().strip()
                if chunk:
                    begin = offset + line.index(chunk, m.start())
                    spans.append((begin, begin + len(chunk)))
        offset += len(line) + 1
    return spans


def test_every_sentence_states_facts_with_evidence(store: Store, text: str) -> None:
    claim_spans = [
        (int(r["start"].value), int(r["end"].value))
        for r in _rows(
            store,
            """SELECT ?start ?end WHERE {
              ?claim a kgpub:ReportedClaim ; kgpub:evidence/oa:hasSelector ?p .
              ?p oa:start ?start ; oa:end ?end .
            }""",
        )
    ]
    status = text.index("Dies ist eine sich entwickelnde Geschichte")
    sentences = [s for s in _sentences(text) if s[0] != status]
    assert len(sentences) >= 15
    for begin, end in sentences:
        assert any(s < end and begin < e for s, e in claim_spans), text[begin:end]


def test_every_claim_is_attributed_and_evidenced(store: Store) -> None:
    incomplete = _rows(
        store,
        """SELECT ?claim WHERE {
          ?claim a kgpub:ReportedClaim .
          FILTER(NOT EXISTS { ?claim schema:author ?a }
              || NOT EXISTS { ?claim kgpub:epistemicStatus ?st }
              || NOT EXISTS { ?claim kgpub:statement ?s }
              || NOT EXISTS { ?claim schema:appearance kg:article }
              || NOT EXISTS { ?claim kgpub:evidence ?e })
        }""",
    )
    assert incomplete == []


def test_first_appearance_only_where_the_text_makes_it_certain(store: Store) -> None:
    """Zelensky's post on X and the WSJ report are named as where their claims appeared;
    the article's own narration and what sources told CNN or the Journal are not."""
    rows = _rows(
        store, "SELECT ?c ?f WHERE { ?c a kgpub:ReportedClaim ; schema:firstAppearance ?f }"
    )
    assert {r["f"].value.rsplit("/", 1)[1] for r in rows} == {"zelensky-post", "wsj-report"}
    assert {r["c"].value.rsplit("/", 1)[1] for r in rows} == {
        "claim-zelensky-called-trump",
        "claim-zelensky-congratulated-trump",
        "claim-zelensky-agreed-dialogue",
        "claim-wsj-regular-contact",
    }
    assert not _ask(store, f"ASK {{ GRAPH <{_ARTICLE_GRAPH}> {{ ?s ?p kg:cnn-report }} }}")


def test_single_source_reports_are_kept_out_of_the_article_graph(store: Store) -> None:
    reported = "https://kgpub.example/graph/reported"
    assert not _ask(
        store,
        f"ASK {{ GRAPH <{_ARTICLE_GRAPH}> {{ kg:trump-zelensky-call schema:attendee ?x }} }}",
    )
    assert _ask(
        store,
        f"ASK {{ GRAPH <{reported}> {{ kg:trump-zelensky-call schema:attendee kg:elon-musk }} }}",
    )


def test_contradicting_claims_are_kept_apart(store: Store) -> None:
    pairs = _rows(
        store,
        "SELECT ?a ?b WHERE { ?a kgpub:contradicts ?b . ?b kgpub:contradicts ?a }",
    )
    assert {(str(r["a"]), str(r["b"])) for r in pairs} == {
        (
            "<https://kgpub.example/id/claim-wsj-regular-contact>",
            "<https://kgpub.example/id/claim-kremlin-single-call>",
        ),
        (
            "<https://kgpub.example/id/claim-kremlin-single-call>",
            "<https://kgpub.example/id/claim-wsj-regular-contact>",
        ),
    }
    assert not _ask(
        store,
        """ASK { ?c kgpub:contradicts ?o ; kgpub:statement ?s .
                 ?s rdf:subject ?a ; rdf:predicate ?p ; rdf:object ?b . ?a ?p ?b }""",
    )


def test_uncontested_statements_are_plain_triples_too(store: Store) -> None:
    missing = _rows(
        store,
        """SELECT ?s WHERE {
          ?c a kgpub:ReportedClaim ; kgpub:statement ?s .
          FILTER NOT EXISTS { ?c kgpub:contradicts ?o }
          FILTER NOT EXISTS { ?s kgpub:epistemicStatus ?hedge }
          ?s rdf:subject ?a ; rdf:predicate ?p ; rdf:object ?b .
          FILTER NOT EXISTS { ?a ?p ?b }
        }""",
    )
    assert missing == []
    # an alleged statement ("angeblich") is never a plain triple
    assert not _ask(store, "ASK { kg:elon-musk kgpub:hasTiesTo ?x }")
    assert _ask(store, "ASK { kg:trump-zelensky-call schema:attendee kg:elon-musk }")


def test_every_mentioned_entity_has_one_german_and_one_english_name(store: Store) -> None:
    rows = _rows(
        store,
        """SELECT ?e (GROUP_CONCAT(LANG(?n); separator=",") AS ?langs) WHERE {
          kg:article schema:mentions ?e .
          FILTER NOT EXISTS { ?e a kgpub:AnonymousSource }
          OPTIONAL { ?e schema:name ?n }
        } GROUP BY ?e""",
    )
    assert len(rows) >= 30
    for r in rows:
        assert sorted(r["langs"].value.split(",")) == ["de", "en"], r["e"]


def test_wikidata_links_are_background_only(store: Store) -> None:
    assert not _ask(store, f"ASK {{ GRAPH <{_ARTICLE_GRAPH}> {{ ?s schema:sameAs ?o }} }}")
    links = _rows(
        store,
        f"SELECT ?s ?o WHERE {{ GRAPH <{_BACKGROUND_GRAPH}> {{ ?s schema:sameAs ?o }} }}",
    )
    assert len(links) >= 15
    for r in links:
        assert re.fullmatch(r"http://www\.wikidata\.org/entity/Q[1-9][0-9]*", r["o"].value)


def test_person_links_are_the_verified_ones(store: Store) -> None:
    rows = _rows(store, "SELECT ?p ?wd WHERE { ?p a schema:Person ; schema:sameAs ?wd }")
    assert {r["p"].value.rsplit("/", 1)[1]: r["wd"].value.rsplit("/", 1)[1] for r in rows} == {
        "elon-musk": "Q317521",
        "donald-trump": "Q22686",
        "volodymyr-zelensky": "Q3874799",
        "vladimir-putin": "Q7747",
    }


def test_relative_dates_are_resolved_and_keep_their_words(store: Store) -> None:
    rows = _rows(
        store,
        """SELECT ?phrase ?value WHERE {
          ?t a kgpub:TemporalExpression ; kgpub:originalPhrase ?phrase ;
             ?p ?value .
          FILTER(?p IN (<http://www.w3.org/2006/time#inXSDDate>,
                        <http://www.w3.org/2006/time#inXSDgYearMonth>,
                        <http://www.w3.org/2006/time#inXSDgYear>))
        }""",
    )
    got = {r["phrase"].value: str(r["value"]) for r in rows}
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert got == {
        "einen Tag nach der Präsidentschaftswahl": f'"2024-11-06"^^<{xsd}date>',
        "am Mittwoch": f'"2024-11-06"^^<{xsd}date>',
        "im vergangenen Jahr": f'"2023"^^<{xsd}gYear>',
        "im September": f'"2024-09"^^<{xsd}gYearMonth>',
        "Ende 2022": f'"2022"^^<{xsd}gYear>',
        "seit der Invasion 2022": f'"2022"^^<{xsd}gYear>',
    }
