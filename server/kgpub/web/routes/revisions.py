"""``POST /id/{article}/revisions``: revise an article on a writable server.

The body (``text/plain``, UTF-8) is the new text; the query says the rest, in
the words of ``kgpub revise``: ``kind``, ``note``, ``editor``, ``decide=CLAIM=…``
and ``span=CLAIM=START-END`` (repeatable), ``dry-run=true``. A dry run answers
200 with each claim's status (the JSON of ``kgpub revise --json``); a commit
answers 201 with ``Location`` naming the new revision, 409 while a modified or
orphaned claim has no decision (the problem names them), 422 with the SHACL
report when the new data would break a shape. The route exists only when writes
are enabled, and carries the write token like every write
(``web.routes.graph_store``); ``kgpub.ingest.revision_writes`` plans and commits.
It is installed before the ``/id/{rest:path}`` catch-all (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import FastAPI, Request, Response, Security
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from kgpub.errors import RevisionInputError
from kgpub.history import editor_input
from kgpub.history.evidence import ClaimAnchors, claims_json
from kgpub.history.plan import Request as RevisionRequest
from kgpub.history.records import Kind
from kgpub.ingest import revision_writes
from kgpub.store.oxigraph import Store
from kgpub.web import openapi
from kgpub.web.body import read_body
from kgpub.web.routes.graph_store import (
    REPORT_RESPONSE,
    UNAUTHORIZED_RESPONSE,
    check_write_access,
    run_write,
)
from kgpub.web.services import app_services, services

PATH = "/id/{rest:path}/revisions"
_BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="writeToken",
    description="The write token (KGPUB_WRITE_TOKEN); writes only.",
)


async def _authorize(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_BEARER)],
) -> None:
    check_write_access(request)


def _request_for(
    request: Request, new_text: str
) -> Callable[[Sequence[ClaimAnchors], str | None], RevisionRequest]:
    params = request.query_params
    settings = services(request).settings

    def make(claims: Sequence[ClaimAnchors], language: str | None) -> RevisionRequest:
        return RevisionRequest(
            new_text=new_text,
            kind=editor_input.kind(params.get("kind", Kind.UPDATE.value)),
            editor=editor_input.iri(
                settings.base_iri,
                params.get("editor") or settings.write_editor or "kgpub-team",
            ),
            now=datetime.now(UTC),
            note=params.get("note"),
            language=language or "de",
            decisions=editor_input.decisions(params.getlist("decide"), claims),
            spans=editor_input.spans(params.getlist("span"), claims),
        )

    return make


def _dry_run(request: Request, article: str, new_text: str) -> list[dict[str, Any]]:
    state = services(request)
    store = state.store
    assert isinstance(store, Store)  # writes are enabled only on kgpub's own store
    stored = revision_writes.read_article(store, state.settings, article)
    return claims_json(revision_writes.claims_of(stored, state.settings, new_text))


async def post_revision(request: Request, rest: str) -> Response:
    """Revise the article ``<base>id/{rest}`` to the body's text."""
    state = services(request)
    article = f"{state.settings.base_iri}id/{rest}"
    dry = request.query_params.get("dry-run", "false")
    if dry not in ("true", "false"):
        raise RevisionInputError(f"dry-run={dry!r}: expected true or false")
    body = await read_body(request, state.settings.max_body_bytes)
    new_text = editor_input.text(body, "the request body")
    if dry == "true":
        answers = await run_in_threadpool(_dry_run, request, article, new_text)
        return JSONResponse(answers)
    plan, claims = await run_write(
        request,
        revision_writes.revise,
        state.writes(),
        state.settings,
        article,
        new_text,
        _request_for(request, new_text),
    )
    iri = plan.revision.iri
    decided = {a.claim: a.decision for a in plan.revision.anchorings if a.decision is not None}
    location = "/" + iri.removeprefix(state.settings.base_iri)
    return JSONResponse(
        {"revision": iri, "claims": claims_json(claims, decided)},
        status_code=201,
        headers={"Location": location},
    )


_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Dry run: each claim's status in the new text (JSON)."},
    201: {
        "description": "The revision was committed; Location names it.",
        "headers": {"Location": {"schema": {"type": "string"}}},
    },
    400: openapi.problem("A word of the request cannot be read."),
    401: UNAUTHORIZED_RESPONSE,
    403: openapi.problem("The bearer token is not the write token."),
    409: openapi.problem(
        "Not committed: a modified or orphaned claim has no decision, the text is unchanged, or "
        "the article has no history."
    ),
    413: openapi.problem("Request body over KGPUB_MAX_BODY_BYTES."),
    422: REPORT_RESPONSE,
}


def install(app: FastAPI) -> None:
    """The route, when writes are enabled; before the ``/id/{rest:path}`` catch-all."""
    if app_services(app).write_token is None:
        return
    app.add_api_route(
        PATH,
        post_revision,
        methods=["POST"],
        operation_id="revision_post",
        summary="Revise an article: its text, its claims' anchors and its history",
        dependencies=[Security(_authorize)],
        responses=_RESPONSES,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"text/plain": {"schema": {"type": "string"}}},
            }
        },
    )
