"""``/.well-known/void``: the VoID description, by content negotiation.

The counts come from ``kgpub.ld.void``; a browser gets them as a page
(``kgpub.ld.dataset_view``); the SPARQL endpoint, the IRI lookup and the dumps
are named at the serving host (where a client can reach them), the dataset's
IRIs under the base. Each answer links its other formats
(``Link: rel="alternate"``, ``web.documents``).
"""

from __future__ import annotations

from functools import partial

import pyoxigraph as ox
from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from kgpub.ld import pages
from kgpub.ld.void import Site, describe_dataset
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


def _body(store: QueryStore, site: Site, name: str, lang: str = "en") -> bytes:
    triples = describe_dataset(store, site)
    if name == HTML.name:
        formats = [(rep, f"{PATH}?format={rep.name}") for rep in RDF_FORMATS]
        page = pages.dataset_page(
            store,
            triples,
            base_iri=site.base_iri,
            prefixes=prefixes(site.base_iri),
            lang=lang,
            formats=formats,
        )
        return page.encode()
    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    return serialize(quads, name, site.base_iri)


async def void_description(request: Request) -> Response:
    state = services(request)
    rep = choose(request.headers.get("accept"), request.query_params.get("format"), OFFERS)
    site = Site(
        base_iri=state.settings.base_iri,
        url=str(request.base_url).rstrip("/"),
        graph_sizes=dict(state.graph_sizes),
        total_triples=state.default_graph_size,
        modified=state.modified,
    )
    lang = language(request)[0]
    body = await run_in_threadpool(partial(_body, state.store, site, rep.name, lang))
    # The page is worded in the reader's language: caches must key on it too.
    page_lang = lang if rep is HTML else None
    return document_response(
        request, PATH, rep, body, OFFERS, vary="Accept, Accept-Language", language=page_lang
    )


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
