"""Rendered resource answers, kept per store version, with their strong ETags.

An HTML page costs tens of milliseconds of CPU (the description, labels of
every linked resource, the neighbourhood picture, the template), on a server
whose cores also run queries: a crowd of readers asking for the same pages
turned into 503s. Pages (and RDF descriptions) are therefore kept, keyed by
everything the answer depends on, the store's version included: a write
changes the version, so an old answer is never served, and it ages out of the
cache. A page served twice costs a dictionary lookup; a client that already
has it gets 304 from its ETag.

The ETag hashes the body and its media type (``sparql.cache.make_etag``):
strong, equal in every HTTP worker process for the same bytes, and still
valid after a write that did not change this page.

Used from the event loop only (lookups and inserts happen in the route, the
rendering in a thread), so it needs no lock.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

# A few hundred pages of the article's size; a larger answer is never kept.
MAX_BYTES = 16 * 1024 * 1024
MAX_ENTRY_BYTES = 1024 * 1024


@dataclass(frozen=True)
class PageKey:
    """Everything a resource answer depends on besides the settings."""

    raw_path: bytes
    format: str
    lang: str | None
    lang_from_param: bool
    version: int
    published: tuple[int, int]
    """The identities of the validation results and ontology docs the page is
    rendered with. A write bumps the store's version a moment before it
    publishes them, so the version alone could file a page showing the old
    results under the new version."""


@dataclass(frozen=True)
class Page:
    """One rendered answer: its bytes, media type and headers (ETag included)."""

    body: bytes
    content_type: str
    headers: dict[str, str]

    @property
    def etag(self) -> str:
        return self.headers["ETag"]


class PageCache:
    """A least-recently-used map of ``PageKey`` to ``Page``, bounded in bytes."""

    def __init__(self, max_bytes: int = MAX_BYTES, max_entry_bytes: int = MAX_ENTRY_BYTES) -> None:
        self._max_bytes = max_bytes
        self._max_entry_bytes = min(max_entry_bytes, max_bytes)
        self._pages: OrderedDict[PageKey, Page] = OrderedDict()
        self._bytes = 0

    def get(self, key: PageKey) -> Page | None:
        page = self._pages.get(key)
        if page is not None:
            self._pages.move_to_end(key)
        return page

    def put(self, key: PageKey, page: Page) -> None:
        size = len(page.body)
        if size > self._max_entry_bytes or key in self._pages:
            return
        self._pages[key] = page
        self._bytes += size
        while self._bytes > self._max_bytes:
            _, dropped = self._pages.popitem(last=False)
            self._bytes -= len(dropped.body)

    def __len__(self) -> int:
        return len(self._pages)
