"""``multipart/form-data`` Graph Store bodies: each part one RDF document.

The Graph Store Protocol (§5.5) lets a POST carry several RDF documents as a
``multipart/form-data`` body, each part with its own ``Content-Type``; they are
merged into the target graph. The body has been read under the size limit
(``web.body``) before it is split here, with the standard library's MIME
parser: a part's bytes come back as sent, and a part without a
``Content-Type`` is refused rather than guessed. Each part's syntax is checked
like a whole body's (415 naming the part); broken multipart framing, an empty
body or a part that is a form field rather than a document is 400.
"""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from starlette.requests import Request

from kgpub.errors import MalformedRequestError, UnsupportedMediaTypeError
from kgpub.ingest.writes import Part
from kgpub.shacl.conformance import upload_format
from kgpub.web.body import read_body

MEDIA_TYPE = "multipart/form-data"
CONTENT: dict[str, Any] = {
    MEDIA_TYPE: {"schema": {"type": "object", "additionalProperties": {"type": "string"}}}
}
"""The OpenAPI request body content of a multipart POST."""


def is_multipart(content_type: str | None) -> bool:
    """Whether a request's ``Content-Type`` is ``multipart/form-data``."""
    return (content_type or "").split(";", 1)[0].strip().lower() == MEDIA_TYPE


def _message(body: bytes, content_type: str) -> EmailMessage:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    assert isinstance(message, EmailMessage)
    if not message.get_param("boundary"):
        raise MalformedRequestError("the multipart/form-data Content-Type names no boundary")
    if not message.is_multipart() or message.defects:
        problems = "; ".join(type(d).__name__ for d in message.defects) or "no parts"
        raise MalformedRequestError(f"the multipart/form-data body is malformed ({problems})")
    return message


def _name(part: EmailMessage, index: int) -> str:
    field = part.get_param("name", header="content-disposition")
    filename = part.get_filename()
    label = filename or (field if isinstance(field, str) else None)
    return f"part {index}" + (f" ({label})" if label else "")


def parts(body: bytes, content_type: str) -> list[Part]:
    """The RDF documents of a ``multipart/form-data`` body, in order."""
    message = _message(body, content_type)
    documents = []
    for index, part in enumerate(message.iter_parts(), start=1):
        assert isinstance(part, EmailMessage)
        name = _name(part, index)
        if part.is_multipart():
            raise MalformedRequestError(f"{name} is itself multipart; send one RDF document a part")
        declared = part.get("content-type")
        if declared is None:
            raise UnsupportedMediaTypeError(
                f"{name} has no Content-Type; give each part the media type of its RDF syntax"
            )
        try:
            fmt = upload_format(declared)
        except UnsupportedMediaTypeError as exc:
            raise UnsupportedMediaTypeError(f"{name}: {exc}") from exc
        data = part.get_payload(decode=True)
        assert isinstance(data, bytes)
        documents.append(Part(data, fmt, name))
    if not documents:
        raise MalformedRequestError("the multipart/form-data body has no parts")
    return documents


async def read_parts(request: Request, limit: int) -> list[Part] | None:
    """The documents of a ``multipart/form-data`` request, read under ``limit`` bytes;
    ``None`` for a request with any other body."""
    content_type = request.headers.get("content-type")
    if content_type is None or not is_multipart(content_type):
        return None
    return parts(await read_body(request, limit), content_type)
