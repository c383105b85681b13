"""Memento (RFC 7089): ``/memento/{stamp}/{path}`` and ``/timemap/{path}``.

A memento is an IRI's answer as it was at one revision's time: the page and
every RDF format the IRI offers (negotiated from the same registry), rendered
from the store as of that instant (``kgpub.store.as_of``), with
``Memento-Datetime``, a ``Link`` naming the original, its TimeMap and the
first, last, previous and next mementos, and ``Cache-Control: immutable`` (a
revision's state is fixed by its content hash). A stamp that is no memento's
datetime is sent (302) to the memento current then, the first for a stamp
before them all; an IRI without history is a 404 saying so. The TimeMap lists
every memento, in link-format (normative, the default), the Memento guide's
JSON, and PROV-O as Turtle or JSON-LD (``kgpub.ld.timemap``). The TimeGate is
the IRI itself (``kgpub.web.time_gate``).
"""

from __future__ import annotations

import functools
from typing import Any

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from kgpub.errors import NoHistoryError
from kgpub.history.addresses import parse_stamp, timemap_iri
from kgpub.history.memento import memento_headers, select
from kgpub.ld.mementos import Notice
from kgpub.ld.timemap import timemap
from kgpub.rdf.conneg import choose
from kgpub.rdf.formats import TIMEMAP_FORMATS
from kgpub.web import conditional, openapi, time_gate
from kgpub.web.documents import add_get_and_head
from kgpub.web.page_cache import Page
from kgpub.web.routes.resources import OFFERS, iri_of, negotiated, page_key, render
from kgpub.web.services import services

IMMUTABLE = "public, max-age=31536000, immutable"
MEMENTO_PATH = "/memento/{stamp}/{rest:path}"
TIMEMAP_PATH = "/timemap/{rest:path}"


async def memento(request: Request) -> Response:
    """The memento of an IRI at a revision's time, or a 302 to the memento current then."""
    state = services(request)
    moment = parse_stamp(request.path_params["stamp"])
    iri = iri_of(request, state.settings, skip=2)
    mementos = await time_gate.mementos_of(request, iri)
    if not mementos:
        raise NoHistoryError(iri)
    index = select(mementos, moment)
    if mementos[index].datetime != moment:
        headers = {"Location": time_gate.local(request, mementos[index].uri)}
        return Response(status_code=302, headers=headers)
    rep, lang, lang_param = negotiated(request)
    published = state.conformance, state.ontology_docs
    key = page_key(request, rep, lang, lang_param, published)
    page = state.pages.get(key)
    if page is None:
        timeline = await run_in_threadpool(state.past.timeline, state.store)
        past = await run_in_threadpool(state.past.store_at, state.store, timeline.select(moment))
        timemap_uri = timemap_iri(state.settings.base_iri, iri)
        local = functools.partial(time_gate.local, request, query=False)
        notice = Notice(moment, local(iri), local(timemap_uri))
        rendered = await render(request, rep, key, (past, iri), published, memento=notice)
        own = memento_headers(iri, timemap_uri, mementos, index, None)
        headers = dict(rendered.headers)
        headers["Link"] = f"{headers['Link']}, {own['Link']}"
        headers["Memento-Datetime"] = own["Memento-Datetime"]
        page = Page(rendered.body, rendered.content_type, headers)
        state.pages.put(key, page)
    return conditional.answer(
        request,
        page.body,
        page.content_type,
        page.headers,
        modified=moment,
        cache_control=IMMUTABLE,
    )


async def timemap_document(request: Request) -> Response:
    """The TimeMap of an IRI with history."""
    state = services(request)
    iri = iri_of(request, state.settings, skip=1)
    rep = choose(request.headers.get("accept"), request.query_params.get("format"), TIMEMAP_FORMATS)
    mementos = await time_gate.mementos_of(request, iri)
    if not mementos:
        raise NoHistoryError(iri)
    body = await run_in_threadpool(timemap, state.settings.base_iri, iri, mementos, rep)
    return conditional.answer(request, body, rep.content_type, {"Vary": "Accept"})


_NO_HISTORY = openapi.not_found("No article with recorded revisions covers this IRI.")
_PATH_PARAMETER: dict[str, Any] = {
    "name": "rest",
    "in": "path",
    "required": True,
    "description": "The IRI's path below the base IRI (id/article).",
    "schema": {"type": "string"},
}
_MEMENTO: dict[str, Any] = {
    "responses": {
        200: openapi.representations("The IRI's answer as it was then.", OFFERS),
        302: {"description": "The memento current at that datetime (Location)."},
        304: {"description": "The client's copy is current (If-None-Match)."},
        400: openapi.problem("The datetime is not YYYYMMDDhhmmss (UTC)."),
        404: _NO_HISTORY,
        406: openapi.NOT_ACCEPTABLE,
        409: openapi.problem("The history does not fit the graphs (a content hash differs)."),
    },
    "parameters": [
        {
            "name": "stamp",
            "in": "path",
            "required": True,
            "description": "The memento's datetime, YYYYMMDDhhmmss in UTC.",
            "schema": {"type": "string", "pattern": "^[0-9]{14}$"},
        },
        _PATH_PARAMETER,
        openapi.format_parameter(OFFERS),
    ],
}
_TIMEMAP: dict[str, Any] = {
    "responses": {
        200: openapi.representations("Every memento of the IRI.", TIMEMAP_FORMATS),
        304: {"description": "The client's copy is current (If-None-Match)."},
        404: _NO_HISTORY,
        406: openapi.NOT_ACCEPTABLE,
        409: openapi.problem("The history does not fit the graphs (a content hash differs)."),
    },
    "parameters": [_PATH_PARAMETER, openapi.format_parameter(TIMEMAP_FORMATS)],
}


def install(app: FastAPI) -> None:
    """Add the memento and TimeMap routes (GET in the OpenAPI schema, HEAD alongside)."""
    for path, endpoint, spec, summary in (
        (MEMENTO_PATH, memento, _MEMENTO, "An IRI's memento: its answer at a revision's time"),
        (TIMEMAP_PATH, timemap_document, _TIMEMAP, "An IRI's TimeMap: every memento"),
    ):
        add_get_and_head(
            app,
            path,
            endpoint,
            operation=endpoint.__name__,
            summary=summary,
            responses=spec["responses"],
            parameters=spec["parameters"],
        )
