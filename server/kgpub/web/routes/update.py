"""SPARQL 1.1 Update on ``/sparql``, installed only where writes are enabled.

``kgpub.sparql.protocol`` reads and checks every update (size, nesting, grammar,
``using-graph-uri`` against USING/WITH) and, on a read-only server, refuses it
with 403. With writes enabled this handler receives the update instead: it
checks the bearer token, then ``kgpub.ingest.writes`` refuses LOAD and SERVICE, runs
the update in a staging copy, validates the result and commits it. Success is
204 No Content. See https://www.w3.org/TR/sparql11-protocol/#update-operation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.routing import APIRoute

from kgpub.errors import ConfigurationError
from kgpub.ingest import preconditions
from kgpub.ingest.writes import Writer
from kgpub.web.routes.graph_store import (
    REPORT_RESPONSE,
    UNAUTHORIZED_RESPONSE,
    check_write_access,
    run_write,
)
from kgpub.web.routes.sparql import ENDPOINT
from kgpub.web.services import UpdateHandler, app_services, services

_SPARQL: dict[str, Any] = {"type": "string", "minLength": 1}


async def run_update(
    request: Request, update: str, params: tuple[tuple[str, str], ...]
) -> Response:
    check_write_access(request)
    writer: Writer = services(request).writes()
    base_iri = str(request.base_url).rstrip("/") + ENDPOINT
    check = _precondition(request)
    await run_write(request, writer.update, update, params, base_iri, precondition=check)
    return Response(status_code=204)


def _precondition(request: Request) -> Callable[[], None] | None:
    """An update's If-Match/If-None-Match, against the dataset's state.

    The dataset always exists, so ``If-None-Match: *`` always fails; a tag
    matches when it is the service description's ETag in the current state.
    """
    if_match, if_none_match = request.headers.get("if-match"), request.headers.get("if-none-match")
    if if_match is None and if_none_match is None:
        return None
    state = services(request)
    nonce = state.dataset_nonce
    if nonce is None:  # updates are installed only with writes on, which set it
        raise ConfigurationError("writes are not enabled on this server")

    def check() -> None:
        current = preconditions.dataset_state(nonce, state.store.version)
        matches = preconditions.dataset_matcher(current)
        preconditions.check(if_match, if_none_match, "the dataset", True, matches)

    return check


def install(app: FastAPI) -> None:
    """Hand ``/sparql`` updates to ``run_update`` when writes are enabled."""
    state = app_services(app)
    if not state.settings.writes_enabled:
        return
    handler: UpdateHandler = run_update
    state.update_handler = handler
    for route in app.routes:
        if (
            isinstance(route, APIRoute)
            and route.path == ENDPOINT
            and "POST" in (route.methods or ())
        ):
            _describe_updates(route)


def _describe_updates(route: APIRoute) -> None:
    """Add what a writable ``POST /sparql`` also does to its OpenAPI operation.

    The query route is described for a read-only endpoint; here an update may
    also be sent (``update=`` or ``application/sparql-update``) and answer
    204, 401 or 422, and 403 means a wrong token.
    """
    responses = dict(route.responses)
    responses[204] = {"description": "The update was committed."}
    responses[401] = UNAUTHORIZED_RESPONSE
    responses[412] = {
        "description": "An update's If-Match or If-None-Match does not hold "
        "(the tags are the service description's); nothing was written.",
        "content": {
            "application/problem+json": REPORT_RESPONSE["content"]["application/problem+json"]
        },
    }
    responses[403] = {**responses.get(403, {}), "description": "The token is not the write token."}
    query_422 = responses.get(422, {})
    responses[422] = {
        "description": " ".join(
            filter(
                None, [query_422.get("description"), "An update: " + REPORT_RESPONSE["description"]]
            )
        ),
        "content": {**query_422.get("content", {}), **REPORT_RESPONSE["content"]},
    }
    route.responses = responses
    extra = dict(route.openapi_extra or {})
    body = extra.get("requestBody", {})
    content = dict(body.get("content", {}))
    form = content.get("application/x-www-form-urlencoded", {}).get("schema", {})
    properties = {
        **form.get("properties", {}),
        "update": _SPARQL,
        "using-graph-uri": {"type": "array", "items": {"type": "string"}},
        "using-named-graph-uri": {"type": "array", "items": {"type": "string"}},
    }
    form = {key: value for key, value in form.items() if key != "required"}
    content["application/x-www-form-urlencoded"] = {"schema": {**form, "properties": properties}}
    content["application/sparql-update"] = {"schema": _SPARQL}
    extra["requestBody"] = {**body, "content": content}
    extra["security"] = [{}, {"writeToken": []}]
    route.openapi_extra = extra
