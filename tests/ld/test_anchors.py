"""Claim spans in the article: queries, sentence bounds and well-formed marks."""

from __future__ import annotations

import re

import pyoxigraph as ox

from kgpub.ld import anchors
from kgpub.search.documents import Span
from kgpub.store.oxigraph import Store

KGPUB = "https://kgpub.example/ontology#"
ARTICLE = "https://kgpub.example/id/article"


def _span(claim: str, start: int, end: int) -> Span:
    return Span(claim, f"_:{claim}", "urn:src", start, end)


def _href(iri: str) -> str:
    return "/" + iri


def _title(iri: str) -> str:
    return f"title of {iri}"


def _well_formed(html: str) -> bool:
    depth = 0
    for tag in re.findall(r"</?mark", html):
        depth += -1 if tag.startswith("</") else 1
        if depth < 0:
            return False
    return depth == 0


def test_spans_select_their_quote(store: Store) -> None:
    body = anchors.article_body(store, ARTICLE)
    assert body is not None
    spans = anchors.claim_spans(store, ARTICLE, KGPUB)
    assert len({s.claim for s in spans}) >= 20
    assert all(0 <= s.start < s.end <= len(body) for s in spans)
    assert [s.start for s in spans] == sorted(s.start for s in spans)


def test_evidence_spans_of_a_claim(store: Store) -> None:
    spans = anchors.evidence_spans(store, "https://kgpub.example/id/claim-musk-joined-call", KGPUB)
    assert [(s.start, s.end) for s in spans] == [(0, 273), (274, 365)]


def test_sentence_around_extends_to_the_sentence() -> None:
    text = "Erster Satz. Elon Musk, der Tech-Tycoon, nahm teil. Dritter Satz."
    start = text.index("Elon")
    begin, end = anchors.sentence_around(text, start, start + len("Elon Musk"))
    assert text[begin:end] == "Elon Musk, der Tech-Tycoon, nahm teil."
    whole = anchors.sentence_around(text, begin, end)
    assert whole == (begin, end)


def test_nested_spans_nest_marks() -> None:
    text = "abcdefghij"
    html = anchors.highlight(text, [_span("a", 0, 8), _span("b", 2, 4)], _href, _title)
    assert _well_formed(html)
    assert html.startswith('<mark class="claim" id="span-1"')
    assert html.count("<mark") == 2
    # Each claim's number opens its mark, so the numbers read in text order.
    assert (
        'title="title of b"><a class="claim-ref" href="/b" aria-label="title of b">[2]</a>cd</mark>'
        in html
    )
    assert re.sub(r"<[^>]+>|\[\d\]", "", html) == text


def test_partial_overlap_is_split_into_well_formed_marks() -> None:
    text = "abcdefghij"
    html = anchors.highlight(text, [_span("a", 0, 5), _span("b", 3, 8)], _href, _title)
    assert _well_formed(html)
    assert re.sub(r"<[^>]+>|\[\d\]", "", html) == text
    assert html.count('id="span-2"') == 1
    assert html.count('href="/b"') == 1


def test_text_and_titles_are_escaped() -> None:
    html = anchors.highlight("<b>x</b>", [_span('"><script>', 0, 3)], _href, lambda _: "<script>")
    assert "<b>" not in html
    assert "<script>" not in html
    assert "&lt;b&gt;" in html


def test_offset_places_spans_in_an_excerpt() -> None:
    html = anchors.highlight("defg", [_span("a", 4, 6)], _href, _title, offset=3)
    assert re.sub(r"<a [^>]+>\[\d\]</a>", "", html).startswith('d<mark class="claim"')


def test_a_frozen_anchor_marks_no_span_of_the_current_text() -> None:
    """An invalidated claim's evidence keeps its old selectors with an ``oa:hasState``
    (docs/revisions.md): they point into an earlier revision's text, never into today's."""
    oa = "http://www.w3.org/ns/oa#"
    turtle = f"""
    @prefix oa: <{oa}> . @prefix kgpub: <{KGPUB}> .
    <urn:live> a kgpub:ReportedClaim ; kgpub:evidence <urn:a1> .
    <urn:old> a kgpub:ReportedClaim ; kgpub:evidence <urn:a2> .
    <urn:a1> oa:hasSource <urn:src> ; oa:hasSelector <urn:p1> .
    <urn:p1> a oa:TextPositionSelector ; oa:start 0 ; oa:end 4 .
    <urn:a2> oa:hasSource <urn:src> ; oa:hasSelector <urn:p2> ; oa:hasState <urn:a2-state> .
    <urn:p2> a oa:TextPositionSelector ; oa:start 5 ; oa:end 9 .
    """
    store = Store()
    store.add_quads(
        [
            ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
            for t in ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE)
        ]
    )
    assert [s.claim for s in anchors.claim_spans(store, "urn:src", KGPUB)] == ["urn:live"]
    assert anchors.evidence_spans(store, "urn:old", KGPUB) == []
