"""Which runner answers a store's queries: killable worker processes, or a thread.

The embedded pyoxigraph store is queried in ``executor.QueryPool``'s worker
processes, which a deadline can kill. A remote SPARQL backend does its own
evaluating, so its queries only wait on HTTP: ``InlineRunner`` runs them in a
thread under the same deadline and result limits. Routes await either as a
``Runner``.
"""

from __future__ import annotations

import io
import math

import anyio
import anyio.to_thread

from kgpub import metrics
from kgpub.config import Settings
from kgpub.errors import QueryTimeoutError
from kgpub.search.sparql_function import IndexFile
from kgpub.sparql.executor import Outcome, QueryPool
from kgpub.sparql.memory_image import Budget
from kgpub.sparql.operation import QueryOperation
from kgpub.sparql.protocol import check_allowed
from kgpub.sparql.results import ResultLimits, write_query
from kgpub.sparql.worker import Done
from kgpub.store.as_of import AsOfCache
from kgpub.store.oxigraph import Store
from kgpub.store.protocol import QueryStore


class InlineRunner:
    """Queries for a store that does its own work elsewhere (a remote SPARQL backend).

    The query runs in a thread, since the remote server does the evaluating and
    its HTTP client has its own timeout; at the deadline the client gets the
    same 503 as from the pool, and the abandoned thread ends with that timeout.
    """

    def __init__(
        self, store: QueryStore, timeout: float, limits: ResultLimits, base_iri: str | None = None
    ) -> None:
        self._store = store
        self._timeout = timeout
        self._limits = limits
        self._past = AsOfCache(base_iri) if base_iri else None

    @property
    def timeout(self) -> float:
        return self._timeout

    @property
    def ready(self) -> bool:
        """Always: the remote server's own health is the backend's to report."""
        return True

    async def start(self) -> None:
        """Nothing to start: the remote server is already running."""

    async def close(self) -> None:
        """Nothing to stop."""

    async def run(
        self, operation: QueryOperation, accept: str | None, format_param: str | None
    ) -> Outcome:
        check_allowed(operation.query)
        timeout = min(operation.timeout or self._timeout, self._timeout)
        version = self._store.version

        def work() -> Done:
            output = io.BytesIO()
            written = write_query(
                self._as_of(operation), operation, accept, format_param, output, limits=self._limits
            )
            body = output.getvalue()
            return Done(written.representation, body, None, len(body), written.engine_seconds)

        try:
            with anyio.fail_after(timeout), metrics.QUERY_SECONDS.time():
                done = await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
        except TimeoutError:
            raise QueryTimeoutError(
                f"the query did not finish within {_seconds(timeout)} s; "
                "narrow it, or retry later if the server is busy",
                retry_after=max(1, math.ceil(timeout)),
            ) from None
        return Outcome(done, version)

    def _as_of(self, operation: QueryOperation) -> QueryStore:
        """The store, or for time travel a copy of it as of the instant (read once into
        memory from the backend: time travel over a large remote store is slow)."""
        if operation.at is None or self._past is None:
            return self._store
        history = self._past.history(self._store)
        return self._past.store_at(self._store, history.select(operation.at))


Runner = QueryPool | InlineRunner
"""What the endpoint awaits for a query's answer."""


def query_budget(settings: Settings, workers: int) -> Budget:
    """The memory the in-memory copy and ``workers`` query workers may take, and whether
    those are forks of it (``query_isolation``), as the settings say."""
    return Budget(
        settings.query_memory_bytes,
        max(1, workers),
        forks=settings.query_isolation == "processes",
    )


def runner_for(store: QueryStore, settings: Settings, search: IndexFile | None = None) -> Runner:
    """Worker processes for the embedded store (answering ``kgpub:search`` from ``search``);
    a thread for a remote one (whose engine knows no kgpub function)."""
    limits = ResultLimits(settings.max_result_rows, settings.max_result_bytes)
    if isinstance(store, Store):
        return QueryPool(
            store,
            settings.query_workers,
            settings.query_timeout,
            limits,
            search,
            base_iri=settings.base_iri,
            memory_budget=query_budget(settings, settings.query_workers),
            shared_image=settings.query_memory_socket,
        )
    return InlineRunner(store, settings.query_timeout, limits, settings.base_iri)


def _seconds(value: float) -> str:
    return f"{value:g}"
