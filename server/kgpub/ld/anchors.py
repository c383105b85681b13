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

import pyoxigraph as ox
from markupsafe import Markup, escape

from kgpub.ld.page_model import iri_terms
from kgpub.namespaces import OA, SCHEMA
from kgpub.search.documents import Span
from kgpub.store.protocol import QueryStore

_PREFIXES = (
    f"PREFIX oa: <{OA}> PREFIX kgpub: <https://kgpub.example/ontology#> PREFIX schema: <{SCHEMA}> "
)
_SENTENCE_ENDS = ".!?"
_QUOTE_CHARS = 60
_CLOSING_QUOTES = "“”\"'»«)"


def _spans(store: QueryStore, where: str, kgpub_ns: str) -> list[Span]:
    query = (_PREFIXES.replace("https://kgpub.example/ontology#", kgpub_ns)) + (
        "SELECT DISTINCT ?claim ?anchor ?source ?start ?end WHERE { "
        f"{where} ?claim a kgpub:ReportedClaim ; kgpub:evidence ?anchor . "
        "?anchor oa:hasSource ?source ; oa:hasSelector ?sel . "
        "?sel a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end . "
        # An anchor with a state points into an earlier revision's text (an
        # invalidated claim's evidence, frozen): no span of the current text.
        "FILTER NOT EXISTS { ?anchor oa:hasState ?state } "
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


def claim_spans(store: QueryStore, source: str, kgpub_ns: str) -> list[Span]:
    """Every claim span anchored in ``source``, in text order."""
    return _spans(store, f"VALUES ?source {{ {ox.NamedNode(source)} }}", kgpub_ns)


def evidence_spans(store: QueryStore, claim: str, kgpub_ns: str) -> list[Span]:
    """The spans a claim's evidence anchors, in text order."""
    return _spans(store, f"VALUES ?claim {{ {ox.NamedNode(claim)} }}", kgpub_ns)


def article_body(store: QueryStore, source: str) -> str | None:
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


def quotes(
    store: QueryStore, iris: Sequence[str], kgpub_ns: str
) -> dict[str, list[tuple[str, str]]]:
    """Each anchor's quoted words („…“, the first 60 characters), as its label.

    An anchor has no name of its own, nor has a resource known only by its
    evidence (the article's untitled first section): both are named by the words.
    """
    nodes = iri_terms(iris)
    if not nodes:
        return {}
    result = store.query(
        _PREFIXES.replace("https://kgpub.example/ontology#", kgpub_ns)
        + f"SELECT ?a ?exact WHERE {{ VALUES ?a {{ {' '.join(nodes)} }} "
        "?a kgpub:evidence?/oa:hasSelector ?sel . ?sel oa:exact ?exact }"
    )
    assert isinstance(result, ox.QuerySolutions)
    found: dict[str, list[tuple[str, str]]] = {}
    for row in result:
        anchor, exact = row["a"], row["exact"]
        if isinstance(anchor, ox.NamedNode) and isinstance(exact, ox.Literal):
            words = " ".join(exact.value.split())
            if len(words) > _QUOTE_CHARS:
                words = words[:_QUOTE_CHARS].rsplit(" ", 1)[0] + " …"
            found.setdefault(anchor.value, [(f"„{words}“", "de")])
    return found


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
    numbers: dict[str, int] | None = None,
    opened: set[int] | None = None,
) -> Markup:
    """``text`` escaped, each span in a ``<mark>`` opening with its claim's number, linked.

    Span offsets are into the full source; ``offset`` is where ``text`` starts
    in it. Spans outside ``text`` are clipped or skipped. A claim keeps one
    number wherever it is marked; each span's first mark gets an ``id``. Pieces
    of one text rendered one by one (``blocks``) share ``numbers`` and ``opened``,
    so numbers and ids stay those of the whole text.
    """
    marker = _Marker(
        text,
        offset=offset,
        id_prefix=id_prefix,
        links=(href, title),
        numbers={} if numbers is None else numbers,
        opened=opened,
    )
    clipped: list[_Clip] = []
    for index, span in enumerate(spans, start=1):
        start, end = max(span.start - offset, 0), min(span.end - offset, len(text))
        if start < end:
            marker.numbers.setdefault(span.claim, len(marker.numbers) + 1)
            clipped.append((start, end, index, span))
    bounds = sorted({0, len(text)} | {c[0] for c in clipped} | {c[1] for c in clipped})
    for i, pos in enumerate(bounds):
        marker.close_at(pos)
        for item in sorted((c for c in clipped if c[0] == pos), key=lambda c: (-c[1], c[2])):
            marker.open(item)
        if i + 1 < len(bounds):
            marker.out.append(str(escape(text[pos : bounds[i + 1]])))
    return Markup("".join(marker.out))


