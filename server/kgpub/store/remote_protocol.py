"""The SPARQL 1.1 Protocol as kgpub's client speaks it: what to ask a backend for, and
how to read what comes back.

The answer's kind is known before asking, from the query's form (a lexical
scan, since the backend's dialect may be more than pyoxigraph parses), so the
``Accept`` header asks for SPARQL JSON/XML results or N-Triples/Turtle and never
lets a server pick a result-set rendering of a graph. Answers are read in full
and checked through to their last row before they are handed on.

What Virtuoso 7 (Debian's 7.2.5) writes differently is read as what it means:
blank nodes named ``nodeID://b10000`` (not a valid label elsewhere), booleans
as ``"1"^^xsd:boolean``, and ASK answered as a one-row result set binding
``__ASK_RETVAL`` to 1 or 0. Its "anytime" partial results (``X-SQL-State:
S1TAT``) and results cut at ``ResultSetMaxRows`` (``X-SPARQL-MaxRows``) are
refused rather than passed on as complete.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pyoxigraph as ox

from kgpub import guards
from kgpub.errors import BackendError, BackendTimeoutError, KgpubError, ResultTooLargeError
from kgpub.lexer import lex
from kgpub.namespaces import XSD
from kgpub.store.protocol import QueryResult

_RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"
ACCEPT = {
    "SELECT": _RESULTS_ACCEPT,
    "ASK": _RESULTS_ACCEPT,
    "CONSTRUCT": _GRAPH_ACCEPT,
    "DESCRIBE": _GRAPH_ACCEPT,
    "": f"{_RESULTS_ACCEPT}, application/n-triples;q=0.8, text/turtle;q=0.7",
}


def read_answer(response: httpx.Response, form: str, max_depth: int) -> QueryResult:
    """A backend's 200 answer as pyoxigraph results, checked through to the end."""
    headers = response.headers
    if headers.get("x-sql-state", "").upper() == "S1TAT":
        # Virtuoso's "anytime" queries: a partial result, cut off at its time limit.
        raise BackendTimeoutError(
            "the SPARQL backend stopped the query at its time limit and offered an "
            "incomplete result; narrow the query"
        )
    cap = _row_cap(headers.get("x-sparql-maxrows"))
    media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    results_format = ox.QueryResultsFormat.from_media_type(media_type) if media_type else None
    if results_format is not None and form in ("SELECT", "ASK", ""):
        return _solutions(response.content, results_format, form, cap)
    rdf_format = ox.RdfFormat.from_media_type(media_type) if media_type else None
    if rdf_format is not None and form in ("CONSTRUCT", "DESCRIBE", ""):
        return _triples(response.content, rdf_format, max_depth, cap)
    raise BackendError(
        f"the SPARQL backend answered a {form or 'query'} with {media_type or 'no content type'}"
    )


def _row_cap(header: str | None) -> int | None:
    """Virtuoso's ``X-SPARQL-MaxRows``: sent when a result reached its ResultSetMaxRows."""
    if header is None:
        return None
    try:
        return max(0, int(header))
    except ValueError:
        return 0


def _check_cap(rows: int, cap: int | None) -> None:
    # A result of exactly the cap may be complete (LIMIT 10000), but cannot be told
    # from a cut one; one shorter than the cap is complete.
    if cap is not None and rows >= cap:
        raise ResultTooLargeError(
            f"the SPARQL backend cut the result at {cap} rows, its limit; "
            "add a LIMIT below it or narrow the query"
        )


def _solutions(body: bytes, fmt: ox.QueryResultsFormat, form: str, cap: int | None) -> QueryResult:
    body = _normalise(body, fmt)
    checked = _check_solutions(body, fmt)
    if isinstance(checked, str):
        raise BackendError(f"the SPARQL backend's answer is not valid {fmt}: {checked}")
    rows, boolean = checked
    if boolean is not None and (form == "ASK" or rows < 0):
        return _boolean(boolean)
    _check_cap(rows, cap)
    return ox.parse_query_results(body, fmt)


def _check_solutions(body: bytes, fmt: ox.QueryResultsFormat) -> tuple[int, bool | None] | str:
    """(rows, boolean) of an answer parsed to its end, or the parser's complaint.

    rows is -1 for a boolean answer; for rows, boolean is what Virtuoso means by
    an ASK answered with rows (one binding 1 or 0). No pyoxigraph result leaves
    this frame, not even in a traceback: they may only be dropped on the thread
    that made them, and an error may be handled on another.
    """
    try:
        result = ox.parse_query_results(body, fmt)
        if isinstance(result, ox.QueryBoolean):
            return -1, bool(result)
        rows, true = 0, False
        first = result.variables[0] if result.variables else None
        for row in result:
            rows += 1
            value = row[first] if first is not None else None
            true = true or (isinstance(value, ox.Literal) and value.value in ("1", "true"))
        return rows, true
    except (SyntaxError, ValueError) as exc:
        return str(exc)


