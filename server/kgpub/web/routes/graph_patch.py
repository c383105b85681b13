"""``PATCH /graph-store``: an RDF Patch applied to one graph; a revision where it has history.

Installed beside the Graph Store's other writes (token checked first, before
the body is read). The body is ``text/rdf-patch`` (UTF-8), parsed strictly
(``history.rdf_patch``: 400 naming line and column); ``kgpub.ingest.graph_patch``
applies it under the write lock, checks ``If-Match`` (428 without it, 412 when
stale), SHACL-gates the result like every write (422 with the report) and
commits it, with the revision's record when an article with history covers
the graph. Answers: 201 with ``Location: <A>/revision/<n>`` for a new
revision; 204 for a graph without history, or a patch that changed nothing
(no revision, no ``Location``). Both carry the graph's new ``ETag`` (of its
Turtle representation; any format's tag of the same state matches ``If-Match``).

The revision's kind is ``update`` unless ``Kgpub-Revision-Kind`` names
another; ``Kgpub-Editor-Note`` is the editor's note, as an RFC 8187 value with
its language (``UTF-8'de'Korrigiert%3A%20…``); the editor is
``KGPUB_WRITE_EDITOR`` (the token names no person).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from fastapi import FastAPI, Request, Response, Security
from starlette.concurrency import run_in_threadpool

from kgpub.errors import MalformedRequestError, UnsupportedMediaTypeError
from kgpub.history.rdf_patch import MEDIA_TYPE, parse_patch
from kgpub.history.records import Kind, Terms
from kgpub.ingest.graph_patch import Patched, RevisionMeta, transaction
from kgpub.ingest.graph_tags import revision_etag
from kgpub.ingest.writes import GraphName
from kgpub.rdf.formats import TURTLE
from kgpub.rdf.serialization import serialize
from kgpub.sparql.cache import make_etag
from kgpub.store.oxigraph import Store
from kgpub.web import openapi
from kgpub.web.body import read_body
from kgpub.web.routes import graph_store
from kgpub.web.services import app_services, services

KIND_HEADER = "Kgpub-Revision-Kind"
NOTE_HEADER = "Kgpub-Editor-Note"
# RFC 8187 §3.2.1: charset "'" [ language ] "'" value-chars
_EXT_VALUE = re.compile(
    r"(?i)^(utf-8)'([A-Za-z0-9-]*)'((?:%[0-9A-Fa-f]{2}|[A-Za-z0-9!#$&+.^_`|~-])*)$"
)


def _kind(value: str | None) -> Kind:
    if value is None:
        return Kind.UPDATE
    allowed = [k.value for k in Kind if k is not Kind.ORIGINAL]
    if value.strip().lower() not in allowed:
        raise MalformedRequestError(
            f"{KIND_HEADER}: {value!r} is not a kind of revision a PATCH makes; "
            f"send one of {', '.join(allowed)} (original is revision 1's alone)"
        )
    return Kind(value.strip().lower())


def _note(value: str | None) -> tuple[str | None, str | None]:
    """The editor's note and its language, from an RFC 8187 ext-value: a note is
    language-tagged (``kgpub:editorNote`` is an ``rdf:langString``), and a header
    carries text beyond ASCII only percent-encoded."""
    if value is None or not value.strip():
        return None, None
    match = _EXT_VALUE.match(value.strip())
    if match is None or not match.group(2):
        raise MalformedRequestError(
            f"{NOTE_HEADER}: write the note as an RFC 8187 value with its language, "
            "UTF-8'<language>'<percent-encoded UTF-8>, e.g. UTF-8'de'Tippfehler%20korrigiert"
        )
    try:
        note = unquote(match.group(3), encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise MalformedRequestError(f"{NOTE_HEADER}: not percent-encoded UTF-8") from exc
    if not note.strip():
        raise MalformedRequestError(f"{NOTE_HEADER}: the note is empty")
    return note, match.group(2).lower()


def revision_meta(request: Request) -> RevisionMeta:
    """Kind, note and editor of the revision a PATCH would make, from its headers and settings."""
    settings = services(request).settings
    note, language = _note(request.headers.get(NOTE_HEADER))
    return RevisionMeta(
        editor=settings.write_editor or f"{settings.base_iri}id/kgpub-team",
        kind=_kind(request.headers.get(KIND_HEADER)),
        note=note,
        note_language=language,
    )


def _check_content_type(value: str | None) -> None:
    media_type, _, params = (value or "").partition(";")
    if media_type.strip().lower() != MEDIA_TYPE:
        raise UnsupportedMediaTypeError(
            f"Content-Type {media_type.strip() or '(none)'!r}: PATCH takes an RDF Patch, "
            f"Content-Type: {MEDIA_TYPE}"
        )
    charset = re.search(r"(?i)charset\s*=\s*\"?([^\";\s]+)", params)
    if charset and charset.group(1).lower() != "utf-8":
        raise UnsupportedMediaTypeError(f"an RDF Patch is UTF-8, not {charset.group(1)}")


def _new_etag(store: Store, patched: Patched, graph: GraphName, base: str) -> str:
    """Blocking: the graph's ETag after the write (Turtle's)."""
    if patched.covered is not None:
        return revision_etag(patched.revision or patched.covered.latest, TURTLE.name)
    body = serialize(store.graph_quads(graph), TURTLE.name, base)
    return make_etag(TURTLE.media_type, body)


async def patch_graph(request: Request) -> Response:
    """Apply an RDF Patch: 201 + Location for a new revision, else 204."""
    graph = graph_store.named_target(request)
    meta = revision_meta(request)
    _check_content_type(request.headers.get("content-type"))
    state = services(request)
    body = await read_body(request, state.settings.max_body_bytes)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedRequestError(f"the RDF Patch is not UTF-8: {exc}") from exc
    patch = await run_in_threadpool(parse_patch, text)
    writer = state.writes()
    if_match = request.headers.get("if-match")
    store = state.store
    assert isinstance(store, Store)  # writes run on kgpub's own store only

    def write() -> tuple[Patched, str]:
        # The new tag is read under the write lock, before another write can change the graph.
        build = transaction(Terms(state.settings.base_iri), (graph, patch, if_match), meta)
        patched = writer.transact(build, f"PATCH {graph}")
        return patched, _new_etag(store, patched, graph, state.settings.base_iri)

    patched, tag = await graph_store.run_write(request, write)
    headers = {"ETag": tag}
    if patched.revision is None:
        return Response(status_code=204, headers=headers)
    headers["Location"] = patched.revision.iri
    return Response(status_code=201, headers=headers)


def install(app: FastAPI) -> None:
    """PATCH on ``/graph-store`` beside the other writes (only when writes are enabled)."""
    if app_services(app).write_token is None:
        return
    app.add_api_route(
        graph_store.PATH,
        patch_graph,
        methods=["PATCH"],
        operation_id="graph_store_patch",
        summary="Graph Store: apply an RDF Patch (a revision where the graph has history)",
        dependencies=[Security(graph_store.authorize)],
        responses=_RESPONSES,
        openapi_extra={"parameters": [*graph_store.TARGET_PARAMS, *_HEADERS], "requestBody": _BODY},
    )


# --- OpenAPI ------------------------------------------------------------------

_BODY: dict[str, Any] = {
    "required": True,
    "content": {MEDIA_TYPE: {"schema": {"type": "string"}}},
}
_HEADERS: list[dict[str, Any]] = [
    {
        "name": "If-Match",
        "in": "header",
        "required": True,
        "description": "The graph's ETag as last read (GET or HEAD); 428 without it, 412 when "
        "stale. For a graph with history, any format's tag of the latest revision.",
        "schema": {"type": "string"},
    },
    {
        "name": KIND_HEADER,
        "in": "header",
        "required": False,
        "description": "The revision's kind (default update).",
        "schema": {"type": "string", "enum": [k.value for k in Kind if k is not Kind.ORIGINAL]},
    },
    {
        "name": NOTE_HEADER,
        "in": "header",
        "required": False,
        "description": "The editor's note, an RFC 8187 value with its language: "
        "UTF-8'de'<percent-encoded UTF-8>.",
        "schema": {"type": "string"},
    },
]
_ETAG = {"ETag": {"schema": {"type": "string"}, "description": "The graph's new ETag."}}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {
        "description": "A revision was made; Location names it (<article>/revision/<n>).",
        "headers": {"Location": {"schema": {"type": "string"}}, **_ETAG},
    },
    204: {
        "description": "Applied to a graph without history, or the patch changed nothing "
        "(no revision).",
        "headers": _ETAG,
    },
    400: openapi.problem(
        "Malformed request or patch (line and column named), a row for another graph, a blank node."
    ),
    401: graph_store.UNAUTHORIZED_RESPONSE,
    403: openapi.problem("The token is not the write token, or the graph is the history graph."),
    404: openapi.problem("No such named graph."),
    409: openapi.problem(
        "A row does not fit the graph (adds a quad it has, deletes one it lacks), or its article's"
        " history does not match its graphs; nothing was written."
    ),
    412: openapi.problem("If-Match is not the current ETag."),
    413: openapi.problem("Request body over KGPUB_MAX_BODY_BYTES."),
    415: openapi.problem("Content-Type is not text/rdf-patch."),
    422: graph_store.REPORT_RESPONSE,
    428: openapi.problem("If-Match is missing."),
}