_Clip = tuple[int, int, int, "Span"]
"""A span clipped to the text: (start, end, its index among the spans, the span)."""


class _Marker:
    """The marks open while ``highlight`` walks a text, and what it has written so far."""

    def __init__(
        self,
        text: str,
        *,
        offset: int,
        id_prefix: str,
        links: tuple[Callable[[str], str], Callable[[str], str]],
        numbers: dict[str, int],
        opened: set[int] | None,
    ) -> None:
        self.text, self.offset, self.id_prefix = text, offset, id_prefix
        self.href, self.title = links
        self.numbers = numbers
        self.marked: set[int] = set() if opened is None else opened
        self.stack: list[_Clip] = []
        self.out: list[str] = []

    def open(self, item: _Clip) -> None:
        _, _, index, span = item
        first = index not in self.marked
        ident = f' id="{escape(self.id_prefix)}{index}"' if first else ""
        self.marked.add(index)
        self.out.append(
            f'<mark class="claim"{ident} data-claim="{escape(span.claim)}"'
            f' title="{escape(self.title(span.claim))}">'
        )
        if first and span.start - self.offset >= 0:  # where the span begins, not a piece of it
            number = self.numbers[span.claim]
            self.out.append(
                f'<a class="claim-ref" href="{escape(self.href(span.claim))}"'
                f' aria-label="{escape(self.title(span.claim))}">[{number}]</a>'
            )
        self.stack.append(item)

    def close_at(self, pos: int) -> None:
        """End the marks ending at ``pos``; marks opened inside them close and reopen,
        so the HTML stays well nested however spans overlap."""
        reopen = []
        while any(item[1] == pos for item in self.stack):
            top = self.stack.pop()
            self.out.append("</mark>")
            if top[1] != pos:
                reopen.append(top)
        for item in reversed(reopen):
            self.open(item)


def headings(store: QueryStore, source: str, kgpub_ns: str) -> dict[int, str]:
    """Where each ``kgpub:ArticleSection`` with a ``schema:headline`` starts, and the headline."""
    query = _PREFIXES.replace("https://kgpub.example/ontology#", kgpub_ns) + (
        "SELECT ?start ?headline WHERE { ?section a kgpub:ArticleSection ; "
        "schema:headline ?headline ; kgpub:evidence ?anchor . "
        f"?anchor oa:hasSource {ox.NamedNode(source)} ; oa:hasSelector ?sel . "
        "?sel a oa:TextPositionSelector ; oa:start ?start . }"
    )
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    found = {}
    for row in result:
        start, headline = row["start"], row["headline"]
        if isinstance(start, ox.Literal) and isinstance(headline, ox.Literal):
            try:
                found[int(start.value)] = headline.value
            except ValueError:
                continue
    return found


def blocks(
    text: str,
    spans: Sequence[Span],
    href: Callable[[str], str],
    title: Callable[[str], str],
    heading_at: dict[int, str],
) -> list[tuple[str, Markup]]:
    """``text`` line by line as ``("heading" | "paragraph", marked line)``, blank lines dropped.

    A line is a heading where a section with that headline starts. Claims are
    numbered and their ids given as for the whole text; a span running over a
    line break (none does in the data) is marked in each line, numbered where it starts.
    A heading that ends the text (the empty "Details zur Meldung") is dropped.
    """
    numbers = claim_numbers(spans, len(text))
    opened: set[int] = set()
    out: list[tuple[str, Markup]] = []
    start = 0
    for line in text.split("\n"):
        if line.strip():
            kind = "heading" if heading_at.get(start, "").strip() == line.strip() else "paragraph"
            marked = highlight(
                line, spans, href, title, offset=start, numbers=numbers, opened=opened
            )
            out.append((kind, marked))
        start += len(line) + 1
    while out and out[-1][0] == "heading":  # a heading with nothing under it is no content
        out.pop()
    return out


def claim_numbers(spans: Sequence[Span], length: int) -> dict[str, int]:
    """Each claim's number in a text ``length`` long: in reading order, by its first span's start.

    ``spans`` come in text order (``claim_spans``), so the numbers read 1, 2, 3… down the text.
    """
    numbers: dict[str, int] = {}
    for span in sorted(spans, key=lambda s: (s.start, -s.end, s.claim)):
        if max(span.start, 0) < min(span.end, length):
            numbers.setdefault(span.claim, len(numbers) + 1)
    return numbers
