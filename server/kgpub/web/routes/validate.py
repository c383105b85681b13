"""``POST /validate``: check someone's RDF against kgpub's shapes before they publish it.

The body is read up to the configured limit and parsed by its Content-Type
(Turtle, JSON-LD, N-Triples, RDF/XML); unreadable RDF is a 400 carrying the
parser's located message. The SHACL report comes back as Turtle, JSON-LD or
an HTML table, by content negotiation, with its messages in one language:
``?lang=``, else Accept-Language, else ``KGPUB_MESSAGE_LANGUAGE``.
"""

from __future__ import annotations

from fastapi import FastAPI, Request, Response

from kgpub.config import Settings
from kgpub.errors import RequestTooLargeError
from kgpub.ld import page_text
from kgpub.rdf.conneg import choose
from kgpub.rdf.formats import HTML, JSON_LD, TURTLE, UPLOAD_FORMATS, media_types
from kgpub.shacl.conformance import Conformance, upload_format
from kgpub.shacl.messages import requested_languages
from kgpub.web import openapi
from kgpub.web.body import read_body
from kgpub.web.services import services

PATH = "/validate"
REPORT_FORMATS = (TURTLE, JSON_LD, HTML)


async def validate(request: Request) -> Response:
    settings: Settings = services(request).settings
    conformance: Conformance = services(request).conformance
    rep = choose(request.headers.get("accept"), request.query_params.get("format"), REPORT_FORMATS)
    content_type = request.headers.get("content-type")
    upload_format(content_type)  # 415 before the body is read or a worker started
    limit = min(settings.max_body_bytes, settings.validate_max_bytes)
    try:
        body = await read_body(request, limit)
    except RequestTooLargeError as exc:
        raise RequestTooLargeError(
            f"the request body is over the limit of {limit} bytes "
            "(KGPUB_VALIDATE_MAX_BYTES, KGPUB_MAX_BODY_BYTES)"
        ) from exc
    lang = page_text.choose_language(
        request.query_params.get("lang"), request.headers.get("accept-language")
    )
    languages = requested_languages(
        request.query_params.get("lang"),
        request.headers.get("accept-language"),
        settings.message_language,
    )
    rendered = await services(request).validation_pool.validate(
        body,
        content_type,
        conformance,
        report_format=rep.name,
        lang=lang,
        languages=tuple(languages),
    )
    headers = {"Vary": "Accept, Accept-Language"}
    return Response(rendered.body, media_type=rendered.content_type, headers=headers)


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
            413: openapi.problem(
                "The body is over KGPUB_VALIDATE_MAX_BYTES or KGPUB_MAX_BODY_BYTES."
            ),
            415: openapi.problem("The Content-Type is not an RDF syntax read here."),
            422: openapi.problem(
                "The upload is over a validation limit (KGPUB_VALIDATE_MAX_TRIPLES, "
                "KGPUB_VALIDATE_MEMORY_BYTES, nesting)."
            ),
            503: openapi.problem(
                "The validation did not finish within KGPUB_VALIDATE_TIMEOUT; see Retry-After."
            ),
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
