"""RDF documents at fixed paths (VoID, the RDF 1.2 view): one answer shape, one route shape.

Each such document is negotiated among its formats, says where its chosen
representation lives (``Content-Location``) and where the others are
(``Link: rel="alternate"``), carries validators and answers 304
(``web.conditional``), answers HEAD with the length it would send, and is
described in OpenAPI with its formats and the 406; written once here so every
document route answers alike.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request, Response

from kgpub.rdf.formats import Representation
from kgpub.web import conditional, openapi


def document_response(
    request: Request,
    path: str,
    rep: Representation,
    body: bytes,
    offers: Sequence[Representation],
    *,
    vary: str = "Accept",
    language: str | None = None,
) -> Response:
    """``body`` as ``rep``, with ``Content-Location`` and ``Link: rel="alternate"`` to
    each other format of ``offers``; validators and 304 as everywhere
    (``web.conditional``); headers only for HEAD. ``vary`` names what chose the
    answer: ``Accept``, and ``Accept-Language`` too for a document with a page;
    ``language`` is that page's (``Content-Language``)."""
    links = [
        f'<{path}?format={alt.name}>; rel="alternate"; type="{alt.media_type}"'
        for alt in offers
        if alt is not rep
    ]
    headers = {"Vary": vary, "Content-Location": f"{path}?format={rep.name}"}
    if links:
        headers["Link"] = ", ".join(links)
    if language is not None:
        headers["Content-Language"] = language
    return conditional.answer(request, body, rep.content_type, headers)


def install_document(
    app: FastAPI,
    path: str,
    endpoint: Callable[[Request], Awaitable[Response]],
    *,
    operation: str,
    summary: str,
    offers: Sequence[Representation],
    description: str,
    not_found: str | None = None,
) -> None:
    """GET (in the OpenAPI schema) and HEAD for a document in ``offers``' formats.

    ``not_found`` documents a 404 for paths with parameters that may name nothing.
    """
    responses: dict[int | str, dict[str, Any]] = {
        200: openapi.representations(description, offers),
        304: {"description": "The client's copy is current (ETag or Last-Modified)."},
        406: openapi.NOT_ACCEPTABLE,
    }
    if not_found is not None:
        responses[404] = openapi.problem(not_found)
    # The endpoints read path parameters from the request, so FastAPI cannot see them.
    named = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"{(\w+)(?::\w+)?}", path)
    ]
    add_get_and_head(
        app,
        path,
        endpoint,
        operation=operation,
        summary=summary,
        responses=responses,
        parameters=[*named, openapi.format_parameter(offers)],
    )


def add_get_and_head(
    app: FastAPI,
    path: str,
    endpoint: Callable[..., Any],
    *,
    operation: str,
    summary: str,
    responses: dict[int | str, dict[str, Any]],
    parameters: list[dict[str, Any]],
) -> None:
    """One document route for GET (in the OpenAPI schema, ``<operation>_get``) and HEAD
    (``<operation>_head``), the endpoint reading its parameters from the request."""
    for method in ("GET", "HEAD"):
        app.add_api_route(
            path,
            endpoint,
            methods=[method],
            operation_id=f"{operation}_{method.lower()}",
            summary=summary,
            include_in_schema=method == "GET",
            response_class=Response,
            responses=responses,
            openapi_extra={"parameters": parameters},
        )
