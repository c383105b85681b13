"""What the routes share, typed: the settings, the store and what was computed from it.

FastAPI's ``app.state`` is an untyped bag; twelve names set from five modules
made every route a guess about what was there and when. ``Services`` is the
one object the app holds: built by ``create_app`` with what exists before
start-up (settings, the result cache, the write token), completed by the
lifespan (``start``) with what start-up loads (the store, its validation, the
query workers, graph sizes), and reached by every route through
``services(request)``. Reading a started-only field before start-up is a
clear error, not an ``AttributeError`` from a bag.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

import anyio
from pydantic import SecretStr
from starlette.requests import Request
from starlette.responses import Response

from kgpub.config import Settings
from kgpub.ingest.validation_pool import ValidationPool
from kgpub.ld.mementos import Past
from kgpub.ld.ontology_docs import OntologyDocs
from kgpub.search.index import SearchIndex
from kgpub.shacl.conformance import Conformance
from kgpub.sparql.cache import ResultCache
from kgpub.sparql.runners import Runner
from kgpub.store.protocol import QueryStore
from kgpub.web.page_cache import PageCache

if TYPE_CHECKING:
    from fastapi import FastAPI

    from kgpub.ingest.writes import Writer

UpdateHandler = Callable[[Request, str, tuple[tuple[str, str], ...]], Awaitable[Response]]
"""Runs a SPARQL Update sent to ``/sparql`` (installed only where writes are on)."""


class NotStartedError(RuntimeError):
    """A started-only service was read before the app's lifespan started it."""


@dataclass
class Services:
    """The app's services; ``store``, ``pool`` and ``conformance`` exist once started."""

    settings: Settings
    cache: ResultCache
    validation_pool: ValidationPool
    """Where ``POST /validate`` runs uploads: worker processes under limits."""
    write_token: SecretStr | None = None
    """The bearer token writes must carry; None: writes are off."""
    update_handler: UpdateHandler | None = None
    graph_sizes: dict[str, int] = field(default_factory=dict)
    default_graph_size: int = 0
    ontology_docs: OntologyDocs = field(default_factory=OntologyDocs)
    modified: datetime = field(default_factory=lambda: datetime.now(UTC))
    """When the served data last changed: ``Last-Modified`` (``web.conditional``),
    the VoID's ``dcterms:modified`` and the sitemap's ``lastmod``."""
    pages: PageCache = field(default_factory=PageCache)
    """Rendered resource answers by store version (``web.page_cache``)."""
    writer: Writer | None = None
    dataset_nonce: str | None = None
    """With writes on: names this process's states of the dataset in ETags
    (``kgpub.ingest.preconditions``), so a tag from before a restart never matches."""
    write_lock: anyio.Lock = field(default_factory=anyio.Lock)
    search_index: SearchIndex | None = None
    """The full-text index of the served store, built at start-up (``kgpub.search``)."""
    past: Past = field(init=False)
    """Mementos and as-of stores of the served store's history (``kgpub.ld.mementos``)."""
    _store: QueryStore | None = None
    _pool: Runner | None = None
    _conformance: Conformance | None = None

    def __post_init__(self) -> None:
        self.past = Past(self.settings.base_iri)

    def start(self, store: QueryStore, conformance: Conformance, pool: Runner) -> None:
        """What the lifespan loaded: from now on every route may use it."""
        self._store, self._conformance, self._pool = store, conformance, pool

    @property
    def started(self) -> bool:
        return self._store is not None

    @property
    def store(self) -> QueryStore:
        if self._store is None:
            raise _not_started("store")
        return self._store

    @property
    def pool(self) -> Runner:
        if self._pool is None:
            raise _not_started("query pool")
        return self._pool

    @property
    def conformance(self) -> Conformance:
        if self._conformance is None:
            raise _not_started("validation")
        return self._conformance

    @conformance.setter
    def conformance(self, value: Conformance) -> None:
        self._conformance = value

    @property
    def search(self) -> SearchIndex:
        if self.search_index is None:
            raise _not_started("search index")
        return self.search_index

    def writes(self) -> Writer:
        """The writer; only routes installed with writes on ask for it."""
        if self.writer is None:
            raise _not_started("writer")
        return self.writer


def _not_started(what: str) -> NotStartedError:
    return NotStartedError(f"the {what} is not there before the app has started")


def services(request: Request) -> Services:
    """The services of the app serving ``request``."""
    return app_services(request.app)


def app_services(app: FastAPI | Any) -> Services:
    """The services ``create_app`` attached to ``app`` (a test client's app is typed as
    any ASGI app, hence ``Any``)."""
    return cast(Services, app.state.services)
