"""A memory-bounded cache of serialised query results, with HTTP validators.

The published graph changes rarely, so the same query in the same format
gives the same bytes until the store is written to. Every entry is keyed by
the query (after a normalisation that provably keeps its meaning), the
dataset the request names, the base IRI, the negotiated media type and the
store's ``version``; a write bumps the version, so stale entries are never
found again and the cache drops them all as soon as it sees the new version.

A hit must be cheap (the point-lookup target is thousands of requests per
second), so each entry carries its response headers precomputed, and
``FastPath`` answers a repeated ``GET`` as a plain ASGI app, before routing,
request parsing or any hop to a worker thread. The module imports no web
framework: the routes use ``ResultCache`` and mount ``FastPath``.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from kgpub import metrics

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Roughly what a key, an entry and their dictionary slots cost besides the body.
_OVERHEAD = 512
# At most this many request signatures are remembered (oldest dropped first):
# they are small, but a client sending ever-new URLs must not grow them unbounded.
_MAX_ALIASES = 16_384
_SPACE = re.compile(r"\s+")
_UNSAFE_TO_COLLAPSE = re.compile(r"[\"'#]")


def normalize_query(query: str) -> str:
    """A form of ``query`` that means the same, so trivially different texts share an entry.

    Leading and trailing whitespace never matter. Inside the text, whitespace
    only separates tokens *unless* it is in a string literal or ends a
    comment; IRIs cannot contain whitespace. So runs of whitespace become one
    space only in a query without quotes or ``#``, where neither can occur;
    any other query keeps its inner text exactly.
    """
    query = query.strip()
    if _UNSAFE_TO_COLLAPSE.search(query):
        return query
    return _SPACE.sub(" ", query)


@dataclass(frozen=True)
class CacheKey:
    """Everything that decides the bytes of a result."""

    query: str
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    base_iri: str | None
    media_type: str
    version: int
    as_of: tuple[tuple[str, int], ...] | None = None
    """For time travel, the revisions the dataset was read at (``store.as_of.Selection.key``):
    every instant between two revisions shares one entry. None: the dataset as it is now."""

    @classmethod
    def of(
        cls,
        query: str,
        *,
        default_graphs: tuple[str, ...],
        named_graphs: tuple[str, ...],
        base_iri: str | None,
        media_type: str,
        version: int,
        as_of: tuple[tuple[str, int], ...] | None = None,
    ) -> CacheKey:
        """The key with the query normalised (``normalize_query``)."""
        return cls(
            normalize_query(query),
            default_graphs,
            named_graphs,
            base_iri,
            media_type,
            version,
            as_of,
        )

    @property
    def size(self) -> int:
        return len(self.query) + sum(map(len, (*self.default_graphs, *self.named_graphs)))


def make_etag(media_type: str, body: bytes) -> str:
    """A strong validator for one representation's bytes.

    Hashing the body rather than the version keeps a client's copy valid
    across writes that did not change this result; the media type is hashed
    too, since a one-column CSV and TSV can be byte-identical.
    """
    digest = hashlib.blake2b(media_type.encode(), digest_size=16)
    digest.update(b"\n")
    digest.update(body)
    return f'"{digest.hexdigest()}"'


def none_match(if_none_match: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` says the client already has ``etag`` (RFC 9110 13.1.2).

    ``*`` matches any current representation; otherwise the header is a
    comma-separated list compared with the weak function (``W/`` ignored).
    """
    if if_none_match is None:
        return False
    value = if_none_match.strip()
    if value == "*":
        return True
    opaque = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == opaque for tag in value.split(","))


@dataclass(frozen=True)
class Entry:
    """A cached 200 response: its body and every header but the per-request ones."""

    body: bytes
    content_type: str
    etag: str
    headers: dict[str, str]
    """Content-Type, ETag, Vary and Cache-Control, for the framework's response."""
    raw_headers: list[tuple[bytes, bytes]] = field(repr=False)
    """The same plus Content-Length, ready for ASGI on a hit."""
    not_modified_headers: list[tuple[bytes, bytes]] = field(repr=False)
    """What a 304 carries: ETag, Vary, Cache-Control (RFC 9110 15.4.5)."""

    @property
    def size(self) -> int:
        return len(self.body) + _OVERHEAD


VARY = "Accept, Accept-Datetime"
"""Results depend on the format asked for and on the instant (time travel)."""


def make_entry(
    body: bytes, content_type: str, max_age: int, memento_datetime: str | None = None
) -> Entry:
    """The entry for a result, with its headers computed once; a time-travel answer carries
    its ``Memento-Datetime`` (in the 304 too, so a hit is the same answer)."""
    media_type = content_type.partition(";")[0].strip()
    etag = make_etag(media_type, body)
    validators = {"ETag": etag, "Vary": VARY, "Cache-Control": f"public, max-age={max_age}"}
    if memento_datetime is not None:
        validators["Memento-Datetime"] = memento_datetime
    headers = {"Content-Type": content_type, **validators}
    raw = [(name.lower().encode(), value.encode("latin-1")) for name, value in headers.items()]
    raw.append((b"content-length", str(len(body)).encode()))
    not_modified = [(k.lower().encode(), v.encode("latin-1")) for k, v in validators.items()]
    return Entry(body, content_type, etag, headers, raw, not_modified)


