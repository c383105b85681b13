"""Only data every format can carry: no characters that XML 1.0 forbids.

RDF literals may hold any Unicode string, but RDF/XML and SPARQL XML results
cannot carry U+0000, the C0 controls other than tab, LF and CR, U+FFFE,
U+FFFF or lone surrogates (XML 1.0 §2.2, ``Char``): pyoxigraph writes them
raw, and the document no XML parser reads is served with 200. So such data
is refused where it enters (``check_quads``: uploads, Graph Store bodies,
updates' results, source files), and any result that still holds one (a
remote backend's) is caught on its way out (``xml_breaker`` on the bytes of
an XML document), so the client gets a clear error instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

import pyoxigraph as ox

from kgpub.errors import UnrepresentableDataError

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# The same in UTF-8 bytes, as an XML serialiser writes them. Lone surrogates
# cannot occur in UTF-8 output; C0 bytes never occur inside a multi-byte sequence.
_NOT_XML_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


def codepoint(char: str) -> str:
    """``U+0001`` style name of a character."""
    return f"U+{ord(char):04X}"


def _offence(value: str) -> tuple[str, int] | None:
    found = _NOT_XML.search(value)
    return None if found is None else (codepoint(found.group()), found.start())


def _check_term(term: object, role: str, quad: ox.Quad, source: str) -> None:
    if isinstance(term, ox.Triple):
        for part, name in ((term.subject, "subject"), (term.object, "object")):
            _check_term(part, f"{name} of the triple term in the {role}", quad, source)
        return
    values: tuple[tuple[str, str], ...]
    if isinstance(term, ox.Literal):
        values = ((term.value, "literal"), (term.datatype.value, "datatype IRI"))
    elif isinstance(term, ox.NamedNode):
        values = ((term.value, "IRI"),)
    else:
        return
    for value, kind in values:
        offence = _offence(value)
        if offence is not None:
            char, at = offence
            raise UnrepresentableDataError(
                f"{source}: the {kind} in the {role} of the triple with subject "
                f"{_short(quad.subject)} and predicate {_short(quad.predicate)} holds {char} "
                f"at character {at + 1}, a character XML 1.0 cannot carry (RDF/XML and SPARQL "
                "XML results could not serve it); remove or replace it"
            )


def _short(term: object) -> str:
    text = str(term)
    text = _NOT_XML.sub(lambda m: codepoint(m.group()), text)
    return text if len(text) <= 80 else text[:77] + "…"


def _texts(term: object) -> Iterator[str]:
    """Every string of a term that ``_check_term`` checks."""
    if isinstance(term, ox.Literal):
        yield term.value
        yield term.datatype.value
    elif isinstance(term, ox.NamedNode):
        yield term.value
    elif isinstance(term, ox.Triple):
        yield from _texts(term.subject)
        yield from _texts(term.object)


def _any_offence(quads: Sequence[ox.Quad]) -> bool:
    """Whether any term holds a forbidden character: one search over all their strings
    (joined by a tab, which XML allows), so clean data (nearly all) is checked fast."""
    texts: list[str] = []
    add = texts.append
    for quad in quads:
        for term in (quad.subject, quad.predicate, quad.object, quad.graph_name):
            if isinstance(term, ox.NamedNode):
                add(term.value)
            elif isinstance(term, ox.Literal):
                add(term.value)
                add(term.datatype.value)
            elif isinstance(term, ox.Triple):
                texts.extend(_texts(term))
    return _NOT_XML.search("\t".join(texts)) is not None


def check_quads(quads: Iterable[ox.Quad], source: str) -> None:
    """``UnrepresentableDataError`` naming the first term holding a character XML
    cannot carry: the character, the term and the triple it is in."""
    quads = quads if isinstance(quads, Sequence) else list(quads)
    if not _any_offence(quads):
        return
    for quad in quads:
        for term, role in (
            (quad.subject, "subject"),
            (quad.predicate, "predicate"),
            (quad.object, "object"),
            (quad.graph_name, "graph name"),
        ):
            _check_term(term, role, quad, source)


def xml_breaker(data: bytes | bytearray | memoryview) -> str | None:
    """The first character in UTF-8 ``data`` that an XML document cannot hold, as ``U+0001``."""
    found = _NOT_XML_BYTES.search(data)
    if found is None:
        return None
    return codepoint(found.group().decode("utf-8"))
