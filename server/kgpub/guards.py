"""Cheap checks that run before any parser sees client or file input.

The parsers kgpub relies on fail badly on some inputs, and no exception can
catch it: pyoxigraph 0.5 overflows its stack (the whole process dies) on a
query of a few thousand nested braces and aborts on RDF/XML entity expansion;
rdflib's RDF/XML parser spends minutes on a 551-byte "billion laughs"; a
JSON-LD document with a remote ``@context`` asks the parser to fetch a URL the
sender chose. pyoxigraph also recurses once per chained operator, so a query
without any nesting kills it too: about 10,000 ``!`` in a row, 7,000 ``+``,
3,000 ``OPTIONAL`` or a 5,000-item collection, each under the size limit.
So every text is measured here first, in linear time and without recursion,
and refused with ``UnsafeInputError`` (HTTP 400, CLI exit 2) when it is too
large, nested too deeply, chains too many operators, holds a NUL or a byte
order mark (UTF-16 sent as UTF-8), declares a DTD, or names a remote
context. The scanners are deliberately conservative: when in doubt they count
a bracket or an operator rather than skip it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox

from kgpub.config import Settings
from kgpub.errors import RequestTooLargeError, UnsafeInputError
from kgpub.lexer import lex, nesting_depth

DEFAULT_MAX_DEPTH = 64
"""Nesting of ``{ ( [`` (or XML elements) allowed by default; real queries use < 10."""

DEFAULT_MAX_QUERY_BYTES = 65_536

DEFAULT_MAX_OPERATORS = 1000
"""Operators and pattern keywords a query may chain, and items one collection may
hold; real queries use < 100, pyoxigraph's 8 MB stack gives out at about 3,000."""


def check_query(
    text: str,
    *,
    what: str,
    max_bytes: int,
    max_depth: int,
    max_operators: int = DEFAULT_MAX_OPERATORS,
) -> None:
    """Refuse a SPARQL query or update that is too large, too deep or too long a chain.

    ``what`` ("the query", "the update") names the text in the message.
    Runs before pyoxigraph or rdflib parse it: their recursive parsers crash
    the process (pyoxigraph) or exhaust Python's stack on deep nesting and on
    long chains of operators.
    """
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise RequestTooLargeError(
            f"{what} is {size} bytes, over the limit of {max_bytes} bytes (KGPUB_MAX_QUERY_BYTES)"
        )
    _check_characters(text, what)
    lexed = lex(text)
    if lexed.depth > max_depth:
        raise UnsafeInputError(
            f"{what} nests brackets more than {max_depth} levels deep "
            "(KGPUB_MAX_QUERY_DEPTH); it is refused before parsing"
        )
    if lexed.operators > max_operators:
        raise UnsafeInputError(
            f"{what} chains more than {max_operators} operators and pattern keywords "
            "(OPTIONAL, UNION, FILTER, +, !, /, ...; KGPUB_MAX_QUERY_OPERATORS); it is "
            "refused before parsing, which recurses once per operator. Use VALUES or IN "
            "for long lists"
        )
    if lexed.collection > max_operators:
        raise UnsafeInputError(
            f"{what} has a collection ( ... ) of {lexed.collection} items, over the limit of "
            f"{max_operators} (KGPUB_MAX_QUERY_OPERATORS); it is refused before parsing"
        )


def _check_characters(text: str, what: str) -> None:
    """A NUL or a byte order mark: UTF-16 (or UTF-8 with a BOM) sent as plain UTF-8."""
    if text.startswith("\ufeff"):
        raise UnsafeInputError(
            f"{what} starts with a byte order mark (U+FEFF); send UTF-8 without one"
        )
    nul = text.find("\x00")
    if nul >= 0:
        raise UnsafeInputError(
            f"{what} contains a NUL character (U+0000) at character {nul}; SPARQL requests "
            "are UTF-8, and NULs usually mean it was sent as UTF-16"
        )


# --- RDF documents ---------------------------------------------------------

_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_NESTED_SYNTAXES = frozenset(
    {ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N3, ox.RdfFormat.JSON_LD}
)


def check_rdf(data: bytes, fmt: ox.RdfFormat, name: str, max_depth: int) -> None:
    """Refuse an RDF document no parser should be handed.

    - RDF/XML with a ``<!DOCTYPE`` or ``<!ENTITY`` declaration (entity
      expansion bombs), or not UTF-8 (so the byte scan cannot be dodged).
    - Turtle, TriG, N3 and JSON-LD nested deeper than ``max_depth``.
    - JSON-LD whose ``@context`` (or ``@import``) names a document by IRI:
      resolving it would make the server fetch a URL chosen by the sender;
      and JSON-LD with a key repeated in one object (two ``@context`` keys).
    N-Triples and N-Quads are line-based and need no check.
    """
    if fmt == ox.RdfFormat.RDF_XML:
        _check_xml(data, name, max_depth)
        return
    if fmt not in _NESTED_SYNTAXES:
        return
    text = _decode(data, name)
    if nesting_depth(text, stop_above=max_depth) > max_depth:
        raise UnsafeInputError(
            f"{name}: the document nests brackets more than {max_depth} levels deep "
            "(KGPUB_MAX_QUERY_DEPTH); it is refused before parsing"
        )
    if fmt == ox.RdfFormat.JSON_LD:
        _check_contexts(text, name)


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnsafeInputError(f"{name}: the document is not UTF-8 (byte {exc.start})") from exc


def _check_xml(data: bytes, name: str, max_depth: int) -> None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise UnsafeInputError(f"{name}: RDF/XML must be UTF-8 encoded")
    if _DTD.search(data):
        raise UnsafeInputError(
            f"{name}: RDF/XML with a DOCTYPE or ENTITY declaration is refused "
            "(entity expansion can exhaust memory and time); remove the DTD"
        )
    if xml_depth(data, stop_above=max_depth) > max_depth:
        raise UnsafeInputError(
            f"{name}: the RDF/XML nests elements more than {max_depth} levels deep "
            "(KGPUB_MAX_QUERY_DEPTH); it is refused before parsing"
        )


def xml_depth(data: bytes, stop_above: int | None = None) -> int:
    """The deepest element nesting of an XML document, by a linear tag scan.

    Comments, CDATA sections and processing instructions are skipped; an
    unterminated one ends the scan (the parser will reject the document).
    """
    depth = deepest = 0
    pos, end = 0, len(data)
    while pos < end:
        pos = data.find(b"<", pos)
        if pos < 0:
            break
        for opener, closer in ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>")):
            if data.startswith(opener, pos):
                stop = data.find(closer, pos + len(opener))
                pos = end if stop < 0 else stop + len(closer)
                break
        else:
            close = _tag_end(data, pos + 1)
            if close < 0:
                break
            if data.startswith(b"</", pos):
                depth = max(0, depth - 1)
            elif data[close - 1 : close] != b"/" and not data.startswith(b"<!", pos):
                depth += 1
                deepest = max(deepest, depth)
                if stop_above is not None and deepest > stop_above:
                    return deepest
            pos = close + 1
    return deepest


def _tag_end(data: bytes, pos: int) -> int:
    """The index of the ``>`` ending the tag, skipping quoted attribute values."""
    end = len(data)
    while pos < end:
        char = data[pos]
        if char == 0x3E:  # >
            return pos
        if char in (0x22, 0x27):  # " or '
            stop = data.find(bytes([char]), pos + 1)
            if stop < 0:
                return -1
            pos = stop + 1
        else:
            pos += 1
    return -1


def _check_contexts(text: str, name: str) -> None:
    """Refuse remote contexts, reading the document as the JSON-LD parser will.

    JSON allows an object to repeat a key, and readers differ on which one
    counts (``json.loads`` keeps the last): two ``@context`` keys would show
    this check one context and a parser the other. So a repeated key anywhere
    is refused, and every ``@context`` and ``@import`` that remains is checked.
    """

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in pairs:
            if key in seen:
                raise UnsafeInputError(
                    f"{name}: a JSON object has the key {key!r} more than once; JSON-LD "
                    "readers disagree on which one counts, so duplicate keys are refused"
                )
            seen[key] = value
        return seen

    try:
        document = json.loads(text, object_pairs_hook=unique)
    except ValueError:
        return  # not JSON: the parser reports the located syntax error
    for value in _context_values(document):
        if isinstance(value, str):
            raise UnsafeInputError(
                f"{name}: the JSON-LD @context refers to {value!r}; remote contexts are "
                "never fetched, embed the context in the document"
            )


def _context_values(document: Any) -> Iterator[Any]:
    """Every ``@context`` entry and ``@import`` value, depth-first, without recursion.

    The depth was checked before, so the explicit stack stays small.
    """
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "@context":
                    yield from value if isinstance(value, list) else [value]
                elif key == "@import":
                    yield value
                stack.append(value)


def query_limits(settings: Settings) -> dict[str, int]:
    """The keyword arguments ``sparql.parse_request`` takes for the configured limits."""
    return {
        "max_query_bytes": settings.max_query_bytes,
        "max_query_depth": settings.max_query_depth,
        "max_query_operators": settings.max_query_operators,
    }
