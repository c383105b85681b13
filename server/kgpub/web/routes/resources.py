"""Dereferencing: every IRI the data mints answers at its path on the serving host.

``/id/elon-musk`` is ``<base>id/elon-musk`` whatever the host (the base IRI is
a setting, not the host). One policy throughout (docs/linked-data.md): the W3C
TAG's **200 alternative** to a 303 — the IRI answers 200 with a description
chosen by content negotiation, and says which document that is:
``Content-Location`` and ``Link: <…>; rel="describedby"`` name the
representation sent (``?format=…``), ``Link: rel="alternate"`` every other
format, ``Vary: Accept, Accept-Language``. No 303 round trip: a client gets the
description in one request. Answers are kept per store version with a strong
``ETag`` (``kgpub.web.page_cache``), so a page served twice is not rendered
twice, and carry ``Last-Modified`` and ``Cache-Control``; ``If-None-Match`` and
``If-Modified-Since`` get 304 (``kgpub.web.conditional``). Hash IRIs
(``<base>ontology#Term``, ``<base>shapes#…``) are answered by their document, as
HTTP strips the fragment. The work is in ``kgpub.ld.describe``,
``kgpub.rdf.serialization`` and ``kgpub.ld.pages``; this module reads the
request and runs them in a worker thread.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from kgpub.config import Settings
from kgpub.errors import ResourceNotFoundError
from kgpub.ld import page_text, pages
from kgpub.ld.describe import Description, Kind, describe
from kgpub.ld.mementos import Notice
from kgpub.ld.ontology_docs import OntologyDocs
from kgpub.rdf.conneg import choose
from kgpub.rdf.formats import HTML, JSON_LD, RDF_FORMATS, Representation
from kgpub.rdf.serialization import compact, context, prefixes, serialize
from kgpub.shacl.conformance import Conformance
from kgpub.sparql.cache import make_etag
from kgpub.store.protocol import QueryStore
from kgpub.web import conditional, openapi, time_gate
from kgpub.web.page_cache import Page, PageKey
from kgpub.web.services import services

OFFERS: tuple[Representation, ...] = (*RDF_FORMATS, HTML)
PATHS = ("/id/{rest:path}", "/graph/{rest:path}", "/ontology", "/ontology/{rest:path}", "/shapes")
VARY = "Accept, Accept-Language"


def iri_of(request: Request, settings: Settings, *, skip: int = 0) -> str:
    """The IRI a request path stands for: the base IRI plus the (still encoded) path,
    without its first ``skip`` segments (``/memento/<stamp>/id/x`` stands for ``id/x``)."""
    raw: bytes = request.scope.get("raw_path") or request.url.path.encode()
    path = raw.decode("latin-1").split("?", 1)[0].lstrip("/")
    if skip:
        path = path.split("/", skip)[-1] if path.count("/") >= skip else ""
    return settings.base_iri + quote(path, safe="/%:@!$&'()*+,;=-._~")


def _format_url(path: str, rep: Representation, lang: str | None = None) -> str:
    query = f"?format={rep.name}" + (f"&lang={lang}" if lang else "")
    return path + query


def _headers(path: str, rep: Representation, lang: str | None) -> dict[str, str]:
    links = [
        f'<{_format_url(path, alt)}>; rel="alternate"; type="{alt.media_type}"'
        for alt in OFFERS
        if alt is not rep
    ]
    location = _format_url(path, rep, lang if rep is HTML else None)
    return {
        "Vary": VARY,
        "Content-Location": location,
        "Link": ", ".join([f'<{location}>; rel="describedby"', *links]),
    }


def _page(
    store: QueryStore,
    description: Description,
    *,
    conformance: Conformance,
    settings: Settings,
    lang: str,
    lang_from_param: bool,
    path: str,
    ontology_docs: OntologyDocs,
    memento: Notice | None = None,
) -> str:
    ontology = settings.base_iri + "ontology"
    if description.roots[0] == ontology:
        turtle = serialize(description.quads, "ttl", settings.base_iri).decode()
        return ontology_docs.page(turtle, ontology, lang)
    jsonld = (
        compact(description.quads, settings.base_iri)
        if description.kind is not Kind.GRAPH
        else None
    )
    return pages.resource_page(
        store,
        description,
        conformance,
        base_iri=settings.base_iri,
        prefixes=prefixes(settings.base_iri),
        lang=lang,
        lang_from_param=lang_from_param,
        formats=[(rep, _format_url(path, rep)) for rep in RDF_FORMATS],
        jsonld=jsonld,
        memento=memento,
    )


async def resource(request: Request) -> Response:
    """A resource's answer: from the page cache when this store version has it rendered."""
    rep, lang, lang_param = negotiated(request)
    state = services(request)
    iri = iri_of(request, settings=state.settings)
    if request.headers.get("accept-datetime") is not None:
        redirect = await time_gate.negotiate(request, iri)
        if redirect is not None:
            return redirect
    published = state.conformance, state.ontology_docs
    key = page_key(request, rep, lang, lang_param, published)
    answer = state.pages.get(key)
    if answer is None:
        answer = await render(request, rep, key, (state.store, iri), published)
        answer = await time_gate.as_original(request, iri, answer)
        state.pages.put(key, answer)
    return conditional.answer(request, answer.body, answer.content_type, answer.headers)


