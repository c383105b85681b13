"""``/sparql``: the SPARQL 1.1 Protocol query operation, the service description and the UI.

All protocol rules live in ``kgpub.sparql.protocol``; this module only reads the
request (bounded body), hands blocking work to a worker thread and wraps the
answer in a response with ``Vary: Accept``. Results go through
``kgpub.sparql.cache``: a repeated query is answered from memory without a worker
thread, and a repeated GET by ``FastPath`` before routing.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from kgpub.errors import NotAcceptableError, UpdateRefusedError
from kgpub.guards import query_limits
from kgpub.ingest import preconditions
from kgpub.ld.query_editor import assets_installed, example_queries, render_page
from kgpub.ld.sitemap import published_articles
from kgpub.rdf.conneg import choose
from kgpub.rdf.formats import HTML, RDF_FORMATS, RESULT_FORMATS, rdf_format
from kgpub.search.sparql_function import index_file
from kgpub.sparql import service_description, time_travel
from kgpub.sparql.cache import VARY as RESULTS_VARY
from kgpub.sparql.cache import (
    CacheKey,
    Entry,
    FastPath,
    ResultCache,
    Scope,
    make_etag,
    none_match,
    request_signature,
)
from kgpub.sparql.operation import QueryOperation
from kgpub.sparql.protocol import parse_request, query_form
from kgpub.sparql.results import check_acceptable
from kgpub.sparql.runners import Runner
from kgpub.sparql.worker import Done
from kgpub.store.oxigraph import Store
from kgpub.store.protocol import QueryStore
from kgpub.web import conditional, time_gate
from kgpub.web.body import read_body
from kgpub.web.liveness import CLIENT_CLOSED, unless_disconnected
from kgpub.web.openapi import PROBLEM_CONTENT, content
from kgpub.web.routes.pages import home_page, results_page, wants_page
from kgpub.web.server_timing import CACHE
from kgpub.web.services import app_services, services
from kgpub.web.time_gate import Travel

"""Runs a well-formed SPARQL Update (its text and the request's parameters)."""

ENDPOINT = "/sparql"
_STREAM_CHUNK = 256 * 1024
# The service description in every RDF format, the query page for browsers last:
# only an Accept that prefers HTML (a browser's) gets the page.
DESCRIPTION_FORMATS = (*RDF_FORMATS, HTML)


def _format_param(request: Request) -> str | None:
    # The first value: SPARQLWrapper sends its short name first, then media types.
    values = request.query_params.getlist("format")
    return values[0] if values else None


def _endpoint_url(request: Request) -> str:
    return str(request.base_url).rstrip("/") + ENDPOINT


def _describe_or_page(request: Request) -> Response:
    """Blocking (reads the page's files, serialises): called in a worker thread."""
    rep = choose(request.headers.get("accept"), _format_param(request), DESCRIPTION_FORMATS)
    state = services(request)
    headers = {"Vary": "Accept"}
    if rep is HTML:
        page = render_page(
            ENDPOINT,
            "/static",
            example_queries(state.settings.queries_dir),
            assets_installed(),
        )
        return conditional.answer(request, page.encode(), rep.content_type, headers)
    nonce = state.dataset_nonce
    # Writable: the tag names the dataset's state too, for updates' If-Match; read
    # before the description, so a write committed meanwhile can only make it stale.
    dataset = None if nonce is None else preconditions.dataset_state(nonce, state.store.version)
    endpoint = _endpoint_url(request)
    void = (
        f"{state.settings.base_iri}.well-known/void#dataset",
        str(request.base_url).rstrip("/") + "/.well-known/void",
    )
    # kgpub:search runs in the query workers of kgpub's own store, not in a remote backend.
    functions = [index_file(state.search).function] if isinstance(state.store, Store) else []
    triples = service_description.describe(
        endpoint,
        state.graph_sizes,
        state.default_graph_size,
        "kgpub SPARQL endpoint",
        void,
        updates=state.update_handler is not None,
        functions=functions,
        articles=published_articles(state.store, state.settings.base_iri),
        features=[state.settings.base_iri + "ontology#TimeTravel"],
    )
    body = service_description.serialize(triples, rdf_format(rep))
    headers["ETag"] = make_etag(rep.media_type, body)
    if dataset is not None:
        headers["ETag"] = preconditions.dataset_etag(dataset, headers["ETag"])
    return conditional.answer(request, body, rep.content_type, headers)


def _candidate_keys(
    operation: QueryOperation,
    accept: str | None,
    format_param: str | None,
    version: int,
    travel: Travel | None,
) -> list[CacheKey]:
    """The keys the answer may be under: one per kind of result, as the form is not known yet.

    Result and graph media types never coincide, so a key found is the right one.
    """
    keys = []
    for offers in (RESULT_FORMATS, RDF_FORMATS):
        try:
            media_type = choose(accept, format_param, offers).media_type
        except NotAcceptableError:
            continue
        keys.append(_key(operation, media_type, version, travel))
    return keys


def _key(
    operation: QueryOperation, media_type: str, version: int, travel: Travel | None
) -> CacheKey:
    return CacheKey.of(
        operation.query,
        default_graphs=operation.dataset.default_graphs,
        named_graphs=operation.dataset.named_graphs,
        base_iri=operation.base_iri,
        media_type=media_type,
        version=version,
        as_of=travel.as_of if travel is not None else None,
    )


def _respond(request: Request, entry: Entry, hit: bool) -> Response:
    headers = dict(entry.headers)
    setattr(request.state, CACHE, "hit" if hit else "miss")  # read by ServerTimingMiddleware
    if request.method != "POST" and none_match(request.headers.get("if-none-match"), entry.etag):
        del headers["Content-Type"]
        return Response(status_code=304, headers=headers)
    return Response(entry.body, headers=headers)


def _store_version(scope: Scope) -> int | None:
    state = app_services(scope["app"])
    return state.store.version if state.started else None


async def sparql(request: Request) -> Response:
    store: QueryStore = services(request).store
    limit: int = services(request).settings.max_body_bytes
    body = await read_body(request, limit) if request.method == "POST" else b""
    method = "GET" if request.method == "HEAD" else request.method
    try:
        parse = functools.partial(
            parse_request,
            method,
            request.scope["query_string"],
            request.headers.get("content-type"),
            body,
            base_iri=_endpoint_url(request),
            **query_limits(services(request).settings),
        )
        # A POST may carry an update, which rdflib's grammar parses for up to a second:
        # off the event loop, so other requests go on meanwhile.
        operation = await run_in_threadpool(parse) if method == "POST" else parse()
    except UpdateRefusedError as refused:
        # A writable deployment installs a handler (authentication, SHACL gate).
        handler = services(request).update_handler
        if handler is None:
            raise
        return await handler(request, refused.update, refused.params)
    if operation is None:
        return await run_in_threadpool(_describe_or_page, request)
    at = time_travel.requested(operation.at, request.headers.get("accept-datetime"))
    operation = replace(operation, at=at)
    travel = await time_gate.travel(request, operation)
    accept, format_param = request.headers.get("accept"), _format_param(request)
    if wants_page(accept, format_param):
        memento = travel.memento_datetime if travel is not None else None
        return await results_page(request, operation, ENDPOINT, memento)
    cache: ResultCache = services(request).cache
    found = cache.lookup(_candidate_keys(operation, accept, format_param, store.version, travel))
    if found is None:
        check_acceptable(accept, format_param, query_form(operation.query))
        pool: Runner = services(request).pool
        run = functools.partial(pool.run, operation, accept, format_param)
        outcome = await unless_disconnected(request.receive, run)
        if outcome is None:
            return Response(status_code=CLIENT_CLOSED)
        done = outcome.done
        request.state.engine_seconds = done.engine_seconds  # read by ServerTimingMiddleware
        request.state.in_memory = outcome.in_memory
        memento = travel.memento_datetime if travel is not None else None
        if done.body is None:
            assert done.path is not None
            return _stream(request, done, cache.max_age, memento)
        key = _key(operation, done.representation.media_type, outcome.version, travel)
        entry = cache.put(key, done.body, done.representation.content_type, memento)
    else:
        key, entry = found
    if request.method != "POST":
        cache.remember(request_signature(request.scope), key)
    return _respond(request, entry, found is not None)


def _stream(request: Request, done: Done, max_age: int, memento: str | None) -> Response:
    """A result too large to cache, sent from the worker's spool file and then deleted.

    The query has finished before the first byte is sent, so a deadline can
    never cut a 200 response short; Content-Length lets the client check it.
    """
    path = Path(done.path or "")
    headers = {
        "Content-Length": str(done.size),
        "Vary": RESULTS_VARY,
        "Cache-Control": f"public, max-age={max_age}",
    }
    if memento is not None:
        headers["Memento-Datetime"] = memento
    media_type = done.representation.content_type
    if request.method == "HEAD":
        path.unlink(missing_ok=True)
        return Response(headers=headers, media_type=media_type)

    async def chunks() -> AsyncIterator[bytes]:
        try:
            async with await anyio.open_file(path, "rb") as result:
                while chunk := await result.read(_STREAM_CHUNK):
                    yield chunk
        finally:
            path.unlink(missing_ok=True)

    return StreamingResponse(chunks(), headers=headers, media_type=media_type)


async def home(request: Request) -> Response:
    """``/``: the home page for browsers, else the service description as ``/sparql`` has it."""
    rep = choose(request.headers.get("accept"), _format_param(request), DESCRIPTION_FORMATS)
    if rep is HTML:
        return await home_page(request)
    return await run_in_threadpool(_describe_or_page, request)


# Precise enough for a schema fuzzer (Schemathesis) to build requests the endpoint
# accepts, short of SPARQL's own grammar.
# An absolute IRI: a scheme, then no spaces, delimiters or broken percent-escapes.
_IRI: dict[str, Any] = {
    "type": "string",
    "format": "iri",
    "pattern": r'^[A-Za-z][A-Za-z0-9+.-]*:(?:[^\s<>"{}|\\^`%]|%[0-9A-Fa-f]{2})*$',
}
_SPARQL: dict[str, Any] = {"type": "string", "minLength": 1}


_GRAPH_PARAMS: list[dict[str, Any]] = [
    {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "array", "items": _IRI},
        "style": "form",
        "explode": True,
    }
    for name, description in (
        ("default-graph-uri", "A graph of the query's default graph (repeatable); local only."),
        ("named-graph-uri", "A named graph of the query's dataset (repeatable); local only."),
    )
]
_TIMEOUT_PARAM: dict[str, Any] = {
    "name": "timeout",
    "in": "query",
    "required": False,
    "description": "Seconds the query may run, at most the server's deadline; then 503.",
    "schema": {"type": "number", "exclusiveMinimum": 0},
}
_FORMAT_PARAM: dict[str, Any] = {
    "name": "format",
    "in": "query",
    "required": False,
    "description": "Overrides Accept: the short name of a result format.",
    "schema": {"type": "string", "enum": [r.name for r in (*RESULT_FORMATS, *DESCRIPTION_FORMATS)]},
}
_QUERY_PARAM: dict[str, Any] = {
    "name": "query",
    "in": "query",
    "required": False,
    "description": "A SPARQL 1.1 query; without it GET returns the service description.",
    "schema": _SPARQL,
}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Query results, or the service description (or query page) without a query.",
        "content": content((*RESULT_FORMATS, *DESCRIPTION_FORMATS)),
    },
    400: {"description": "Malformed query or request.", "content": PROBLEM_CONTENT},
    403: {"description": "An update; this endpoint is read-only.", "content": PROBLEM_CONTENT},
    406: {"description": "No offered format is acceptable.", "content": PROBLEM_CONTENT},
    413: {"description": "Request body too large.", "content": PROBLEM_CONTENT},
    408: {"description": "The request body did not arrive in time.", "content": PROBLEM_CONTENT},
    415: {"description": "Missing or wrong Content-Type.", "content": PROBLEM_CONTENT},
    422: {"description": "The result is over the row or byte limit.", "content": PROBLEM_CONTENT},
    503: {
        "description": "The query ran past its deadline and was stopped (see Retry-After).",
        "content": PROBLEM_CONTENT,
    },
}
POST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/sparql-query": {"schema": _SPARQL},
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "required": ["query"],
                "properties": {
                    "query": _SPARQL,
                    "timeout": {"type": "number", "exclusiveMinimum": 0},
                    "at": {"type": "string"},
                    "default-graph-uri": {"type": "array", "items": _IRI},
                    "named-graph-uri": {"type": "array", "items": _IRI},
                },
            }
        },
    },
}


