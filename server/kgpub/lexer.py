"""The SPARQL 1.1 lexical rules, once, for every guard that reads a query or update.

pyoxigraph exposes no parsed algebra to Python, so kgpub decides lexically
whether a query uses SERVICE, names its dataset with FROM, how deeply it nests
and how many operators it chains. Those decisions are only as good as their
agreement with the engine: a guard that ends a comment at a line feed while
the grammar also ends it at a carriage return lets ``# x\\rSERVICE <url>``
pass as a comment and makes the server fetch the URL. So the guards no longer
carry their own patterns: they all read the one token stream made here, built
from the terminals of the SPARQL 1.1 grammar (section 19.8):

- ``COMMENT`` ends at ``\\n`` *or* ``\\r``; whitespace is space, tab, CR, LF;
- short strings may hold neither CR nor LF, long strings anything; ``ECHAR``
  escapes (a backslash and any character is consumed as a pair, as an
  invalid escape is a syntax error for the engine anyway);
- ``IRIREF`` excludes controls, space and ``<>"{}|^`\\``, with ``UCHAR``;
- prefixed names, blank node labels and variables use the grammar's
  ``PN_CHARS`` classes, so a name ends exactly where the engine ends it.

Where the engine's parser can read the same characters two ways, the scan
reads them the way that refuses more: pyoxigraph's parser matches keywords
without a lexer, so ``SERVICE:x { ... }`` is the SERVICE keyword followed by
the prefixed name ``:x`` (it fetches), although ``SERVICE:x`` is also a
prefixed name. A prefixed name whose prefix is such a keyword therefore also
counts as that keyword (``GLUED_KEYWORDS``). Unterminated strings run to the
end of their line (long ones to the end of the text), so every character is
read once and the scan is linear. ``tests/core/test_lexer_differential.py``
checks the guards' view against what pyoxigraph parses and executes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff"
    "\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
    "\U00010000-\U000effff"
)
_PN_CHARS_EXTRA = r"\u00b7\u0300-\u036f\u203f-\u2040"
"""What ``PN_CHARS`` and variable names add to ``PN_CHARS_U`` beyond ``-`` and digits."""
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"

COMMENT = r"\#[^\r\n]*"
"""A comment: to the end of the line, which a CR or an LF ends (the grammar's ``[^#xA#xD]``)."""
LONG_STRING = (
    r'"""(?:(?:""?)?(?:[^"\\]|\\[\s\S]))*(?:"""|[\s\S]*)'
    r"|'''(?:(?:''?)?(?:[^'\\]|\\[\s\S]))*(?:'''|[\s\S]*)"
)
"""A long string; unterminated, it runs to the end of the text."""
SHORT_STRING = r'"(?:[^"\\\r\n]|\\[^\r\n])*"?' r"|'(?:[^'\\\r\n]|\\[^\r\n])*'?"
"""A short string; unterminated, it runs to the end of its line."""
IRIREF = r'<(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>'


def _token_pattern(base: str, extra: str) -> re.Pattern[str]:
    """The token regex, with ``base`` as ``PN_CHARS_BASE`` and ``extra`` as what
    ``PN_CHARS`` adds (``_PN_CHARS_EXTRA``, or nothing for the ASCII-only variant)."""
    chars_u = base + "_"
    chars = chars_u + r"\-0-9" + extra
    prefix = rf"[{base}](?:[{chars}.]*[{chars}])?"
    local = rf"(?:[{chars_u}:0-9]|{_PLX})(?:(?:[{chars}.:]|{_PLX})*(?:[{chars}:]|{_PLX}))?"
    varname = rf"[{chars_u}0-9][{chars_u}0-9{extra}]*"
    return re.compile(
        rf"""
          (?P<ws> [ \t\r\n]+ )
        | (?P<comment> {COMMENT} )
        | (?P<string> {LONG_STRING} | {SHORT_STRING} )
        | (?P<iri> {IRIREF} )
        | (?P<var> [?$]{varname} )
        | (?P<bnode> _:[{chars_u}0-9](?:[{chars}.]*[{chars}])? )
        | (?P<pname> (?P<prefix>{prefix})?:(?:{local})? )
        | (?P<langtag> @[A-Za-z]+(?:-[A-Za-z0-9]+)* )
        | (?P<number> (?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)? )
        | (?P<word> [{base}][{chars_u}0-9]* )
        | (?P<anon> \[[ \t\r\n]*\] )
        | (?P<open> [{{(\[] )
        | (?P<close> [}})\]] )
        | (?P<op> \^\^ | && | \|\| | != | <= | >= | [!+\-*/|^=<>] )
        | (?P<other> [\s\S] )
        """,
        re.VERBOSE,
    )


# The grammar's character classes restricted to ASCII: on ASCII text (nearly every query)
# they match exactly what the full classes match. The full pattern takes a tenth of a
# second to compile (its classes span most of Unicode), so it is compiled for the first
# text that is not ASCII, not when the server starts.
_ASCII_TOKEN = _token_pattern("A-Za-z", "")


@lru_cache(maxsize=1)
def _unicode_token() -> re.Pattern[str]:
    return _token_pattern(_PN_CHARS_BASE, _PN_CHARS_EXTRA)


CHAINING_WORDS = frozenset(
    {"OPTIONAL", "UNION", "MINUS", "BIND", "FILTER", "GRAPH", "SERVICE", "VALUES", "EXISTS"}
)
"""Pattern keywords pyoxigraph nests one level of its algebra for, like an operator."""

GLUED_KEYWORDS = {"SERVICE": "anywhere", "LOAD": "top level", "FROM": "prologue"}
"""Keywords the engine also reads at the start of a prefixed name (``SERVICE:x``), and where:
anywhere, outside braces (an update's operations), or before the first ``{`` (a query's
dataset clauses). Never right after PREFIX, where the grammar declares a prefix."""


@dataclass(frozen=True, slots=True)
class Word:
    """A bare word of the text (keyword or function name), upper-cased."""

    text: str
    start: int
    depth: int
    """How many ``{`` enclose it."""
    previous: str
    """The word or brace just before it, upper-cased ("" at the start)."""


@dataclass(frozen=True, slots=True)
class Lexed:
    """What the guards need to know of one text, from one scan."""

    words: tuple[Word, ...]
    depth: int
    """The deepest nesting of ``{ ( [``."""
    operators: int
    """Operator characters and chaining keywords (``CHAINING_WORDS``)."""
    collection: int
    """The most terms one comma-free ``( )`` group holds."""
    iris: tuple[str, ...]
    """Every ``<IRI>`` reference, brackets included, in order."""

    @property
    def keywords(self) -> frozenset[str]:
        """Every bare word, upper-cased."""
        return frozenset(word.text for word in self.words)

    @property
    def form(self) -> str | None:
        """SELECT, ASK, CONSTRUCT or DESCRIBE: the first one (only the prologue precedes it)."""
        return next((w.text for w in self.words if w.text in QUERY_FORMS), None)


QUERY_FORMS = frozenset(("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"))


class _Scan:
    """The running state of one left-to-right scan."""

    def __init__(self) -> None:
        self.words: list[Word] = []
        self.depth = self.brace_depth = self.deepest = 0
        self.operators = self.collection = 0
        self.seen_brace = False
        self.previous = ""
        self.groups: list[list[int]] = []  # per open "(": [terms, has a comma]
        self.iris: list[str] = []

    def word(self, text: str, start: int) -> None:
        upper = text.upper()
        if upper in CHAINING_WORDS:
            self.operators += 1
        else:
            self.term()
        self.words.append(Word(upper, start, self.brace_depth, self.previous))
        self.previous = upper

    def glued(self, prefix: str, start: int, declared: bool) -> None:
        """A prefixed name whose prefix may also be read as a keyword glued to ``:local``."""
        where = GLUED_KEYWORDS.get(prefix.upper())
        glued = not declared and (
            where == "anywhere"
            or (where == "top level" and not self.brace_depth)
            or (where == "prologue" and not self.seen_brace)
        )
        if glued:
            self.word(prefix, start)
        else:
            self.term()

    def term(self) -> None:
        if self.groups:
            self.groups[-1][0] += 1

    def open(self, char: str) -> None:
        self.depth += 1
        self.deepest = max(self.deepest, self.depth)
        if char == "{":
            self.brace_depth += 1
            self.seen_brace = True
            self.previous = "{"
        elif char == "(":
            self.groups.append([0, 0])

    def close(self, char: str) -> None:
        self.depth = max(0, self.depth - 1)
        if char == "}":
            self.brace_depth = max(0, self.brace_depth - 1)
            self.previous = "}"
        elif char == ")" and self.groups:
            self.end_group(self.groups.pop())

    def end_group(self, group: list[int]) -> None:
        terms, comma = group
        if not comma:
            self.collection = max(self.collection, terms)

    def result(self) -> Lexed:
        for group in self.groups:  # left open: the parser would still read them first
            self.end_group(group)
        return Lexed(
            tuple(self.words), self.deepest, self.operators, self.collection, tuple(self.iris)
        )


_TERMS = frozenset(("string", "iri", "var", "bnode", "number", "anon"))


@lru_cache(maxsize=128)
def lex(text: str) -> Lexed:
    """Scan a SPARQL query or update once; remembered, as one request asks several guards."""
    scan = _Scan()
    after_prefix = False  # the previous token was the word PREFIX
    token = _ASCII_TOKEN if text.isascii() else _unicode_token()
    for match in token.finditer(text):
        kind = match.lastgroup
        if kind in ("ws", "comment") or kind is None:
            continue
        declared, after_prefix = after_prefix, kind == "word" and match.group().upper() == "PREFIX"
        if kind in _TERMS:
            _term(scan, kind, match.group())
        elif kind == "word":
            scan.word(match.group(), match.start())
        elif kind == "pname":
            prefix = match.group("prefix")
            if prefix:
                scan.glued(prefix, match.start(), declared)
            else:
                scan.term()
        else:
            _punctuation(scan, kind, match.group())
    return scan.result()


def _term(scan: _Scan, kind: str, text: str) -> None:
    scan.term()
    if kind == "iri":
        scan.iris.append(text)
    elif kind == "anon":  # "[ ]" still nests one level
        scan.deepest = max(scan.deepest, scan.depth + 1)


def _punctuation(scan: _Scan, kind: str, text: str) -> None:
    if kind == "open":
        scan.open(text)
    elif kind == "close":
        scan.close(text)
    elif kind == "op":
        if text != "^^":
            scan.operators += 1
    elif text == "," and scan.groups:
        scan.groups[-1][1] = 1


_NESTING = re.compile(
    rf"""
      \\[\s\S]
    | {COMMENT}
    | {LONG_STRING} | {SHORT_STRING}
    | {IRIREF}
    | (?P<open> [{{(\[] )
    | (?P<close> [}})\]] )
    """,
    re.VERBOSE,
)


def nesting_depth(text: str, stop_above: int | None = None) -> int:
    """The deepest nesting of ``{ ( [`` in a SPARQL, Turtle, TriG or JSON text.

    The same comment, string and IRI rules as ``lex``, but only the tokens
    that can hold a bracket are matched, so a large document is scanned at
    regex speed. A backslash and the character after it are one token: in a
    prefixed name ``\\#`` is an escaped ``#``, not a comment (anywhere else a
    backslash outside a string is a syntax error). With ``stop_above`` the
    scan ends as soon as the depth exceeds it.
    """
    depth = deepest = 0
    for match in _NESTING.finditer(text):
        kind = match.lastgroup
        if kind == "open":
            depth += 1
            if depth > deepest:
                deepest = depth
                if stop_above is not None and deepest > stop_above:
                    return deepest
        elif kind == "close":
            depth = max(0, depth - 1)
    return deepest
