"""The vocabulary: its header, and the violation queries that must return no rows."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kgpub import __version__
from kgpub.config import Settings
from kgpub.rdf.sources import ontology_sources, read_all
from kgpub.store.oxigraph import Store

_ONTOLOGY = "https://kgpub.example/ontology"
_CHECKS = sorted((Settings().project_dir / "queries" / "ontology-checks").glob("*.rq"))


@pytest.fixture(scope="module")
def ontology(settings: Settings) -> Store:
    store = Store()
    store.add_quads(read_all(ontology_sources(settings)))
    return store


def _values(store: Store, subject: str, predicate: str) -> set[str]:
    result = store.query(f"SELECT ?o WHERE {{ <{subject}> <{predicate}> ?o }}")
    assert isinstance(result, ox.QuerySolutions)
    return {str(row["o"]) for row in result}


def test_the_version_has_one_source() -> None:
    """The ontology states the package's version (from pyproject.toml), nothing else."""
    assert __version__ != "0+unknown"
    assert __version__ in (Settings().project_dir / "pyproject.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("predicate", "expected"),
    [
        ("http://purl.org/dc/terms/title", {'"kgpub vocabulary"@en', '"kgpub-Vokabular"@de'}),
        (
            "http://www.w3.org/2002/07/owl#versionIRI",
            {f"<https://kgpub.example/ontology/{__version__}>"},
        ),
        ("http://www.w3.org/2002/07/owl#versionInfo", {f'"{__version__}"'}),
        ("http://purl.org/vocab/vann/preferredNamespacePrefix", {'"kgpub"'}),
        (
            "http://purl.org/vocab/vann/preferredNamespaceUri",
            {'"https://kgpub.example/ontology#"^^<http://www.w3.org/2001/XMLSchema#anyURI>'},
        ),
    ],
)
def test_header_states(ontology: Store, predicate: str, expected: set[str]) -> None:
    assert _values(ontology, _ONTOLOGY, predicate) == expected


@pytest.mark.parametrize(
    "predicate",
    [
        "http://purl.org/dc/terms/description",
        "http://purl.org/dc/terms/license",
        "http://purl.org/dc/terms/creator",
        "http://purl.org/dc/terms/created",
    ],
)
def test_header_has(ontology: Store, predicate: str) -> None:
    assert _values(ontology, _ONTOLOGY, predicate)


def test_description_in_english_and_german(ontology: Store) -> None:
    langs = {
        v.rsplit("@", 1)[1]
        for v in _values(ontology, _ONTOLOGY, "http://purl.org/dc/terms/description")
    }
    assert langs == {"en", "de"}


@pytest.mark.parametrize("check", _CHECKS, ids=lambda p: p.stem)
def test_violation_query_returns_no_rows(ontology: Store, check: Path) -> None:
    result = ontology.query(check.read_text(encoding="utf-8"))
    assert isinstance(result, ox.QuerySolutions)
    assert [str(row["term"]) for row in result] == []


@pytest.mark.parametrize("check", _CHECKS, ids=lambda p: p.stem)
def test_violation_query_catches_a_bad_term(check: Path) -> None:
    """Each check really fires on terms that break the rules between them."""
    bad = Store()
    bad.add_quads(
        ox.parse(
            b"@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
            b"@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
            b"<https://kgpub.example/ontology#Bad> a owl:Class ;\n"
            b'  rdfs:label "x"@en, "y"@en ;\n'
            b"  rdfs:seeAlso <https://kgpub.example/ontology#Undeclared> .\n"
            b'<https://kgpub.example/ontology#bad> a owl:ObjectProperty ; rdfs:label "z"@de .\n',
            format=ox.RdfFormat.TURTLE,
        )
    )
    result = bad.query(check.read_text(encoding="utf-8"))
    assert isinstance(result, ox.QuerySolutions)
    assert list(result), f"{check.stem} found nothing wrong with a bad term"
