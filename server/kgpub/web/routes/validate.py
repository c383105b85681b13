"""``POST /validate``: check someone's RDF against kgpub's shapes before they publish it.

The body is read up to the configured limit and parsed by its Content-Type
(Turtle, JSON-LD, N-Triples, RDF/XML); unreadable RDF is a 400 carrying the
parser's located message. The SHACL report comes back as Turtle, JSON-LD or
an HTML table, by content negotiation, with its messages in one language:
``?lang=``, else Accept-Language, else ``KGPUB_MESSAGE_LANGUAGE``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from kgpub.config import Settings
from kgpub.ld import page_text, pages
from kgpub.rdf.conneg import choose
from kgpub.rdf.formats import HTML, JSON_LD, TURTLE, UPLOAD_FORMATS, media_types
from kgpub.rdf.serialization import serialize
from kgpub.shacl.conformance import Conformance, report_quads, validate_upload
from kgpub.shacl.messages import requested_languages
from kgpub.shacl.validate import ValidationReport
from kgpub.web import openapi
from kgpub.web.body import read_body

PATH = "/validate"
REPORT_FORMATS = (TURTLE, JSON_LD, HTML)


def _report_rows(
    report: ValidationReport, languages: Sequence[str]
) -> list[tuple[str, str, str, str]]:
    return [
        (
            str(r.severity).rsplit("#", 1)[-1],
            str(r.focus),
            str(r.path or ""),
            r.message_in(languages),
        )
        for r in sorted(report.results, key=lambda r: (str(r.focus), str(r.path)))
    ]


async def validate(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    conformance: Conformance = request.app.state.conformance
    rep = choose(request.headers.get("accept"), request.query_params.get("format"), REPORT_FORMATS)
    body = await read_body(request, settings.max_body_bytes)
    report = await run_in_threadpool(
        partial(validate_upload, max_depth=settings.max_query_depth),
        body,
        request.headers.get("content-type"),
        conformance,
    )
    headers = {"Vary": "Accept, Accept-Language"}
    param = request.query_params.get("lang")
    accept_language = request.headers.get("accept-language")
    languages = requested_languages(param, accept_language, settings.message_language)
    if rep is HTML:
        lang = page_text.choose_language(param, accept_language)
        page = pages.report_page(_report_rows(report, languages), report.conforms, lang)
        return Response(page, media_type=rep.content_type, headers=headers)
    quads = report_quads(report, languages)
    data = await run_in_threadpool(serialize, quads, rep.name, settings.base_iri)
    return Response(data, media_type=rep.content_type, headers=headers)


def install(app: FastAPI) -> None:
    app.add_api_route(
        PATH,
        validate,
        methods=["POST"],
        operation_id="validate_post",
        summary="Validate RDF against kgpub's SHACL shapes",
        response_class=Response,
        responses={
            200: openapi.representations("The SHACL validation report.", REPORT_FORMATS),
            400: openapi.problem("Unreadable or unsafe RDF (the parser's or the guard's message)."),
            406: openapi.NOT_ACCEPTABLE,
            408: openapi.problem("The body did not arrive in time (KGPUB_BODY_TIMEOUT)."),
            413: openapi.problem("The body is over KGPUB_MAX_BODY_BYTES."),
            415: openapi.problem("The Content-Type is not an RDF syntax read here."),
        },
        openapi_extra={
            "parameters": [openapi.format_parameter(REPORT_FORMATS)],
            "requestBody": {
                "required": True,
                "content": {
                    media: {"schema": {"type": "string"}} for media in media_types(UPLOAD_FORMATS)
                },
            },
        },
    )
