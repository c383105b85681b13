"""The comparison baseline: a minimal single-process FastAPI + pyoxigraph SPARQL endpoint.

What one would write in an afternoon: load the N-Quads into an in-memory
store at start-up, answer ``GET /sparql?query=`` in FastAPI's thread pool with
the union of all graphs as the default graph, SPARQL JSON for SELECT and ASK,
N-Triples for CONSTRUCT. No content negotiation, no protocol checks, no cache.

    python -m bench.minimal_app --corpus bench/out/corpus-10000-s5.nq --port 8002
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import pyoxigraph as ox
import uvicorn
from fastapi import FastAPI, Response


def create_app(corpus: Path) -> FastAPI:
    store = ox.Store()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store.bulk_load(path=str(corpus), format=ox.RdfFormat.N_QUADS)
        yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/sparql")
    def sparql(query: str) -> Response:
        result = store.query(query, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryTriples):
            body = result.serialize(format=ox.RdfFormat.N_TRIPLES)
            return Response(body, media_type="application/n-triples")
        body = result.serialize(format=ox.QueryResultsFormat.JSON)
        return Response(body, media_type="application/sparql-results+json")

    return app


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.minimal_app")
    parser.add_argument("--corpus", type=Path, required=True, help="N-Quads file")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    # The same uvicorn defaults as ``kgpub serve`` (uvicorn.run with host and port).
    uvicorn.run(create_app(args.corpus), host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
