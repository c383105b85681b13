"""``Server-Timing`` on every response, so clients and browsers see engine time.

A pure ASGI middleware rather than Starlette's ``BaseHTTPMiddleware``: it
adds a header at ``http.response.start`` without buffering or re-wrapping
the body. Routes that run the query engine record its time in the request
state under ``ENGINE_SECONDS``; every other response reports 0. Routes that
consult the result cache record ``hit`` or ``miss`` under ``CACHE``, and a query
answered from the workers' in-memory copy of the store sets ``IN_MEMORY``.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ENGINE_SECONDS = "engine_seconds"
CACHE = "cache"
IN_MEMORY = "in_memory"


class ServerTimingMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state: dict[str, Any] = scope.setdefault("state", {})

        async def send_with_timing(message: Message) -> None:
            if message["type"] == "http.response.start":
                engine = float(state.get(ENGINE_SECONDS, 0.0)) * 1000
                total = (time.perf_counter() - started) * 1000
                where = ", in memory" if state.get(IN_MEMORY) else ""
                value = (
                    f'engine;dur={engine:.3f};desc="SPARQL engine{where}", total;dur={total:.3f}'
                )
                if CACHE in state:
                    value += f', cache;desc="{state[CACHE]}"'
                headers = list(message.get("headers", []))
                headers.append((b"server-timing", value.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_timing)
