"""Memento (RFC 7089): Accept-Datetime read strictly, the memento chosen for a moment,
and the Link headers and TimeMaps reproducing the RFC's own examples."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from kgpub.errors import MalformedRequestError
from kgpub.history.memento import (
    LINK_FORMAT,
    Memento,
    http_date,
    link_header,
    memento_headers,
    parse_accept_datetime,
    select,
    timemap_json,
    timemap_link_format,
)
from kgpub.web.http_errors import status_for


def at(*parts: int) -> datetime:
    """A UTC datetime from year, month, day and, if given, hour, minute, second."""
    year, month, day, *time = parts
    hour, minute, second = [*time, 0, 0, 0][:3]
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def without_layout(text: str) -> str:
    """The RFC's examples break lines for the page; RFC 6690 link-format has no whitespace
    outside quoted strings, so drop it there (and keep it inside)."""
    parts = re.split(r'("(?:[^"\\]|\\.)*")', text)
    return "".join(p if p.startswith('"') else re.sub(r"\s+", "", p) for p in parts)


def test_accept_datetime_is_read_as_utc() -> None:
    assert parse_accept_datetime("Tue, 11 Sep 2001 20:35:00 GMT") == at(2001, 9, 11, 20, 35)
    assert parse_accept_datetime("  Thu, 21 Jan 2010 00:02:14 GMT ") == at(2010, 1, 21, 0, 2, 14)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "yesterday",
        "2001-09-11T20:35:00Z",
        "Tuesday, 11-Sep-01 20:35:00 GMT",  # RFC 850
        "Tue Sep 11 20:35:00 2001",  # asctime
        "Tue, 11 Sep 2001 20:35:00 +0000",
        "Tue, 11 Sep 2001 20:35 GMT",
        "Tue, 31 Sep 2001 20:35:00 GMT",  # no such day
        "Tue, 11 Sep 2001 24:00:00 GMT",
        "Wed, 11 Sep 2001 20:35:00 GMT",  # wrong weekday
        "tue, 11 sep 2001 20:35:00 gmt",
        "Tue, 11 Sept 2001 20:35:00 GMT",
    ],
)
def test_a_malformed_accept_datetime_is_a_400_naming_the_value(value: str) -> None:
    with pytest.raises(MalformedRequestError) as caught:
        parse_accept_datetime(value)
    assert repr(value) in str(caught.value)
    assert status_for(caught.value) == 400


def test_http_date_is_rfc_1123_in_gmt_from_any_zone() -> None:
    cest = timezone(timedelta(hours=2))
    assert http_date(datetime(2001, 9, 11, 22, 36, 10, 500, tzinfo=cest)) == (
        "Tue, 11 Sep 2001 20:36:10 GMT"
    )
    with pytest.raises(ValueError, match="timezone-aware"):
        http_date(datetime(2001, 9, 11))


REVISIONS = [
    Memento(at(2026, 12, 1, 8), "http://ex/a/rev/1"),
    Memento(at(2026, 12, 1, 12), "http://ex/a/rev/2"),
    Memento(at(2026, 12, 2, 9, 30), "http://ex/a/rev/3"),
]


@pytest.mark.parametrize(
    ("moment", "index"),
    [
        (at(2020, 1, 1), 0),  # before all: the first
        (at(2026, 12, 1, 8), 0),  # exactly the first
        (at(2026, 12, 1, 11, 59, 59), 0),
        (at(2026, 12, 1, 12), 1),  # at a revision: that revision
        (at(2026, 12, 2, 9, 29), 1),
        (at(2026, 12, 2, 9, 30), 2),
        (at(2030, 1, 1), 2),  # after all: the last
    ],
)
def test_the_memento_for_a_moment_is_the_last_at_or_before_it(moment: datetime, index: int) -> None:
    assert select(REVISIONS, moment) == index


def test_no_memento_no_choice() -> None:
    with pytest.raises(ValueError, match="no mementos"):
        select([], at(2026, 1, 1))


# RFC 7089, section 4.2.1 (pattern 2.1), the TimeGate's 302 answer: its Link header.
RFC_302_LINK = """<http://a.example.org/>; rel="original",
 <http://arxiv.example.net/timemap/http://a.example.org/>
   ; rel="timemap"; type="application/link-format"
   ; from="Tue, 15 Sep 2000 11:28:26 GMT"
   ; until="Wed, 20 Jan 2010 09:34:33 GMT\""""


