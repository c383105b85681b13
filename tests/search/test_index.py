"""The index file: built from any store, re-indexed after a change, versioned."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

from kgpub.errors import SearchIndexUnavailableError
from kgpub.search.documents import Scope, affected, documents
from kgpub.search.index import SearchIndex, beside, build_beside, connect
from kgpub.search.query import search
from kgpub.store.oxigraph import SEARCH_FILE, Store
from tests.search_fixtures import BASE, BODY, ID, SPAN_END, SPAN_START, fictional_store

SCOPE = Scope.for_base(BASE)


def _kinds(store: Store) -> dict[str, int]:
    counts: dict[str, int] = {}
    for doc in documents(store, SCOPE):
        counts[doc.kind] = counts.get(doc.kind, 0) + 1
    return counts


def test_documents_are_found_by_querying_the_store_for_every_article() -> None:
    store = fictional_store(3)
    assert _kinds(store) == {
        "article": 3 * len([line for line in BODY.split("\n") if line.strip()]),
        "claim": 3 * 2,
        "quote": 3,
        "name": 3 * 3,
    }
    passage = next(d for d in documents(store, SCOPE) if d.kind == "article")
    assert passage.lang == "de"
    assert passage.start is not None
    assert passage.end is not None
    assert BODY[passage.start : passage.end] == passage.text
    quote = next(d for d in documents(store, SCOPE) if d.kind == "quote")
    assert (quote.start, quote.end) == (SPAN_START, SPAN_END)


def test_the_shipped_story_is_indexed(store: Store, tmp_path: Path) -> None:
    index = SearchIndex(tmp_path / "i.sqlite", SCOPE)
    built = index.build(store, store.version)
    assert built.documents > 150
    assert built.spans >= 25
    assert index.version() == store.version


def test_a_change_is_reindexed_for_the_subjects_it_touched(tmp_path: Path) -> None:
    store = fictional_store()
    index = SearchIndex(tmp_path / "i.sqlite", SCOPE)
    index.build(store, 1)
    with contextlib.closing(connect(index.path, read_only=True)) as conn:
        before = search(conn, "Ada Beispiel", None).total
    person = ox.NamedNode(ID + "ada-beispiel")
    name = ox.Quad(person, ox.NamedNode("https://schema.org/name"), ox.Literal("Zoë Neu"))
    store.add_quads([name])
    subjects = affected(store, SCOPE, [name])
    assert ID + "ada-beispiel" in subjects
    built = index.reindex(store, subjects, 2)
    assert built.documents >= 3
    assert index.version() == 2
    with contextlib.closing(connect(index.path, read_only=True)) as conn:
        assert [h.subject for h in search(conn, "zoe", None).hits] == [ID + "ada-beispiel"]
        assert search(conn, "Ada Beispiel", None).total == before  # no duplicate left behind


def test_a_changed_selector_reindexes_its_claim(tmp_path: Path) -> None:
    store = fictional_store()
    position = ox.NamedNode(ID + "test-anchor-pos")
    end = ox.NamedNode("http://www.w3.org/ns/oa#end")
    assert ID + "test-claim" in affected(
        store, SCOPE, [ox.Quad(position, end, ox.Literal(SPAN_END))]
    )


def test_a_server_copies_the_index_kgpub_load_left_beside_a_read_only_store(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "st"
    writable = Store(folder)
    writable.add_quads(fictional_store())
    build_beside(writable, BASE)
    del writable
    store = Store(folder, read_only=True)
    assert beside(store) == folder / SEARCH_FILE
    index, built = SearchIndex.served(store, BASE)
    try:
        assert index.path != folder / SEARCH_FILE
        assert built.documents == len(list(documents(store, SCOPE)))
        assert index.version() == store.version
    finally:
        index.remove()
    assert not index.path.parent.exists()


def test_a_write_to_an_on_disk_store_drops_the_index_beside_it(tmp_path: Path) -> None:
    store = Store(tmp_path / "st")
    store.add_quads(fictional_store())
    build_beside(store, BASE)
    assert (tmp_path / "st" / SEARCH_FILE).is_file()
    store.add_quads([ox.Quad(ox.NamedNode(ID + "x"), ox.NamedNode(ID + "p"), ox.Literal("y"))])
    assert not (tmp_path / "st" / SEARCH_FILE).exists()
    assert beside(store) is None


def test_a_prepared_index_is_filled_later_and_a_reindex_waits_for_it() -> None:
    """The server's index: made at start-up, built in a thread after it (``fill``)."""
    store = fictional_store()
    index = SearchIndex.prepared(BASE)
    try:
        assert not index.path.exists()
        assert index.wait_built(0.01) is False
        # A write's re-index right after start-up waits for the build, then applies.
        reindexed = threading.Thread(target=index.reindex, args=(store, [ID + "x"], 7))
        reindexed.start()
        reindexed.join(0.2)
        assert reindexed.is_alive()
        built = index.fill(store)
        reindexed.join(10)
        assert not reindexed.is_alive()
        assert built.documents > 0
        assert index.wait_built(0) is True
        assert index.version() == 7
    finally:
        index.remove()