def _boolean(value: bool) -> ox.QueryBoolean:
    # Made on the thread that uses it, as every pyoxigraph result must be.
    text = b'{"head":{},"boolean":true}' if value else b'{"head":{},"boolean":false}'
    result = ox.parse_query_results(text, ox.QueryResultsFormat.JSON)
    assert isinstance(result, ox.QueryBoolean)
    return result


def _triples(
    body: bytes, fmt: ox.RdfFormat, max_depth: int, cap: int | None
) -> Iterator[ox.Triple]:
    triples = _parse_triples(body, fmt, max_depth)
    if isinstance(triples, str):
        raise BackendError(f"the SPARQL backend's answer is not valid {fmt}: {triples}")
    _check_cap(len(triples), cap)
    return iter(triples)


def _parse_triples(body: bytes, fmt: ox.RdfFormat, max_depth: int) -> list[ox.Triple] | str:
    """Every triple of a graph answer, or what is wrong with it (no parser in a traceback)."""
    try:
        guards.check_rdf(body, fmt, "the SPARQL backend's answer", max_depth)
        parsed = ox.parse(body, format=fmt)
        return [_canonical(t if isinstance(t, ox.Triple) else t.triple) for t in parsed]
    except (KgpubError, SyntaxError, ValueError) as exc:
        return str(exc)


_XSD_BOOLEAN = XSD + "boolean"
_BNODE_XML = re.compile(rb"<bnode>([^<]*)</bnode>")
_BOOLEAN_XML = re.compile(
    rb'(<literal datatype="' + _XSD_BOOLEAN.encode() + rb'">)\s*([01])\s*(</literal>)'
)
_BNODE_INVALID = re.compile(r"[^A-Za-z0-9_-]")
_CANONICAL = {"1": "true", "0": "false"}


def blank_label(label: str) -> str:
    """A blank node label pyoxigraph accepts for one a backend wrote (``nodeID://b1``)."""
    label = label.removeprefix("nodeID://")
    return _BNODE_INVALID.sub(lambda m: f"x{ord(m.group()):x}x", label) or "b"


def _normalise(body: bytes, fmt: ox.QueryResultsFormat) -> bytes:
    """Virtuoso's blank node labels made valid, its booleans (``"1"``) made canonical."""
    if fmt == ox.QueryResultsFormat.XML:
        if b"<bnode>" in body:
            body = _BNODE_XML.sub(
                lambda m: b"<bnode>" + blank_label(m.group(1).decode()).encode() + b"</bnode>",
                body,
            )
        return _BOOLEAN_XML.sub(
            lambda m: m.group(1) + (b"true" if m.group(2) == b"1" else b"false") + m.group(3),
            body,
        )
    if fmt != ox.QueryResultsFormat.JSON or (
        b'"bnode"' not in body and _XSD_BOOLEAN.encode() not in body
    ):
        return body
    try:
        document = json.loads(body)
        for row in document["results"]["bindings"]:
            for term in row.values():
                if term.get("type") == "bnode":
                    term["value"] = blank_label(str(term["value"]))
                elif term.get("datatype") == _XSD_BOOLEAN:
                    term["value"] = _CANONICAL.get(term["value"], term["value"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return body  # not what it seems: the parser will say what is wrong
    return json.dumps(document).encode()


def _canonical(triple: ox.Triple) -> ox.Triple:
    o = triple.object
    if isinstance(o, ox.Literal) and o.value in _CANONICAL and o.datatype.value == _XSD_BOOLEAN:
        literal = ox.Literal(_CANONICAL[o.value], datatype=o.datatype)
        return ox.Triple(triple.subject, triple.predicate, literal)
    return triple


_SCHEME = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]*:")


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the query's first form keyword ("" if none)."""
    return lex(sparql).form or ""


def with_base(sparql: str, base_iri: str | None) -> str:
    """The query with ``BASE <base_iri>`` in front when it has relative IRIs and no BASE.

    The protocol cannot carry a base IRI; on one line, so the backend's error
    messages keep their line numbers.
    """
    lexed = lex(sparql)
    if base_iri is None or "BASE" in lexed.keywords:
        return sparql
    relative = any(not _SCHEME.match(iri) for iri in lexed.iris)
    return f"BASE {ox.NamedNode(base_iri)} {sparql}" if relative else sparql