def test_the_rfc_timegate_link_header() -> None:
    """Byte for byte once the page's line folding is undone, but for one weekday: the
    RFC writes "Tue, 15 Sep 2000", a Friday, and a real date cannot be written so."""
    mementos = [
        Memento(at(2000, 9, 15, 11, 28, 26), "http://arxiv.example.net/web/1"),
        Memento(at(2010, 1, 20, 9, 34, 33), "http://arxiv.example.net/web/2"),
    ]
    ours = link_header(
        "http://a.example.org/",
        "http://arxiv.example.net/timemap/http://a.example.org/",
        mementos,
        list_mementos=False,
        original_is_timegate=False,
    )
    rfc = re.sub(r"\s*\n\s*", " ", RFC_302_LINK).replace(" ;", ";")
    assert ours == rfc.replace("Tue, 15 Sep 2000", "Fri, 15 Sep 2000")


# RFC 7089, section 5.2: the example TimeMap (the RFC ends its list with "...").
RFC_TIMEMAP = """<http://a.example.org>;rel="original",
<http://arxiv.example.net/timemap/http://a.example.org>
  ; rel="self";type="application/link-format"
  ; from="Tue, 20 Jun 2000 18:02:59 GMT"
  ; until="Wed, 09 Apr 2008 20:30:51 GMT",
<http://arxiv.example.net/timegate/http://a.example.org>
  ; rel="timegate",
<http://arxiv.example.net/web/20000620180259/http://a.example.org>
  ; rel="first memento";datetime="Tue, 20 Jun 2000 18:02:59 GMT"
  ; license="http://creativecommons.org/publicdomain/zero/1.0/",
<http://arxiv.example.net/web/20091027204954/http://a.example.org>
   ; rel="last memento";datetime="Tue, 27 Oct 2009 20:49:54 GMT"
   ; license="http://creativecommons.org/publicdomain/zero/1.0/",
<http://arxiv.example.net/web/20000621011731/http://a.example.org>
  ; rel="memento";datetime="Wed, 21 Jun 2000 01:17:31 GMT"
  ; license="http://creativecommons.org/publicdomain/zero/1.0/",
<http://arxiv.example.net/web/20000621044156/http://a.example.org>
  ; rel="memento";datetime="Wed, 21 Jun 2000 04:41:56 GMT"
  ; license="http://creativecommons.org/publicdomain/zero/1.0/",
..."""

CC0 = (("license", "http://creativecommons.org/publicdomain/zero/1.0/"),)
ARCHIVE = "http://arxiv.example.net/web/"
RFC_MEMENTOS = [
    Memento(at(2000, 6, 20, 18, 2, 59), ARCHIVE + "20000620180259/http://a.example.org", CC0),
    Memento(at(2000, 6, 21, 1, 17, 31), ARCHIVE + "20000621011731/http://a.example.org", CC0),
    Memento(at(2000, 6, 21, 4, 41, 56), ARCHIVE + "20000621044156/http://a.example.org", CC0),
    Memento(at(2009, 10, 27, 20, 49, 54), ARCHIVE + "20091027204954/http://a.example.org", CC0),
]


def test_the_rfc_timemap_in_link_format() -> None:
    """The RFC's TimeMap lists the first and last memento before the rest, and its
    ``until`` is not its last memento's datetime (a TimeMap page's span): both given."""
    ours = timemap_link_format(
        "http://a.example.org",
        "http://arxiv.example.net/timemap/http://a.example.org",
        "http://arxiv.example.net/timegate/http://a.example.org",
        RFC_MEMENTOS,
        first_last_first=True,
        span=(at(2000, 6, 20, 18, 2, 59), at(2008, 4, 9, 20, 30, 51)),
    )
    assert without_layout(ours) == without_layout(RFC_TIMEMAP.removesuffix(",\n..."))
    assert ours.count("\n") == 7  # one link-value a line, as the RFC lays them out


