"""400 for an HTTP/1.1 request without ``Host`` (RFC 9112 §3.2).

A server "MUST respond with a 400 (Bad Request) status code to any HTTP/1.1
request message that lacks a Host header field"; uvicorn answers it, and the
base URL the pages and the endpoint build from ``Host`` is then made up.
HTTP/1.0 requests may omit it. A plain ASGI middleware, before routing.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from kgpub.web.http_errors import problem

DETAIL = "an HTTP/1.1 request must carry a Host header (RFC 9112 section 3.2)"


class RequireHost:
    """Answers 400 to HTTP/1.1 requests without ``Host``; passes everything else on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope.get("http_version") == "1.1"
            and not any(name == b"host" for name, _ in scope["headers"])
        ):
            await problem(400, DETAIL, {"Connection": "close"})(scope, receive, send)
            return
        await self.app(scope, receive, send)