def page_key(
    request: Request,
    rep: Representation,
    lang: str | None,
    lang_param: str | None,
    published: tuple[Conformance, OntologyDocs],
) -> PageKey:
    """Everything this request's answer depends on, the store version included.

    The validation results and ontology docs (``published``) are read before
    rendering, and the page is rendered with exactly these: a write meanwhile
    files nothing stale under the new version.
    """
    state = services(request)
    raw: bytes = request.scope.get("raw_path") or request.url.path.encode()
    return PageKey(
        raw,
        rep.name,
        lang,
        lang_param is not None and lang_param == lang,
        state.store.version,
        (id(published[0]), id(published[1])),
    )


def negotiated(request: Request) -> tuple[Representation, str | None, str | None]:
    """The representation asked for, the page language (HTML only) and ``?lang``."""
    rep = choose(request.headers.get("accept"), request.query_params.get("format"), OFFERS)
    lang_param = request.query_params.get("lang")
    lang = None
    if rep is HTML:
        lang = page_text.choose_language(lang_param, request.headers.get("accept-language"))
    return rep, lang, lang_param


async def render(
    request: Request,
    rep: Representation,
    key: PageKey,
    target: tuple[QueryStore, str],
    published: tuple[Conformance, OntologyDocs],
    *,
    memento: Notice | None = None,
) -> Page:
    """The answer for IRI ``target[1]`` from store ``target[0]`` (the served store, or a
    memento's as-of store), with the validation results and ontology docs ``published``;
    a memento's page says which one it is (``memento``)."""
    settings: Settings = services(request).settings
    store, iri = target
    conformance, ontology_docs = published
    description = await run_in_threadpool(describe, store, iri)
    if description is None:
        raise ResourceNotFoundError(iri)
    path = request.url.path
    if rep is HTML:
        assert key.lang is not None
        page = await run_in_threadpool(
            partial(
                _page,
                store,
                description,
                conformance=conformance,
                settings=settings,
                lang=key.lang,
                lang_from_param=key.lang_from_param,
                path=path,
                ontology_docs=ontology_docs,
                memento=memento,
            )
        )
        body = page.encode()
        headers = _headers(path, rep, key.lang)
        headers["Content-Language"] = key.lang
    else:
        body = await run_in_threadpool(serialize, description.quads, rep.name, settings.base_iri)
        headers = _headers(path, rep, None)
    headers["ETag"] = make_etag(rep.content_type, body)
    return Page(body, rep.content_type, headers)


async def context_document(request: Request) -> Response:
    """``/context.jsonld``: the one JSON-LD context every JSON-LD answer embeds."""
    settings: Settings = services(request).settings
    body = json.dumps(context(settings.base_iri), ensure_ascii=False, indent=2).encode()
    return conditional.answer(request, body, "application/ld+json")


_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: openapi.representations("The description, in the negotiated format.", OFFERS),
    304: {
        "description": "If-None-Match names the current ETag, or (without it) "
        "If-Modified-Since is not older than Last-Modified."
    },
    400: openapi.problem("A path that cannot be part of an IRI."),
    404: openapi.not_found("The dataset says nothing about this IRI."),
    406: openapi.NOT_ACCEPTABLE,
}
_PARAMETERS: list[dict[str, Any]] = [
    openapi.format_parameter(OFFERS),
    {
        "name": "lang",
        "in": "query",
        "required": False,
        "description": "Overrides Accept-Language for the labels of an HTML page.",
        "schema": {"type": "string"},
    },
]


def _path_parameter(path: str) -> list[dict[str, Any]]:
    # Listed by hand: parameters given in openapi_extra replace FastAPI's own.
    if "{rest:path}" not in path:
        return []
    return [{"name": "rest", "in": "path", "required": True, "schema": {"type": "string"}}]


def install(app: FastAPI) -> None:
    """Add the dereferencing routes: GET in the OpenAPI schema, HEAD alongside."""
    for path in PATHS:
        for method in ("GET", "HEAD"):
            app.add_api_route(
                path,
                resource,
                methods=[method],
                operation_id=f"resource_{method.lower()}_{path.strip('/').split('/')[0]}"
                + ("_sub" if "{" in path else ""),
                summary="Describe a resource: RDF by content negotiation, HTML for browsers",
                include_in_schema=method == "GET",
                response_class=Response,
                responses=_RESPONSES,
                openapi_extra={"parameters": [*_path_parameter(path), *_PARAMETERS]},
            )
    for method in ("GET", "HEAD"):
        app.add_api_route(
            "/context.jsonld",
            context_document,
            methods=[method],
            operation_id=f"context_{method.lower()}",
            summary="The JSON-LD context of every JSON-LD description",
            include_in_schema=method == "GET",
            response_class=Response,
            responses={200: openapi.representations("The context.", [JSON_LD])},
        )
