"""SPARQL 1.1 Update on ``/sparql``, installed only where writes are enabled.

``kgpub.sparql`` reads and checks every update (size, nesting, grammar,
``using-graph-uri`` against USING/WITH) and, on a read-only server, refuses it
with 403. With writes enabled this handler receives the update instead: it
checks the bearer token, then ``kgpub.writes`` refuses LOAD and SERVICE, runs
the update in a staging copy, validates the result and commits it. Success is
204 No Content. See https://www.w3.org/TR/sparql11-protocol/#update-operation.
"""

from __future__ import annotations

from fastapi import FastAPI, Request, Response

from kgpub.routes.graphstore import check_write_access, run_write
from kgpub.routes.sparql import ENDPOINT, UpdateHandler
from kgpub.writes import Writer


async def run_update(
    request: Request, update: str, params: tuple[tuple[str, str], ...]
) -> Response:
    check_write_access(request)
    writer: Writer = request.app.state.writer
    base_iri = str(request.base_url).rstrip("/") + ENDPOINT
    await run_write(request, writer.update, update, params, base_iri)
    return Response(status_code=204)


def install(app: FastAPI) -> None:
    """Hand ``/sparql`` updates to ``run_update`` when writes are enabled."""
    if app.state.settings.writes_enabled:
        handler: UpdateHandler = run_update
        app.state.update_handler = handler
