"""``/graph-store``: the SPARQL 1.1 Graph Store HTTP Protocol, by indirect identification.

``?graph=IRI`` names a named graph, ``?default`` the store's default graph.
GET and HEAD are always there: the graph in any RDF format, by content
negotiation. PUT, POST and DELETE exist only when writes are enabled
(``KGPUB_WRITES_ENABLED``); otherwise they are not allowed on this resource
(405, ``Allow: GET, HEAD``), the answer HTTP gives for a read-only resource.
A write must carry the bearer token (``kgpub.ingest.auth``), checked before its
body is read; ``kgpub.ingest.writes`` stages, validates and commits it in a worker
thread, one write at a time. See https://www.w3.org/TR/sparql11-http-rdf-update/.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import FastAPI, Request, Response, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from kgpub.errors import (
    AccessDeniedError,
    ConfigurationError,
    GraphNotFoundError,
    HistoryError,
    MalformedRequestError,
)
from kgpub.history.records import Terms
from kgpub.ingest import auth, preconditions
from kgpub.ingest.covered import covering
from kgpub.ingest.graph_tags import current_matcher, revision_etag
from kgpub.ingest.writes import Committed, GraphName, Part, Writer
from kgpub.ld.ontology_docs import OntologyDocs
from kgpub.rdf.conneg import choose
from kgpub.rdf.formats import RDF_FORMATS, UPLOAD_FORMATS, Representation, media_types
from kgpub.rdf.serialization import serialize
from kgpub.shacl.conformance import upload_format
from kgpub.sparql.cache import make_etag
from kgpub.store.oxigraph import Store
from kgpub.store.protocol import OWN_DEFAULT, QueryStore
from kgpub.web import conditional, multipart
from kgpub.web.body import read_body
from kgpub.web.openapi import PROBLEM_CONTENT, representations
from kgpub.web.services import Services, app_services, services

PATH = "/graph-store"
_T = TypeVar("_T")
_BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="writeToken",
    description="The write token (KGPUB_WRITE_TOKEN); writes only.",
)


def _target(request: Request) -> GraphName | None:
    """The graph a request names; ``None`` for the graph store itself (no parameter)."""
    try:
        params = parse_qsl(
            request.scope["query_string"].decode("utf-8"),
            keep_blank_values=True,
            errors="strict",
        )
    except UnicodeDecodeError as exc:
        raise MalformedRequestError("the URL's query string is not valid UTF-8") from exc
    graphs = [value for name, value in params if name == "graph"]
    default = any(name == "default" for name, _ in params)
    if len(graphs) > 1:
        raise MalformedRequestError("the request names more than one graph; send one ?graph=")
    if graphs and default:
        raise MalformedRequestError("the request has both ?graph= and ?default; send one")
    if default:
        return ox.DefaultGraph()
    if not graphs:
        return None
    try:
        return ox.NamedNode(graphs[0])
    except ValueError as exc:
        raise MalformedRequestError(f"graph={graphs[0]!r} is not an absolute IRI: {exc}") from exc


def named_target(request: Request) -> GraphName:
    target = _target(request)
    if target is None:
        raise MalformedRequestError("name the graph: ?graph=<absolute IRI> or ?default")
    return target


def _graph_body(store: QueryStore, graph: GraphName, rep: Representation, base_iri: str) -> bytes:
    """Blocking: the graph serialised, or ``GraphNotFoundError``."""
    if isinstance(store, Store):
        if not store.has_graph(graph):
            raise GraphNotFoundError(f"the store has no graph <{_name(graph)}>")
        return serialize(store.graph_quads(graph), rep.name, base_iri)
    # Any other store (a remote backend) is read through the store protocol.
    if isinstance(graph, ox.NamedNode):
        if graph.value not in store.named_graphs():
            raise GraphNotFoundError(f"the store has no graph <{graph.value}>")
        return serialize(list(store.quads(graph.value)), rep.name, base_iri)
    triples = store.query("CONSTRUCT WHERE { ?s ?p ?o }", dataset=OWN_DEFAULT)
    quads = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]  # type: ignore[union-attr]
    return serialize(quads, rep.name, base_iri)


async def read_graph(request: Request) -> Response:
    """GET and HEAD: a graph's triples in the negotiated RDF format."""
    graph = named_target(request)
    state = services(request)
    rep = choose(request.headers.get("accept"), request.query_params.get("format"), RDF_FORMATS)
    body = await run_in_threadpool(_graph_body, state.store, graph, rep, state.settings.base_iri)
    etag = await run_in_threadpool(_etag, state.store, graph, rep, body, state.settings.base_iri)
    headers = {"Vary": "Accept", "ETag": etag}
    return conditional.answer(request, body, rep.content_type, headers)


def _etag(store: QueryStore, graph: GraphName, rep: Representation, body: bytes, base: str) -> str:
    """Blocking: a graph's ETag: its latest revision's where an article with history covers it
    (``ingest.graph_tags``; what PATCH's If-Match is compared with), else its bytes'. A
    history that cannot be read leaves the graph readable, tagged by its bytes (PATCH says
    what is wrong)."""
    if isinstance(store, Store):
        try:
            covered = covering(store, Terms(base), graph)
        except HistoryError:
            covered = None
        if covered is not None:
            return revision_etag(covered.latest, rep.name)
    return make_etag(rep.media_type, body)


