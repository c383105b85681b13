"""The tokens of one RDF Patch row: IRIs, blank nodes, literals, words, ``.`` and ``<<(``/``)>>``.

RDF Patch rows are N-Triples-like and never span lines (a literal carries a
line break as ``\\n``), so the lexer reads one line at a time and every fault
names its line and column (1-based, in characters). Term syntax follows RDF 1.2
N-Triples: IRIs with ``\\u`` escapes, ``_:`` labels, strings with their escapes,
language tags with an optional base direction (``@ar--rtl``), ``^^`` datatypes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from kgpub.errors import PatchSyntaxError

_IRI = re.compile(r"<([^\x00-\x20<>\"{}|^`\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>")
_BNODE = re.compile(
    r"_:[A-Za-z0-9_\u00C0-\uFFFF](?:[A-Za-z0-9_\-.\u00B7\u00C0-\uFFFF]*[A-Za-z0-9_\-\u00B7\u00C0-\uFFFF])?"
)
_STRING = re.compile(r'"((?:[^"\\\n\r]|\\[tbnrf"\'\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*)"')
_LANG = re.compile(r"@([a-zA-Z]+(?:-[a-zA-Z0-9]+)*?)(?:--(ltr|rtl))?(?![A-Za-z0-9-])")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]*:?")
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        code = m.group(1) or m.group(2)
        return chr(int(code, 16)) if code else _ECHAR[m.group(3)]

    return _ESCAPE.sub(one, text)


@dataclass(frozen=True)
class Token:
    kind: str  # "iri", "bnode", "literal", "word", "dot", "open", "close"
    value: str
    column: int
    language: str | None = None
    direction: str | None = None
    datatype: str | None = None


class RowLexer:
    """The tokens of one row, read left to right; faults name line and column (1-based)."""

    def __init__(self, text: str, number: int) -> None:
        self.text = text
        self.number = number
        self.pos = 0

    def fail(self, message: str, column: int | None = None) -> PatchSyntaxError:
        col = column if column is not None else self.pos + 1
        return PatchSyntaxError("rdf-patch", message, self.number, col)

    def tokens(self) -> Iterator[Token]:
        text = self.text
        while True:
            while self.pos < len(text) and text[self.pos] in " \t":
                self.pos += 1
            if self.pos >= len(text) or text[self.pos] == "#":
                return
            yield self._next()

    def _next(self) -> Token:
        text, start = self.text, self.pos
        for opener, kind in (("<<(", "open"), (")>>", "close"), ("<<", "open"), (">>", "close")):
            if text.startswith(opener, start):
                self.pos += len(opener)
                return Token(kind, opener, start + 1)
        char = text[start]
        if char == "<":
            return self._iri(start)
        if char == '"':
            return self._literal(start)
        if text.startswith("_:", start):
            return self._match(_BNODE, "bnode", "a malformed blank node label")
        if char == ".":
            self.pos += 1
            return Token("dot", ".", start + 1)
        if char.isalpha():
            return self._match(_WORD, "word", "")
        raise self.fail(f"unexpected character {char!r}")

    def _match(self, pattern: re.Pattern[str], kind: str, what: str) -> Token:
        m = pattern.match(self.text, self.pos)
        if m is None:
            raise self.fail(what)
        self.pos = m.end()
        return Token(kind, m.group(0), m.start() + 1)

    def _iri(self, start: int) -> Token:
        m = _IRI.match(self.text, start)
        if m is None:
            raise self.fail("an IRI that is unterminated or holds a character IRIs may not")
        self.pos = m.end()
        return Token("iri", _unescape(m.group(0)[1:-1]), start + 1)

    def _literal(self, start: int) -> Token:
        m = _STRING.match(self.text, start)
        if m is None:
            raise self.fail("an unterminated string or a bad escape in it")
        self.pos = m.end()
        value = _unescape(m.group(1))
        if self.text.startswith("@", self.pos):
            lang = _LANG.match(self.text, self.pos)
            if lang is None:
                raise self.fail("a malformed language tag")
            self.pos = lang.end()
            return Token("literal", value, start + 1, lang.group(1), lang.group(2))
        if self.text.startswith("^^", self.pos):
            self.pos += 2
            if not self.text.startswith("<", self.pos):
                raise self.fail("a datatype that is not an IRI")
            datatype = self._iri(self.pos).value
            return Token("literal", value, start + 1, datatype=datatype)
        return Token("literal", value, start + 1)
