"""``/graph/{name}/rdf12``: an article graph's claims as RDF 1.2 (triple terms, reifiers).

The view is built by ``kgpub.ld.claims_rdf12`` from the served store on each
request. Only the formats that carry triple terms are offered: Turtle and
N-Triples (RDF/XML and JSON-LD 1.1 have no syntax for them). A graph without
claims has no view: 404. The route is in the table before the
``/graph/{rest:path}`` catch-all that would answer it.
"""

from __future__ import annotations

from functools import partial

import pyoxigraph as ox
from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from kgpub.errors import ResourceNotFoundError
from kgpub.ld.claims_rdf12 import PATH, claims_view, path_of
from kgpub.rdf.conneg import choose
from kgpub.rdf.formats import N_TRIPLES, TURTLE, Representation
from kgpub.rdf.serialization import serialize
from kgpub.store.protocol import QueryStore
from kgpub.web.documents import document_response, install_document
from kgpub.web.services import services

OFFERS: tuple[Representation, ...] = (TURTLE, N_TRIPLES)


def _body(store: QueryStore, base_iri: str, graph: str, name: str) -> bytes:
    view = claims_view(store, base_iri, graph)
    if not view:
        raise ResourceNotFoundError(f"no claims in {base_iri}graph/{graph}")
    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in view]
    return serialize(quads, name, base_iri)


async def claims_rdf12(request: Request) -> Response:
    state = services(request)
    rep = choose(request.headers.get("accept"), request.query_params.get("format"), OFFERS)
    graph = request.path_params["name"]
    base_iri = state.settings.base_iri
    body = await run_in_threadpool(partial(_body, state.store, base_iri, graph, rep.name))
    return document_response(request, path_of(graph), rep, body, OFFERS)


def install(app: FastAPI) -> None:
    install_document(
        app,
        PATH,
        claims_rdf12,
        operation="claims_rdf12",
        summary="An article graph's claims as RDF 1.2 (triple terms with reifiers)",
        offers=OFFERS,
        description="The claims as RDF 1.2.",
        not_found="The graph does not exist or holds no claims.",
    )
