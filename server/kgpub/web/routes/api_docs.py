"""``/docs``: the API's interactive documentation (Swagger UI), served from the package.

FastAPI's own ``/docs`` loads Swagger UI from a CDN at a floating version and
its favicon from fastapi.tiangolo.com; kgpub works offline, so its page loads
the ``swagger-ui-dist`` files the build put into ``static/vendor/`` (setup.py)
and nothing else. ``/redoc`` is off: it would need another CDN script.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

PATH = "/docs"
STATIC = "/static/vendor"
# Swagger UI would send the document to validator.swagger.io for a badge: not offline.
_PARAMETERS = {"validatorUrl": None, "deepLinking": True}


def install(app: FastAPI) -> None:
    openapi_url = app.openapi_url or "/openapi.json"
    title = f"{app.title}: API documentation"

    async def api_docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=title,
            swagger_js_url=f"{root}{STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{root}{STATIC}/swagger-ui-favicon.png",
            swagger_ui_parameters=_PARAMETERS,
        )

    app.add_api_route(PATH, api_docs, methods=["GET"], include_in_schema=False)
