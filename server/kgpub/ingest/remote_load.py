"""``kgpub load --backend``: RDF files into a remote store through the Graph Store Protocol.

The files go through exactly what a local load does (``bulkload.stage``: the
same guards, parsers and optional SHACL validation) into an in-memory staging
store, so a syntax error or non-conforming data leaves the backend untouched.
First the backend must answer a query (a wrong URL fails before any
parsing). Then each named graph is sent with one ``PUT`` (as N-Triples), which replaces
that graph as a whole: loading the same files twice gives the same graphs,
and graphs not loaded are left alone. Last, the backend is asked how many
triples each graph now holds, so a backend that dropped data, or merged
literals the staging store kept apart, is reported instead of trusted.

The Graph Store Protocol has no transactions: when the backend fails half-way,
the graphs already sent stay written, and the error names how far it got;
running the load again replaces them all.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import IO
from urllib.parse import urljoin

import pyoxigraph as ox

from kgpub import guards
from kgpub.config import Settings
from kgpub.errors import BackendError
from kgpub.ingest import bulkload
from kgpub.ingest.bulkload import InputFile, LoadSummary, Progress
from kgpub.shacl.report import ValidationReport
from kgpub.store.remote import RemoteStore

UploadProgress = Callable[[int, int, int], None]
"""Called with (graphs sent, quads sent, bytes sent)."""

_MEDIA_TYPE = "application/n-triples"
VIRTUOSO_GRAPH_STORE = "/sparql-graph-crud-auth"
# Graphs counted per verification query, so its VALUES stays a few kilobytes.
_COUNT_BATCH = 200


class UploadLine:
    """One self-overwriting stderr line: graphs, quads and MiB sent, quads/s."""

    def __init__(self, total_graphs: int, stream: IO[str]) -> None:
        self._total = total_graphs
        self._stream = stream
        self._started = time.perf_counter()

    def __call__(self, graphs: int, quads: int, sent: int) -> None:
        elapsed = max(time.perf_counter() - self._started, 1e-9)
        self._stream.write(
            f"\rsending {graphs}/{self._total} graphs, {quads:,} quads, "
            f"{sent / 2**20:,.1f} MiB sent, {quads / elapsed:,.0f} quads/s   "
        )
        self._stream.flush()

    def close(self) -> None:
        self._stream.write("\n")
        self._stream.flush()


def load_remote(
    inputs: Sequence[InputFile],
    target: RemoteStore,
    *,
    into_one_graph: bool = False,
    settings: Settings | None = None,
    progress: Progress | None = None,
    upload_progress: Callable[[int], UploadProgress] | None = None,
) -> tuple[LoadSummary, ValidationReport | None]:
    """Stage, validate (when ``settings`` is given), send every graph, check the counts.

    ``upload_progress`` makes the callback for the sending phase from the number
    of graphs. Raises ``BackendError`` when the backend fails or its counts
    differ from what was sent; a non-conforming report means nothing was sent.
    """
    started = time.perf_counter()
    choose_graph_store(target)
    staging = bulkload.stage(
        inputs,
        into_one_graph=into_one_graph,
        progress=progress,
        max_depth=settings.max_query_depth if settings is not None else guards.DEFAULT_MAX_DEPTH,
    )
    report = None
    if settings is not None:
        report = bulkload.validate_staged(staging, settings)
        if not report.accepted:
            return LoadSummary(len(inputs), 0, 0, time.perf_counter() - started), report
    graphs = staging.named_graphs()
    on_sent = upload_progress(len(graphs)) if upload_progress is not None else None
    sent: dict[str, int] = {}
    quads = size = 0
    for graph in graphs:
        triples = [q.triple for q in staging.quads(graph)]
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        try:
            target.put_graph(graph, data, _MEDIA_TYPE)
        except BackendError as exc:
            raise BackendError(
                f"{exc}; while sending <{graph}>, after {len(sent)} of {len(graphs)} graphs "
                "were written (running the load again replaces them)"
            ) from exc
        sent[graph] = len(triples)
        quads += len(triples)
        size += len(data)
        if on_sent is not None:
            on_sent(len(sent), quads, size)
    check_counts(target, sent)
    return LoadSummary(len(inputs), quads, len(graphs), time.perf_counter() - started), report


def choose_graph_store(target: RemoteStore) -> None:
    """Check the backend answers queries before anything is parsed or sent, and give
    Virtuoso, when no Graph Store endpoint was named, its own: its query endpoint
    would take a PUT and never answer."""
    try:
        server = target.probe()
    except BackendError as exc:
        raise BackendError(f"{exc}; nothing was sent, the backend is unchanged") from exc
    if target.graph_store == target.endpoint and server.startswith("Virtuoso/"):
        target.graph_store = urljoin(target.endpoint, VIRTUOSO_GRAPH_STORE)


def check_counts(target: RemoteStore, sent: dict[str, int]) -> None:
    """``BackendError`` unless the backend holds as many triples in each graph as were sent."""
    graphs = sorted(sent)
    held: dict[str, int] = {}
    for start in range(0, len(graphs), _COUNT_BATCH):
        values = " ".join(str(ox.NamedNode(g)) for g in graphs[start : start + _COUNT_BATCH])
        rows = target.select(
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} "
            "GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        for row in rows:
            g, n = row.get("g"), row.get("n")
            if isinstance(g, ox.NamedNode) and isinstance(n, ox.Literal):
                held[g.value] = int(n.value)
    wrong = [g for g in graphs if held.get(g, 0) != sent[g]]
    if wrong:
        listed = ", ".join(f"<{g}> {held.get(g, 0)} of {sent[g]}" for g in wrong[:5])
        raise BackendError(
            f"the backend holds other numbers of triples than were sent ({listed}"
            f"{', …' if len(wrong) > 5 else ''}): it may have merged literals it normalises "
            "or dropped what it cannot store, or another writer changed the graphs"
        )
