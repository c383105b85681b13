"""Reports are reused only for the same data, shapes, vocabulary and validator."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest

from kgpub.shacl import report_cache
from kgpub.shacl.report import ValidationReport
from kgpub.shacl.report_cache import report_key, validate_cached
from kgpub.shacl.validate import validate_quads

SHAPES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix schema: <https://schema.org/> .
<urn:shape> a sh:NodeShape ; sh:targetClass schema:Person ;
  sh:property [ sh:path schema:name ; sh:minCount 1 ; sh:message "a person needs a name" ] .
"""
GOOD = '[] a <https://schema.org/Person> ; <https://schema.org/name> "Anna" .'
BAD = "[] a <https://schema.org/Person> ."


def quads(text: str) -> list[ox.Quad]:
    return list(ox.parse(text.encode(), format=ox.RdfFormat.TURTLE))


@pytest.fixture(autouse=True)
def empty_memory() -> None:
    report_cache._memory.clear()


def test_the_key_ignores_blank_node_labels_and_order() -> None:
    shapes = quads(SHAPES)
    first = report_key(quads(GOOD), shapes, [])
    again = report_key(list(reversed(quads(GOOD))), quads(SHAPES), [])
    assert first == again
    assert report_key(quads(BAD), shapes, []) != first
    assert report_key(quads(GOOD), shapes, quads(BAD)) != first


def test_a_kept_report_is_read_back_instead_of_validating(tmp_path: Path) -> None:
    calls: list[int] = []

    def counting(
        data: Iterable[ox.Quad], shapes: Iterable[ox.Quad], ontology: Iterable[ox.Quad]
    ) -> ValidationReport:
        calls.append(1)
        return validate_quads(data, shapes, ontology)

    first = validate_cached(quads(BAD), quads(SHAPES), [], tmp_path, counting)
    assert not first.conforms
    assert len(list(tmp_path.glob("*.json"))) == 1
    report_cache._memory.clear()  # a new process: only the file remains
    second = validate_cached(quads(BAD), quads(SHAPES), [], tmp_path, counting)
    assert calls == [1]
    assert second.conforms is False
    assert second.results == first.results
    validate_cached(quads(GOOD), quads(SHAPES), [], tmp_path, counting)
    assert calls == [1, 1]


def test_an_unreadable_cache_file_is_replaced(tmp_path: Path) -> None:
    key = report_key(quads(BAD), quads(SHAPES), [])
    (tmp_path / f"{key}.json").write_text("{not json", encoding="utf-8")
    report = validate_cached(quads(BAD), quads(SHAPES), [], tmp_path, validate_quads)
    assert [r.message for r in report.results] == ["a person needs a name"]
    assert (tmp_path / f"{key}.json").read_text(encoding="utf-8").startswith("{")


def test_without_a_folder_nothing_is_written(tmp_path: Path) -> None:
    validate_cached(quads(GOOD), quads(SHAPES), [], None, validate_quads)
    assert not list(tmp_path.iterdir())
