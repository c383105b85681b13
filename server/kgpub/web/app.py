"""The web application, built by ``create_app(settings)``.

A factory rather than a module-level app, so tests and the CLI build apps
from explicit settings. The lifespan loads and validates the data in a worker
thread before the first request and refuses to start on invalid data; an
already loaded store can be passed in (the CLI validates first so it can
print the report and exit cleanly; tests pass fixture datasets).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from kgpub import __version__
from kgpub.config import Settings
from kgpub.ingest.dataset import load_dataset
from kgpub.ld.query_editor import STATIC_DIR
from kgpub.shacl.conformance import Conformance
from kgpub.sparql.executor import runner_for
from kgpub.store.protocol import QueryStore
from kgpub.web import http_errors
from kgpub.web.host_header import RequireHost
from kgpub.web.routes import graph_store as graphstore_routes
from kgpub.web.routes import resources as resource_routes
from kgpub.web.routes import sparql as sparql_routes
from kgpub.web.routes import update as update_routes
from kgpub.web.routes import validate as validate_routes
from kgpub.web.routes import void as void_routes
from kgpub.web.server_timing import ServerTimingMiddleware


def create_app(
    settings: Settings | None = None,
    store: QueryStore | None = None,
    conformance: Conformance | None = None,
) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loaded = store
        app.state.conformance = conformance
        if loaded is None:
            dataset = await anyio.to_thread.run_sync(load_dataset, settings)
            loaded = dataset.store
            app.state.conformance = dataset.conformance
        app.state.store = loaded
        # Computed once; only a committed write (kgpub.ingest.writes) changes them.
        app.state.graph_sizes = await anyio.to_thread.run_sync(loaded.graph_sizes)
        app.state.default_graph_size = await anyio.to_thread.run_sync(loaded.distinct_triples)
        await resource_routes.startup(app)
        await graphstore_routes.startup(app)
        await validate_routes.startup(app)
        pool = runner_for(loaded, settings)
        await pool.start()
        app.state.pool = pool
        try:
            yield
        finally:
            await pool.close()
            await validate_routes.shutdown(app)

    app = FastAPI(
        title="kgpub",
        version=__version__,
        summary="A news article published as Linked Data, with a SPARQL 1.1 endpoint.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    http_errors.install(app)
    sparql_routes.install(app)
    resource_routes.install(app)
    void_routes.install(app)
    validate_routes.install(app)
    graphstore_routes.install(app)
    update_routes.install(app)
    if STATIC_DIR.is_dir():
        # Absent until scripts/setup-ui installs the query UI: /static is then a 404.
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(ServerTimingMiddleware)
    app.add_middleware(RequireHost)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "Accept"],
        expose_headers=["Server-Timing", "Content-Type"],
        max_age=3600,
    )

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = sparql_routes.add_problem_schema(FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