def check_write_access(request: Request) -> None:
    """``AuthenticationRequiredError`` (401) or ``AccessDeniedError`` (403) unless the
    request carries the write token."""
    token = services(request).write_token
    if token is None:  # write routes exist only with a token; never accept a write without
        raise AccessDeniedError("writes are not enabled on this server")
    auth.check_bearer(request.headers.get("authorization"), token)


async def authorize(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_BEARER)],
) -> None:
    # A dependency, so it runs before the body is read and OpenAPI shows the scheme.
    check_write_access(request)


async def run_write(
    request: Request,
    write: Callable[..., _T],
    *args: Any,
    precondition: Callable[[], None] | None = None,
) -> _T:
    """Run a blocking write in a worker thread, one at a time.

    Waiting writers queue here, not in worker threads, so a burst of writes
    never takes the threads that reads need. ``precondition`` (If-Match,
    If-None-Match) is checked under the same lock, on the state the write changes.
    """
    async with services(request).write_lock:
        if precondition is not None:
            await run_in_threadpool(precondition)
        return await run_in_threadpool(write, *args)


def _nothing(tag: str) -> bool:
    """No tag is current: a graph not named yet has none."""
    del tag
    return False


def _precondition(request: Request, graph: GraphName | None) -> Callable[[], None] | None:
    """The check of a write's If-Match/If-None-Match on ``graph``; ``None`` without them.

    A graph exists when GET would answer 200 (the default graph always does);
    its current tags are computed only when a header lists tags.
    """
    if_match, if_none_match = request.headers.get("if-match"), request.headers.get("if-none-match")
    if if_match is None and if_none_match is None:
        return None
    state = services(request)
    store = state.store
    if not isinstance(store, Store):  # writes are refused on other stores at start-up
        raise ConfigurationError("writes need kgpub's own store")
    base_iri = state.settings.base_iri
    target = "the new graph" if graph is None else f"<{_name(graph)}>"

    def check() -> None:
        exists = graph is not None and store.has_graph(graph)
        matches = current_matcher(store, graph, base_iri) if graph is not None else _nothing
        preconditions.check(if_match, if_none_match, target, exists, matches)

    return check


async def _rdf_body(request: Request) -> tuple[bytes, ox.RdfFormat]:
    fmt = upload_format(request.headers.get("content-type"))
    return await read_body(request, services(request).settings.max_body_bytes), fmt


async def put_graph(request: Request) -> Response:
    """Replace a graph's content: 201 when the graph is new, else 204."""
    graph = named_target(request)
    body, fmt = await _rdf_body(request)
    check = _precondition(request, graph)
    writer = services(request).writes()
    created = await run_write(request, writer.put, graph, body, fmt, precondition=check)
    return Response(status_code=201 if created else 204)


async def post_graph(request: Request) -> Response:
    """Merge the body into a graph (201 when new, else 204); without a graph parameter,
    into a new graph whose IRI the ``Location`` header gives (201). A
    ``multipart/form-data`` body's parts are each a document, all merged (``web.multipart``)."""
    target = _target(request)
    writer = services(request).writes()
    documents = await multipart.read_parts(request, services(request).settings.max_body_bytes)
    if documents is None:
        body, fmt = await _rdf_body(request)
        documents = [Part(body, fmt, "the request body")]
    check = _precondition(request, target)
    graph, created = await run_write(
        request, writer.post_parts, target, documents, precondition=check
    )
    if not created:
        return Response(status_code=204)
    headers = {}
    if target is None and isinstance(graph, ox.NamedNode):
        headers["Location"] = graph.value
    return Response(status_code=201, headers=headers)


async def delete_graph(request: Request) -> Response:
    """Remove a named graph (404 when absent) or empty the default graph: 204."""
    graph = named_target(request)
    check = _precondition(request, graph)
    await run_write(request, services(request).writes().delete, graph, precondition=check)
    return Response(status_code=204)


def _name(graph: GraphName) -> str:
    return graph.value if isinstance(graph, ox.NamedNode) else "default graph"


def writer_for(state: Services) -> Writer:
    """The ``Writer`` of a writable app: it refreshes what start-up computed (graph sizes,
    validation, ontology pages) on each commit."""
    store = state.store
    if not isinstance(store, Store):
        raise ConfigurationError("writes need kgpub's own store, not a remote SPARQL backend")

    def publish(committed: Committed) -> None:
        state.graph_sizes = committed.graph_sizes
        state.default_graph_size = committed.distinct_triples
        state.modified = conditional.now()
        state.conformance = committed.conformance
        if committed.ontology_changed:
            state.ontology_docs = OntologyDocs()

    return Writer(store, state.settings, publish, state.search, initial=state.conformance)


