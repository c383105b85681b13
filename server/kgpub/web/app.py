"""The web application, built by ``create_app(settings)``.

A factory rather than a module-level app, so tests and the CLI build apps
from explicit settings. The lifespan loads and validates the data in a worker
thread before the first request and refuses to start on invalid data, starts
the query workers, and then builds the search index in a thread of its own
while the app already answers (``/search`` waits for it; docs/architecture.md,
"How start-up works"). An already loaded store can be passed in (the CLI
validates first so it can print the report and exit cleanly; tests pass
fixture datasets).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from kgpub import __version__
from kgpub.config import Settings
from kgpub.ingest import auth
from kgpub.ingest.dataset import data_modified, load_dataset
from kgpub.ingest.validation_pool import ValidationPool
from kgpub.ingest.writes import check_settings
from kgpub.ld.query_editor import STATIC_DIR
from kgpub.search.index import SearchIndex
from kgpub.search.sparql_function import index_file
from kgpub.shacl.conformance import Conformance, check_store
from kgpub.sparql.cache import ResultCache
from kgpub.sparql.runners import Runner, runner_for
from kgpub.store.protocol import QueryStore
from kgpub.web import http_errors, operations
from kgpub.web.host_header import RequireHost
from kgpub.web.openapi import add_problem_schema
from kgpub.web.routes import api_docs as api_docs_routes
from kgpub.web.routes import claims_rdf12 as claims_rdf12_routes
from kgpub.web.routes import crawlers as crawler_routes
from kgpub.web.routes import graph_patch as graph_patch_routes
from kgpub.web.routes import graph_store as graphstore_routes
from kgpub.web.routes import history as history_routes
from kgpub.web.routes import mementos as memento_routes
from kgpub.web.routes import resources as resource_routes
from kgpub.web.routes import revisions as revision_routes
from kgpub.web.routes import search as search_routes
from kgpub.web.routes import sparql as sparql_routes
from kgpub.web.routes import update as update_routes
from kgpub.web.routes import validate as validate_routes
from kgpub.web.routes import void as void_routes
from kgpub.web.server_timing import ServerTimingMiddleware
from kgpub.web.services import Services


async def _start_queries(store: QueryStore, settings: Settings) -> tuple[SearchIndex, Runner]:
    """The query runner, started, answering ``kgpub:search`` from a search index of ``store``
    that is built after start-up (``SearchIndex.fill``, in a thread: not on the way to
    the first answer); the index's folder is removed again if the workers do not start."""
    search = SearchIndex.prepared(settings.base_iri)
    pool = runner_for(store, settings, index_file(search))
    try:
        await pool.start()
    except BaseException:
        search.remove()
        raise
    return search, pool


def create_app(
    settings: Settings | None = None,
    store: QueryStore | None = None,
    conformance: Conformance | None = None,
) -> FastAPI:
    settings = settings or Settings()
    check_settings(settings)
    state = Services(
        settings,
        ResultCache(settings.cache_bytes, settings.cache_max_age),
        ValidationPool(settings),
        write_token=auth.write_token(settings),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loaded, checked = store, conformance
        if loaded is None:
            dataset = await anyio.to_thread.run_sync(load_dataset, settings)
            loaded, checked = dataset.store, dataset.conformance
        if checked is None:
            checked = await anyio.to_thread.run_sync(
                lambda: check_store(loaded, settings, validate=settings.validate_on_start)
            )
        # Computed once; only a committed write (kgpub.ingest.writes) changes them.
        state.graph_sizes = await anyio.to_thread.run_sync(loaded.graph_sizes)
        state.default_graph_size = await anyio.to_thread.run_sync(loaded.distinct_triples)
        state.modified = await anyio.to_thread.run_sync(data_modified, settings)
        search, pool = await _start_queries(loaded, settings)
        state.search_index = search
        state.start(loaded, checked, pool)
        building = threading.Thread(
            target=search.fill_logged, args=(loaded,), name="kgpub-search-index", daemon=True
        )
        building.start()
        if settings.writes_enabled:
            state.writer = graphstore_routes.writer_for(state)
            state.dataset_nonce = secrets.token_hex(8)
        try:
            yield
        finally:
            await pool.close()
            await anyio.to_thread.run_sync(building.join)  # then its folder can go
            search.remove()
            await state.validation_pool.close()
            if store is None:  # the app opened it, so the app closes it
                loaded.close()

    app = FastAPI(
        title="kgpub",
        version=__version__,
        summary="A news article published as Linked Data, with a SPARQL 1.1 endpoint.",
        lifespan=lifespan,
        # Swagger UI from the package's own files (web.routes.api_docs), never a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.state.services = state
    http_errors.install(app)
    _install_routes(app, settings)
    app.add_middleware(ServerTimingMiddleware)
    app.add_middleware(RequireHost)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST"],
        allow_headers=[
            "Content-Type",
            "Accept",
            "If-None-Match",
            "If-Modified-Since",
            "Accept-Datetime",
        ],
        # Readable by scripts on other origins: how a Linked Data client follows
        # alternates and descriptions, revalidates, and finds a created graph.
        expose_headers=[
            "Server-Timing",
            "Content-Type",
            "Link",
            "Content-Location",
            "ETag",
            "Last-Modified",
            "Location",
            "Memento-Datetime",
            "Vary",
        ],
        max_age=3600,
    )
    if settings.metrics_enabled:
        operations.count_requests(app)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_problem_schema(FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _install_routes(app: FastAPI, settings: Settings) -> None:
    """The route table, in matching order: resources last, as its paths are catch-alls
    (/id/{rest:path}, /graph/{rest:path}, /ontology/{rest:path}) that would answer any
    route under them installed after it (docs/architecture.md)."""
    sparql_routes.install(app)
    void_routes.install(app)
    validate_routes.install(app)
    graphstore_routes.install(app)
    graph_patch_routes.install(app)
    update_routes.install(app)
    claims_rdf12_routes.install(app)
    crawler_routes.install(app)
    search_routes.install(app)
    history_routes.install(app)
    api_docs_routes.install(app)
    revision_routes.install(app)  # POST /id/{article}/revisions, before /id/{rest:path}
    operations.install(
        app, enabled=settings.metrics_enabled, in_openapi=settings.operations_in_openapi
    )
    memento_routes.install(app)
    resource_routes.install(app)
    if STATIC_DIR.is_dir():
        # Built into the package (setup.py); absent only in a checkout without npm.
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
