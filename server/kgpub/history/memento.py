"""Memento (RFC 7089): datetime negotiation, the ``Link`` headers and TimeMaps, as plain values.

An IRI is its own TimeGate: a reader sends ``Accept-Datetime`` and is sent to
the memento (revision) that was current then. This module holds what that
takes apart from HTTP itself: reading the header strictly (an RFC 1123 date
in GMT, else :class:`kgpub.errors.MalformedRequestError`, HTTP 400), choosing
the memento (the last at or before the datetime; the first when the datetime
precedes them all), the ``Link`` values a TimeGate and a memento answer with,
and a TimeMap in ``application/link-format`` (RFC 6690, laid out as RFC 7089's
examples are) and in the JSON of the Memento guide (``timemap_uri``,
``mementos.first``/``last``/``list``).
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from kgpub.errors import MalformedRequestError
from kgpub.rdf import formats

LINK_FORMAT = formats.LINK_FORMAT.media_type

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_RFC1123 = re.compile(
    r"(?P<day>[A-Z][a-z]{2}), (?P<d>\d{2}) (?P<mon>[A-Z][a-z]{2}) (?P<y>\d{4}) "
    r"(?P<h>\d{2}):(?P<m>\d{2}):(?P<s>\d{2}) GMT"
)


@dataclass(frozen=True)
class Memento:
    """One prior state: when it became current and where it is; ``attributes`` go into its link."""

    datetime: datetime
    uri: str
    attributes: tuple[tuple[str, str], ...] = ()


def http_date(moment: datetime) -> str:
    """``moment`` as an RFC 1123 date in GMT (``Tue, 20 Jun 2000 18:02:59 GMT``)."""
    if moment.tzinfo is None:
        raise ValueError("a Memento datetime must be timezone-aware")
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)


def parse_accept_datetime(value: str) -> datetime:
    """The ``Accept-Datetime`` header as an aware UTC datetime; anything but RFC 1123 GMT is 400.

    RFC 7089 (section 2.1.1) requires the RFC 1123 form; the obsolete RFC 850
    and asctime forms HTTP/1.1 tolerates for ``Date`` are refused here, since a
    reader who asks for the past should not be answered for a guessed moment.
    """
    text = value.strip()
    m = _RFC1123.fullmatch(text)
    if m is None or m["mon"] not in _MONTHS or m["day"] not in _DAYS:
        raise MalformedRequestError(
            f"Accept-Datetime {value!r} is not an RFC 1123 date such as"
            " 'Tue, 11 Sep 2001 20:35:00 GMT'"
        )
    try:
        moment = datetime(
            int(m["y"]), _MONTHS.index(m["mon"]) + 1, int(m["d"]),
            int(m["h"]), int(m["m"]), int(m["s"]), tzinfo=UTC,
        )  # fmt: skip
    except ValueError as exc:
        raise MalformedRequestError(f"Accept-Datetime {value!r} is no real date: {exc}") from None
    if _DAYS[moment.weekday()] != m["day"]:
        raise MalformedRequestError(
            f"Accept-Datetime {value!r}: {m['day']} is not the weekday of that date"
        )
    return moment


def select(mementos: Sequence[Memento], moment: datetime) -> int:
    """The index of the memento current at ``moment``: the last at or before it, else the first.

    ``mementos`` are sorted by datetime (oldest first) and not empty: an IRI with
    no memento has no TimeGate.
    """
    if not mementos:
        raise ValueError("no mementos to choose from")
    times = [m.datetime for m in mementos]
    return max(bisect.bisect_right(times, moment) - 1, 0)


def _link(uri: str, rel: str, params: Sequence[tuple[str, str]], sep: str) -> str:
    if any(c in uri for c in '<>"\n\r'):
        raise ValueError(f"a URI that a Link value cannot carry: {uri!r}")
    parts = [f"<{uri}>", f'rel="{rel}"']
    parts.extend(f'{name}="{_quoted(value)}"' for name, value in params)
    return sep.join(parts)


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _memento_rel(index: int, count: int) -> str:
    rels = []
    if index == 0:
        rels.append("first")
    if index == count - 1:
        rels.append("last")
    return " ".join([*rels, "memento"])


def _memento_link(mementos: Sequence[Memento], index: int, extra: str, sep: str) -> str:
    memento = mementos[index]
    rel = " ".join(filter(None, [extra, _memento_rel(index, len(mementos))]))
    params = [("datetime", http_date(memento.datetime)), *memento.attributes]
    return _link(memento.uri, rel, params, sep)


def _timemap_params(
    mementos: Sequence[Memento], span: tuple[datetime, datetime] | None = None
) -> list[tuple[str, str]]:
    params = [("type", LINK_FORMAT)]
    if span is None and mementos:
        span = (mementos[0].datetime, mementos[-1].datetime)
    if span is not None:
        params += [("from", http_date(span[0])), ("until", http_date(span[1]))]
    return params


def _rels(index: int, current: int | None) -> str:
    """The relation words for memento ``index`` seen from memento ``current`` (prev/next)."""
    words = []
    if current is not None and index == current - 1:
        words.append("prev")
    if current is not None and index == current + 1:
        words.append("next")
    return " ".join(words)


def link_header(
    original: str,
    timemap: str,
    mementos: Sequence[Memento],
    *,
    timegate: str | None = None,
    current: int | None = None,
    list_mementos: bool = True,
    original_is_timegate: bool = True,
) -> str:
    """The ``Link`` value of a TimeGate answer (``current`` None) or of memento ``current``.

    It names the original resource (``original timegate`` when it is its own
    TimeGate, as kgpub's IRIs are), a separate ``timegate`` if given, the
    TimeMap with its ``from``/``until``, and, unless ``list_mementos`` is false,
    the first and last mementos and, seen from a memento, the previous and next
    one and the memento itself; each memento with its ``datetime``.
    """
    sep = "; "
    own = original_is_timegate and not timegate
    links = [_link(original, "original timegate" if own else "original", [], sep)]
    if timegate:
        links.append(_link(timegate, "timegate", [], sep))
    links.append(_link(timemap, "timemap", _timemap_params(mementos), sep))
    wanted: set[int] = set()
    if list_mementos and mementos:
        wanted = {0, len(mementos) - 1}
        if current is not None:
            wanted |= {i for i in (current - 1, current, current + 1) if 0 <= i < len(mementos)}
    for index in sorted(wanted):
        links.append(_memento_link(mementos, index, _rels(index, current), sep))
    return ", ".join(links)


def timemap_link_format(
    original: str,
    timemap: str,
    timegate: str,
    mementos: Sequence[Memento],
    *,
    first_last_first: bool = False,
    span: tuple[datetime, datetime] | None = None,
) -> str:
    """The TimeMap as ``application/link-format``: original, self, TimeGate, then every memento.

    Link-values are separated by ``,`` and a line break, parameters by ``;``, as
    in RFC 7089's TimeMap example (section 5.2); mementos come oldest first,
    or, with ``first_last_first``, the first and last before the rest, as in
    that example. ``span`` overrides ``from``/``until`` (the first and last
    memento's datetimes) for a TimeMap that lists only part of the history.
    """
    sep = ";"
    self_params = _timemap_params(mementos, span)
    links = [
        _link(original, "original", [], sep),
        _link(timemap, "self", self_params, sep),
        _link(timegate, "timegate", [], sep),
    ]
    order = list(range(len(mementos)))
    if first_last_first and len(order) > 1:
        order = [0, len(order) - 1, *order[1:-1]]
    links.extend(_memento_link(mementos, i, "", sep) for i in order)
    return ",\n".join(links) + "\n"


def timemap_json(
    original: str,
    timemap_link: str,
    timemap_json_uri: str,
    timegate: str,
    mementos: Sequence[Memento],
) -> str:
    """The TimeMap as the Memento guide's JSON (datetimes in ISO 8601 UTC, ``Z``)."""

    def entry(m: Memento) -> dict[str, str]:
        iso = m.datetime.astimezone(UTC).replace(microsecond=0).isoformat()
        return {"datetime": iso.replace("+00:00", "Z"), "uri": m.uri}

    body: dict[str, object] = {
        "original_uri": original,
        "timegate_uri": timegate,
        "timemap_uri": {"link_format": timemap_link, "json_format": timemap_json_uri},
        "mementos": {
            "first": entry(mementos[0]) if mementos else None,
            "last": entry(mementos[-1]) if mementos else None,
            "list": [entry(m) for m in mementos],
        },
    }
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def memento_headers(
    original: str, timemap: str, mementos: Sequence[Memento], current: int, timegate: str | None
) -> dict[str, str]:
    """The headers every memento answers with: ``Memento-Datetime`` and its ``Link``."""
    return {
        "Memento-Datetime": http_date(mementos[current].datetime),
        "Link": link_header(original, timemap, mementos, timegate=timegate, current=current),
    }