def install(app: FastAPI) -> None:
    """Add the routes to ``app`` itself, so 405 responses can list every allowed method."""
    cache = app_services(app).cache
    app.add_middleware(
        FastPath, cache=cache, paths=(ENDPOINT, ENDPOINT + "/"), version=_store_version
    )
    # One route per method, so each gets its own OpenAPI operation; ``/sparql/``
    # (the W3C test suite's path) answers the same without a redirect.
    for path in (ENDPOINT, ENDPOINT + "/"):
        for method in ("GET", "HEAD", "POST"):
            app.add_api_route(
                path,
                sparql,
                methods=[method],
                operation_id=f"sparql_{method.lower()}",
                summary="SPARQL 1.1 Protocol query operation"
                + ("" if method == "POST" else "; service description without a query"),
                include_in_schema=path == ENDPOINT and method != "HEAD",
                responses=_RESPONSES,
                openapi_extra={
                    "parameters": [
                        *_GRAPH_PARAMS,
                        _FORMAT_PARAM,
                        _TIMEOUT_PARAM,
                        *time_gate.SPARQL_PARAMETERS,
                    ],
                    "requestBody": POST_BODY,
                }
                if method == "POST"
                else {
                    "parameters": [
                        _QUERY_PARAM,
                        *_GRAPH_PARAMS,
                        _FORMAT_PARAM,
                        _TIMEOUT_PARAM,
                        *time_gate.SPARQL_PARAMETERS,
                    ]
                },
            )
    for method in ("GET", "HEAD"):
        app.add_api_route(
            "/",
            home,
            methods=[method],
            operation_id=f"home_{method.lower()}",
            summary="Home page for browsers, service description otherwise",
            include_in_schema=method == "GET",
            responses={200: {"description": "Home page", "content": content(DESCRIPTION_FORMATS)}},
        )