def install(app: FastAPI) -> None:
    """GET and HEAD always; PUT, POST and DELETE when writes are enabled (token checked)."""
    for method in ("GET", "HEAD"):
        app.add_api_route(
            PATH,
            read_graph,
            methods=[method],
            operation_id=f"graph_store_{method.lower()}",
            summary="Graph Store Protocol: read a graph",
            include_in_schema=method == "GET",
            responses=_READ_RESPONSES,
            openapi_extra={"parameters": [*TARGET_PARAMS, _FORMAT_PARAM]},
        )
    if app_services(app).write_token is None:
        return
    writes: tuple[tuple[str, Callable[[Request], Any], str], ...] = (
        ("PUT", put_graph, "replace a graph"),
        ("POST", post_graph, "add to a graph, or create one"),
        ("DELETE", delete_graph, "remove a graph"),
    )
    for method, endpoint, summary in writes:
        extra: dict[str, Any] = {"parameters": TARGET_PARAMS}
        if method != "DELETE":
            extra["requestBody"] = _POST_BODY if method == "POST" else _RDF_BODY
        app.add_api_route(
            PATH,
            endpoint,
            methods=[method],
            operation_id=f"graph_store_{method.lower()}",
            summary=f"Graph Store Protocol: {summary}",
            dependencies=[Security(authorize)],
            responses=_WRITE_RESPONSES[method],
            openapi_extra=extra,
        )


# --- OpenAPI ------------------------------------------------------------------

_IRI: dict[str, Any] = {
    "type": "string",
    "format": "iri",
    "pattern": r'^[A-Za-z][A-Za-z0-9+.-]*:(?:[^\s<>"{}|\\^`%]|%[0-9A-Fa-f]{2})*$',
}
TARGET_PARAMS: list[dict[str, Any]] = [
    {
        "name": "graph",
        "in": "query",
        "required": False,
        "description": "The named graph's IRI (absolute).",
        "schema": _IRI,
    },
    {
        "name": "default",
        "in": "query",
        "required": False,
        "allowEmptyValue": True,
        "description": "Present (with any value): the store's default graph.",
        "schema": {"type": "string"},
    },
]
_FORMAT_PARAM: dict[str, Any] = {
    "name": "format",
    "in": "query",
    "required": False,
    "description": "Overrides Accept: the short name of an RDF format.",
    "schema": {"type": "string", "enum": [r.name for r in RDF_FORMATS]},
}
_RDF_BODY: dict[str, Any] = {
    "required": False,
    "content": {media: {"schema": {"type": "string"}} for media in media_types(UPLOAD_FORMATS)},
}
_POST_BODY: dict[str, Any] = {**_RDF_BODY, "content": {**_RDF_BODY["content"], **multipart.CONTENT}}
_REPORT = {
    **PROBLEM_CONTENT,
    "text/turtle": {"schema": {"type": "string"}},
    "application/ld+json": {"schema": {"type": ["object", "array"]}},
}
UNAUTHORIZED_RESPONSE: dict[str, Any] = {
    "description": "No bearer token; see WWW-Authenticate.",
    "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
    "content": PROBLEM_CONTENT,
}
REPORT_RESPONSE: dict[str, Any] = {
    "description": "The write would break a SHACL Violation shape; nothing was written. "
    "The SHACL report: Turtle or JSON-LD by Accept, else problem+json.",
    "content": _REPORT,
}
_COMMON: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed request, RDF body or graph IRI.", "content": PROBLEM_CONTENT},
    401: UNAUTHORIZED_RESPONSE,
    403: {"description": "The bearer token is not the write token.", "content": PROBLEM_CONTENT},
    412: {
        "description": "If-Match or If-None-Match does not hold; nothing was written.",
        "content": PROBLEM_CONTENT,
    },
}
_BODY_ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"description": "Request body over KGPUB_MAX_BODY_BYTES.", "content": PROBLEM_CONTENT},
    415: {
        "description": "Content-Type is not an RDF syntax read here.",
        "content": PROBLEM_CONTENT,
    },
    422: REPORT_RESPONSE,
}
_READ_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: representations("The graph.", RDF_FORMATS),
    304: {"description": "If-None-Match names the graph's current ETag."},
    400: _COMMON[400],
    404: {"description": "No such named graph.", "content": PROBLEM_CONTENT},
    406: {"description": "No offered format is acceptable.", "content": PROBLEM_CONTENT},
}
_WRITE_RESPONSES: dict[str, dict[int | str, dict[str, Any]]] = {
    "PUT": {
        201: {"description": "The graph was created."},
        204: {"description": "The graph was replaced."},
        **_COMMON,
        **_BODY_ERRORS,
    },
    "POST": {
        201: {
            "description": "A graph was created; without a graph parameter, Location names it.",
            "headers": {"Location": {"schema": {"type": "string"}}},
        },
        204: {"description": "The triples were added."},
        **_COMMON,
        **_BODY_ERRORS,
    },
    "DELETE": {
        204: {"description": "The graph was removed (the default graph: emptied)."},
        **_COMMON,
        404: {"description": "No such named graph.", "content": PROBLEM_CONTENT},
        422: _BODY_ERRORS[422],
    },
}
