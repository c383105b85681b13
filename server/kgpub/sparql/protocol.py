"""The SPARQL 1.1 Protocol, independent of any web framework.

This module turns the parts of an HTTP request (method, raw query string,
Content-Type, body) into a query operation, or a domain error saying exactly
which rule of the protocol the request breaks; it then runs the query and
serialises the result in the negotiated format. Keeping it free of FastAPI
lets the protocol be tested as plain functions and the routes stay thin.

See https://www.w3.org/TR/sparql11-protocol/ section 2.1 (query operation).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from urllib.parse import parse_qsl

import pyoxigraph as ox

from kgpub import guards
from kgpub.errors import (
    MalformedRequestError,
    QueryRefusedError,
    UnsupportedMediaTypeError,
    UpdateRefusedError,
)
from kgpub.lexer import lex
from kgpub.rdf.formats import Representation
from kgpub.rdflib_grammar import GRAMMAR_LOCK
from kgpub.sparql.operation import QueryOperation
from kgpub.sparql.results import ResultLimits, write_query
from kgpub.sparql.time_travel import at_parameter
from kgpub.store.oxigraph import Store

QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
FORM_TYPE = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Answer:
    """A serialised query result, ready to send."""

    body: bytes
    representation: Representation
    engine_seconds: float


def parse_request(
    method: str,
    query_string: bytes,
    content_type: str | None,
    body: bytes,
    base_iri: str | None = None,
    *,
    max_query_bytes: int = guards.DEFAULT_MAX_QUERY_BYTES,
    max_query_depth: int = guards.DEFAULT_MAX_DEPTH,
    max_query_operators: int = guards.DEFAULT_MAX_OPERATORS,
) -> QueryOperation | None:
    """The query operation a GET or POST carries; ``None`` for a GET with no query.

    Raises ``UnsupportedMediaTypeError`` (415), ``MalformedRequestError`` (400)
    or ``UpdateRefusedError`` (403) for requests the protocol rejects, and
    ``RequestTooLargeError`` (413) or ``UnsafeInputError`` (400) for a query or
    update over the size or nesting limit, before any parser sees it.
    """
    limits = {
        "max_bytes": max_query_bytes,
        "max_depth": max_query_depth,
        "max_operators": max_query_operators,
    }
    params = _form_params(query_string, "the URL's query string")
    direct_query: str | None = None
    if method == "POST":
        body_params, direct_query = _post_body(content_type, body, params, limits)
        params += body_params
    queries, updates = _operations(params, direct_query, limits)
    if updates:
        if method != "POST":
            raise MalformedRequestError("updates must be sent with POST, never GET")
        refuse_update(updates[0], params)
    # Checked even without a query, so a malformed request never passes for valid.
    default_graphs = _graph_iris(params, "default-graph-uri")
    named_graphs = _graph_iris(params, "named-graph-uri")
    if not queries:
        if method == "POST":
            raise MalformedRequestError("the request has no query parameter")
        return None
    timeout = _timeout(params)
    at = at_parameter(params)
    return QueryOperation.of(queries[0], default_graphs, named_graphs, base_iri, timeout, at=at)


def _operations(
    params: list[tuple[str, str]], direct_query: str | None, limits: dict[str, int]
) -> tuple[list[str], list[str]]:
    """The request's queries and updates: at most one of either, each within the limits."""
    queries = [value for name, value in params if name == "query"]
    updates = [value for name, value in params if name == "update"]
    if direct_query is not None:
        queries.append(direct_query)
    if len(queries) > 1:
        raise MalformedRequestError("the request has more than one query; send exactly one")
    if len(updates) > 1:
        raise MalformedRequestError("the request has more than one update; send exactly one")
    if queries and updates:
        raise MalformedRequestError("the request has both a query and an update; send one")
    for text in queries:
        guards.check_query(text, what="the query", **limits)
    for text in updates:
        guards.check_query(text, what="the update", **limits)
    return queries, updates


def _timeout(params: list[tuple[str, str]]) -> float | None:
    """The ``timeout`` parameter: a positive number of seconds, as Fuseki reads it."""
    values = [value for name, value in params if name == "timeout"]
    if not values:
        return None
    if len(values) > 1:
        raise MalformedRequestError("the request has more than one timeout; send at most one")
    try:
        seconds = float(values[0])
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise MalformedRequestError(
            f"timeout must be a positive number of seconds, not {values[0][:40]!r}"
        )
    return seconds