def test_a_timemap_lists_mementos_oldest_first_with_their_span() -> None:
    text = timemap_link_format("http://ex/a", "http://ex/a/timemap", "http://ex/a", REVISIONS)
    assert text.splitlines() == [
        '<http://ex/a>;rel="original",',
        '<http://ex/a/timemap>;rel="self";type="application/link-format"'
        ';from="Tue, 01 Dec 2026 08:00:00 GMT";until="Wed, 02 Dec 2026 09:30:00 GMT",',
        '<http://ex/a>;rel="timegate",',
        '<http://ex/a/rev/1>;rel="first memento";datetime="Tue, 01 Dec 2026 08:00:00 GMT",',
        '<http://ex/a/rev/2>;rel="memento";datetime="Tue, 01 Dec 2026 12:00:00 GMT",',
        '<http://ex/a/rev/3>;rel="last memento";datetime="Wed, 02 Dec 2026 09:30:00 GMT"',
    ]


def test_a_single_memento_is_first_and_last() -> None:
    text = timemap_link_format("http://ex/a", "http://ex/tm", "http://ex/a", REVISIONS[:1])
    assert 'rel="first last memento"' in text


def test_the_timegate_link_of_an_iri_that_is_its_own_timegate() -> None:
    assert link_header("http://ex/a", "http://ex/a/timemap", REVISIONS) == (
        '<http://ex/a>; rel="original timegate", '
        '<http://ex/a/timemap>; rel="timemap"; type="application/link-format"'
        '; from="Tue, 01 Dec 2026 08:00:00 GMT"; until="Wed, 02 Dec 2026 09:30:00 GMT", '
        '<http://ex/a/rev/1>; rel="first memento"; datetime="Tue, 01 Dec 2026 08:00:00 GMT", '
        '<http://ex/a/rev/3>; rel="last memento"; datetime="Wed, 02 Dec 2026 09:30:00 GMT"'
    )


def test_a_mementos_headers_name_its_neighbours() -> None:
    headers = memento_headers("http://ex/a", "http://ex/a/timemap", REVISIONS, 1, None)
    assert headers["Memento-Datetime"] == "Tue, 01 Dec 2026 12:00:00 GMT"
    links = headers["Link"].split(", <")
    assert links[2].startswith('http://ex/a/rev/1>; rel="prev first memento"')
    assert links[3].startswith('http://ex/a/rev/2>; rel="memento"')
    assert links[4].startswith('http://ex/a/rev/3>; rel="next last memento"')
    first = memento_headers("http://ex/a", "http://ex/tm", REVISIONS, 0, "http://ex/tg")
    assert '<http://ex/tg>; rel="timegate"' in first["Link"]
    assert 'rel="original",' in first["Link"]
    assert 'rel="next memento"' in first["Link"]
    assert "prev" not in first["Link"]


def test_a_uri_a_link_cannot_carry_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot carry"):
        link_header('http://ex/a">', "http://ex/tm", REVISIONS)


def test_the_timemap_as_json() -> None:
    body = json.loads(
        timemap_json("http://ex/a", "http://ex/tm", "http://ex/tm.json", "http://ex/a", REVISIONS)
    )
    assert body["original_uri"] == "http://ex/a"
    assert body["timegate_uri"] == "http://ex/a"
    assert body["timemap_uri"] == {
        "link_format": "http://ex/tm",
        "json_format": "http://ex/tm.json",
    }
    assert body["mementos"]["first"] == {
        "datetime": "2026-12-01T08:00:00Z",
        "uri": REVISIONS[0].uri,
    }
    assert body["mementos"]["last"]["uri"] == "http://ex/a/rev/3"
    assert [m["uri"] for m in body["mementos"]["list"]] == [m.uri for m in REVISIONS]
    assert LINK_FORMAT == "application/link-format"