class ResultCache:
    """A thread-safe LRU of ``Entry`` under a byte budget; a budget of 0 disables it.

    Entries over ``max_entry_fraction`` of the budget are never stored, so
    one huge result cannot flush everything else. Besides the entries, the
    cache remembers which request signature (see ``request_signature``) led
    to which key, for ``FastPath``.
    """

    def __init__(
        self, max_bytes: int, max_age: int = 60, max_entry_fraction: float = 0.125
    ) -> None:
        self.max_bytes = max(0, max_bytes)
        self.max_age = max_age
        self.max_entry_bytes = int(self.max_bytes * max_entry_fraction)
        self._entries: OrderedDict[CacheKey, Entry] = OrderedDict()
        self._aliases: OrderedDict[tuple[Any, ...], CacheKey] = OrderedDict()
        self._bytes = 0
        self._version: int | None = None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def _current(self, version: int) -> bool:
        """Whether ``version`` is the newest seen; a newer one drops everything.

        Versions only grow, so once a write is seen no older entry can be
        wanted again; a request that started before it gets no entry and
        stores none.
        """
        if self._version is not None and version < self._version:
            return False
        if version != self._version:
            self._entries.clear()
            self._aliases.clear()
            self._bytes = 0
            self._version = version
        return True

    def get(self, key: CacheKey) -> Entry | None:
        if not self.enabled:
            return None
        with self._lock:
            entry = self._entries.get(key) if self._current(key.version) else None
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def lookup(self, keys: list[CacheKey]) -> tuple[CacheKey, Entry] | None:
        """The first of ``keys`` that has an entry (a query is either a SELECT/ASK or a graph).

        Counted once as a hit or a miss (``kgpub_result_cache_lookups_total``), when on.
        """
        for key in keys:
            entry = self.get(key)
            if entry is not None:
                metrics.CACHE_LOOKUPS.labels("hit").inc()
                return key, entry
        if self.enabled:
            metrics.CACHE_LOOKUPS.labels("miss").inc()
        return None

    def put(
        self, key: CacheKey, body: bytes, content_type: str, memento_datetime: str | None = None
    ) -> Entry:
        """The entry for this result, stored when it fits; returned either way."""
        entry = make_entry(body, content_type, self.max_age, memento_datetime)
        cost = entry.size + key.size
        if not self.enabled or cost > self.max_entry_bytes:
            return entry
        with self._lock:
            if not self._current(key.version):
                return entry
            if key in self._entries:
                return self._entries[key]
            self._entries[key] = entry
            self._bytes += cost
            while self._bytes > self.max_bytes and self._entries:
                old_key, old = self._entries.popitem(last=False)
                self._bytes -= old.size + old_key.size
        return entry

    def remember(self, signature: tuple[Any, ...], key: CacheKey) -> None:
        """Note that a request with ``signature`` is answered by ``key``."""
        if not self.enabled:
            return
        with self._lock:
            if not self._current(key.version) or key not in self._entries:
                return
            self._aliases[signature] = key
            if len(self._aliases) > _MAX_ALIASES:
                self._aliases.popitem(last=False)

    def recall(self, signature: tuple[Any, ...], version: int) -> Entry | None:
        """The entry a request with ``signature`` got last time, if still current."""
        if not self.enabled:
            return None
        with self._lock:
            if not self._current(version):
                return None
            key = self._aliases.get(signature)
            entry = self._entries.get(key) if key is not None else None
            if entry is None or key is None:
                return None
            self._entries.move_to_end(key)
            self.hits += 1
        metrics.CACHE_LOOKUPS.labels("hit").inc()
        return entry


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


def request_signature(scope: Scope) -> tuple[Any, ...]:
    """What decides a GET's answer besides the store: the URL, its host, Accept and
    Accept-Datetime (time travel).

    The host, scheme and root path give the base IRI relative IRIs resolve
    against; the query string holds the query, the dataset and ``format``.
    """
    return (
        scope.get("scheme"),
        _header(scope, b"host"),
        scope.get("root_path", ""),
        scope["path"].rstrip("/"),
        scope.get("query_string", b""),
        _header(scope, b"accept"),
        _header(scope, b"accept-datetime"),
    )


class FastPath:
    """ASGI middleware answering a repeated GET or HEAD from the cache, before routing.

    Only requests whose signature the route has ``remember``-ed are answered
    here, so every protocol check ran on the first one; anything else goes on
    to the application. ``version`` reads the store's version from the scope
    (``None`` before the store is loaded).
    """

    def __init__(
        self,
        app: ASGIApp,
        cache: ResultCache,
        paths: tuple[str, ...],
        version: Callable[[Scope], int | None],
    ) -> None:
        self.app = app
        self.cache = cache
        self.paths = frozenset(paths)
        self.version = version

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or scope["path"] not in self.paths
            or not scope.get("query_string")
            or not self.cache.enabled
        ):
            await self.app(scope, receive, send)
            return
        version = self.version(scope)
        entry = None if version is None else self.cache.recall(request_signature(scope), version)
        if entry is None:
            await self.app(scope, receive, send)
            return
        # Read by kgpub.web.server_timing (a string key, so as not to import it).
        scope.setdefault("state", {})["cache"] = "hit"
        inm = _header(scope, b"if-none-match")
        if inm is not None and none_match(inm.decode("latin-1"), entry.etag):
            await send(
                {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": list(entry.not_modified_headers),
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        await send(
            {"type": "http.response.start", "status": 200, "headers": list(entry.raw_headers)}
        )
        body = b"" if scope["method"] == "HEAD" else entry.body
        await send({"type": "http.response.body", "body": body})
