"""Where a revision's history is published: the memento, diff and feed IRIs of docs/revisions.md.

One place builds them, so the pages, the feeds and the routes link the same
addresses: ``<base>memento/<YYYYMMDDhhmmss>/<path>`` (the path of the IRI
below the base), ``<base>timemap/<path>``, ``<base>diff/<path of A>?from=n&to=m`` and
``<base>feed`` / ``<base>feed/<path of A>``. An IRI outside the base has no
such address here (``ValueError``): kgpub publishes the history of its own
IRIs only.
"""

from __future__ import annotations

from datetime import UTC, datetime

from kgpub.errors import MalformedRequestError

STAMP_FORMAT = "%Y%m%d%H%M%S"
"""A memento's datetime in its address: ``YYYYMMDDhhmmss``, UTC."""


def path_below(base: str, iri: str) -> str:
    """The part of ``iri`` after ``base`` (``id/hafenfest``)."""
    if not iri.startswith(base) or iri == base:
        raise ValueError(f"<{iri}> is not below the base IRI <{base}>")
    return iri[len(base) :]


def stamp(moment: datetime) -> str:
    """A memento's 14-digit UTC time (``20260110080000``); whole seconds."""
    if moment.tzinfo is None:
        raise ValueError("a memento time must be timezone-aware")
    return moment.astimezone(UTC).strftime(STAMP_FORMAT)


def parse_stamp(text: str) -> datetime:
    """The instant of a memento address's stamp; not 14 digits of a real UTC time: 400."""
    if len(text) != 14 or not text.isascii() or not text.isdigit():
        raise MalformedRequestError(
            f"memento datetime {text!r} is not YYYYMMDDhhmmss (14 digits, UTC)"
        )
    try:
        return datetime.strptime(text, STAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError as exc:
        raise MalformedRequestError(f"memento datetime {text!r} is no real time: {exc}") from None


def timemap_iri(base: str, iri: str) -> str:
    """``<base>timemap/<path of iri>``: the TimeMap of ``iri``."""
    return f"{base}timemap/{path_below(base, iri)}"


def memento_iri(base: str, iri: str, moment: datetime) -> str:
    """``<base>memento/<stamp>/<path of iri>``: ``iri`` as it was at ``moment``."""
    return f"{base}memento/{stamp(moment)}/{path_below(base, iri)}"


def diff_iri(base: str, article: str, start: int | None = None, end: int | None = None) -> str:
    """``<base>diff/<path of article>``, with ``?from=…&to=…`` for the numbers given."""
    query = "&".join(
        f"{name}={number}" for name, number in (("from", start), ("to", end)) if number is not None
    )
    return f"{base}diff/{path_below(base, article)}" + (f"?{query}" if query else "")


def feed_iri(base: str, article: str | None = None) -> str:
    """``<base>feed`` (every article), or ``<base>feed/<path of article>``."""
    return f"{base}feed" if article is None else f"{base}feed/{path_below(base, article)}"
