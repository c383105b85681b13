"""Which files form the dataset, and how a broken file is reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgpub.config import Settings
from kgpub.errors import RdfSyntaxError, SourceNotFoundError
from kgpub.rdf.sources import Source, default_sources, graph_iri, read_quads


def test_each_file_has_its_own_named_graph(settings: Settings) -> None:
    graphs = {
        s.path.relative_to(settings.project_dir).as_posix(): s.graph
        for s in default_sources(settings)
    }
    story = "articles/musk-trump-zelensky-call"
    assert graphs[f"{story}/article.ttl"] == "https://kgpub.example/graph/article"
    assert graphs[f"{story}/reported.ttl"] == "https://kgpub.example/graph/reported"
    assert graphs["data/background.ttl"] == "https://kgpub.example/graph/background"
    assert graphs["ontology/kgpub.ttl"] == "https://kgpub.example/graph/kgpub"
    assert len(set(graphs.values())) == len(graphs)


def test_graph_iri_follows_the_base_iri(tmp_path: Path) -> None:
    settings = Settings(base_iri="https://news.example.org/kg/")
    assert graph_iri(settings, tmp_path / "x.ttl") == "https://news.example.org/kg/graph/x"


def test_syntax_error_is_located(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        '@prefix s: <https://schema.org/> .\n<urn:a> s:name "x" .\n<urn:a> s:name "y" "z" .\n'
    )
    with pytest.raises(RdfSyntaxError) as info:
        read_quads(Source(bad, "urn:g"))
    assert (info.value.line, info.value.column) == (3, 20)
    assert str(info.value).startswith(f"{bad}:3:20: ")


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError, match=r"missing\.ttl"):
        read_quads(Source(tmp_path / "missing.ttl", "urn:g"))


def test_unknown_extension_is_reported(tmp_path: Path) -> None:
    odd = tmp_path / "data.xyz"
    odd.write_text("")
    with pytest.raises(SourceNotFoundError, match="unknown RDF file extension"):
        read_quads(Source(odd, "urn:g"))


def test_quads_land_in_the_source_graph(tmp_path: Path) -> None:
    f = tmp_path / "one.nt"
    f.write_text("<urn:a> <urn:b> <urn:c> .\n")
    (quad,) = read_quads(Source(f, "urn:graph"))
    assert str(quad.graph_name) == "<urn:graph>"


def test_dataset_files_keep_their_own_graphs(tmp_path: Path) -> None:
    f = tmp_path / "many.trig"
    f.write_text("<urn:a> <urn:b> <urn:c> .\nGRAPH <urn:g1> { <urn:a> <urn:b> <urn:d> }\n")
    graphs = sorted(str(q.graph_name) for q in read_quads(Source(f, "urn:file")))
    assert graphs == ["<urn:file>", "<urn:g1>"]
