"""A search's answer: the hits labelled and linked, as JSON for scripts and for the page.

``kgpub.search`` finds and ranks; this module says what each hit is to a
reader: its label (a name, a claim's words, the article's CURIE when it has
no title), the page it links to, and the article span it rests on. A span
links to the article page with a text fragment (``#:~:text=``), which
browsers scroll to and highlight; scripts get the span's offsets
(``TextPositionSelector`` code points, end exclusive) and the claim's IRI.
The pydantic models are the JSON answer and its OpenAPI schema.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import closing
from urllib.parse import quote

from pydantic import BaseModel, Field

from kgpub.ld.anchors import article_body
from kgpub.ld.describe import FALLBACK_LABEL_PREDICATES, labels
from kgpub.ld.page_model import Page
from kgpub.search.documents import Kind, Span
from kgpub.search.index import SearchIndex, connect
from kgpub.search.query import Hit, languages, search
from kgpub.store.protocol import QueryStore

_FRAGMENT_WORDS = 4


class SpanAnswer(BaseModel):
    """A claim's evidence span in an article."""

    claim: str = Field(description="The claim's IRI.")
    claim_label: str
    anchor: str = Field(description="The evidence anchor (oa:SpecificResource).")
    source: str = Field(description="The article the span is in.")
    start: int = Field(description="oa:start of the TextPositionSelector (code points).")
    end: int = Field(description="oa:end of the TextPositionSelector, exclusive.")
    href: str = Field(description="The article page, scrolled to the span (a text fragment).")
    claim_href: str


class HitAnswer(BaseModel):
    """One hit: an article passage, a claim (by its words or its quote) or a named resource."""

    kind: Kind
    iri: str = Field(description="The resource found: article, claim or named resource.")
    label: str
    href: str = Field(description="Its page; for an article passage, scrolled to the match.")
    score: float = Field(description="bm25 relevance: higher is better.")
    lang: str = Field(description="The text's language ('' when untagged).")
    text: str = Field(description="The whole text that matched.")
    snippet: str = Field(description="The part of the text around the first match.")
    snippet_html: str = Field(description="The snippet, HTML-escaped, matches in <mark>.")
    matches: list[tuple[int, int]] = Field(description="Matched words' offsets in text.")
    source: str | None = Field(None, description="The article the text is from, if any.")
    start: int | None = Field(None, description="Where text starts in the article's body.")
    end: int | None = Field(None, description="Where text ends in the article's body.")
    spans: list[SpanAnswer] = Field(
        description="The claim's evidence spans; for a passage, the claims holding a match."
    )


class SearchAnswer(BaseModel):
    """The answer of ``GET /search``."""

    query: str
    lang: str | None = Field(description="The language searched; null: German and English.")
    total: int = Field(description="Hits found in all (counted up to 1,000 index rows).")
    offset: int
    limit: int
    hits: list[HitAnswer]


class _Linker:
    """Labels and links for one answer: a page for labels, article bodies for fragments."""

    def __init__(self, store: QueryStore, page: Page, hits: Iterable[Hit]) -> None:
        self.store, self.page = store, page
        iris = {h.subject for h in hits} | {s.claim for h in hits for s in h.spans}
        page.label_index = labels(store, iris)
        page.fallback_index = labels(
            store, [i for i in iris if i not in page.label_index], FALLBACK_LABEL_PREDICATES
        )
        self._bodies: dict[str, str | None] = {}

    def body(self, source: str) -> str | None:
        if source not in self._bodies:
            self._bodies[source] = article_body(self.store, source)
        return self._bodies[source]

    def at(self, source: str, start: int, end: int) -> str:
        """The article's page scrolled to ``[start, end)`` of its body."""
        base = self.page.anchor(source)
        body = self.body(source)
        if body is None or not 0 <= start < end <= len(body):
            return base
        return base + "#:~:text=" + text_fragment(body[start:end])

    def span(self, span: Span) -> SpanAnswer:
        return SpanAnswer(
            claim=span.claim,
            claim_label=self.page.label(span.claim),
            anchor=span.anchor,
            source=span.source,
            start=span.start,
            end=span.end,
            href=self.at(span.source, span.start, span.end),
            claim_href=self.page.anchor(span.claim),
        )

    def hit(self, hit: Hit) -> HitAnswer:
        href = self.page.anchor(hit.subject)
        if hit.kind == "article" and hit.start is not None and hit.source and hit.matches:
            first = hit.matches[0]
            href = self.at(hit.source, hit.start + first[0], hit.start + first[1])
        return HitAnswer(
            kind=hit.kind,
            iri=hit.subject,
            label=self.page.label(hit.subject),
            href=href,
            score=round(hit.score, 6),
            lang=hit.lang,
            text=hit.text,
            snippet=hit.snippet.plain,
            snippet_html=hit.snippet.html(),
            matches=list(hit.matches),
            source=hit.source,
            start=hit.start,
            end=hit.end,
            spans=[self.span(s) for s in hit.spans],
        )


def text_fragment(text: str) -> str:
    """A URL text fragment for ``text``: whole when short, else its first and last words
    (``start,end``); commas and dashes escaped as the syntax requires."""
    found = text.split()
    if len(found) <= 2 * _FRAGMENT_WORDS:
        return _encode(" ".join(found))
    head = " ".join(found[:_FRAGMENT_WORDS])
    tail = " ".join(found[-_FRAGMENT_WORDS:])
    return f"{_encode(head)},{_encode(tail)}"


def _encode(text: str) -> str:
    return quote(text, safe="").replace("-", "%2D")


def search_answer(
    store: QueryStore,
    index: SearchIndex,
    page: Page,
    query: str,
    lang: str | None,
    *,
    limit: int,
    offset: int,
) -> SearchAnswer:
    """Search ``index`` and label and link the hits for ``page``'s reader."""
    searched = languages(lang)
    with closing(connect(index.path, read_only=True)) as conn:
        found = search(conn, query, lang, limit=limit, offset=offset)
    linker = _Linker(store, page, found.hits)
    return SearchAnswer(
        query=query,
        lang=searched[0] if len(searched) == 1 else None,
        total=found.total,
        offset=offset,
        limit=limit,
        hits=[linker.hit(h) for h in found.hits],
    )
