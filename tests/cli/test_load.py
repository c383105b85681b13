"""``kgpub load``: every syntax, gzip, folders, graphs, validation, and all-or-nothing."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest

from kgpub.cli.exit_codes import EXIT_INVALID, EXIT_UNREADABLE
from kgpub.cli.main import main
from kgpub.store.oxigraph import SEARCH_FILE, STATS_FILE, Store

BASE = "https://kgpub.example/"
EX = "http://example.org/"

TRIPLE = f'<{EX}alice> <https://schema.org/name> "Alice" .\n'
DOCUMENTS: dict[str, bytes] = {
    "a.ttl": f"@prefix ex: <{EX}> . ex:a ex:p ex:b .\n".encode(),
    "b.nt": f"<{EX}b> <{EX}p> <{EX}c> .\n".encode(),
    "c.nq": f"<{EX}c> <{EX}p> <{EX}d> <{EX}gq> .\n".encode(),
    "d.trig": f"<{EX}gt> {{ <{EX}d> <{EX}p> <{EX}e> }} <{EX}x> <{EX}p> <{EX}y> .\n".encode(),
    "e.jsonld": f'{{"@id": "{EX}e", "{EX}p": {{"@id": "{EX}f"}}}}'.encode(),
    "f.rdf": (
        f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="{EX}">'
        f'<rdf:Description rdf:about="{EX}f"><ex:p rdf:resource="{EX}g"/></rdf:Description>'
        "</rdf:RDF>"
    ).encode(),
}

SHAPES_TTL = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix schema: <https://schema.org/> .
<urn:shape:Person> a sh:NodeShape ; sh:targetClass schema:Person ;
  sh:property [ sh:path schema:email ; sh:minCount 1 ] .
"""
PERSON_WITHOUT_EMAIL = (
    f'<{EX}bob> a <https://schema.org/Person> ; <https://schema.org/name> "Bob" .\n'
)


@pytest.fixture(autouse=True)
def _project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    (project / "shapes").mkdir(parents=True)
    (project / "shapes" / "shapes.ttl").write_text(SHAPES_TTL, encoding="utf-8")
    monkeypatch.setenv("KGPUB_PROJECT_DIR", str(project))
    monkeypatch.setenv("KGPUB_BASE_IRI", BASE)


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


def quads(store_dir: Path) -> set[ox.Quad]:
    return set(Store(store_dir, read_only=True))


def test_loads_every_syntax_from_a_folder_with_gzip_one_graph_per_file(tmp_path: Path) -> None:
    src = tmp_path / "src"
    for name, data in DOCUMENTS.items():
        # Half of them gzipped, some in a subfolder: the folder is searched recursively.
        gz = name.endswith((".nt", ".trig", ".rdf"))
        write(src / ("sub" if name.startswith("e") else ""), name + (".gz" if gz else ""), data)
    (src / "README.txt").write_text("not RDF", encoding="utf-8")
    assert main(["load", str(src), "--store", str(tmp_path / "st")]) == 0
    store = Store(tmp_path / "st", read_only=True)
    assert len(store) == 7
    graphs = set(store.named_graphs())
    for stem in ("a", "b", "d", "e", "f"):
        assert f"{BASE}graph/{stem}" in graphs
    # N-Quads and TriG keep their own graphs; only their default graph goes to the file's.
    assert {f"{EX}gq", f"{EX}gt"} <= graphs
    assert f"{BASE}graph/c" not in graphs
    assert ox.Quad(
        ox.NamedNode(f"{EX}x"),
        ox.NamedNode(f"{EX}p"),
        ox.NamedNode(f"{EX}y"),
        ox.NamedNode(f"{BASE}graph/d"),
    ) in set(store)


def test_graph_option_puts_everything_into_one_graph(tmp_path: Path) -> None:
    src = tmp_path / "src"
    for name in ("a.ttl", "c.nq", "d.trig"):
        write(src, name, DOCUMENTS[name])
    assert main(["load", str(src), "--store", str(tmp_path / "st"), "--graph", f"{EX}one"]) == 0
    store = Store(tmp_path / "st", read_only=True)
    assert store.named_graphs() == [f"{EX}one"]
    assert len(store) == 4


def test_summary_and_stats_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "a.ttl", DOCUMENTS["a.ttl"])
    assert main(["load", str(path), "--store", str(tmp_path / "st")]) == 0
    err = capsys.readouterr().err
    assert "1 files, 1 quads, 1 graphs" in err
    assert "quads/s" in err
    assert (tmp_path / "st" / STATS_FILE).is_file()
    assert Store(tmp_path / "st", read_only=True).graph_sizes() == {f"{BASE}graph/a": 1}


