"""Time travel: which instant a query reads the dataset as of (docs/revisions.md, "Memento").

A client asks ``/sparql`` for the past with the ``Accept-Datetime`` header
(RFC 7089: an RFC 1123 date) or the ``at`` parameter (ISO 8601 such as
``2026-01-10T13:00:00Z``, or RFC 1123), in the URL or in a form body; ``at``
wins over the header, as ``format`` wins over ``Accept``. The query is then
answered over the store as of that instant (``kgpub.store.as_of``): no
grammar extension, so any SPARQL client can travel. An ISO 8601 time without
a zone is read as UTC; fractions of a second are dropped (revision times are
whole seconds). Anything else is a 400 naming the value.
"""

from __future__ import annotations

from datetime import UTC, datetime

from kgpub.errors import MalformedRequestError
from kgpub.history.memento import parse_accept_datetime


def parse_at(value: str) -> datetime:
    """An ``at`` value (ISO 8601 or RFC 1123) as an aware UTC datetime in whole seconds."""
    text = value.strip()
    if text[:1].isdigit():
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise MalformedRequestError(
                f"at={value[:60]!r} is neither ISO 8601 (2026-01-10T13:00:00Z) "
                "nor an RFC 1123 date (Sat, 10 Jan 2026 13:00:00 GMT)"
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC).replace(microsecond=0)
    try:
        return parse_accept_datetime(text)
    except MalformedRequestError:
        raise MalformedRequestError(
            f"at={value[:60]!r} is neither ISO 8601 (2026-01-10T13:00:00Z) "
            "nor an RFC 1123 date (Sat, 10 Jan 2026 13:00:00 GMT)"
        ) from None


def at_parameter(params: list[tuple[str, str]]) -> datetime | None:
    """The request's ``at`` parameter; more than one is a 400."""
    values = [value for name, value in params if name == "at"]
    if not values:
        return None
    if len(values) > 1:
        raise MalformedRequestError("the request has more than one at; send at most one")
    return parse_at(values[0])


def requested(at: datetime | None, accept_datetime: str | None) -> datetime | None:
    """The instant asked for: ``at``, else ``Accept-Datetime`` (None: now)."""
    if at is not None:
        return at
    if accept_datetime is None:
        return None
    return parse_accept_datetime(accept_datetime)
