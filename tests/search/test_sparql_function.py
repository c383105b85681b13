"""``kgpub:search`` as pyoxigraph evaluates it (in-process here; through the real query
workers in tests/web/routes/test_search.py)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kgpub.search.documents import Scope, affected
from kgpub.search.index import SearchIndex
from kgpub.search.sparql_function import IndexFile, SparqlSearch, index_file
from kgpub.store.oxigraph import Store
from tests.search_fixtures import BASE, ID, fictional_store

PREFIX = f"PREFIX kgpub: <{BASE}ontology#> "


def _ready(tmp_path: Path, version: int = 1) -> tuple[Store, SearchIndex, SparqlSearch]:
    store = fictional_store()
    index = SearchIndex(tmp_path / "i.sqlite", Scope.for_base(BASE))
    index.build(store, 1)
    search = SparqlSearch(index_file(index), version)
    store.use_functions(search.functions())
    return store, index, search


def _rows(store: Store, where: str) -> list[tuple[str, str]]:
    result = store.query(PREFIX + f"SELECT ?s ?score WHERE {{ {where} }} ORDER BY ?s")
    assert isinstance(result, ox.QuerySolutions)
    out = []
    for row in result:
        s, score = row["s"], row["score"]
        assert isinstance(s, ox.NamedNode)
        out.append((s.value, score.value if isinstance(score, ox.Literal) else ""))
    return out


def test_the_function_is_named_in_kgpubs_namespace(tmp_path: Path) -> None:
    _, index, _ = _ready(tmp_path)
    assert index_file(index) == IndexFile(index.path, BASE + "ontology#search")


def test_bind_gives_a_score_to_the_matching_resources_only(tmp_path: Path) -> None:
    store, _, _ = _ready(tmp_path)
    rows = _rows(
        store,
        '?s a ?type . BIND(kgpub:search(?s, "Verhandlungen", "de") AS ?score) '
        "FILTER(BOUND(?score))",
    )
    assert [s for s, _ in rows] == [ID + "test-article", ID + "test-claim"]
    assert all(float(score) > 0 for _, score in rows)


def test_filter_with_the_english_stemmer(tmp_path: Path) -> None:
    store, _, _ = _ready(tmp_path)
    rows = _rows(store, '?s a kgpub:ReportedClaim . FILTER(kgpub:search(?s, "negotiation", "en"))')
    assert [s for s, _ in rows] == [ID + "test-claim"]


@pytest.mark.parametrize(
    "call",
    [
        'kgpub:search(?s, "!!!")',
        'kgpub:search(?s, "Verhandlung", "fr")',
        "kgpub:search(?s, 42)",
        "kgpub:search(?s)",
        'kgpub:search("text", "Verhandlung")',
    ],
)
def test_bad_calls_are_unbound_not_failures(tmp_path: Path, call: str) -> None:
    store, _, _ = _ready(tmp_path)
    rows = _rows(store, f"?s a kgpub:ReportedClaim . BIND({call} AS ?score)")
    assert rows == [(ID + "test-claim", "")]


def test_a_worker_on_a_newer_snapshot_waits_for_the_index_to_catch_up(tmp_path: Path) -> None:
    store, index, search = _ready(tmp_path, version=2)
    name = ox.Quad(
        ox.NamedNode(ID + "ada-beispiel"),
        ox.NamedNode("https://schema.org/name"),
        ox.Literal("Zoë Neu"),
    )
    store.add_quads([name])

    def write_later() -> None:
        time.sleep(0.2)
        index.reindex(store, affected(store, index.scope, [name]), 2)

    writer = threading.Thread(target=write_later)
    writer.start()
    rows = _rows(store, '?s a ?t . BIND(kgpub:search(?s, "Zoe") AS ?score) FILTER(BOUND(?score))')
    writer.join()
    assert [s for s, _ in rows] == [ID + "ada-beispiel"]
    search.reset()


def test_a_query_before_the_index_is_built_waits_for_it(tmp_path: Path) -> None:
    """The server builds the index after start-up: a query in between waits, then finds."""
    store = fictional_store()
    index = SearchIndex(tmp_path / "later.sqlite", Scope.for_base(BASE))
    store.use_functions(SparqlSearch(index_file(index), 1).functions())
    timer = threading.Timer(0.3, index.build, args=(store, 1))
    timer.start()
    started = time.monotonic()
    rows = _rows(store, '?s a ?type . FILTER(kgpub:search(?s, "Verhandlungen", "de"))')
    timer.join()
    assert time.monotonic() - started >= 0.25
    assert [s for s, _ in rows] == [ID + "test-article", ID + "test-claim"]
