"""``/.well-known/void``: the VoID description, by content negotiation.

The counts come from ``kgpub.ld.void``; a browser gets them as a page
(``kgpub.ld.dataset_view``); the SPARQL endpoint is named at the
serving host (where a client can reach it), the dataset's IRIs under the base.
"""

from __future__ import annotations

from functools import partial

import pyoxigraph as ox
from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from kgpub.config import Settings
from kgpub.ld import pages
from kgpub.ld.void import describe_dataset
from kgpub.rdf.conneg import choose
from kgpub.rdf.formats import HTML, RDF_FORMATS
from kgpub.rdf.serialization import prefixes, serialize
from kgpub.store.protocol import QueryStore
from kgpub.web.documents import document_response, install_document
from kgpub.web.routes.pages import language
from kgpub.web.services import services

PATH = "/.well-known/void"
# RDF for clients; HTML last, so only an Accept preferring it (a browser's) gets the page.
OFFERS = (*RDF_FORMATS, HTML)


def _body(
    store: QueryStore,
    settings: Settings,
    *,
    sizes: dict[str, int],
    total: int,
    endpoint: str,
    name: str,
    lang: str = "en",
) -> bytes:
    triples = describe_dataset(store, settings.base_iri, sizes, total, endpoint)
    if name == HTML.name:
        formats = [(rep, f"{PATH}?format={rep.name}") for rep in RDF_FORMATS]
        page = pages.dataset_page(
            store,
            triples,
            base_iri=settings.base_iri,
            prefixes=prefixes(settings.base_iri),
            lang=lang,
            formats=formats,
        )
        return page.encode()
    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    return serialize(quads, name, settings.base_iri)


async def void_description(request: Request) -> Response:
    state = services(request)
    rep = choose(request.headers.get("accept"), request.query_params.get("format"), OFFERS)
    endpoint = str(request.base_url).rstrip("/") + "/sparql"
    body = await run_in_threadpool(
        partial(
            _body,
            state.store,
            state.settings,
            sizes=state.graph_sizes,
            total=state.default_graph_size,
            endpoint=endpoint,
            name=rep.name,
            lang=language(request)[0],
        )
    )
    return document_response(request, PATH, rep, body)


def install(app: FastAPI) -> None:
    install_document(
        app,
        PATH,
        void_description,
        operation="void",
        summary="VoID description of the dataset",
        offers=OFFERS,
        description="The VoID description (a readable page for browsers).",
    )
