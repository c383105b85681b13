"""``GET /search``: full-text search, JSON for scripts and a page for browsers.

The searching is ``kgpub.search`` and the labelling ``kgpub.ld.search_results``;
this module reads the parameters, negotiates the answer (``application/json``,
also for ``*/*``, or ``text/html``) and runs the search in a worker thread.
Answers carry the validators of every GET answer (``web.conditional``:
``ETag`` of their content, ``Last-Modified``, ``Cache-Control``, 304).
A browser without ``q`` gets the empty search form; otherwise an empty or
too long ``q``, an unknown ``lang`` or one without words is a 400.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import FastAPI, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from kgpub.errors import SearchIndexUnavailableError
from kgpub.ld import page_text, pages
from kgpub.ld.page_model import Page
from kgpub.ld.search_results import SearchAnswer, search_answer
from kgpub.rdf.conneg import choose
from kgpub.rdf.formats import HTML, SEARCH_FORMATS
from kgpub.rdf.serialization import prefixes
from kgpub.search.index import SearchIndex
from kgpub.search.query import check_query
from kgpub.web import conditional, openapi
from kgpub.web.services import services

PATH = "/search"


# How long a search right after start-up waits for the index (built in the background,
# well under a second for the shipped story) before it answers 503 with Retry-After.
BUILD_WAIT_SECONDS = 10.0
RETRY_AFTER_SECONDS = 5


async def _index_built(index: SearchIndex) -> None:
    """Wait for the search index the server builds after start-up; a person searching
    gets the answer a moment later rather than an error. ``SearchIndexUnavailableError``
    (503, Retry-After) if it takes longer than ``BUILD_WAIT_SECONDS`` or failed."""
    if not await run_in_threadpool(index.wait_built, BUILD_WAIT_SECONDS):
        raise SearchIndexUnavailableError(
            "the search index is still being built after start-up; try again shortly",
            retry_after=RETRY_AFTER_SECONDS,
        )


async def search(
    request: Request,
    *,
    q: Annotated[str | None, Query(description="The words to search for.")] = None,
    lang: Annotated[
        str | None, Query(description="de or en: search texts in that language only.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Hits per answer.")] = 20,
    offset: Annotated[int, Query(ge=0, le=1000, description="Hits to skip.")] = 0,
    format: Annotated[str | None, Query(description="json or html; overrides Accept.")] = None,
) -> Response:
    """Search article texts, claims and names (German and English, stemmed)."""
    state = services(request)
    settings = state.settings
    rep = choose(request.headers.get("accept"), format, SEARCH_FORMATS)
    wanted = lang.strip().lower() if lang and lang.strip() else None
    page_lang = page_text.choose_language(wanted, request.headers.get("accept-language"))
    page = Page(settings.base_iri, prefixes(settings.base_iri), page_lang, wanted == page_lang)
    headers = {"Vary": "Accept, Accept-Language"}
    if rep is HTML:
        headers["Content-Language"] = page_lang
    if rep is HTML and q is None:
        form = pages.search_page(
            None, page, query="", lang=wanted, max_chars=settings.search_max_chars
        )
        return conditional.answer(request, form.encode(), rep.content_type, headers)
    query = check_query(q or "", settings.search_max_chars)
    await _index_built(state.search)
    answer = await run_in_threadpool(
        partial(
            search_answer,
            state.store,
            state.search,
            page,
            query,
            wanted,
            limit=limit,
            offset=offset,
        )
    )
    if rep is HTML:
        body = pages.search_page(
            answer, page, query=query, lang=wanted, max_chars=settings.search_max_chars
        ).encode()
    else:
        body = answer.model_dump_json().encode()
    # An answer changes only with the store: validators and 304 as for every GET answer.
    return conditional.answer(request, body, rep.content_type, headers)


def install(app: FastAPI) -> None:
    """GET (in the OpenAPI schema) and HEAD (headers only, as for every GET answer)."""
    for method in ("GET", "HEAD"):
        app.add_api_route(
            PATH,
            search,
            methods=[method],
            operation_id=f"search_{method.lower()}" if method == "HEAD" else "search",
            summary="Full-text search over articles, claims and names",
            include_in_schema=method == "GET",
            response_class=Response,
            responses={
                200: {
                    "model": SearchAnswer,
                    "description": "The hits, best first: JSON, or a page for browsers.",
                    "content": {"text/html": {"schema": {"type": "string"}}},
                },
                304: {"description": "Not modified: the client's copy (If-None-Match) is current."},
                400: openapi.problem("q empty, too long or without words; lang not de or en."),
                406: openapi.NOT_ACCEPTABLE,
                503: openapi.problem(
                    "The search index is still being built after start-up (see Retry-After)."
                ),
            },
        )
