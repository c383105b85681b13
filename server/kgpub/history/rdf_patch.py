"""RDF Patch (``text/rdf-patch``): a revision's graph change, written and read strictly.

RDF Patch (https://afs.github.io/rdf-delta/rdf-patch.html) is the change format
Apache Jena reads: one row per line, each ended by a ``.`` — ``H`` header
(``id``, ``prev`` chain the patches of a log), ``TX``/``TC``/``TA`` around a
transaction, ``PA``/``PD`` prefix add/delete, ``A``/``D`` quad add/delete
(three terms for the default graph, four for a named graph).

The writer takes each term's N-Triples form from pyoxigraph; the parser is a
tokenizer of its own, written against the spec and not against the writer. No
RDF Patch reader of another project can be run here (Debian's Jena 4.5 lacks
jena-rdfpatch, Maven Central is out of reach, none is packaged on PyPI, npm or
Debian), so the second implementation is Apache Jena's RIOT on the rows' terms:
it reads every row the writer writes, and this parser reads rows Jena's
N-Triples formatter writes (tests/history/test_rdf_patch_jena.py); the row
codes and transactions are checked by this parser alone.
Input that breaks the grammar raises :class:`kgpub.errors.PatchSyntaxError`
naming the line and column. RDF 1.2 triple terms are written ``<<( s p o )>>``;
the RDF-star form ``<< s p o >>`` is read too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal as Kind

from pyoxigraph import (
    BaseDirection,
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    Triple,
)

from kgpub.errors import PatchSyntaxError
from kgpub.history.patch_lexer import RowLexer, Token
from kgpub.rdf.formats import RDF_PATCH

MEDIA_TYPE = RDF_PATCH.media_type
MAX_LINE = 1 << 20
"""The longest row the parser reads (characters): a bound on what one row may cost."""
MAX_NESTING = 32
"""The deepest triple term read: deeper nesting is refused before Python's stack is."""

Term = NamedNode | BlankNode | Literal | Triple
GraphName = NamedNode | BlankNode | DefaultGraph
Op = Kind["A", "D"]


@dataclass(frozen=True)
class Change:
    """One ``A`` (add) or ``D`` (delete) row."""

    op: Op
    quad: Quad


@dataclass(frozen=True)
class Patch:
    """A parsed patch: its header rows, prefix rows and the changes of committed transactions."""

    header: tuple[tuple[str, Term], ...]
    changes: tuple[Change, ...]
    prefixes_added: tuple[tuple[str, str], ...] = ()
    prefixes_deleted: tuple[str, ...] = ()

    def header_value(self, key: str) -> Term | None:
        return next((value for name, value in self.header if name == key), None)

    @property
    def added(self) -> tuple[Quad, ...]:
        return tuple(c.quad for c in self.changes if c.op == "A")

    @property
    def deleted(self) -> tuple[Quad, ...]:
        return tuple(c.quad for c in self.changes if c.op == "D")


# ---------------------------------------------------------------------------------- writing


def _term(term: Term | GraphName) -> str:
    if isinstance(term, Triple):
        return f"<<( {_term(term.subject)} {_term(term.predicate)} {_term(term.object)} )>>"
    return str(term)


def write_patch(
    added: Iterable[Quad],
    deleted: Iterable[Quad],
    *,
    patch_id: str | None = None,
    prev: str | None = None,
    prefixes: Sequence[tuple[str, str]] = (),
) -> str:
    """The change as one transaction: ``H id``/``H prev``, ``TX``, prefixes, ``D``, ``A``, ``TC``.

    Deletions come first so that applying the rows in order gives the new state
    even when a quad is deleted and added again. ``patch_id``/``prev`` are IRIs
    (``uuid:…`` or a revision IRI).
    """
    rows: list[str] = []
    if patch_id is not None:
        rows.append(f"H id {_term(NamedNode(patch_id))} .")
    if prev is not None:
        rows.append(f"H prev {_term(NamedNode(prev))} .")
    rows.append("TX .")
    rows.extend(f"PA {_term(Literal(p))} {_term(Literal(iri))} ." for p, iri in prefixes)
    for op, quads in (("D", deleted), ("A", added)):
        for quad in quads:
            terms = [quad.subject, quad.predicate, quad.object]
            if not isinstance(quad.graph_name, DefaultGraph):
                terms.append(quad.graph_name)
            rows.append(f"{op} {' '.join(_term(t) for t in terms)} .")
    rows.append("TC .")
    return "\n".join(rows) + "\n"


# ---------------------------------------------------------------------------------- parsing


