"""A second, independent SHACL engine agrees with kgpub's: Apache Jena SHACL.

Jena (Debian's libapache-jena-java, set up by ``scripts/setup-jena``) reads the
shipped ``shapes/shapes.ttl`` as it is and validates the shipped data and
every fixture (each with the vocabulary mixed in, as kgpub validates), in one
JVM. Its results must equal kgpub's as *sets* of (focus node, path, constraint
component, severity): Jena 4.5 repeats a SPARQL constraint's result once per
value node of the property shape's path, where SHACL (§5.3) and pySHACL report
it once. Blank nodes are compared as "a blank node" (labels are per engine).
kgpub's side is its validator, which ``test_validate`` holds equal to plain
pySHACL.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kgpub.shacl.report import ValidationReport
from kgpub.shacl.validate import validate_quads
from tests.paths import REPO
from tests.shacl import inputs

pytestmark = pytest.mark.external

JENA = Path(os.environ.get("KGPUB_JENA_DIR", Path.home() / ".cache" / "kgpub" / "jena"))
Key = tuple[str, str, str, str]


def _classpath() -> str:
    if shutil.which("java") is None:
        pytest.skip("no java on PATH: run scripts/setup-jena (as root) for the second engine")
    if not (JENA / "Batch.class").is_file() or not (JENA / "classpath.txt").is_file():
        pytest.skip(f"Jena SHACL is not set up in {JENA}: run scripts/setup-jena")
    overlay = JENA / "jena-debian-xerces-resources.jar"
    return f"{JENA}:{overlay}:{(JENA / 'classpath.txt').read_text(encoding='utf-8').strip()}"


def _norm(node: Node | None) -> str:
    return "" if node is None else "_:b" if isinstance(node, BNode) else str(node)


def _jena_keys(report: Graph) -> set[Key]:
    return {
        (
            _norm(report.value(r, SH.focusNode)),
            _norm(report.value(r, SH.resultPath)),
            _norm(report.value(r, SH.sourceConstraintComponent)),
            _norm(report.value(r, SH.resultSeverity)),
        )
        for r in report.subjects(RDF.type, SH.ValidationResult)
    }


def _kgpub_keys(report: ValidationReport) -> set[Key]:
    return {
        (_norm(r.focus), _norm(r.path), _norm(r.component), _norm(r.severity))
        for r in report.results
    }


def test_jena_and_kgpub_agree_on_the_shipped_data_and_every_fixture(tmp_path: Path) -> None:
    classpath = _classpath()
    names = [inputs.SHIPPED, *inputs.FIXTURE_NAMES]
    files = []
    for index, name in enumerate(names):
        path = tmp_path / f"{index:03d}.nt"
        quads = [*inputs.data_quads(name), *inputs.ontology_quads()]
        ox.serialize([q.triple for q in quads], path, ox.RdfFormat.N_TRIPLES)
        files.append(path)
    shapes = REPO / "shapes" / "shapes.ttl"
    run = subprocess.run(
        ["java", "-cp", classpath, "Batch", str(shapes), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, f"Jena refused the shapes or the data:\n{run.stderr[-2000:]}"
    disagreements = []
    for name, path in zip(names, files, strict=True):
        jena = _jena_keys(Graph().parse(f"{path}.jena.ttl", format="turtle"))
        ours = _kgpub_keys(
            validate_quads(inputs.data_quads(name), inputs.shapes_quads(), inputs.ontology_quads())
        )
        if jena != ours:
            disagreements.append(f"{name}: only kgpub {ours - jena}; only Jena {jena - ours}")
    assert not disagreements, "\n".join(disagreements)
    assert len(files) == len(inputs.FIXTURE_NAMES) + 1
