"""Searching the index: a query's terms in FTS5, ranked by bm25, hits with snippets.

A query is checked (``check_query``), parsed into stemmed terms per language
(``kgpub.search.analysis``) and handed to FTS5 as quoted strings against the
column of each language asked for: every term must occur (AND). With
``lang``, only texts in that language are searched, and names in any
language; without it, both. Ranks are FTS5's bm25 (higher ``score`` is
better). One hit per article passage, claim and named resource: a claim
found by both what it says and what it quotes is listed once, by its better
text. Each hit carries the offsets of its matched words, its snippet, and
the evidence spans that link it to the article: a claim's own spans, or for
an article passage the claims whose spans hold a match.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from kgpub.errors import MalformedRequestError
from kgpub.search.analysis import LANGUAGES, Term, matches, parse_query, words
from kgpub.search.documents import Kind, Span
from kgpub.search.snippets import Snippet, snippet

MAX_ROWS = 1000
"""Most index rows one search ranks; the hits counted (``total``) stop there."""


@dataclass(frozen=True)
class Hit:
    """One found text and what it belongs to; offsets are into ``text`` (``matches``)
    or, with ``source``, into that article's body (``start``/``end``, ``spans``)."""

    kind: Kind
    subject: str
    lang: str
    score: float
    text: str
    matches: tuple[tuple[int, int], ...]
    snippet: Snippet
    source: str | None
    start: int | None
    end: int | None
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Found:
    """A page of hits, best first, and how many there are in all (up to ``MAX_ROWS``)."""

    hits: tuple[Hit, ...]
    total: int


def check_query(query: str, max_chars: int) -> str:
    """The query stripped; ``MalformedRequestError`` (400) when empty or too long."""
    text = query.strip()
    if not text:
        raise MalformedRequestError("q is empty: give the words to search for, as ?q=…")
    if len(text) > max_chars:
        raise MalformedRequestError(
            f"q is {len(text)} characters long; a search takes at most {max_chars} "
            "(KGPUB_SEARCH_MAX_CHARS)"
        )
    return text


def languages(lang: str | None) -> tuple[str, ...]:
    """The languages a search covers; ``MalformedRequestError`` for one the index lacks."""
    if lang is None or not lang.strip():
        return LANGUAGES
    wanted = lang.strip().lower()
    if wanted not in LANGUAGES:
        raise MalformedRequestError(
            f"lang={lang!r} is not searchable; use one of {', '.join(LANGUAGES)}"
        )
    return (wanted,)


def match_expression(query: str, langs: Iterable[str]) -> tuple[str, dict[str, list[Term]]]:
    """The FTS5 MATCH text for ``query`` and its terms per language.

    ``MalformedRequestError`` when the query holds no word at all.
    """
    terms = {lang: parse_query(query, lang) for lang in langs}
    if not any(terms.values()):
        raise MalformedRequestError(f"q={query!r} holds no word to search for (letters or digits)")
    parts = [
        f"({lang} : ({' AND '.join(t.fts() for t in found)}))"
        for lang, found in terms.items()
        if found
    ]
    return " OR ".join(parts), terms


def _rows(
    conn: sqlite3.Connection, expression: str, langs: tuple[str, ...], limit: int
) -> list[sqlite3.Row]:
    conn.row_factory = sqlite3.Row
    where = "terms MATCH ?"
    params: list[object] = [expression]
    if len(langs) == 1:
        where += " AND (e.lang = ? OR e.lang = '' OR e.kind = 'name')"
        params.append(langs[0])
    params.append(limit)
    return list(
        conn.execute(
            'SELECT e.kind, e.subject, e.lang, e.text, e.source, e.start, e."end", '
            f"-bm25(terms) AS score FROM terms JOIN entries e ON e.id = terms.rowid "
            f"WHERE {where} ORDER BY bm25(terms) LIMIT ?",
            params,
        )
    )


def search(
    conn: sqlite3.Connection, query: str, lang: str | None, *, limit: int = 20, offset: int = 0
) -> Found:
    """The hits for ``query``, best first: ``limit`` of them from ``offset`` on."""
    langs = languages(lang)
    expression, terms = match_expression(query, langs)
    best: dict[tuple[str, str, int | None], sqlite3.Row] = {}
    for row in _rows(conn, expression, langs, MAX_ROWS):
        key = (
            ("article", row["subject"], row["start"])
            if row["kind"] == "article"
            else (row["kind"] if row["kind"] == "name" else "claim", row["subject"], None)
        )
        best.setdefault(key, row)
    chosen = list(best.values())[offset : offset + limit]
    return Found(tuple(_hit(conn, row, terms) for row in chosen), len(best))


def _hit(conn: sqlite3.Connection, row: sqlite3.Row, terms: dict[str, list[Term]]) -> Hit:
    text: str = row["text"]
    found = sorted(
        {
            (w.start, w.end)
            for lang, wanted in terms.items()
            for w in words(text, lang)
            if any(matches(t, w.stem) for t in wanted)
        }
    )
    spans: tuple[Span, ...]
    if row["kind"] == "article":
        spans = _spans_at(
            conn, row["source"], [(s + row["start"], e + row["start"]) for s, e in found]
        )
    elif row["kind"] in ("claim", "quote"):
        spans = _claim_spans(conn, row["subject"])
    else:
        spans = ()
    return Hit(
        kind=row["kind"],
        subject=row["subject"],
        lang=row["lang"],
        score=float(row["score"]),
        text=text,
        matches=tuple(found),
        snippet=snippet(text, found),
        source=row["source"],
        start=row["start"],
        end=row["end"],
        spans=spans,
    )


def _span(row: sqlite3.Row) -> Span:
    return Span(row["claim"], row["anchor"], row["source"], row["start"], row["end"])


def _claim_spans(conn: sqlite3.Connection, claim: str) -> tuple[Span, ...]:
    rows = conn.execute(
        'SELECT claim, anchor, source, start, "end" FROM spans WHERE claim = ? '
        'ORDER BY source, start, "end"',
        (claim,),
    )
    return tuple(_span(r) for r in rows)


def _spans_at(
    conn: sqlite3.Connection, source: str, found: list[tuple[int, int]]
) -> tuple[Span, ...]:
    """The claims' spans in ``source`` holding any of ``found``, the narrowest first."""
    if not found:
        return ()
    low, high = min(s for s, _ in found), max(e for _, e in found)
    rows = conn.execute(
        'SELECT claim, anchor, source, start, "end" FROM spans '
        'WHERE source = ? AND start < ? AND "end" > ?',
        (source, high, low),
    )
    spans = [_span(r) for r in rows if any(r["start"] <= s and e <= r["end"] for s, e in found)]
    spans.sort(key=lambda s: (s.end - s.start, s.start, s.claim))
    narrowest: dict[str, Span] = {}
    for span in spans:
        narrowest.setdefault(span.claim, span)
    return tuple(narrowest.values())


def scores(conn: sqlite3.Connection, query: str, lang: str | None) -> dict[str, float]:
    """Each matching resource's best score: what ``kgpub:search`` answers in SPARQL."""
    langs = languages(lang)
    expression, _ = match_expression(query, langs)
    found: dict[str, float] = {}
    for row in _rows(conn, expression, langs, MAX_ROWS * 10):
        found.setdefault(row["subject"], float(row["score"]))
    return found
