"""``Store``: the write counter, on-disk stores and the graph counts kept beside them."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kgpub.store import oxigraph
from kgpub.store.changes import Changes
from kgpub.store.oxigraph import STATS_FILE, Store

EX = "http://example.org/"


def quad(s: str, graph: str = "g") -> ox.Quad:
    return ox.Quad(
        ox.NamedNode(EX + s), ox.NamedNode(EX + "p"), ox.Literal("x"), ox.NamedNode(EX + graph)
    )


def test_version_is_bumped_by_every_write() -> None:
    store = Store()
    assert store.version == 0
    store.add_quads([quad("a")])
    store.bulk_extend([quad("b")])
    store.bulk_load(f"<{EX}c> <{EX}p> <{EX}d> .".encode(), ox.RdfFormat.N_TRIPLES, None)
    store.clear()
    assert store.version == 4
    assert len(store) == 0


def test_on_disk_store_keeps_its_counts_until_written(tmp_path: Path) -> None:
    store = Store(tmp_path / "st")
    store.add_quads([quad("a"), quad("b"), quad("a", "h")])
    store.save_stats()
    del store
    opened = Store(tmp_path / "st", read_only=True)
    assert opened.graph_sizes() == {EX + "g": 2, EX + "h": 1}
    assert opened.distinct_triples() == 2
    del opened
    writable = Store(tmp_path / "st")
    writable.add_quads([quad("c")])
    assert not (tmp_path / "st" / STATS_FILE).exists()
    assert writable.graph_sizes() == {EX + "g": 3, EX + "h": 1}


def test_broken_stats_file_is_ignored(tmp_path: Path) -> None:
    store = Store(tmp_path / "st")
    store.add_quads([quad("a")])
    del store
    (tmp_path / "st" / STATS_FILE).write_text("{not json", encoding="utf-8")
    assert Store(tmp_path / "st", read_only=True).graph_sizes() == {EX + "g": 1}


def test_quads_of_one_graph() -> None:
    store = Store()
    store.add_quads([quad("a"), quad("b", "h")])
    assert list(store.quads(EX + "h")) == [quad("b", "h")]
    assert len(list(store.quads())) == 2


def _tables(path: Path) -> int:
    """RocksDB's table files in a store folder: a flush writes new ones."""
    return len(list(path.glob("*.sst")))


def test_large_writes_are_flushed_so_a_restart_after_a_crash_replays_little(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once ``FLUSH_AFTER_QUADS`` are committed, the memory tables go to disk; smaller
    writes stay in RocksDB's log (safe there too, replayed when the store opens)."""
    monkeypatch.setattr(oxigraph, "FLUSH_AFTER_QUADS", 100)

    def quads(start: int, count: int) -> tuple[ox.Quad, ...]:
        p = ox.NamedNode("http://example.org/p")
        return tuple(
            ox.Quad(ox.NamedNode(f"http://example.org/s{i}"), p, ox.Literal(str(i)))
            for i in range(start, start + count)
        )

    store = Store(tmp_path / "store")
    tables = _tables(tmp_path / "store")
    store.apply(Changes(added=quads(0, 60)))
    assert _tables(tmp_path / "store") == tables
    store.apply(Changes(added=quads(60, 60)))  # 120 since the last flush
    assert _tables(tmp_path / "store") > tables
    flushed = _tables(tmp_path / "store")
    store.apply(Changes(added=quads(120, 60)))
    assert _tables(tmp_path / "store") == flushed
    assert len(store) == 180
