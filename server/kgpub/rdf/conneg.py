"""HTTP content negotiation (RFC 9110 section 12.5.1) for the endpoint's representations.

SPARQL clients send everything from ``*/*`` to long lists with q-values and
parameters (Comunica, SPARQLWrapper, browsers), and each of them must get the
format it ranks highest among those we can produce. The rules are small
enough to keep in one tested module rather than rely on a dependency:

* a media range's quality is its ``q`` (default 1, ``q=0`` means "never");
* for each offered type the *most specific* matching range decides its
  quality (``text/turtle`` over ``text/*`` over ``*/*``);
* ties go first to the more specific match, then to the server's order;
* aliases (``application/json`` for SPARQL JSON results) match only by name,
  never through a wildcard;
* of the range parameters only ``charset`` is checked, and every
  representation here is UTF-8.

A ``format`` query parameter (``json``, ``ttl``, ...) overrides Accept, for
links and browsers that cannot set headers. SPARQLWrapper always sends one,
with its own names (``turtle``, ``rdf+xml``, ``json-ld``), so those and the
media types themselves are understood too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from kgpub.errors import NotAcceptableError
from kgpub.rdf.formats import Representation


@dataclass(frozen=True)
class MediaRange:
    """One element of an Accept header."""

    type: str
    subtype: str
    params: tuple[tuple[str, str], ...] = ()
    q: float = 1.0

    @property
    def specificity(self) -> int:
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 3 if self.params else 2

    def matches(self, media_type: str) -> bool:
        kind, _, sub = media_type.partition("/")
        if self.type not in ("*", kind) or self.subtype not in ("*", sub):
            return False
        return all(
            value.lower() in ("utf-8", "utf8") for name, value in self.params if name == "charset"
        )


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; a missing or empty header accepts anything.

    Malformed elements are skipped rather than rejected: a client with a
    sloppy header should still get a useful answer.
    """
    if header is None or not header.strip():
        return [MediaRange("*", "*")]
    ranges = [r for r in map(_parse_range, _split_outside_quotes(header, ",")) if r is not None]
    return ranges


def _parse_range(element: str) -> MediaRange | None:
    parts = _split_outside_quotes(element, ";")
    kind, slash, sub = parts[0].strip().lower().partition("/")
    if not slash or not kind or not sub or (kind == "*" and sub != "*"):
        return None
    q: float | None = 1.0
    params: list[tuple[str, str]] = []
    for part in parts[1:]:
        name, eq, value = part.strip().partition("=")
        name = name.strip().lower()
        if not eq or not name:
            continue
        if name == "q":
            # Whatever follows q are accept-extensions, not media type parameters.
            q = _parse_q(value.strip())
            break
        params.append((name, value.strip().strip('"')))
    if q is None:
        return None
    return MediaRange(kind, sub, tuple(params), q)


def _parse_q(value: str) -> float | None:
    try:
        q = float(value)
    except ValueError:
        return None
    return q if 0.0 <= q <= 1.0 else None


def _split_outside_quotes(text: str, sep: str) -> list[str]:
    out: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == sep and not quoted:
            out.append("".join(current))
            current = []
        else:
            current.append(char)
    out.append("".join(current))
    return [p for p in out if p.strip()]


def _quality(ranges: Sequence[MediaRange], rep: Representation) -> tuple[float, int]:
    """The quality the client gives ``rep``, and how specific the deciding range is."""
    best: MediaRange | None = None
    for media_type in (rep.media_type, *rep.aliases):
        for candidate in ranges:
            # Aliases (application/json for SPARQL JSON) count only when named
            # exactly: text/* should not pick SPARQL XML because of text/xml.
            if media_type != rep.media_type and candidate.specificity < 2:
                continue
            if candidate.matches(media_type) and (
                best is None or candidate.specificity > best.specificity
            ):
                best = candidate
    return (best.q, best.specificity) if best is not None else (0.0, -1)


_CACHED_ACCEPT_CHARS = 512
"""Accept headers up to this long have their choice remembered (clients send the
same few again and again); longer ones, rare and client-made, are worked out anew."""


def negotiate(accept: str | None, offers: Sequence[Representation]) -> Representation | None:
    """The offer the client ranks highest, ``None`` if it accepts none of them."""
    if accept is not None and len(accept) > _CACHED_ACCEPT_CHARS:
        return _negotiate(accept, tuple(offers))
    return _negotiate_remembered(accept, tuple(offers))


def _negotiate(accept: str | None, offers: tuple[Representation, ...]) -> Representation | None:
    ranges = parse_accept(accept)
    scored = [(*_quality(ranges, rep), -i, rep) for i, rep in enumerate(offers)]
    q, _, _, rep = max(scored, key=lambda s: s[:3])
    return rep if q > 0 else None


# Parsing and scoring an Accept header is pure Python, about 40 us a request on the
# endpoint's hot path; the answer depends only on the header and the offers.
_negotiate_remembered = lru_cache(maxsize=256)(_negotiate)


def choose(
    accept: str | None, format_param: str | None, offers: Sequence[Representation]
) -> Representation:
    """Pick the representation for a response, or raise ``NotAcceptableError``.

    ``format`` wins over Accept; an unknown or unsuitable ``format`` is not
    silently ignored, since the client asked for something specific.
    """
    if format_param is not None:
        for rep in offers:
            if rep.named(format_param):
                return rep
        raise NotAcceptableError(
            f"format={_quoted(repr(format_param))} is not offered here; use one of "
            + ", ".join(rep.name for rep in offers),
            offered=[rep.media_type for rep in offers],
        )
    chosen = negotiate(accept, offers)
    if chosen is None:
        raise NotAcceptableError(
            f"none of the offered media types is acceptable (Accept: {_quoted(accept)})",
            offered=[r.media_type for r in offers],
        )
    return chosen


_QUOTED_CHARS = 200


def _quoted(header: str | None) -> str:
    """A header as an error message repeats it: cut when long, so no error echoes kilobytes."""
    text = str(header)
    if len(text) <= _QUOTED_CHARS:
        return text
    return f"{text[:_QUOTED_CHARS]}... ({len(text)} characters)"
