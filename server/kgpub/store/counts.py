"""Graph sizes and distinct triples: counted once, then kept current by each commit.

The VoID and the service description need the size of every named graph and
the number of distinct triples over them. Counting scans every quad: seconds
on a large store, so an on-disk store keeps the counts beside it
(``kgpub-stats.json``, written by ``kgpub load``). A write must not recount
the store either (its cost would grow with the archive), so ``after`` derives
the counts after a change set from those before it, looking up only the
quads and triples the change touches.
"""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kgpub.store.changes import Changes
from kgpub.store.staged import Staged

STATS_FILE = "kgpub-stats.json"
INCREMENTAL_LIMIT = 2_000
"""Changed quads up to which ``after`` is used; a larger change costs more looked up
one by one (in Python) than counted again by pyoxigraph."""
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stats:
    """Triples per named graph (graphs with none are absent) and distinct triples over them."""

    graph_sizes: dict[str, int]
    distinct_triples: int


def count(store: ox.Store) -> Stats:
    """Count every graph's size and the distinct triples: two scans of every quad."""
    # pyoxigraph releases the GIL, so the two run side by side.
    with ThreadPoolExecutor(2, thread_name_prefix="kgpub-count") as pool:
        graphs = pool.submit(_count_graphs, store)
        distinct = pool.submit(_count_distinct, store)
        return Stats(graphs.result(), distinct.result())


def _count_graphs(store: ox.Store) -> dict[str, int]:
    sizes: dict[str, int] = {}
    result = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        graph, number = row["g"], row["n"]
        if isinstance(graph, ox.NamedNode) and isinstance(number, ox.Literal):
            sizes[graph.value] = int(number.value)
    return dict(sorted(sizes.items()))


def _count_distinct(store: ox.Store) -> int:
    result = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
    )
    assert isinstance(result, ox.QuerySolutions)
    number = next(iter(result))["n"]
    return int(number.value) if isinstance(number, ox.Literal) else 0


def read(path: Path | None) -> Stats | None:
    """The counts kept beside the store in ``path``; None when absent or unreadable."""
    if path is None:
        return None
    try:
        stats = json.loads((path / STATS_FILE).read_text(encoding="utf-8"))
        sizes = {str(g): int(n) for g, n in stats["graph_sizes"].items()}
        return Stats(dict(sorted(sizes.items())), int(stats["distinct_triples"]))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def write(path: Path, stats: Stats) -> None:
    """Keep ``stats`` beside the store in ``path``; a failure only costs a recount later."""
    text = json.dumps(
        {"graph_sizes": stats.graph_sizes, "distinct_triples": stats.distinct_triples}
    )
    try:
        (path / STATS_FILE).write_text(text, encoding="utf-8")
    except OSError as exc:
        (path / STATS_FILE).unlink(missing_ok=True)
        _log.warning("graph counts not saved beside the store: %s", exc)


def forget(path: Path) -> None:
    """Drop the counts kept beside the store, so stale ones are never read."""
    (path / STATS_FILE).unlink(missing_ok=True)


def after(stats: Stats, store: ox.Store, changes: Changes) -> Stats:
    """The counts once ``changes`` are committed to ``store``, from ``stats`` (its counts now).

    Exact for any change set, also one listing quads the store lacks or
    already has: each quad is looked up, and the commit's order (drop, delete,
    insert) is followed. Costs a few lookups per changed quad, whatever the
    store's size.
    """
    sizes = dict(stats.graph_sizes)
    for dropped_graph in changes.dropped:
        sizes.pop(dropped_graph.value, None)
    dropped, removed = set(changes.dropped), set(changes.removed)
    for quad in removed:
        graph = quad.graph_name
        if isinstance(graph, ox.NamedNode) and graph not in dropped and quad in store:
            sizes[graph.value] -= 1
    for quad in set(changes.added):
        graph = quad.graph_name
        if not isinstance(graph, ox.NamedNode):
            continue
        if graph in dropped or quad not in store or quad in removed:
            sizes[graph.value] = sizes.get(graph.value, 0) + 1
    staged = Staged(store.quads_for_pattern, changes)
    distinct = stats.distinct_triples
    for triple in {q.triple for q in (*changes.removed, *changes.added)}:
        before = any(
            isinstance(q.graph_name, ox.NamedNode)
            for q in store.quads_for_pattern(triple.subject, triple.predicate, triple.object)
        )
        distinct += staged.contains_triple(triple, named_only=True) - before
    return Stats({g: n for g, n in sorted(sizes.items()) if n > 0}, distinct)
