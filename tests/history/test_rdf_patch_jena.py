"""RDF Patch rows through a second implementation: Apache Jena's RIOT reads and writes their terms.

The issue asks for RDF Patch round trips through Apache Jena's RDF Patch
reader or an independent parser. Debian's Jena 4.5 (what ``scripts/setup-jena``
installs) has no RDF Patch module (jena-rdfpatch is not among its jars), Maven
Central is out of reach, and no RDF Patch reader is packaged on PyPI, npm or
Debian (PyPI's ``rdf-delta`` is an HTTP client of an RDF Delta server, with no
parser). So the second implementation checks what it can: an ``A``/``D`` row's
terms are an N-Quads statement (RDF Patch writes terms as N-Triples does), so

- every row our writer puts in a revision's patch is read by Jena's RIOT, and
  the quads Jena reads are the quads our parser reads, row by row, in order;
- rows Jena writes (RIOT's N-Triples term syntax, ``NodeFmtLib``, the same
  formatter Jena's RDF Patch writer uses) are read by our parser as the quads
  pyoxigraph reads from the same N-Quads.

The row codes and the transaction framing (``H``, ``TX``/``TC``/``TA``) are
checked by our parser alone (tests/history/test_rdf_patch.py); so are RDF 1.2
triple terms, which Jena 4.5 cannot read in the ``<<( )>>`` form.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest

from kgpub.history.rdf_patch import parse_patch, write_patch
from tests.history_fixtures import RevisedProject, revised_project

pytestmark = pytest.mark.external

JENA = Path(os.environ.get("KGPUB_JENA_DIR", Path.home() / ".cache" / "kgpub" / "jena"))
EX = "https://kgpub.example/"
XSD = "http://www.w3.org/2001/XMLSchema#"
G = ox.NamedNode(EX + "graph/hafenfest")


def _term_zoo() -> list[ox.Quad]:
    """Quads whose terms exercise the N-Triples syntax: escapes, non-ASCII, tags, datatypes."""
    s = ox.NamedNode(EX + "id/Zürich-Straße")
    p = ox.NamedNode(EX + "ontology#note")
    literals = [
        ox.Literal('Er sagte: "nein"\nund ging.\r\n\tEnde \\ Schluss', language="de"),
        ox.Literal("😀 jenseits der BMP, ß, é, 中文", language="en-gb"),
        ox.Literal(""),
        ox.Literal("bell \x07 and nul-free control \x1f"),
        ox.Literal("42", datatype=ox.NamedNode(XSD + "integer")),
        ox.Literal("TX .\nA <x> <y> <z> .", datatype=ox.NamedNode(EX + "ontology#RDFPatch")),
        ox.Literal("2026-01-10T08:00:00Z", datatype=ox.NamedNode(XSD + "dateTime")),
    ]
    quads = [ox.Quad(s, p, o, G) for o in literals]
    quads.append(ox.Quad(s, p, ox.NamedNode("urn:isbn:978-3-16-148410-0"), ox.DefaultGraph()))
    quads.append(ox.Quad(s, p, ox.NamedNode(EX + "id/a%20b?x=1&y=ä#frag"), G))
    return quads


def _classpath() -> str:
    if shutil.which("java") is None:
        pytest.skip(
            "no java on PATH: run scripts/setup-jena (as root) for the second implementation"
        )
    if not (JENA / "PatchTerms.class").is_file() or not (JENA / "classpath.txt").is_file():
        pytest.skip(f"PatchTerms is not built in {JENA}: run scripts/setup-jena")
    overlay = JENA / "jena-debian-xerces-resources.jar"
    return f"{JENA}:{overlay}:{(JENA / 'classpath.txt').read_text(encoding='utf-8').strip()}"


def _jena(mode: str, files: list[Path]) -> None:
    run = subprocess.run(
        ["java", "-cp", _classpath(), "PatchTerms", mode, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, f"Jena refused the input:\n{run.stderr[-2000:]}"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> RevisedProject:
    return revised_project(tmp_path_factory.mktemp("jena-patch") / "project")


def test_jena_reads_the_rows_our_writer_writes(project: RevisedProject, tmp_path: Path) -> None:
    zoo = _term_zoo()
    patches = [rev.patch for rev in project.revisions if rev.patch is not None]
    patches.append(write_patch(zoo[:5], zoo[5:], patch_id=EX + "id/x/revision/9"))
    files = []
    for index, text in enumerate(patches):
        path = tmp_path / f"{index}.rdfp"
        path.write_text(text, encoding="utf-8", newline="")
        files.append(path)
    _jena("read", files)
    for path, text in zip(files, patches, strict=True):
        ours = [(change.op, change.quad) for change in parse_patch(text).changes]
        theirs = []
        for line in Path(f"{path}.jena.nq").read_text(encoding="utf-8").splitlines():
            op, statement = line.split(" ", 1)
            (quad,) = ox.parse(statement.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
            theirs.append((op, quad))
        assert theirs == ours, path.name
        assert ours  # every patch changes something
    assert len(files) == len(project.revisions)  # two recorded patches and the zoo


def test_our_parser_reads_the_rows_jena_writes(tmp_path: Path) -> None:
    zoo = _term_zoo()
    source = tmp_path / "zoo.nq"
    ox.serialize(zoo, source, ox.RdfFormat.N_QUADS)
    _jena("write", [source])
    written = Path(f"{source}.jena.rdfp").read_text(encoding="utf-8")
    assert written.startswith("TX .\nA ")
    patch = parse_patch(written)
    assert list(patch.added) == list(ox.parse(path=source, format=ox.RdfFormat.N_QUADS))
    assert list(patch.added) == zoo
    assert patch.deleted == ()
