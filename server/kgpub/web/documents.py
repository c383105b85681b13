"""RDF documents at fixed paths (VoID, the RDF 1.2 view): one answer shape, one route shape.

Each such document is negotiated among its formats, says where its chosen
representation lives (``Content-Location``), answers HEAD with the length it
would send, and is described in OpenAPI with its formats and the 406; written
once here so every document route answers alike.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from fastapi import FastAPI, Request, Response

from kgpub.rdf.formats import Representation
from kgpub.web import openapi


def document_response(request: Request, path: str, rep: Representation, body: bytes) -> Response:
    """``body`` as ``rep``, with ``Content-Location``; headers only for HEAD."""
    headers = {"Vary": "Accept", "Content-Location": f"{path}?format={rep.name}"}
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        return Response(b"", media_type=rep.content_type, headers=headers)
    return Response(body, media_type=rep.content_type, headers=headers)


def install_document(
    app: FastAPI,
    path: str,
    endpoint: Callable[[Request], Awaitable[Response]],
    *,
    operation: str,
    summary: str,
    offers: Sequence[Representation],
    description: str,
) -> None:
    """GET (in the OpenAPI schema) and HEAD for a document in ``offers``' formats."""
    for method in ("GET", "HEAD"):
        app.add_api_route(
            path,
            endpoint,
            methods=[method],
            operation_id=f"{operation}_{method.lower()}",
            summary=summary,
            include_in_schema=method == "GET",
            response_class=Response,
            responses={
                200: openapi.representations(description, offers),
                406: openapi.NOT_ACCEPTABLE,
            },
            openapi_extra={"parameters": [openapi.format_parameter(offers)]},
        )
