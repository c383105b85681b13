"""What crawlers and catalogues ask a Linked Data site for: ``/robots.txt``,
``/sitemap.xml`` and the IRI lookup VoID names (``/lookup?uri=``).

The lists are the store's (``kgpub.ld.sitemap``), at the serving host; both
documents carry validators and answer 304 like every other (``web.conditional``).
The lookup answers ``303 See Other`` to the page of any IRI under the base
(``void:uriLookupEndpoint``: a client appends an IRI to it), so a client that
only has an IRI on another host (the canonical ``kgpub.example``) can reach it here.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from kgpub.errors import MalformedRequestError, ResourceNotFoundError
from kgpub.ld import sitemap
from kgpub.store.protocol import QueryStore
from kgpub.web import conditional
from kgpub.web.openapi import PROBLEM_CONTENT
from kgpub.web.services import services

# Query results and writes: costly or pointless for a crawler; the pages are not.
DISALLOW = ("/sparql?", "/graph-store", "/validate", "/lookup")


def _site(request: Request) -> str:
    return str(request.base_url).rstrip("/")


async def robots(request: Request) -> Response:
    """``/robots.txt``: crawl the pages, not the queries; where the sitemap is."""
    body = sitemap.robots_txt(_site(request), DISALLOW)
    return conditional.answer(request, body, "text/plain; charset=utf-8")


def _sitemap_body(store: QueryStore, base_iri: str, site: str, modified: datetime) -> bytes:
    iris = [*sitemap.entities(store, base_iri), *sitemap.feeds(store, base_iri)]
    urls = [sitemap.page_url(iri, base_iri, site) for iri in iris]
    return sitemap.sitemap_xml(urls, modified)


async def sitemap_document(request: Request) -> Response:
    """``/sitemap.xml``: every article and entity page and the revision feeds, with ``lastmod``."""
    state = services(request)
    body = await run_in_threadpool(
        partial(_sitemap_body, state.store, state.settings.base_iri, _site(request), state.modified)
    )
    return conditional.answer(request, body, "application/xml")


async def lookup(request: Request) -> Response:
    """``/lookup?uri=IRI``: 303 to where the IRI is served; 404 for IRIs not minted here."""
    iri = request.query_params.get("uri")
    if not iri:
        raise MalformedRequestError("name the IRI to look up: /lookup?uri=<absolute IRI>")
    base_iri = services(request).settings.base_iri
    if not iri.startswith(base_iri):
        raise ResourceNotFoundError(iri)
    path = "/" + iri.removeprefix(base_iri).split("#", 1)[0]
    return Response(status_code=303, headers={"Location": path})


_TEXT = {"text/plain": {"schema": {"type": "string"}}}
_XML = {"application/xml": {"schema": {"type": "string"}}}


def install(app: FastAPI) -> None:
    """GET (in the OpenAPI schema) and HEAD for each."""
    documents: tuple[tuple[str, Any, str, dict[int | str, dict[str, Any]]], ...] = (
        ("/robots.txt", robots, "robots", {200: {"description": "robots.txt", "content": _TEXT}}),
        (
            "/sitemap.xml",
            sitemap_document,
            "sitemap",
            {200: {"description": "The sitemap of article and entity pages", "content": _XML}},
        ),
        (
            "/lookup",
            lookup,
            "lookup",
            {
                303: {"description": "Location: where the IRI is served."},
                400: {"description": "No uri parameter.", "content": PROBLEM_CONTENT},
                404: {"description": "The IRI is not minted here.", "content": PROBLEM_CONTENT},
            },
        ),
    )
    for path, endpoint, name, responses in documents:
        for method in ("GET", "HEAD"):
            extra: dict[str, Any] = {}
            if name == "lookup":
                extra["parameters"] = [_URI_PARAM]
            app.add_api_route(
                path,
                endpoint,
                methods=[method],
                operation_id=f"{name}_{method.lower()}",
                summary={
                    "robots": "robots.txt for crawlers",
                    "sitemap": "Sitemap of every article and entity page",
                    "lookup": "Look an IRI up: 303 to where it is served",
                }[name],
                include_in_schema=method == "GET",
                response_class=Response,
                responses={
                    **responses,
                    **({} if name == "lookup" else {304: {"description": "Not modified."}}),
                },
                openapi_extra=extra or None,
            )


_URI_PARAM: dict[str, Any] = {
    "name": "uri",
    "in": "query",
    "required": True,
    "description": "The IRI to look up (absolute, under the dataset's base IRI).",
    "schema": {"type": "string", "minLength": 1},
}