def _post_body(
    content_type: str | None,
    body: bytes,
    url_params: list[tuple[str, str]],
    limits: dict[str, int],
) -> tuple[list[tuple[str, str]], str | None]:
    """The parameters of a form body, or the query of a direct POST."""
    mime, charset = _media_type(content_type)
    if mime == FORM_TYPE:
        return _form_params(body, "the form body"), None
    if mime not in (QUERY_TYPE, UPDATE_TYPE):
        raise UnsupportedMediaTypeError(
            "a POST to the SPARQL endpoint needs Content-Type "
            f"{QUERY_TYPE} or {FORM_TYPE}" + (f", not {mime}" if mime else "; the request has none")
        )
    text = _utf8(body, "the request body")
    if charset is not None and charset.lower() not in ("utf-8", "utf8"):
        raise UnsupportedMediaTypeError(f"{mime} must be UTF-8 encoded, not charset={charset}")
    if any(name in ("query", "update") for name, _ in url_params):
        raise MalformedRequestError(
            f"a {mime} POST carries the operation in its body; "
            "the URL must not have a query or update parameter too"
        )
    guards.check_query(text, what="the update" if mime == UPDATE_TYPE else "the query", **limits)
    if mime == UPDATE_TYPE:
        refuse_update(text, url_params)
    return [], text


def _media_type(content_type: str | None) -> tuple[str, str | None]:
    if content_type is None:
        return "", None
    mime, *rest = content_type.split(";")
    charset = None
    for param in rest:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"')
    return mime.strip().lower(), charset


def _utf8(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedRequestError(
            f"{where} is not valid UTF-8 (byte {exc.start}); SPARQL requests are UTF-8"
        ) from exc


def _form_params(data: bytes, where: str) -> list[tuple[str, str]]:
    """Decode ``application/x-www-form-urlencoded`` data; percent-escapes must be UTF-8."""
    text = _utf8(data, where)
    try:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise MalformedRequestError(f"{where} has percent-escapes that are not UTF-8") from exc


def _graph_iris(params: list[tuple[str, str]], name: str) -> tuple[str, ...]:
    iris = tuple(value for key, value in params if key == name)
    for iri in iris:
        try:
            ox.NamedNode(iri)
        except ValueError as exc:
            raise MalformedRequestError(f"{name}={iri!r} is not an absolute IRI: {exc}") from exc
    return iris


def keywords(query: str) -> frozenset[str]:
    """The bare words of a query, upper-cased: its keywords and function names.

    pyoxigraph does not expose its parsed algebra to Python, so dataset
    clauses and SERVICE are found on the tokens of ``kgpub.lexer``, the one
    scan every guard shares.
    """
    return lex(query).keywords


def query_form(query: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE, read lexically; ``None`` if there is none."""
    return lex(query).form


def check_allowed(query: str) -> None:
    """Refuse what a public read-only endpoint must not do on a client's behalf.

    ``SERVICE`` would make pyoxigraph fetch from any URL the client names
    (request forgery from the server's network), so federation is refused.
    """
    if "SERVICE" in keywords(query):
        raise QueryRefusedError(
            "federated queries (SERVICE) are not supported by this endpoint; "
            "it answers from its own graphs only"
        )


def execute(
    store: Store, operation: QueryOperation, accept: str | None, format_param: str | None
) -> Answer:
    """Run the query in this thread and serialise its result in the format the client prefers.

    For the command line and tests; the endpoint runs queries in killable
    worker processes (``kgpub.sparql.executor``) with the same ``results.write_query``.
    """
    check_allowed(operation.query)
    output = io.BytesIO()
    written = write_query(store, operation, accept, format_param, output, limits=ResultLimits())
    return Answer(output.getvalue(), written.representation, written.engine_seconds)


def refuse_update(update: str, params: list[tuple[str, str]]) -> None:
    """Answer an update on this read-only endpoint as the protocol orders.

    A malformed update or one whose dataset is given twice (``using-graph-uri``
    parameters and USING/WITH in the text) is a client error, 400, like on a
    writable endpoint; a well-formed one is refused with 403. The update is
    parsed by rdflib's SPARQL grammar and never executed, so nothing it names
    (LOAD, SERVICE) is ever fetched.
    """
    from pyparsing import ParseException  # noqa: PLC0415 - only updates need the grammar

    try:
        with GRAMMAR_LOCK:  # rdflib's grammar is not thread-safe (kgpub.rdflib_grammar)
            from rdflib.plugins.sparql.parser import parseUpdate  # noqa: PLC0415

            parseUpdate(update)
    except ParseException as exc:
        raise MalformedRequestError(f"the update is not valid SPARQL 1.1 Update: {exc}") from exc
    except RecursionError as exc:
        # rdflib's grammar recurses per group: about 40 levels exhaust Python's stack.
        raise MalformedRequestError(
            "the update is nested too deeply for the update parser; it is refused"
        ) from exc
    dataset_params = [n for n, _ in params if n in ("using-graph-uri", "using-named-graph-uri")]
    if dataset_params and {"USING", "WITH"} & lex(update).keywords:
        raise MalformedRequestError(
            f"the update names its dataset with USING or WITH and with {dataset_params[0]}; "
            "use one of them"
        )
    raise UpdateRefusedError(
        "this endpoint is read-only; updates are not accepted", update, tuple(params)
    )
