"""Every IRI with history is its own TimeGate (RFC 7089, pattern 2.1).

A request for an article, claim, entity or revision IRI with
``Accept-Datetime`` is sent (302) to the memento current at that datetime,
``/memento/<YYYYMMDDhhmmss>/<path>``, with ``Vary: accept-datetime`` and a
``Link`` naming the original, its TimeMap and the first, last, previous and
next mementos. A datetime before the first memento is sent to the first (RFC
7089 section 4.1.1 leaves the choice to the server; the first is the nearest
state that existed, and saying 404 would hide that the IRI has a past). An IRI
with no history answers as today: ``Accept-Datetime`` is ignored, as by any
server without Memento, and no TimeGate header is sent. Its ordinary answers
say it is a TimeGate (``Link: rel="original timegate"`` and ``timemap``, and
``Accept-Datetime`` in ``Vary``).

The redirect's ``Location`` is a path on the serving host (the query string
kept), so a server run under another host than the base IRI's stays on it;
the ``Link`` values are the model's IRIs under the base IRI.

``/sparql`` negotiates datetimes too (time travel, ``kgpub.sparql.time_travel``):
:func:`travel` says which state of the dataset a query reads and the
``Memento-Datetime`` its answer carries.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from kgpub.errors import HistoryError
from kgpub.history.addresses import path_below, timemap_iri
from kgpub.history.memento import Memento, http_date, link_header, parse_accept_datetime, select
from kgpub.sparql.operation import QueryOperation
from kgpub.web.page_cache import Page
from kgpub.web.services import services

VARY = "accept-datetime"
_log = logging.getLogger(__name__)


async def mementos_of(request: Request, iri: str) -> list[Memento]:
    """``iri``'s mementos in the served store's history (read once per store version)."""
    state = services(request)
    timeline = await run_in_threadpool(state.past.timeline, state.store)
    return await run_in_threadpool(timeline.mementos, iri)


def local(request: Request, uri: str, *, query: bool = True) -> str:
    """The path of an IRI under the base on the serving host, with this request's query
    string (``?format=``, ``?lang=``) unless ``query`` is false."""
    path = "/" + path_below(services(request).settings.base_iri, uri)
    kept = request.url.query if query else ""
    return f"{path}?{kept}" if kept else path


async def negotiate(request: Request, iri: str) -> Response | None:
    """The 302 to the memento ``Accept-Datetime`` asks for; None when ``iri`` has no history.

    A malformed ``Accept-Datetime`` is a ``MalformedRequestError`` (400) naming it.
    """
    mementos = await mementos_of(request, iri)
    if not mementos:
        return None
    moment = parse_accept_datetime(request.headers.get("accept-datetime", ""))
    index = select(mementos, moment)
    base = services(request).settings.base_iri
    headers = {
        "Vary": VARY,
        "Location": local(request, mementos[index].uri),
        "Link": link_header(iri, timemap_iri(base, iri), mementos, current=index),
    }
    return Response(status_code=302, headers=headers)


async def as_original(request: Request, iri: str, page: Page) -> Page:
    """``page`` with the TimeGate's ``Link`` and ``Vary`` when ``iri`` has history.

    A history that does not fit the graphs (``HistoryError``) leaves today's
    answer as it is: the TimeMap and mementos report it (409), the page must not.
    """
    try:
        mementos = await mementos_of(request, iri)
    except HistoryError as exc:
        _log.warning("no Memento headers for <%s>: %s", iri, exc)
        return page
    if not mementos:
        return page
    base = services(request).settings.base_iri
    headers = dict(page.headers)
    headers["Vary"] = ", ".join(filter(None, [headers.get("Vary"), "Accept-Datetime"]))
    timegate = link_header(iri, timemap_iri(base, iri), mementos)
    headers["Link"] = ", ".join(filter(None, [headers.get("Link"), timegate]))
    return Page(page.body, page.content_type, headers)


@dataclass(frozen=True)
class Travel:
    """A time-travel query's state: the revisions read and its ``Memento-Datetime``."""

    as_of: tuple[tuple[str, int], ...]
    memento_datetime: str


async def travel(request: Request, operation: QueryOperation) -> Travel | None:
    """Which state of the dataset the query reads (None: now).

    ``Memento-Datetime`` is when that state began (the latest revision at or
    before the instant); before every revision, the instant itself.
    """
    if operation.at is None:
        return None
    state = services(request)
    history = await run_in_threadpool(state.past.cache.history, state.store)
    selection = history.select(operation.at)
    return Travel(selection.key, http_date(selection.since or operation.at))


SPARQL_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "at",
        "in": "query",
        "required": False,
        "description": "Time travel: answer over the dataset as it was at this instant "
        "(ISO 8601 such as 2026-01-10T13:00:00Z, or RFC 1123); overrides Accept-Datetime.",
        "schema": {"type": "string"},
    },
    {
        "name": "Accept-Datetime",
        "in": "header",
        "required": False,
        "description": "Time travel (RFC 7089): an RFC 1123 date such as "
        "'Sat, 10 Jan 2026 13:00:00 GMT'; the answer carries Memento-Datetime.",
        "schema": {"type": "string"},
    },
]
"""The time-travel parameters of ``/sparql``, for its OpenAPI operations."""
