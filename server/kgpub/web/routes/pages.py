"""Pages for people beside the protocol routes: the home page, and query results as a table.

``/`` answers a browser (an Accept preferring HTML) with the home page and
any other client as before (``routes.sparql.home``: the service
description). ``/sparql?query=…`` answers a browser with its results as a
table: the query runs in the same worker pool as any other, asked for SPARQL
JSON results (or N-Triples for CONSTRUCT and DESCRIBE), and the page is built
from them (``kgpub.ld.results_view``). The pages are assembled in
``kgpub.ld`` and rendered by ``kgpub.ld.pages``; this module only reads the
request and runs the work in worker threads. Both answer through
``kgpub.web.conditional`` (``ETag``, ``Last-Modified``, ``Cache-Control``, 304)
like every other document.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from urllib.parse import quote

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from kgpub.errors import NotAcceptableError
from kgpub.ld import page_text, pages
from kgpub.rdf.conneg import choose
from kgpub.rdf.formats import HTML, RDF_FORMATS, RESULT_FORMATS
from kgpub.rdf.serialization import prefixes
from kgpub.sparql.operation import QueryOperation
from kgpub.sparql.protocol import query_form
from kgpub.sparql.worker import Done
from kgpub.web import conditional
from kgpub.web.liveness import CLIENT_CLOSED, unless_disconnected
from kgpub.web.services import services

# Both pages are chosen by Accept (page or data) and worded by Accept-Language.
VARY = "Accept, Accept-Language"


def language(request: Request) -> tuple[str, bool]:
    """The reader's language, and whether ``?lang=`` chose it (links then keep it)."""
    param = request.query_params.get("lang")
    lang = page_text.choose_language(param, request.headers.get("accept-language"))
    return lang, param is not None and param.strip().lower() == lang


async def home_page(request: Request) -> Response:
    """The home page, in the reader's language."""
    state = services(request)
    lang, from_param = language(request)
    body = await run_in_threadpool(
        partial(
            pages.home_page,
            state.store,
            base_iri=state.settings.base_iri,
            lang=lang,
            lang_from_param=from_param,
        )
    )
    headers = {"Vary": VARY, "Content-Language": lang}
    return conditional.answer(request, body.encode(), HTML.content_type, headers)


def wants_page(accept: str | None, format_param: str | None) -> bool:
    """Whether a query's results should be a page: HTML preferred over every result format."""
    try:
        return choose(accept, format_param, (*RESULT_FORMATS, *RDF_FORMATS, HTML)) is HTML
    except NotAcceptableError:
        return False


def _read(done: Done) -> bytes:
    if done.body is not None:
        return done.body
    path = Path(done.path or "")
    try:
        return path.read_bytes()
    finally:
        path.unlink(missing_ok=True)


async def results_page(
    request: Request, operation: QueryOperation, endpoint: str, memento: str | None = None
) -> Response:
    """A query's results as a table page, for a browser that asked with ``Accept: text/html``;
    ``memento``: the ``Memento-Datetime`` of a time-travel query's answer."""
    state = services(request)
    graph = query_form(operation.query) in ("CONSTRUCT", "DESCRIBE")
    accept = "application/n-triples" if graph else "application/sparql-results+json"
    run = partial(state.pool.run, operation, accept, None)
    outcome = await unless_disconnected(request.receive, run)
    if outcome is None:
        return Response(status_code=CLIENT_CLOSED)
    body = await run_in_threadpool(_read, outcome.done)
    names = ("ttl", "nt", "jsonld") if graph else ("json", "xml", "csv", "tsv")
    query = quote(operation.query, safe="")
    lang = language(request)[0]
    page = await run_in_threadpool(
        partial(
            pages.results_page,
            body,
            graph=graph,
            query=operation.query,
            endpoint=endpoint,
            base_iri=state.settings.base_iri,
            prefixes=prefixes(state.settings.base_iri),
            lang=lang,
            formats=[(name, f"{endpoint}?query={query}&format={name}") for name in names],
        )
    )
    # The table changes only with the store (or with the query's own NOW()/RAND(), which
    # changes its bytes and so its ETag): validators and 304 as for every GET answer.
    # The table depends on the instant too (time travel: at= or Accept-Datetime).
    headers = {"Vary": VARY + ", Accept-Datetime", "Content-Language": lang}
    if memento is not None:
        headers["Memento-Datetime"] = memento
    return conditional.answer(request, page.encode(), HTML.content_type, headers)