class _Row:
    """One row's tokens turned into terms, with the row's line for its faults."""

    def __init__(self, line: RowLexer) -> None:
        self.line = line
        tokens = list(line.tokens())
        if not tokens:
            raise line.fail("an empty row")
        if tokens[-1].kind != "dot":
            raise line.fail("a row not ended by '.'", len(line.text.rstrip()) + 1)
        self.code = tokens[0]
        self.rest = tokens[1:-1]
        self.index = 0
        self.depth = 0

    def done(self) -> bool:
        return self.index >= len(self.rest)

    def take(self) -> Token:
        if self.done():
            raise self.line.fail(f"too few items for {self.code.value}")
        token = self.rest[self.index]
        self.index += 1
        return token

    def term(self) -> Term:
        token = self.take()
        try:
            return self._term(token)
        except ValueError as exc:
            raise self.line.fail(str(exc), token.column) from None

    def _term(self, token: Token) -> Term:
        if token.kind == "iri":
            return NamedNode(token.value)
        if token.kind == "bnode":
            return BlankNode(token.value[2:])
        if token.kind == "literal":
            return _literal(token)
        if token.kind == "open":
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise self.line.fail(f"triple terms nested over {MAX_NESTING} deep", token.column)
            triple = Triple(self.subject(), self.predicate(), self.term())
            self.depth -= 1
            close = self.take()
            if close.kind != "close" or (close.value == ")>>") != (token.value == "<<("):
                raise self.line.fail(
                    f"a triple term opened by {token.value} not closed", close.column
                )
            return triple
        raise self.line.fail(f"{token.value!r} where an RDF term belongs", token.column)

    def subject(self) -> NamedNode | BlankNode:
        start = self.index
        term = self.term()
        if not isinstance(term, NamedNode | BlankNode):
            raise self.line.fail(
                "a subject must be an IRI or a blank node", self.rest[start].column
            )
        return term

    def predicate(self) -> NamedNode:
        start = self.index
        term = self.term()
        if not isinstance(term, NamedNode):
            raise self.line.fail("a predicate must be an IRI", self.rest[start].column)
        return term

    def string(self) -> str:
        token = self.take()
        if token.kind == "literal" and token.language is None and token.datatype is None:
            return token.value
        if token.kind in ("word", "iri"):
            return token.value.rstrip(":")
        raise self.line.fail("a prefix or IRI expected", token.column)

    def end(self) -> None:
        if not self.done():
            raise self.line.fail(
                f"too many items for {self.code.value}", self.rest[self.index].column
            )


def _literal(token: Token) -> Literal:
    if token.datatype is not None:
        return Literal(token.value, datatype=NamedNode(token.datatype))
    if token.direction is not None:
        direction = BaseDirection.LTR if token.direction == "ltr" else BaseDirection.RTL
        return Literal(token.value, language=token.language, direction=direction)
    return Literal(token.value, language=token.language)


def _quad(row: _Row) -> Quad:
    subject, predicate, obj = row.subject(), row.predicate(), row.term()
    graph: GraphName = DefaultGraph()
    if not row.done():
        start = row.index
        name = row.term()
        if not isinstance(name, NamedNode | BlankNode):
            raise row.line.fail(
                "a graph name must be an IRI or a blank node", row.rest[start].column
            )
        graph = name
    row.end()
    return Quad(subject, predicate, obj, graph)


class _Reader:
    """The rows in order: header first, transactions neither nested nor left open."""

    def __init__(self) -> None:
        self.header: list[tuple[str, Term]] = []
        self.changes: list[Change] = []
        self.pending: list[Change] = []
        self.prefixes_added: list[tuple[str, str]] = []
        self.prefixes_deleted: list[str] = []
        self.in_tx = False
        self.tx_line = 0
        self.seen_body = False

    def row(self, row: _Row) -> None:
        code = row.code
        if code.kind != "word":
            raise row.line.fail("a row must start with its code", code.column)
        handler = _HANDLERS.get(code.value)
        if handler is None:
            raise row.line.fail(f"unknown row code {code.value!r}", code.column)
        handler(self, row)

    def on_header(self, row: _Row) -> None:
        if self.seen_body:
            raise row.line.fail("a header row after the patch body began", row.code.column)
        key = row.take()
        if key.kind != "word":
            raise row.line.fail("a header key must be a word", key.column)
        value = row.term()
        row.end()
        self.header.append((key.value, value))

    def on_tx(self, row: _Row) -> None:
        self.seen_body = True
        row.end()
        if self.in_tx:
            raise row.line.fail("TX inside an open transaction", row.code.column)
        self.in_tx = True
        self.tx_line = row.line.number

    def on_commit(self, row: _Row) -> None:
        row.end()
        if not self.in_tx:
            raise row.line.fail(f"{row.code.value} without TX", row.code.column)
        if row.code.value == "TC":
            self.changes.extend(self.pending)
        self.pending = []
        self.in_tx = False

    def on_change(self, row: _Row) -> None:
        self.seen_body = True
        op: Op = "A" if row.code.value == "A" else "D"
        change = Change(op, _quad(row))
        (self.pending if self.in_tx else self.changes).append(change)

    def on_prefix(self, row: _Row) -> None:
        self.seen_body = True
        prefix = row.string()
        if row.code.value == "PA":
            self.prefixes_added.append((prefix, row.string()))
        elif not row.done():
            row.string()
        row.end()
        if row.code.value == "PD":
            self.prefixes_deleted.append(prefix)


_HANDLERS = {
    "H": _Reader.on_header,
    "TX": _Reader.on_tx,
    "TC": _Reader.on_commit,
    "TA": _Reader.on_commit,
    "A": _Reader.on_change,
    "D": _Reader.on_change,
    "PA": _Reader.on_prefix,
    "PD": _Reader.on_prefix,
}


def parse_patch(text: str, *, max_line: int = MAX_LINE) -> Patch:
    """Read an RDF Patch; a fault raises :class:`PatchSyntaxError` with line and column.

    Changes of an aborted transaction (``TA``) are dropped; rows outside any
    transaction apply as they stand. A transaction left open at the end is an
    error: the patch was cut off.
    """
    reader = _Reader()
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.removesuffix("\r")
        if len(line) > max_line:
            raise PatchSyntaxError("rdf-patch", f"a row over {max_line} characters", number, 1)
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        reader.row(_Row(RowLexer(line, number)))
    if reader.in_tx:
        raise PatchSyntaxError(
            "rdf-patch", "a transaction (TX) not ended by TC or TA", reader.tx_line, 1
        )
    return Patch(
        tuple(reader.header),
        tuple(reader.changes),
        tuple(reader.prefixes_added),
        tuple(reader.prefixes_deleted),
    )
