"""``/.well-known/void``: the VoID description, by content negotiation.

The counts come from ``kgpub.ld.void``; the SPARQL endpoint, the IRI lookup
and the dumps are named at the serving host (where a client can reach them),
the dataset's IRIs under the base. Each answer links its other formats
(``Link: rel="alternate"``, ``web.documents``).
"""

from __future__ import annotations

from functools import partial

import pyoxigraph as ox
from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from kgpub.ld.void import Site, describe_dataset
from kgpub.rdf.conneg import choose
from kgpub.rdf.formats import RDF_FORMATS
from kgpub.rdf.serialization import serialize
from kgpub.store.protocol import QueryStore
from kgpub.web.documents import document_response, install_document
from kgpub.web.services import services

PATH = "/.well-known/void"


def _body(store: QueryStore, site: Site, name: str) -> bytes:
    triples = describe_dataset(store, site)
    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    return serialize(quads, name, site.base_iri)


async def void_description(request: Request) -> Response:
    state = services(request)
    rep = choose(request.headers.get("accept"), request.query_params.get("format"), RDF_FORMATS)
    site = Site(
        base_iri=state.settings.base_iri,
        url=str(request.base_url).rstrip("/"),
        graph_sizes=dict(state.graph_sizes),
        total_triples=state.default_graph_size,
        modified=state.modified,
    )
    body = await run_in_threadpool(partial(_body, state.store, site, rep.name))
    return document_response(request, PATH, rep, body, RDF_FORMATS)


def install(app: FastAPI) -> None:
    install_document(
        app,
        PATH,
        void_description,
        operation="void",
        summary="VoID description of the dataset",
        offers=RDF_FORMATS,
        description="The VoID description.",
    )