def test_a_failed_fill_is_reported_to_whoever_waits() -> None:
    index = SearchIndex.prepared(BASE)
    try:
        index.path.parent.rmdir()  # nowhere to write the file
        index.fill_logged(fictional_store())
        with pytest.raises(SearchIndexUnavailableError, match="could not be built"):
            index.wait_built(0)
    finally:
        index.remove()


def _contents(index: SearchIndex) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """What the index holds, without its row ids: entries and spans, sorted."""
    with contextlib.closing(connect(index.path, read_only=True)) as conn:
        entries = conn.execute(
            'SELECT kind, subject, lang, text, source, start, "end" FROM entries'
        ).fetchall()
        spans = conn.execute('SELECT claim, anchor, source, start, "end" FROM spans').fetchall()
    return sorted(entries, key=repr), sorted(spans, key=repr)


def _reindexed(before: Store, after: Store, change: ox.Quad, folder: Path) -> SearchIndex:
    index = SearchIndex(folder / "reindexed.sqlite", SCOPE)
    index.build(before, 1)
    index.reindex(after, affected(after, SCOPE, [change]), 2)
    return index


def _built(store: Store, folder: Path) -> SearchIndex:
    index = SearchIndex(folder / "built.sqlite", SCOPE)
    index.build(store, 2)
    return index


@pytest.mark.parametrize("direction", ["removed", "added"])
def test_reindexing_any_one_quad_equals_building_anew(direction: str, tmp_path: Path) -> None:
    """Every quad of a fictional article (its body, language, claim, anchor, selectors,
    names, types), removed or added, re-indexes exactly what a build from scratch holds:
    ``affected`` skips only the subjects whose documents cannot have changed."""
    quads = list(fictional_store())
    assert len(quads) > 20
    for n, quad in enumerate(quads):
        whole = fictional_store()
        without = Store()
        without.add_quads(q for q in quads if q != quad)
        before, after = (whole, without) if direction == "removed" else (without, whole)
        folder = tmp_path / str(n)
        folder.mkdir()
        assert _contents(_reindexed(before, after, quad, folder)) == _contents(
            _built(after, folder)
        ), quad


def test_a_change_no_document_reads_reindexes_nothing() -> None:
    """Bulk data, typed or not, that no document reads: nothing to re-index (a
    200,000-triple PUT spent 18 s re-indexing such subjects)."""
    store = fictional_store()
    thing = ox.NamedNode("https://schema.org/Thing")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    bulk = [
        quad
        for i in range(1000)
        for quad in (
            ox.Quad(ox.NamedNode(f"{ID}thing/{i}"), ox.NamedNode(f"{BASE}p"), ox.Literal(str(i))),
            ox.Quad(ox.NamedNode(f"{ID}thing/{i}"), rdf_type, thing),
        )
    ]
    store.add_quads(bulk)
    assert affected(store, SCOPE, bulk) == []
