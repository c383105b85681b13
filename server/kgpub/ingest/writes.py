"""Writes: staged as a change set, validated against the shapes, committed at once.

The served data must never break a Violation shape, so a write is never
applied straight to the store. ``Writer`` computes the write as a change set
(``store.changes.Changes``): a Graph Store Protocol PUT, POST or DELETE
from the graph it names and the body alone, a SPARQL Update by running it on
a staging copy (of only the quads of the IRIs it is bounded to, when
``update_scope`` finds them; else of the whole store). The gate reads the
state after the write through ``Store.staged`` (the live store seen through
the change set, nothing copied), and only then is the change committed to
the store in one pyoxigraph transaction (``Store.apply``): a crash in the
middle leaves all of it or none of it. A write that would leave a violation raises
``WriteRejectedError`` with the report, and the store is untouched; Warnings
and Infos are accepted (``ValidationReport.accepted``, docs/validation.md).

Validation is incremental once the writer has a report of the committed
state: only the focus nodes the write can affect are validated again, on
their neighbourhood (``kgpub.shacl.incremental``), and their results replace
those in the previous report. The writer starts from the start-up validation
when that validated the same data (``initial``: start-up leaves the default
graph out, so only while it is empty), so the first write is incremental too; a
write to the shapes or the vocabulary, a change the analysis cannot bound and
one as large as the store validate everything (``ingest.write_gate``).

Right after a commit, the search index re-indexes the resources the write
touched (``kgpub.search``), so searches and ``kgpub:search`` see the write.

Writes are serialised by a lock, so each one is staged from the state the
previous one committed; reads go on meanwhile against the committed state.
Nothing here fetches: RDF bodies pass ``kgpub.guards`` before parsing, and
LOAD and SERVICE in updates are refused before pyoxigraph could follow them.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import pyoxigraph as ox

from kgpub import guards, metrics
from kgpub.config import Settings
from kgpub.errors import (
    ConfigurationError,
    GraphNotFoundError,
    MalformedRequestError,
    RdfSyntaxError,
    WriteRejectedError,
)
from kgpub.history.records import Terms
from kgpub.ingest import auth, covered, store_seal, update_scope, write_gate
from kgpub.ingest.update_text import refuse_fetching, with_dataset
from kgpub.ingest.write_gate import touches
from kgpub.rdf import representable
from kgpub.rdf.sources import graph_iri, ontology_sources, syntax_error
from kgpub.search.index import SearchIndex
from kgpub.shacl.conformance import Conformance
from kgpub.store.changes import Changes
from kgpub.store.oxigraph import Store
from kgpub.store.staged import Staged

GraphName = ox.NamedNode | ox.DefaultGraph
_T = TypeVar("_T")

_log = logging.getLogger(__name__)


def check_settings(settings: Settings) -> None:
    """``ConfigurationError`` for settings under which writes cannot be served safely.

    Writes need the token (``kgpub.ingest.auth``), kgpub's own store, and one HTTP
    worker process: the process holding the store commits every write, and
    other workers would neither see its writes nor be able to open the store.
    """
    auth.write_token(settings)
    if not settings.writes_enabled:
        return
    if settings.backend_url is not None:
        raise ConfigurationError(
            "writes need kgpub's own store; with a remote SPARQL backend, write to the backend"
        )
    if settings.http_workers > 1:
        raise ConfigurationError(
            "writes need a single HTTP worker process (--workers 1, KGPUB_HTTP_WORKERS=1): "
            "the process that holds the store commits every write"
        )


@dataclass(frozen=True)
class Part:
    """One RDF document of a write: its bytes, syntax and a name for error messages."""

    data: bytes
    format: ox.RdfFormat
    name: str


@dataclass(frozen=True)
class Committed:
    """The dataset after a committed write: what the server recomputes for its pages."""

    version: int
    graph_sizes: dict[str, int]
    distinct_triples: int
    conformance: Conformance
    ontology_changed: bool


def parse_graph(
    data: bytes, fmt: ox.RdfFormat, base_iri: str, max_depth: int, name: str = "the request body"
) -> list[ox.Triple]:
    """The triples of a Graph Store Protocol body; relative IRIs resolve against ``base_iri``.

    ``UnsafeInputError`` for a body refused unparsed (DTD, remote JSON-LD context,
    deep nesting), ``RdfSyntaxError`` for one the parser rejects, and
    ``MalformedRequestError`` for a body that names graphs of its own.
    """
    guards.check_rdf(data, fmt, name, max_depth)
    try:
        # Blank node labels are renamed: the body's _:b0 is not the store's (an RDF merge).
        quads = list(ox.parse(data, format=fmt, base_iri=base_iri, rename_blank_nodes=True))
    except SyntaxError as exc:
        raise syntax_error(name, exc) from exc
    except ValueError as exc:
        raise RdfSyntaxError(name, str(exc)) from exc
    representable.check_quads(quads, name)
    if any(not isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
        raise MalformedRequestError(
            "the request body names graphs of its own; a Graph Store Protocol request "
            "carries one graph, named by ?graph= or ?default"
        )
    return [q.triple for q in quads]


class Writer:
    """Every write to one store: staged, validated, committed atomically, one at a time.

    ``on_commit`` is called after each commit, still holding the write lock,
    with the new counts and validation, so the server's pages are refreshed in
    the order the writes happened. ``search``, the served store's search
    index, is brought up to date first.
    """

    def __init__(
        self,
        store: Store,
        settings: Settings,
        on_commit: Callable[[Committed], None] | None = None,
        search: SearchIndex | None = None,
        initial: Conformance | None = None,
    ) -> None:
        self._store = store
        self._search = search
        self._settings = settings
        self._on_commit = on_commit
        self._lock = threading.Lock()
        # The committed state's validation; start-up's counts only if it saw every quad.
        self._state = initial if not store.has_quads(ox.DefaultGraph()) else None
        self._ontology_graphs = {
            ox.NamedNode(graph_iri(settings, s.path)) for s in ontology_sources(settings)
        }
        self._terms = Terms(settings.base_iri)

    def put(self, graph: GraphName, data: bytes, fmt: ox.RdfFormat) -> bool:
        """Replace a graph's content with the body's (creating it); True when it is new."""
        triples = self._parse(graph, data, fmt)
        with self._lock:
            created = self._is_new(graph)
            old = set(self._store.graph_quads(graph))
            new = {ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples}
            self._commit(
                Changes(
                    removed=tuple(old - new),
                    added=tuple(new - old),
                    created=(graph,) if created and isinstance(graph, ox.NamedNode) else (),
                ),
                f"PUT {_name(graph)}",
            )
            return created

    def post(
        self, graph: GraphName | None, data: bytes, fmt: ox.RdfFormat
    ) -> tuple[GraphName, bool]:
        """Add the body's triples to a graph (``None``: to a new graph with a minted IRI).

        Returns the graph and whether it is new. Blank nodes in the body are new
        nodes, as in an RDF merge.
        """
        return self.post_parts(graph, [Part(data, fmt, "the request body")])

    def post_parts(self, graph: GraphName | None, parts: Sequence[Part]) -> tuple[GraphName, bool]:
        """``post`` of several documents at once (a ``multipart/form-data`` POST): their
        RDF merge (each part's blank nodes its own) is added in one validated write."""
        target = graph or ox.NamedNode(f"{self._settings.base_iri}graph/{uuid.uuid4()}")
        triples = [
            t for part in parts for t in self._parse(target, part.data, part.format, part.name)
        ]
        with self._lock:
            created = self._is_new(target)
            added = {ox.Quad(t.subject, t.predicate, t.object, target) for t in triples}
            added = {q for q in added if q not in self._store}
            self._commit(
                Changes(
                    added=tuple(added),
                    created=(target,) if created and isinstance(target, ox.NamedNode) else (),
                ),
                f"POST {_name(target)}",
            )
            return target, created

    def delete(self, graph: GraphName) -> None:
        """Remove a named graph, or empty the default graph; ``GraphNotFoundError`` if absent."""
        with self._lock:
            if not self._store.has_graph(graph):
                raise GraphNotFoundError(f"the store has no graph <{_name(graph)}>")
            self._commit(
                Changes(
                    removed=tuple(self._store.graph_quads(graph)),
                    dropped=(graph,) if isinstance(graph, ox.NamedNode) else (),
                ),
                f"DELETE {_name(graph)}",
            )

    def update(self, text: str, params: Sequence[tuple[str, str]], base_iri: str | None) -> None:
        """Run a SPARQL Update (already parsed and size-checked by ``kgpub.sparql.protocol``)."""
        refuse_fetching(text)
        text = with_dataset(text, params)
        with self._lock:
            changes = update_scope.staged_changes(self._store, text, base_iri)
            representable.check_quads(changes.added, "the update")
            self._validate_and_apply(self._store.staged(changes), changes, "SPARQL Update")

    def transact(self, build: Callable[[Store], tuple[Changes, _T]], what: str) -> _T:
        """A revision: ``build`` reads the committed state under the write lock and returns
        the change, with its record in the history graph, and a result; the change is
        validated and committed as one write. Only here may a write touch a graph of an
        article with history or the history graph (``ingest.covered``): ``build`` records it."""
        with self._lock:
            changes, result = build(self._store)
            self._validate_and_apply(self._store.staged(changes), changes, what, recorded=True)
            return result

    def _parse(
        self, graph: GraphName, data: bytes, fmt: ox.RdfFormat, name: str = "the request body"
    ) -> list[ox.Triple]:
        base = graph.value if isinstance(graph, ox.NamedNode) else self._settings.base_iri
        return parse_graph(data, fmt, base, self._settings.max_query_depth, name)

    def _is_new(self, graph: GraphName) -> bool:
        """A named graph that does not exist yet, or an empty default graph (201 Created)."""
        if isinstance(graph, ox.DefaultGraph):
            return not self._store.has_quads(graph)
        return not self._store.has_graph(graph)

    def _commit(self, changes: Changes, what: str) -> None:
        self._validate_and_apply(self._store.staged(changes), changes, what)

    def _validate_and_apply(
        self, staged: Store | Staged, changes: Changes, what: str, recorded: bool = False
    ) -> None:
        """Validate and commit; a change that is not a revision (``recorded``) may not touch
        the history graph or a graph of an article with history (``ingest.covered``)."""
        if changes.empty:
            return
        if not recorded:
            covered.refuse_unrecorded(self._store, self._terms, changes)
        with metrics.timed_write():
            self._check_and_commit(staged, changes, what)

    def _check_and_commit(self, staged: Store | Staged, changes: Changes, what: str) -> None:
        with metrics.VALIDATION_SECONDS.labels("write").time():
            before = self._store.distinct_triples()  # counted once if unknown, then kept
            conformance = write_gate.validate_change(
                self._state, staged, changes, self._settings, before
            )
        assert conformance.report is not None
        if not conformance.report.accepted:
            _log.info("%s rejected: %d violation(s)", what, len(conformance.report.violations))
            raise WriteRejectedError(conformance.report)
        removed, added = len(changes.removed), len(changes.added)
        _log.info("%s: committing %d removed and %d added quads", what, removed, added)
        self._store.graph_sizes()  # counted once if unknown; each commit then updates them
        if self._store.path is not None:
            self._store.fingerprint()  # likewise, for the seal
        self._store.apply(changes)
        self._state = conformance
        store_seal.seal_store(self._store, conformance)
        _log.info("%s: committed (store version %d)", what, self._store.version)
        if self._search is not None:
            self._search.after_write(self._store, (*changes.removed, *changes.added))
        if self._on_commit is not None:
            self._on_commit(
                Committed(
                    version=self._store.version,
                    graph_sizes=self._store.graph_sizes(),
                    distinct_triples=self._store.distinct_triples(),
                    conformance=conformance,
                    ontology_changed=touches(changes, self._ontology_graphs),
                )
            )


def _name(graph: GraphName) -> str:
    return graph.value if isinstance(graph, ox.NamedNode) else "default graph"
