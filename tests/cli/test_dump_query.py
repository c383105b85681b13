"""``kgpub dump``, ``kgpub query`` and ``serve --store``: same formats as the endpoint."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from kgpub.cli.exit_codes import EXIT_UNREADABLE
from kgpub.cli.main import main
from kgpub.config import Settings
from kgpub.store.oxigraph import Store
from kgpub.web.app import create_app

EX = "http://example.org/"
DATA = f"""\
<{EX}g1> {{ <{EX}a> <{EX}p> <{EX}b> . <{EX}a> <{EX}name> "A" . }}
<{EX}g2> {{ <{EX}b> <{EX}p> <{EX}c> . }}
"""


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    source = tmp_path / "data.trig"
    source.write_text(DATA, encoding="utf-8")
    assert main(["load", str(source), "--store", str(tmp_path / "st")]) == 0
    return tmp_path / "st"


def run(argv: list[str], capsys: pytest.CaptureFixture[bytes]) -> bytes:
    capsys.readouterr()
    assert main(argv) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["nq", "trig"])
def test_dump_round_trips_the_dataset(
    store_dir: Path, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes], fmt: str
) -> None:
    out = run(["dump", "--store", str(store_dir), "--format", fmt], capsysbinary)
    rdf_format = ox.RdfFormat.N_QUADS if fmt == "nq" else ox.RdfFormat.TRIG
    assert set(ox.parse(out, format=rdf_format)) == set(Store(store_dir, read_only=True))
    # ... and loads back into an equal store.
    dumped = tmp_path / f"dump.{fmt}"
    dumped.write_bytes(out)
    assert main(["load", str(dumped), "--store", str(tmp_path / "again")]) == 0
    assert set(Store(tmp_path / "again", read_only=True)) == set(Store(store_dir, read_only=True))


@pytest.mark.parametrize(
    ("fmt", "rdf_format"),
    [
        ("ttl", ox.RdfFormat.TURTLE),
        ("nt", ox.RdfFormat.N_TRIPLES),
        ("rdf", ox.RdfFormat.RDF_XML),
        ("jsonld", ox.RdfFormat.JSON_LD),
    ],
)
def test_dump_one_graph_in_triple_formats(
    store_dir: Path,
    tmp_path: Path,
    capsysbinary: pytest.CaptureFixture[bytes],
    fmt: str,
    rdf_format: ox.RdfFormat,
) -> None:
    out_file = tmp_path / "out"
    run(
        [
            "dump",
            "--store",
            str(store_dir),
            "--graph",
            f"{EX}g1",
            "--format",
            fmt,
            "-o",
            str(out_file),
        ],
        capsysbinary,
    )
    triples = {q.triple for q in ox.parse(out_file.read_bytes(), format=rdf_format)}
    assert triples == {q.triple for q in Store(store_dir, read_only=True).quads(f"{EX}g1")}


def test_dump_of_a_triple_format_merges_graphs(
    store_dir: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    out = run(["dump", "--store", str(store_dir), "--format", "nt"], capsysbinary)
    assert len({q.triple for q in ox.parse(out, format=ox.RdfFormat.N_TRIPLES)}) == 3


def test_dump_unknown_graph_exits_2(store_dir: Path) -> None:
    assert main(["dump", "--store", str(store_dir), "--graph", f"{EX}nope"]) == EXIT_UNREADABLE


def test_dump_without_store_writes_the_default_dataset(
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    out = run(["dump", "--format", "nq"], capsysbinary)
    graphs = {q.graph_name.value for q in ox.parse(out, format=ox.RdfFormat.N_QUADS)}
    base = Settings().base_iri
    assert {f"{base}graph/article", f"{base}graph/shapes"} <= graphs


SELECT = f"SELECT ?o WHERE {{ <{EX}a> <{EX}p> ?o }}"


def test_query_select_formats_parse_back(
    store_dir: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    base = ["query", "--store", str(store_dir), SELECT]
    data = json.loads(run(base, capsysbinary))
    assert data["results"]["bindings"] == [{"o": {"type": "uri", "value": f"{EX}b"}}]
    xml = ET.fromstring(run([*base, "--format", "xml"], capsysbinary))
    assert f"{EX}b" in "".join(xml.itertext())
    rows = list(csv.reader(io.StringIO(run([*base, "--format", "csv"], capsysbinary).decode())))
    assert rows == [["o"], [f"{EX}b"]]
    tsv = run([*base, "--format", "tsv"], capsysbinary).decode().splitlines()
    assert tsv == ["?o", f"<{EX}b>"]


@pytest.mark.parametrize(
    ("fmt", "rdf_format"),
    [
        ("ttl", ox.RdfFormat.TURTLE),
        ("nt", ox.RdfFormat.N_TRIPLES),
        ("jsonld", ox.RdfFormat.JSON_LD),
        ("rdf", ox.RdfFormat.RDF_XML),
        ("trig", ox.RdfFormat.TRIG),
        ("nq", ox.RdfFormat.N_QUADS),
    ],
)
def test_query_construct_formats_parse_back(
    store_dir: Path,
    tmp_path: Path,
    capsysbinary: pytest.CaptureFixture[bytes],
    fmt: str,
    rdf_format: ox.RdfFormat,
) -> None:
    query_file = tmp_path / "q.rq"
    query_file.write_text("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", encoding="utf-8")
    out = run(
        ["query", "--store", str(store_dir), "-f", str(query_file), "--format", fmt],
        capsysbinary,
    )
    assert (
        len({q.triple if isinstance(q, ox.Quad) else q for q in ox.parse(out, format=rdf_format)})
        == 3
    )


def test_query_without_store_uses_the_default_dataset(
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    out = run(["query", "ASK { GRAPH ?g { ?s ?p ?o } }"], capsysbinary)
    assert json.loads(out)["boolean"] is True


def _search(words: str) -> str:
    return (
        "PREFIX kgpub: <https://kgpub.example/ontology#> SELECT ?s WHERE { ?s a ?t . "
        f'FILTER(kgpub:search(?s, "{words}")) }} ORDER BY ?s'
    )


def test_query_can_call_kgpub_search_on_the_default_dataset(
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    out = run(["query", _search("Starlink"), "--format", "csv"], capsysbinary)
    assert "https://kgpub.example/id/claim-starlink-advantage" in out.decode()


def test_query_can_call_kgpub_search_from_the_index_beside_a_store(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    source = tmp_path / "people.ttl"
    source.write_text(
        "<https://kgpub.example/id/anna> a <https://schema.org/Person> ; "
        '<https://schema.org/name> "Anna Straße"@de .\n',
        encoding="utf-8",
    )
    assert main(["load", str(source), "--store", str(tmp_path / "st")]) == 0
    store = str(tmp_path / "st")
    out = run(["query", "--store", store, _search("Strasse"), "--format", "csv"], capsysbinary)
    assert out.decode().split() == ["s", "https://kgpub.example/id/anna"]


def test_query_errors_exit_2(store_dir: Path) -> None:
    assert main(["query", "--store", str(store_dir), "SELECT nonsense"]) == EXIT_UNREADABLE
    assert main(["query", "--store", str(store_dir), SELECT, "--format", "ttl"]) == EXIT_UNREADABLE
    assert main(["query", "--store", str(store_dir / "missing"), SELECT]) == EXIT_UNREADABLE


def test_serve_store_answers_queries_without_reading_files(store_dir: Path, tmp_path: Path) -> None:
    settings = Settings(project_dir=tmp_path / "empty", store_dir=store_dir)
    with TestClient(create_app(settings)) as client:
        response = client.get("/sparql", params={"query": SELECT, "format": "json"})
        assert response.status_code == 200
        assert response.json()["results"]["bindings"][0]["o"]["value"] == f"{EX}b"
        void = client.get("/.well-known/void", params={"format": "nt"})
        assert void.status_code == 200
        assert f"<{EX}g1>" in void.text


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "xml", "ttl", "nt"])
def test_query_output_ends_with_a_newline(
    fmt: str, store_dir: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    query = SELECT if fmt in ("json", "csv", "tsv", "xml") else "CONSTRUCT WHERE { ?s ?p ?o }"
    out = run(["query", "--store", str(store_dir), query, "--format", fmt], capsysbinary)
    assert out.endswith(b"\n")
    assert not out.endswith(b"\n\n")


def test_query_syntax_error_shows_line_column_and_caret(
    store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    query = "SELECT ?s\nWHERE { ?s ?p ?o } LIMT 1"
    assert main(["query", "--store", str(store_dir), query]) == EXIT_UNREADABLE
    err = capsys.readouterr().err.splitlines()
    first = next(i for i, line in enumerate(err) if "error at 2:" in line)
    assert err[first + 1] == "  2 | WHERE { ?s ?p ?o } LIMT 1"
    assert err[first + 2].strip().startswith("| ")
    assert err[first + 2].endswith("^")
