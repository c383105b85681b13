"""What changed and when: ``/diff/<A>?from=n&to=m`` and the Atom feeds ``/feed``, ``/feed/<A>``.

The diff negotiates ``text/rdf-patch`` (the default, ``*/*`` too: the graph
change), ``text/x-diff`` (the unified diff of the two texts) and
``text/html`` (a page with both); ``from``/``to`` default to the revision
before the latest and the latest, a bad value is a 400 naming it, an IRI
with no recorded revisions a 404 saying so. The feeds are Atom (RFC 4287),
their titles in the reader's language (``?lang=``, else Accept-Language).
Every answer carries validators and answers 304 (``web.conditional``). The
work is in ``kgpub.ld.diff_view``, ``kgpub.ld.feeds`` and ``kgpub.ld.pages``;
this module reads the request and runs them in a worker thread.
"""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from kgpub.config import Settings
from kgpub.history.atom import feed_xml
from kgpub.ld import feeds, page_text, pages
from kgpub.ld.diff_view import compare
from kgpub.ld.page_model import Page
from kgpub.rdf.conneg import choose
from kgpub.rdf.formats import ATOM, DIFF_FORMATS, RDF_PATCH, X_DIFF, Representation
from kgpub.rdf.serialization import prefixes
from kgpub.store.protocol import QueryStore
from kgpub.web import conditional, openapi
from kgpub.web.documents import add_get_and_head
from kgpub.web.routes.resources import iri_of
from kgpub.web.services import services

VARY = "Accept, Accept-Language"


def _below(request: Request, settings: Settings, prefix: str) -> str:
    """The IRI named by the request path after ``/<prefix>/`` (``/diff/id/x`` names ``id/x``)."""
    full = iri_of(request, settings)
    return settings.base_iri + full[len(settings.base_iri) + len(prefix) + 1 :]


def _language(request: Request) -> tuple[str, bool]:
    param = request.query_params.get("lang")
    lang = page_text.choose_language(param, request.headers.get("accept-language"))
    return lang, param is not None and param == lang


def _format_url(path: str, params: dict[str, str], rep: Representation) -> str:
    return path + "?" + urlencode({**params, "format": rep.name})


async def diff(request: Request) -> Response:
    """The change between two revisions of an article, in the negotiated format."""
    rep = choose(request.headers.get("accept"), request.query_params.get("format"), DIFF_FORMATS)
    state = services(request)
    settings, store = state.settings, state.store
    article = _below(request, settings, "diff")
    compared = await run_in_threadpool(
        compare,
        store,
        settings.base_iri,
        article,
        request.query_params.get("from"),
        request.query_params.get("to"),
    )
    path = request.url.path
    params = {"from": str(compared.span.start), "to": str(compared.span.end)}
    formats = [(alt, _format_url(path, params, alt)) for alt in DIFF_FORMATS]
    headers = {
        "Vary": VARY,
        "Link": ", ".join(
            f'<{url}>; rel="alternate"; type="{alt.media_type}"'
            for alt, url in formats
            if alt is not rep
        ),
    }
    if rep is RDF_PATCH:
        body = compared.patch.encode()
    elif rep is X_DIFF:
        body = compared.unified().encode()
    else:
        lang, from_param = _language(request)
        html = await run_in_threadpool(
            partial(
                pages.diff_page,
                store,
                compared,
                base_iri=settings.base_iri,
                prefixes=prefixes(settings.base_iri),
                lang=lang,
                lang_from_param=from_param,
                formats=formats,
            )
        )
        body = html.encode()
        headers["Content-Language"] = lang
    return conditional.answer(request, body, rep.content_type, headers)


def _feed_body(store: QueryStore, page: Page, article: str | None) -> bytes:
    made = (
        feeds.site_feed(store, page)
        if article is None
        else feeds.article_feed(store, page, article)
    )
    return feed_xml(made)


async def feed(request: Request) -> Response:
    """``/feed`` (every article) or ``/feed/<A>``: the revisions as Atom, newest first."""
    state = services(request)
    settings = state.settings
    article = _below(request, settings, "feed") if request.path_params.get("rest") else None
    lang, _ = _language(request)
    page = Page(settings.base_iri, {}, lang, False)
    body = await run_in_threadpool(_feed_body, state.store, page, article)
    headers = {"Vary": "Accept-Language", "Content-Language": lang}
    return conditional.answer(request, body, ATOM.content_type, headers)


_DIFF_PARAMETERS: list[dict[str, Any]] = [
    {"name": "rest", "in": "path", "required": True, "schema": {"type": "string"}},
    *(
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": text,
            "schema": {"type": "integer", "minimum": 1},
        }
        for name, text in (
            ("from", "The earlier revision's number (default: the one before `to`)."),
            ("to", "The later revision's number (default: the latest)."),
        )
    ),
    openapi.format_parameter(DIFF_FORMATS),
    {
        "name": "lang",
        "in": "query",
        "required": False,
        "description": "Overrides Accept-Language for the HTML page and the feeds' titles.",
        "schema": {"type": "string"},
    },
]
_NO_HISTORY = openapi.not_found("No article with recorded revisions has this IRI.")


def install(app: FastAPI) -> None:
    """GET (in the OpenAPI schema) and HEAD for the diff and both feeds."""
    routes: tuple[tuple[str, Any, str, str, dict[int | str, dict[str, Any]], list[Any]], ...] = (
        (
            "/diff/{rest:path}",
            diff,
            "diff",
            "The change between two revisions of an article: RDF Patch, unified diff or a page",
            {
                200: openapi.representations("The change, in the negotiated format.", DIFF_FORMATS),
                400: openapi.problem(
                    "`from` or `to` names no revision, or `from` is not before `to`."
                ),
                404: _NO_HISTORY,
                406: openapi.NOT_ACCEPTABLE,
            },
            _DIFF_PARAMETERS,
        ),
        (
            "/feed",
            feed,
            "feed",
            "Every revision of every article, as an Atom feed",
            {200: openapi.representations("The feed.", [ATOM]), 404: _NO_HISTORY},
            [_DIFF_PARAMETERS[-1]],
        ),
        (
            "/feed/{rest:path}",
            feed,
            "feed_article",
            "Every revision of one article, as an Atom feed",
            {200: openapi.representations("The feed.", [ATOM]), 404: _NO_HISTORY},
            [_DIFF_PARAMETERS[0], _DIFF_PARAMETERS[-1]],
        ),
    )
    for path, endpoint, name, summary, responses, parameters in routes:
        add_get_and_head(
            app,
            path,
            endpoint,
            operation=name,
            summary=summary,
            responses={**responses, 304: {"description": "Not modified."}},
            parameters=parameters,
        )
