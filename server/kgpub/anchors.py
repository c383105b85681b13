"""Claims located in the article's text, and that text with the spans marked.

Every claim's evidence is a Web Annotation anchor with a
``oa:TextPositionSelector`` (code points, 0-based, end exclusive) into the
article's ``schema:articleBody``. The pages show a claim inside its sentence
and the whole article with each claim's span marked and linked, so a reader
can check what the article actually says. Spans nest (a claim inside the
sentence of another) and may in principle overlap partially; marks are split
where they must be so the HTML stays well formed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from markupsafe import Markup, escape

from kgpub.store import Store

_PREFIXES = (
    "PREFIX oa: <http://www.w3.org/ns/oa#> "
    "PREFIX kgpub: <https://kgpub.example/ontology#> "
    "PREFIX schema: <https://schema.org/> "
)
_SENTENCE_ENDS = ".!?"
_CLOSING_QUOTES = "“”\"'»«)"


@dataclass(frozen=True)
class Span:
    """A claim's anchored span in a source text."""

    claim: str
    anchor: str
    source: str
    start: int
    end: int


def _spans(store: Store, where: str, kgpub_ns: str) -> list[Span]:
    query = (_PREFIXES.replace("https://kgpub.example/ontology#", kgpub_ns)) + (
        "SELECT DISTINCT ?claim ?anchor ?source ?start ?end WHERE { "
        f"{where} ?claim a kgpub:ReportedClaim ; kgpub:evidence ?anchor . "
        "?anchor oa:hasSource ?source ; oa:hasSelector ?sel . "
        "?sel a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end . "
        "} ORDER BY ?start DESC(?end) ?claim"
    )
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    spans = []
    for row in result:
        claim, anchor, source = row["claim"], row["anchor"], row["source"]
        start, end = row["start"], row["end"]
        if (
            isinstance(claim, ox.NamedNode)
            and isinstance(anchor, ox.NamedNode | ox.BlankNode)
            and isinstance(source, ox.NamedNode)
            and isinstance(start, ox.Literal)
            and isinstance(end, ox.Literal)
        ):
            try:
                begin, stop = int(start.value), int(end.value)
            except ValueError:
                continue
            spans.append(Span(claim.value, str(anchor), source.value, begin, stop))
    return spans


def claim_spans(store: Store, source: str, kgpub_ns: str) -> list[Span]:
    """Every claim span anchored in ``source``, in text order."""
    return _spans(store, f"VALUES ?source {{ {ox.NamedNode(source)} }}", kgpub_ns)


def evidence_spans(store: Store, claim: str, kgpub_ns: str) -> list[Span]:
    """The spans a claim's evidence anchors, in text order."""
    return _spans(store, f"VALUES ?claim {{ {ox.NamedNode(claim)} }}", kgpub_ns)


def article_body(store: Store, source: str) -> str | None:
    """The text a source's anchors point into (its ``schema:articleBody``)."""
    result = store.query(
        f"{_PREFIXES} SELECT ?body WHERE {{ {ox.NamedNode(source)} schema:articleBody ?body }}"
        " LIMIT 1"
    )
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        if isinstance(row["body"], ox.Literal):
            return row["body"].value
    return None


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the sentence(s) holding ``text[start:end]``."""
    begin = 0
    for i in range(min(start, len(text)) - 1, -1, -1):
        if text[i] == "\n" or (
            text[i] == " " and i > 0 and text[i - 1] in _SENTENCE_ENDS + _CLOSING_QUOTES
        ):
            if (
                text[i] == " "
                and text[i - 1] in _CLOSING_QUOTES
                and (i < 2 or text[i - 2] not in _SENTENCE_ENDS)
            ):
                continue
            begin = i + 1
            break
    stop = len(text)
    if end > 0 and (end >= len(text) or text[end - 1] in _SENTENCE_ENDS + "\n"):
        stop = min(end, len(text))
    else:
        for i in range(end, len(text)):
            if text[i] == "\n":
                stop = i
                break
            if text[i] in _SENTENCE_ENDS and (i + 1 == len(text) or text[i + 1] in " \n"):
                stop = i + 1
                break
            if text[i] in _SENTENCE_ENDS and text[i + 1] in _CLOSING_QUOTES:
                stop = i + 2
                break
    return begin, max(stop, end)


def highlight(
    text: str,
    spans: Sequence[Span],
    href: Callable[[str], str],
    title: Callable[[str], str],
    *,
    offset: int = 0,
    id_prefix: str = "span-",
) -> Markup:
    """``text`` escaped, each span in a ``<mark>`` ending in a link to its claim.

    Span offsets are into the full source; ``offset`` is where ``text`` starts
    in it. Spans outside ``text`` are clipped or skipped. A claim keeps one
    number wherever it is marked; each span's first mark gets an ``id``.
    """
    numbers: dict[str, int] = {}
    clipped: list[tuple[int, int, int, Span]] = []
    for index, span in enumerate(spans, start=1):
        start, end = max(span.start - offset, 0), min(span.end - offset, len(text))
        if start < end:
            numbers.setdefault(span.claim, len(numbers) + 1)
            clipped.append((start, end, index, span))
    bounds = sorted({0, len(text)} | {c[0] for c in clipped} | {c[1] for c in clipped})
    out: list[str] = []
    stack: list[tuple[int, int, int, Span]] = []
    opened: set[int] = set()

    def open_mark(item: tuple[int, int, int, Span]) -> str:
        _, _, index, span = item
        ident = f' id="{escape(id_prefix)}{index}"' if index not in opened else ""
        opened.add(index)
        return (
            f'<mark class="claim"{ident} data-claim="{escape(span.claim)}"'
            f' title="{escape(title(span.claim))}">'
        )

    def close_mark(item: tuple[int, int, int, Span], final: bool) -> str:
        span = item[3]
        if not final:
            return "</mark>"
        number = numbers[span.claim]
        return f'<a class="claim-ref" href="{escape(href(span.claim))}">[{number}]</a></mark>'

    for i, pos in enumerate(bounds):
        if any(item[1] == pos for item in stack):
            reopen = []
            while any(item[1] == pos for item in stack):
                top = stack.pop()
                out.append(close_mark(top, final=top[1] == pos))
                if top[1] != pos:
                    reopen.append(top)
            for item in reversed(reopen):
                out.append(open_mark(item))
                stack.append(item)
        for item in sorted((c for c in clipped if c[0] == pos), key=lambda c: (-c[1], c[2])):
            out.append(open_mark(item))
            stack.append(item)
        if i + 1 < len(bounds):
            out.append(str(escape(text[pos : bounds[i + 1]])))
    return Markup("".join(out))
