"""A saved report is read back as it was, even when several processes keep it at once."""

from __future__ import annotations

import threading
from pathlib import Path

import pyoxigraph as ox

from kgpub.shacl.report_file import read_report, write_report
from kgpub.shacl.validate import validate_quads

SHAPES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix schema: <https://schema.org/> .
<urn:shape> a sh:NodeShape ; sh:targetClass schema:Person ;
  sh:property [ sh:path schema:name ; sh:minCount 1 ; sh:message "a person needs a name" ] .
"""
BAD = "[] a <https://schema.org/Person> . [] a <https://schema.org/Person> ."


def _quads(text: str) -> list[ox.Quad]:
    return list(ox.parse(text.encode(), format=ox.RdfFormat.TURTLE))


def test_writers_of_the_same_report_do_not_mix_their_files(tmp_path: Path) -> None:
    """The report cache's folder is shared (HTTP workers, pytest-xdist workers): each
    writer has a temporary file of its own, so the kept file is always one whole report."""
    report = validate_quads(_quads(BAD), _quads(SHAPES), [])
    target = tmp_path / "report.json"
    start = threading.Barrier(8)

    def keep() -> None:
        start.wait()
        for _ in range(20):
            write_report(report, target)

    writers = [threading.Thread(target=keep) for _ in range(8)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
    assert read_report(target).results == report.results
