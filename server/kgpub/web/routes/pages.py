"""Pages for people that live beside the protocol routes: the home page at ``/``.

``/`` answers a browser (an Accept preferring HTML) with the home page and
any other client as before (``routes.sparql.home``: the service
description). The page is assembled in ``kgpub.ld.home`` and rendered by
``kgpub.ld.pages``; this module only reads the request's language.
"""

from __future__ import annotations

from functools import partial

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from kgpub.ld import page_text, pages
from kgpub.rdf.formats import HTML
from kgpub.web.services import services


def language(request: Request) -> tuple[str, bool]:
    """The reader's language, and whether ``?lang=`` chose it (links then keep it)."""
    param = request.query_params.get("lang")
    lang = page_text.choose_language(param, request.headers.get("accept-language"))
    return lang, param is not None and param.strip().lower() == lang


async def home_page(request: Request) -> Response:
    """The home page, in the reader's language."""
    state = services(request)
    lang, from_param = language(request)
    body = await run_in_threadpool(
        partial(
            pages.home_page,
            state.store,
            base_iri=state.settings.base_iri,
            lang=lang,
            lang_from_param=from_param,
        )
    )
    headers = {"Vary": "Accept, Accept-Language", "Content-Language": lang}
    return Response(body, media_type=HTML.content_type, headers=headers)