def test_the_search_index_is_built_beside_the_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "a.ttl", DOCUMENTS["a.ttl"])
    assert main(["load", str(path), "--store", str(tmp_path / "st")]) == 0
    assert "kgpub load: search index of 0 texts built in" in capsys.readouterr().err
    assert (tmp_path / "st" / SEARCH_FILE).is_file()
    # Adding to the store builds it again.
    second = write(tmp_path, "b.ttl", DOCUMENTS["a.ttl"])
    assert main(["load", str(second), "--store", str(tmp_path / "st")]) == 0
    assert (tmp_path / "st" / SEARCH_FILE).is_file()


def test_progress_line_on_request(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "a.ttl", DOCUMENTS["a.ttl"])
    assert main(["load", str(path), "--store", str(tmp_path / "st"), "--progress"]) == 0
    assert "\rloading 1/1 files, 1 quads" in capsys.readouterr().err


def test_loading_adds_to_an_existing_store(tmp_path: Path) -> None:
    store_dir = tmp_path / "st"
    assert (
        main(["load", str(write(tmp_path, "a.ttl", DOCUMENTS["a.ttl"])), "--store", str(store_dir)])
        == 0
    )
    assert (
        main(["load", str(write(tmp_path, "b.nt", DOCUMENTS["b.nt"])), "--store", str(store_dir)])
        == 0
    )
    assert Store(store_dir, read_only=True).graph_sizes() == {
        f"{BASE}graph/a": 1,
        f"{BASE}graph/b": 1,
    }


def test_syntax_error_mid_file_exits_2_with_location_and_leaves_store_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store_dir = tmp_path / "st"
    assert (
        main(["load", str(write(tmp_path, "a.ttl", DOCUMENTS["a.ttl"])), "--store", str(store_dir)])
        == 0
    )
    before = quads(store_dir)
    good = write(tmp_path / "in", "b.nt", DOCUMENTS["b.nt"])
    lines = "".join(f"<{EX}s{i}> <{EX}p> <{EX}o> .\n" for i in range(2000))
    bad = write(tmp_path / "in", "c.nt.gz", (lines + f"<{EX}s> <{EX}p> .\n" + lines).encode())
    capsys.readouterr()
    assert main(["load", str(good), str(bad), "--store", str(store_dir)]) == EXIT_UNREADABLE
    err = capsys.readouterr().err
    assert f"{bad}:2001:" in err
    assert "unchanged" in err
    assert quads(store_dir) == before
    assert Store(store_dir, read_only=True).graph_sizes() == {f"{BASE}graph/a": 1}


def test_validate_refuses_invalid_data_and_leaves_store_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store_dir = tmp_path / "st"
    assert (
        main(["load", str(write(tmp_path, "a.ttl", DOCUMENTS["a.ttl"])), "--store", str(store_dir)])
        == 0
    )
    before = quads(store_dir)
    bad = write(tmp_path, "people.ttl", PERSON_WITHOUT_EMAIL.encode())
    assert main(["load", str(bad), "--store", str(store_dir), "--validate"]) == EXIT_INVALID
    captured = capsys.readouterr()
    assert "Violation" in captured.out
    assert "https://schema.org/email" in captured.out
    assert "unchanged" in captured.err
    assert quads(store_dir) == before


def test_validate_accepts_conforming_data(tmp_path: Path) -> None:
    good = write(
        tmp_path,
        "people.ttl",
        (PERSON_WITHOUT_EMAIL.replace(" a <https://schema.org/Person> ;", "")).encode(),
    )
    assert main(["load", str(good), "--store", str(tmp_path / "st"), "--validate"]) == 0
    assert len(Store(tmp_path / "st", read_only=True)) == 1


