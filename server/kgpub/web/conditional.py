"""HTTP validators and caching for every GET answer but query results: one place.

A crawler or a Linked Data client re-reads the same resources, VoID and
graphs again and again; without validators each visit costs the whole body.
Every document kgpub serves at a fixed address (resources under ``/id/``,
``/graph/``, ``/ontology``, ``/shapes``, VoID, the RDF 1.2 view, Graph Store
reads, the JSON-LD context, robots.txt, the sitemap) is answered here:

- ``ETag``: strong, the hash of the body and its media type
  (``sparql.cache.make_etag``). The body is computed from the store at its
  current version, so a write that changes a document changes its tag, and
  every HTTP worker process sends the same tag for the same bytes.
- ``Last-Modified``: when the served data last changed (``Services.modified``:
  the newest source file at start-up, the moment of each committed write).
- ``Cache-Control``: ``public, max-age=KGPUB_CACHE_MAX_AGE``, as for query results.
- ``304 Not Modified`` per RFC 9110 §13.2.2: ``If-None-Match`` decides when
  sent; only without it is ``If-Modified-Since`` compared with ``Last-Modified``.

SPARQL results keep their own fast path (``sparql.cache``); they send the same
kinds of headers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from kgpub.sparql.cache import make_etag, none_match
from kgpub.web.services import services

if TYPE_CHECKING:
    from collections.abc import Mapping


def http_date(moment: datetime) -> str:
    """``moment`` as an HTTP-date (``Sun, 06 Nov 1994 08:49:37 GMT``)."""
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)


def _since(value: str | None) -> datetime | None:
    """The instant of an ``If-Modified-Since`` value; ``None`` when absent or not a date."""
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def not_modified(request: Request, etag: str, modified: datetime) -> bool:
    """Whether a GET or HEAD may be answered 304 (RFC 9110 §13.2.2: ETag first)."""
    if request.method not in ("GET", "HEAD"):
        return False
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return none_match(if_none_match, etag)
    since = _since(request.headers.get("if-modified-since"))
    return since is not None and modified.astimezone(UTC).replace(microsecond=0) <= since


def validators(
    request: Request,
    etag: str,
    *,
    modified: datetime | None = None,
    cache_control: str | None = None,
) -> dict[str, str]:
    """``ETag``, ``Last-Modified`` and ``Cache-Control`` for an answer with ``etag``.

    ``modified`` and ``cache_control`` replace the served data's for an answer
    that does not change with it (a memento: its own datetime, ``immutable``).
    """
    state = services(request)
    return {
        "ETag": etag,
        "Last-Modified": http_date(modified or state.modified),
        "Cache-Control": cache_control or f"public, max-age={state.settings.cache_max_age}",
    }


def answer(
    request: Request,
    body: bytes,
    content_type: str,
    headers: Mapping[str, str] | None = None,
    *,
    modified: datetime | None = None,
    cache_control: str | None = None,
) -> Response:
    """200 with ``body`` (headers only for HEAD), or 304 when the client's copy is current.

    ``headers`` may carry an ``ETag`` already (a cached page's); otherwise it is
    computed here from the body. ``modified`` and ``cache_control``: see
    :func:`validators`.
    """
    all_headers = dict(headers or {})
    etag = all_headers.get("ETag") or make_etag(content_type.partition(";")[0].strip(), body)
    all_headers.update(validators(request, etag, modified=modified, cache_control=cache_control))
    if not_modified(request, etag, modified or services(request).modified):
        return Response(status_code=304, headers=all_headers)
    if request.method == "HEAD":
        all_headers["Content-Length"] = str(len(body))
        return Response(b"", media_type=content_type, headers=all_headers)
    return Response(body, media_type=content_type, headers=all_headers)


def now() -> datetime:
    """The current instant, for ``Services.modified`` after a write."""
    return datetime.now(UTC)
