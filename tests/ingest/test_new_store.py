"""``kgpub load`` into a new store: parallel pieces, all or nothing, the same quads as staging.

Tiny ``chunk_bytes`` cut small files into many pieces, so the cutting, the
line numbers and the blank-node rule are tested without big files.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pyoxigraph as ox
import pytest

from kgpub.config import Settings
from kgpub.errors import RdfSyntaxError
from kgpub.ingest import bulkload, new_store
from kgpub.ingest.bulkload import InputFile
from kgpub.store.oxigraph import STATS_FILE, Store

EX = "http://example.org/"
SETTINGS = Settings(base_iri="https://kgpub.example/")


def nquads(count: int, start: int = 0) -> bytes:
    return "".join(
        f'<{EX}s{i}> <{EX}p> "v{i}"@en <{EX}g{i % 7}> .\n<{EX}s{i}> <{EX}q> <{EX}o{i % 13}> .\n'
        for i in range(start, start + count)
    ).encode()


def inputs(tmp_path: Path, files: dict[str, bytes]) -> list[InputFile]:
    for name, data in files.items():
        (tmp_path / name).write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return bulkload.collect_inputs(SETTINGS, [tmp_path / name for name in files])


def without_blank_nodes(quads: set[ox.Quad]) -> set[ox.Quad]:
    return {q for q in quads if not {type(q.subject), type(q.object)} & {ox.BlankNode}}


def test_pieces_loaded_in_parallel_give_the_staged_quads(tmp_path: Path) -> None:
    files = {
        "big.nq": nquads(1500),
        "big2.nq.gz": nquads(900, start=5000),
        "plain.nt": f"<{EX}a> <{EX}p> <{EX}b> .\n".encode(),
        "doc.ttl": f"@prefix ex: <{EX}> . ex:c ex:p [ ex:q ex:d ] .\n".encode(),
    }
    (tmp_path / "in").mkdir()
    items = inputs(tmp_path / "in", files)
    seen: list[tuple[int, int, int]] = []
    summary, report = new_store.build(
        items,
        tmp_path / "st",
        threads=3,
        chunk_bytes=4096,
        progress=lambda *p: seen.append(p),
    )
    assert report is None
    built = set(Store(tmp_path / "st", read_only=True))
    staged = set(bulkload.stage(items))
    # Blank nodes get new names in each load: compare the rest exactly, count them all.
    assert without_blank_nodes(built) == without_blank_nodes(staged)
    assert len(built) == len(staged) == summary.quads == 2 * 1500 + 2 * 900 + 3
    assert summary.graphs == len(Store(tmp_path / "st", read_only=True).graph_sizes())
    assert (tmp_path / "st" / STATS_FILE).is_file()
    assert len(seen) > len(files), "big files are loaded in several pieces"
    assert seen[-1][0] == len(files)
    assert [p[1] for p in seen] == sorted(p[1] for p in seen), "progress only goes forward"


def test_blank_node_labels_stay_one_node_across_a_long_file(tmp_path: Path) -> None:
    lines = nquads(400)
    data = f"_:x <{EX}first> <{EX}a> .\n".encode() + lines + f"_:x <{EX}last> <{EX}z> .\n".encode()
    items = inputs(tmp_path, {"blank.nq": data})
    new_store.build(items, tmp_path / "st", threads=2, chunk_bytes=1024)
    store = Store(tmp_path / "st", read_only=True)
    subjects = {q.subject for q in store if isinstance(q.subject, ox.BlankNode)}
    assert len(subjects) == 1


def test_blank_node_late_in_a_file_joins_the_rest_of_it(tmp_path: Path) -> None:
    blank = f"_:x <{EX}p> <{EX}a> .\n".encode() + nquads(300, start=1000)
    tail = blank + f"_:x <{EX}q> <{EX}b> .\n".encode()
    items = inputs(tmp_path, {"late.nq.gz": nquads(300) + tail})
    summary, _ = new_store.build(items, tmp_path / "st", threads=2, chunk_bytes=1024)
    store = Store(tmp_path / "st", read_only=True)
    assert summary.quads == len(store) == 1202
    assert len({q.subject for q in store if isinstance(q.subject, ox.BlankNode)}) == 1


def test_syntax_error_in_a_later_piece_names_its_line_and_leaves_nothing(tmp_path: Path) -> None:
    bad = nquads(1000) + f"<{EX}s> <{EX}p> .\n".encode() + nquads(1000)
    items = inputs(tmp_path, {"good.nq": nquads(50), "bad.nq.gz": bad})
    with pytest.raises(RdfSyntaxError) as raised:
        new_store.build(items, tmp_path / "out" / "st", threads=2, chunk_bytes=2048)
    assert raised.value.line == 2001
    assert "bad.nq.gz:2001:" in str(raised.value)
    assert not (tmp_path / "out" / "st").exists()
    assert not list((tmp_path / "out").iterdir()), "the half-built store is removed"


def test_non_conforming_data_leaves_nothing(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "shapes").mkdir(parents=True)
    (project / "shapes" / "s.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        f"<urn:shape> a sh:NodeShape ; sh:targetNode <{EX}s1> ;\n"
        f"  sh:property [ sh:path <{EX}missing> ; sh:minCount 1 ] .\n",
        encoding="utf-8",
    )
    items = inputs(tmp_path, {"data.nq": nquads(20)})
    target = tmp_path / "st"
    target.mkdir()  # an existing empty folder is a new store too
    summary, report = new_store.build(
        items, target, settings=Settings(project_dir=project), chunk_bytes=512
    )
    assert report is not None
    assert not report.conforms
    assert summary.quads == 0
    assert target.is_dir()
    assert not list(target.iterdir())


def test_only_absent_or_empty_folders_are_new(tmp_path: Path) -> None:
    assert new_store.is_new(tmp_path / "absent")
    assert new_store.is_new(tmp_path)
    (tmp_path / "x").write_text("x", encoding="utf-8")
    assert not new_store.is_new(tmp_path)
