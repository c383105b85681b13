"""A search's answer: hits labelled, linked to their pages and to their spans in the article."""

from __future__ import annotations

from pathlib import Path

from kgpub.ld.page_model import Page
from kgpub.ld.search_results import search_answer, text_fragment
from kgpub.search.documents import Scope
from kgpub.search.index import SearchIndex
from tests.search_fixtures import BASE, ID, fictional_store


def test_a_text_fragment_is_the_text_or_its_first_and_last_words_escaped() -> None:
    assert text_fragment("Starlink") == "Starlink"
    assert text_fragment("US-Geheimdienste, 2022") == "US%2DGeheimdienste%2C%202022"
    long = "eins zwei drei vier fünf sechs sieben acht neun zehn"
    assert text_fragment(long) == "eins%20zwei%20drei%20vier,sieben%20acht%20neun%20zehn"


def test_hits_are_labelled_and_linked_for_the_readers_language(tmp_path: Path) -> None:
    store = fictional_store()
    index = SearchIndex(tmp_path / "i.sqlite", Scope.for_base(BASE))
    index.build(store, store.version)
    page = Page(BASE, {"kg": ID}, "en", True)
    answer = search_answer(store, index, page, "Verhandlung", "de", limit=10, offset=0)
    assert answer.lang == "de"
    assert answer.total == len(answer.hits) == 3  # the claim and two passages
    claim = next(h for h in answer.hits if h.kind in ("claim", "quote"))
    assert claim.label == "The negotiations about noise protection will take long."
    assert claim.href == "/id/test-claim?lang=en"
    span = claim.spans[0]
    assert span.claim_href == "/id/test-claim?lang=en"
    assert span.href == (
        "/id/test-article?lang=en#:~:text=Die%20Stadtr%C3%A4tin%20Ada%20Beispiel,"
        "Verhandlung%20werde%20lange%20dauern."
    )
    passages = [h for h in answer.hits if h.kind == "article"]
    assert {p.label for p in passages} == {"A fictional test article, not news."}
    assert {p.href for p in passages} == {
        "/id/test-article?lang=en#:~:text=Verhandlungen",
        "/id/test-article?lang=en#:~:text=Verhandlung",
    }
