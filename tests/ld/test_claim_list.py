"""Claims as listed: claimant, how each is reported, contradictions, grouping by article."""

from __future__ import annotations

from kgpub.ld import claim_list
from kgpub.ld.describe import labels
from kgpub.ld.page_model import Page, Value
from kgpub.store.oxigraph import Store

BASE = "https://kgpub.example/"
KGPUB = BASE + "ontology#"


def _page(store: Store, lang: str, iris: set[str]) -> Page:
    page = Page(BASE, {}, lang, False)
    page.label_index = labels(store, iris)
    return page


def test_claims_about_an_entity_include_those_through_their_statements(store: Store) -> None:
    about = claim_list.claims_about(store, BASE + "id/elon-musk", KGPUB)
    assert BASE + "id/claim-musk-joined-call" in about  # schema:about
    assert len(about) == 14
    assert all("statement" not in iri and "anchor" not in iri for iri in about)
    made = claim_list.claims_by(store, BASE + "id/source-call", KGPUB)
    assert made == [BASE + "id/claim-musk-joined-call"]


def test_a_listed_claim_says_who_claims_it_how_and_what_contradicts_it(store: Store) -> None:
    claims = [BASE + "id/claim-kremlin-single-call", BASE + "id/claim-wsj-regular-contact"]
    facts = claim_list.claim_facts(store, claims, KGPUB)
    page = _page(store, "de", claim_list.iris_in(facts))
    wsj, kremlin = claim_list.describe_claims(claims, facts, page)  # in reading order
    assert kremlin.iri.endswith("claim-kremlin-single-call")
    assert wsj.start is not None
    assert kremlin.start is not None
    assert wsj.start < kremlin.start  # the Journal's report comes first in the text
    assert "umstritten" in kremlin.statuses  # the SKOS label in the reader's language
    assert "von einer genannten Quelle berichtet" in kremlin.statuses
    assert [v.href for v in kremlin.contradicted_by] == ["/id/claim-wsj-regular-contact"]
    assert [v.href for v in wsj.contradicted_by] == ["/id/claim-kremlin-single-call"]
    assert [v.text for v in kremlin.claimants] == ["Dmitry Peskov"]


def test_claims_group_by_article_then_claimant(store: Store) -> None:
    about = claim_list.claims_about(store, BASE + "id/elon-musk", KGPUB)
    facts = claim_list.claim_facts(store, about, KGPUB)
    page = _page(store, "en", claim_list.iris_in(facts))
    groups = claim_list.group_by_article(claim_list.describe_claims(about, facts, page), page)
    assert [g.article.href for g in groups] == ["/id/article", "/id/wsj-report"]
    article = groups[0]
    claimant, items = article.by_claimant[0]  # the claimant with the most claims first
    assert claimant == Value("the article (its own narration)", "/id/article-narrator")
    assert len(items) == max(len(i) for _, i in article.by_claimant)
    starts = [i.start for i in items]
    assert starts == sorted(s for s in starts if s is not None)  # reading order
    assert sum(len(i) for _, i in article.by_claimant) == 14