def test_unknown_extension_and_missing_file_exit_2(tmp_path: Path) -> None:
    odd = write(tmp_path, "a.txt", b"x")
    assert main(["load", str(odd), "--store", str(tmp_path / "st")]) == EXIT_UNREADABLE
    assert (
        main(["load", str(tmp_path / "nope.ttl"), "--store", str(tmp_path / "st")])
        == EXIT_UNREADABLE
    )


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
    ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/a">'
    "<ex:p>&lol3;</ex:p></rdf:Description></rdf:RDF>\n"
)


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("bomb.rdf", BILLION_LAUGHS, "DOCTYPE or ENTITY"),
        ("bomb.rdf.gz", BILLION_LAUGHS, "DOCTYPE or ENTITY"),
        ("deep.ttl", "<urn:a> <urn:b> " + "[ <urn:c> " * 5000 + "]" * 5000 + " .\n", "nests"),
        (
            "remote.jsonld",
            '{"@context": "http://127.0.0.1:9/context.jsonld", "@id": "urn:a"}',
            "@context",
        ),
    ],
)
def test_unsafe_input_is_refused_before_parsing_and_store_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, problem: str
) -> None:
    store_dir = tmp_path / "st"
    assert (
        main(["load", str(write(tmp_path, "a.ttl", DOCUMENTS["a.ttl"])), "--store", str(store_dir)])
        == 0
    )
    before = quads(store_dir)
    path = write(tmp_path, name, text.encode("utf-8"))
    capsys.readouterr()
    assert main(["load", str(path), "--store", str(store_dir)]) == EXIT_UNREADABLE
    assert problem in capsys.readouterr().err
    assert quads(store_dir) == before


def test_failed_load_into_a_new_store_leaves_no_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A new store is built beside its folder; a failure removes it and creates nothing."""
    lines = "".join(f"<{EX}s{i}> <{EX}p> <{EX}o> .\n" for i in range(2000))
    bad = write(tmp_path / "in", "c.nt", (lines + f"<{EX}s> <{EX}p> .\n").encode())
    person = write(tmp_path / "in", "people.ttl", PERSON_WITHOUT_EMAIL.encode())
    target = tmp_path / "out" / "st"
    assert main(["load", str(bad), "--store", str(target)]) == EXIT_UNREADABLE
    assert f"{bad}:2001:" in capsys.readouterr().err
    assert main(["load", str(person), "--store", str(target), "--validate"]) == EXIT_INVALID
    assert "Violation" in capsys.readouterr().out
    assert not target.exists()
    assert not list((tmp_path / "out").iterdir())


# A load that has made its build folder beside the target and put data in it, then waits.
BUILDING = """
import sys
from pathlib import Path
from kgpub.ingest.new_store import _build_folder
Path(sys.argv[1]).parent.mkdir(parents=True, exist_ok=True)
with _build_folder(Path(sys.argv[1])) as building:
    (building / "000001.sst").write_bytes(b"x" * 65536)
    print(building.parent, flush=True)
    sys.stdin.read()
"""


@contextmanager
def building(target: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """A process building beside ``target`` until the block ends (or it is killed)."""
    with subprocess.Popen(
        [sys.executable, "-c", BUILDING, str(target)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None
        yield process, Path(process.stdout.readline().strip())
        assert process.stdin is not None
        process.stdin.close()
        process.wait()


def test_a_killed_loads_build_folder_is_removed_by_the_next_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out" / "st"
    with building(target) as (process, leftover):
        assert leftover.name.startswith(".st.loading-")
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    assert leftover.is_dir()  # nothing could remove it
    path = write(tmp_path, "a.ttl", DOCUMENTS["a.ttl"])
    assert main(["load", str(path), "--store", str(target)]) == 0
    assert not leftover.exists()
    assert sorted(p.name for p in target.parent.iterdir()) == ["st"]
    assert len(quads(target)) == 1
    err = capsys.readouterr().err
    assert f"kgpub load: removed {leftover}, left by an interrupted load\n" in err
    assert "1 files, 1 quads, 1 graphs" in err


def test_a_live_loads_build_folder_and_lookalikes_are_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "out" / "st"
    with building(target) as (_, live):
        lookalikes = [
            target.parent / name
            for name in (
                ".st.loading-abcd1234",
                ".st.loading-x",
                ".st.loadingabcd12345",
                ".other.loading-abcd1234",
            )
        ]
        for folder in lookalikes:
            folder.mkdir()
            (folder / "kgpub-load.lock").write_bytes(
                b"not ours\n" if "abcd1234" in folder.name else b""
            )
            (folder / "data").write_bytes(b"precious")
        unmarked = target.parent / ".st.loading-efgh5678"
        unmarked.mkdir()
        path = write(tmp_path, "a.ttl", DOCUMENTS["a.ttl"])
        assert main(["load", str(path), "--store", str(target)]) == 0
        assert (live / "store" / "000001.sst").is_file()
        assert all((folder / "data").read_bytes() == b"precious" for folder in lookalikes)
        assert unmarked.is_dir()
    assert not live.exists()  # a load that ends removes its own folder
