"""The one place where domain errors become HTTP responses.

Every error leaves as ``application/problem+json`` (RFC 9457) with a status
the SPARQL 1.1 Protocol prescribes, and the parser's own message where there
is one, so SPARQLWrapper, YASGUI and curl users see *why* a request failed.
Nothing here ever shows a traceback: an unexpected failure is a bare 500.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from kgpub.errors import (
    AccessDeniedError,
    AnchorMismatchError,
    AuthenticationRequiredError,
    BackendError,
    BackendTimeoutError,
    GraphNotFoundError,
    HistoryError,
    KgpubError,
    MalformedRequestError,
    NoHistoryError,
    NotAcceptableError,
    PatchConflictError,
    PatchSyntaxError,
    PreconditionFailedError,
    PreconditionRequiredError,
    ProtectedGraphError,
    QueryRefusedError,
    QuerySyntaxError,
    QueryTimeoutError,
    RdfSyntaxError,
    RequestTooLargeError,
    ResourceNotFoundError,
    ResultTooLargeError,
    RevisionInputError,
    RevisionRefusedError,
    StorageFullError,
    UnrecordedWriteError,
    UnrepresentableDataError,
    UnsafeInputError,
    UnsupportedMediaTypeError,
    UpdateFailedError,
    UpdateRefusedError,
    ValidationLimitError,
    WriteRejectedError,
)
from kgpub.ld import page_text, pages
from kgpub.rdf.conneg import negotiate
from kgpub.rdf.formats import HTML, JSON_LD, TURTLE, Representation
from kgpub.rdf.serialization import serialize
from kgpub.shacl.conformance import report_quads
from kgpub.shacl.messages import requested_languages
from kgpub.web.openapi import PROBLEM_JSON
from kgpub.web.services import services

if TYPE_CHECKING:
    from rdflib.term import Node

_PROBLEM_REP = Representation(PROBLEM_JSON, "json", ("application/json",))

_STATUS: dict[type[KgpubError], HTTPStatus] = {
    QuerySyntaxError: HTTPStatus.BAD_REQUEST,
    MalformedRequestError: HTTPStatus.BAD_REQUEST,
    QueryRefusedError: HTTPStatus.BAD_REQUEST,
    UpdateRefusedError: HTTPStatus.FORBIDDEN,
    NotAcceptableError: HTTPStatus.NOT_ACCEPTABLE,
    UnsupportedMediaTypeError: HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    RequestTooLargeError: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    RdfSyntaxError: HTTPStatus.BAD_REQUEST,
    PatchSyntaxError: HTTPStatus.BAD_REQUEST,
    ResourceNotFoundError: HTTPStatus.NOT_FOUND,
    UnsafeInputError: HTTPStatus.BAD_REQUEST,
    ResultTooLargeError: HTTPStatus.UNPROCESSABLE_ENTITY,
    QueryTimeoutError: HTTPStatus.SERVICE_UNAVAILABLE,
    BackendError: HTTPStatus.BAD_GATEWAY,
    BackendTimeoutError: HTTPStatus.GATEWAY_TIMEOUT,
    AuthenticationRequiredError: HTTPStatus.UNAUTHORIZED,
    AccessDeniedError: HTTPStatus.FORBIDDEN,
    GraphNotFoundError: HTTPStatus.NOT_FOUND,
    UpdateFailedError: HTTPStatus.BAD_REQUEST,
    WriteRejectedError: HTTPStatus.UNPROCESSABLE_ENTITY,
    PreconditionFailedError: HTTPStatus.PRECONDITION_FAILED,
    PreconditionRequiredError: HTTPStatus.PRECONDITION_REQUIRED,
    PatchConflictError: HTTPStatus.CONFLICT,
    UnrecordedWriteError: HTTPStatus.CONFLICT,
    ProtectedGraphError: HTTPStatus.FORBIDDEN,
    UnrepresentableDataError: HTTPStatus.BAD_REQUEST,
    ValidationLimitError: HTTPStatus.UNPROCESSABLE_ENTITY,
    StorageFullError: HTTPStatus.INSUFFICIENT_STORAGE,
    AnchorMismatchError: HTTPStatus.UNPROCESSABLE_ENTITY,
    HistoryError: HTTPStatus.CONFLICT,
    NoHistoryError: HTTPStatus.NOT_FOUND,
    RevisionRefusedError: HTTPStatus.CONFLICT,
    RevisionInputError: HTTPStatus.BAD_REQUEST,
}
# A rejected write's SHACL report: problem+json unless the client asks for RDF.
_REPORT_OFFERS = (_PROBLEM_REP, TURTLE, JSON_LD)
_LISTED_VIOLATIONS = 100

_log = logging.getLogger(__name__)


def status_for(exc: KgpubError) -> HTTPStatus:
    for cls in type(exc).__mro__:
        if cls in _STATUS:
            return _STATUS[cls]
    return HTTPStatus.INTERNAL_SERVER_ERROR


def problem(
    status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status}
    body["detail"] = detail
    body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, KgpubError)
    status = status_for(exc)
    if isinstance(exc, ResourceNotFoundError):
        return _not_found(request, exc)
    if status == HTTPStatus.INTERNAL_SERVER_ERROR:
        _log.error("unexpected domain error on %s: %s", request.url.path, exc)
        return problem(status, "the server could not answer this request")
    if isinstance(exc, NotAcceptableError):
        return problem(status, exc.detail, {"Vary": "Accept"}, offered=exc.offered)
    if isinstance(exc, QueryTimeoutError):
        return problem(status, str(exc), {"Retry-After": str(exc.retry_after)})
    if isinstance(exc, AuthenticationRequiredError | WriteRejectedError):
        return await _write_refused(request, exc)
    return problem(status, str(exc))


async def _write_refused(
    request: Request, exc: AuthenticationRequiredError | WriteRejectedError
) -> Response:
    """401 asking for a bearer token; 422 with the SHACL report, as Turtle or JSON-LD
    by Accept, else in problem+json."""
    if isinstance(exc, AuthenticationRequiredError):
        return problem(
            HTTPStatus.UNAUTHORIZED, str(exc), {"WWW-Authenticate": 'Bearer realm="kgpub"'}
        )
    headers = {"Vary": "Accept, Accept-Language"}
    status = HTTPStatus.UNPROCESSABLE_ENTITY
    settings = services(request).settings
    languages = requested_languages(
        request.query_params.get("lang"),
        request.headers.get("accept-language"),
        settings.message_language,
    )
    rep = negotiate(request.headers.get("accept"), _REPORT_OFFERS) or _PROBLEM_REP
    if rep is not _PROBLEM_REP:
        quads = report_quads(exc.report, languages)
        body = await run_in_threadpool(serialize, quads, rep.name, settings.base_iri)
        return Response(body, status_code=status, media_type=rep.content_type, headers=headers)
    violations = exc.report.violations
    listed = [
        {
            "focusNode": _term(r.focus),
            "resultPath": _term(r.path),
            "value": _term(r.value),
            "sourceShape": _term(r.source_shape),
            "sourceConstraintComponent": str(r.component),
            "resultMessage": r.message_in(languages),
        }
        for r in violations[:_LISTED_VIOLATIONS]
    ]
    detail = str(exc)
    if len(violations) > len(listed):
        detail += f"; the first {len(listed)} are listed, ask for text/turtle for all"
    return problem(status, detail, headers, violationCount=len(violations), violations=listed)


def _term(node: Node | None) -> str | None:
    # A rejected write's report has rdflib terms already: importing it here costs nothing.
    from rdflib.term import URIRef  # noqa: PLC0415 - not on the way to the first answer

    if node is None:
        return None
    return str(node) if isinstance(node, URIRef) else node.n3()


def _not_found(request: Request, exc: ResourceNotFoundError) -> Response:
    """A page for browsers, problem+json for everyone else (the Accept header decides)."""
    headers = {"Vary": "Accept, Accept-Language"}
    fmt = request.query_params.get("format")
    wants_html = (
        fmt == HTML.name
        if fmt
        else (negotiate(request.headers.get("accept"), (_PROBLEM_REP, HTML)) is HTML)
    )
    if not wants_html:
        return problem(HTTPStatus.NOT_FOUND, str(exc), headers)
    lang = page_text.choose_language(
        request.query_params.get("lang"), request.headers.get("accept-language")
    )
    page = pages.not_found_page(exc.iri, lang)
    return HTMLResponse(page, status_code=HTTPStatus.NOT_FOUND, headers=headers)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return problem(exc.status_code, str(exc.detail), headers)


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route accepts on this path (Starlette names only one route's)."""
    methods: set[str] = set()
    for route in request.app.routes:
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return problem(HTTPStatus.BAD_REQUEST, "invalid request parameters", errors=exc.errors())


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    _log.exception("unexpected error on %s", request.url.path)
    return problem(HTTPStatus.INTERNAL_SERVER_ERROR, "the server could not answer this request")


def install(app: FastAPI) -> None:
    app.add_exception_handler(KgpubError, _domain_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
