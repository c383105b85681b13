"""``kgpub:search``: the search index as a SPARQL function, inside the query workers.

pyoxigraph evaluates custom functions given to ``Store.query``, so search
needs neither a grammar extension nor a remote call::

    PREFIX kgpub: <https://kgpub.example/ontology#>
    SELECT ?claim ?score WHERE {
      ?claim a kgpub:ReportedClaim .
      BIND(kgpub:search(?claim, "Starlink", "de") AS ?score)
      FILTER(BOUND(?score))
    } ORDER BY DESC(?score)

``kgpub:search(?resource, "words" [, "de"|"en"])`` is the resource's best
bm25 score for the words (an ``xsd:double``, higher is better), or an error
(unbound in ``BIND``, false in ``FILTER``) when nothing of it matches, the
words hold nothing to search for, or the language is not indexed. The words
are searched once per query and remembered, so calling the function on
every row costs a dictionary look-up. A worker's snapshot may be newer than
the index for the few milliseconds a write takes to re-index; the first call
of a query then waits for the index to catch up (``meta.version``). Right
after start-up the index may not be built yet: the call waits for it.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kgpub.errors import KgpubError
from kgpub.namespaces import XSD
from kgpub.search.index import SearchIndex, connect, stored_version
from kgpub.search.query import scores

FUNCTION_NAME = "search"
"""The function's local name in kgpub's namespace (``<base>ontology#search``)."""

_CATCH_UP_SECONDS = 5.0
_DOUBLE = ox.NamedNode(XSD + "double")

Function = Callable[..., ox.Literal | None]


@dataclass(frozen=True)
class IndexFile:
    """What a query worker needs to search: the index file and the function's IRI."""

    path: Path
    function: str


def index_file(index: SearchIndex) -> IndexFile:
    """What query workers are given to answer ``kgpub:search`` from ``index``."""
    return IndexFile(index.path, index.scope.kgpub_ns + FUNCTION_NAME)


@dataclass
class SparqlSearch:
    """``kgpub:search`` over one index file, for a worker serving store ``version``."""

    index: IndexFile
    version: int
    _remembered: dict[tuple[str, str | None], dict[str, float]] = field(default_factory=dict)
    _caught_up: bool = False

    def functions(self) -> dict[ox.NamedNode, Function]:
        """The custom functions to give ``Store.query``."""
        return {ox.NamedNode(self.index.function): self}

    def reset(self) -> None:
        """Forget remembered searches: called before each query."""
        self._remembered.clear()

    def __call__(self, *args: object) -> ox.Literal | None:
        if len(args) not in (2, 3) or not isinstance(args[0], ox.NamedNode):
            return None
        words, lang = args[1], args[2] if len(args) == 3 else None
        if not isinstance(words, ox.Literal) or not (lang is None or isinstance(lang, ox.Literal)):
            return None
        key = (words.value, lang.value if lang is not None else None)
        found = self._remembered.get(key)
        if found is None:
            try:
                found = self._search(*key)
            except (KgpubError, sqlite3.Error):
                found = {}
            self._remembered[key] = found
        score = found.get(args[0].value)
        return ox.Literal(repr(score), datatype=_DOUBLE) if score is not None else None

    def _search(self, words: str, lang: str | None) -> dict[str, float]:
        if not self._caught_up:
            self._wait_for_version()
        with contextlib.closing(connect(self.index.path, read_only=True)) as conn:
            return scores(conn, words, lang)

    def _wait_for_version(self) -> None:
        """Wait for the index to reflect this worker's snapshot: up to ``_CATCH_UP_SECONDS``
        for a re-index after a write; while the index is not built yet (the server builds
        it after start-up), as long as it takes: the query's deadline bounds the wait."""
        deadline = time.monotonic() + _CATCH_UP_SECONDS
        while True:
            found = _version_of(self.index.path)
            if found >= self.version or (found >= 0 and time.monotonic() >= deadline):
                break
            time.sleep(0.005)
        self._caught_up = found >= self.version


def _version_of(path: Path) -> int:
    """The version the index file reflects; -1 while it is not there or not built yet."""
    try:
        with contextlib.closing(connect(path, read_only=True)) as conn:
            return stored_version(conn)
    except sqlite3.Error:
        return -1
