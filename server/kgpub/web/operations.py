"""``/healthz``, ``/readyz`` and ``/metrics``: what orchestrators and operators ask.

- ``/healthz``: the process answers HTTP (liveness): 200 whenever it can answer.
- ``/readyz``: it can serve (readiness): the store is open, a query worker is up
  and the data passed validation (or validation was not asked for here: a
  store loaded with ``kgpub load --validate``, ``KGPUB_VALIDATE_ON_START=false``);
  else 503, with each check named in the JSON body.
- ``/metrics``: the Prometheus text format, from ``kgpub.metrics`` (every HTTP
  worker's values summed under ``kgpub serve --workers N``). ``RequestMetrics``
  counts every answer by route template, so ``/id/elon-musk`` and
  ``/id/donald-trump`` are one series and the metric cannot grow with the data.

None of them is in the public OpenAPI document unless
``KGPUB_OPERATIONS_IN_OPENAPI`` asks; ``/metrics`` exists only with
``KGPUB_METRICS_ENABLED`` (the default). docs/operations.md has an example scrape.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kgpub import metrics
from kgpub.web.services import services

UNMATCHED = "unmatched"
"""The route label of a request no route answers (a 404 from routing)."""


async def healthz() -> JSONResponse:
    return JSONResponse({"status": "alive"}, headers={"Cache-Control": "no-store"})


def readiness(request: Request) -> dict[str, bool]:
    """Each readiness check by name: true when it passes."""
    state = services(request)
    if not state.started:
        return {"store": False, "query_workers": False, "data_validated": False}
    report = state.conformance.report
    return {
        "store": True,
        "query_workers": state.pool.ready,
        # No report: validation was not asked for here (see the module's docstring).
        "data_validated": report is None or report.accepted,
    }


async def readyz(request: Request) -> JSONResponse:
    checks = readiness(request)
    ready = all(checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
        headers={"Cache-Control": "no-store"},
    )


async def metrics_text() -> Response:
    body = generate_latest(metrics.registry())
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


def route_template(app: Any, scope: Scope) -> str:
    """The path template that answered (``/id/{rest:path}``), a mount's prefix, or
    ``UNMATCHED``: never the raw path, whose values are unbounded."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    raw = str(scope.get("path", ""))
    for candidate in getattr(app, "routes", ()):
        if isinstance(candidate, Mount) and raw.startswith(candidate.path + "/"):
            return candidate.path
        # Answered before routing (the result cache's fast path) at a fixed path.
        if getattr(candidate, "path", None) == raw and "{" not in raw:
            return raw
    return UNMATCHED


class RequestMetrics:
    """Counts every HTTP answer in ``kgpub_http_requests_total`` (outermost middleware)."""

    def __init__(self, app: ASGIApp, routed: FastAPI) -> None:
        self.app = app
        self.routed = routed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # what the client gets when the app fails before answering

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            route = route_template(self.routed, scope)
            metrics.REQUESTS.labels(route, scope["method"], str(status)).inc()


def install(app: FastAPI, *, enabled: bool, in_openapi: bool) -> None:
    """The three routes (``/metrics`` only when ``enabled``); ``count_requests`` adds
    the request counter, last, so it sees every answer."""
    app.add_api_route(
        "/healthz", healthz, methods=["GET"], include_in_schema=in_openapi, summary="Liveness"
    )
    app.add_api_route(
        "/readyz", readyz, methods=["GET"], include_in_schema=in_openapi, summary="Readiness"
    )
    if enabled:
        app.add_api_route(
            "/metrics",
            metrics_text,
            methods=["GET"],
            include_in_schema=in_openapi,
            summary="Prometheus metrics",
        )


def count_requests(app: FastAPI) -> None:
    """Count every answer: call after every other middleware is added (outermost)."""
    app.add_middleware(RequestMetrics, routed=app)
