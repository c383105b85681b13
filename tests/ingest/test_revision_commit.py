"""ingest.revision_commit: a revision of the fictional Hafenfest article committed to its files.

The edits are test edits of a fictional article (tests/history_fixtures.py); none is news.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest

from kgpub.cli.main import main
from kgpub.errors import DataNotConformingError
from kgpub.history.plan import Request
from kgpub.history.records import Decision, Kind, Terms, history_of
from kgpub.history.replay import states
from kgpub.ingest import journal, revision_commit
from kgpub.ingest.dataset import load_dataset
from kgpub.namespaces import SCHEMA
from kgpub.rdf.formatting import format_file
from kgpub.rdf.sources import Source, read_quads
from tests.history_fixtures import CLAIM, EDITOR, RevisedProject, revised_project

NOW = datetime(2026, 2, 1, 10, 0, tzinfo=UTC)


class CrashError(Exception):
    """The process dying between two renames."""


@pytest.fixture
def project(tmp_path: Path) -> RevisedProject:
    return revised_project(tmp_path / "project")


def _request(project: RevisedProject, new: str, **options: object) -> Request:
    return Request(new, Kind.UPDATE, EDITOR, NOW, **options)  # type: ignore[arg-type]


def _state(project: RevisedProject) -> revision_commit.ArticleState:
    settings = project.settings
    return revision_commit.read_state(settings, revision_commit.find(settings, "hafenfest"))


def _files(project: RevisedProject) -> dict[str, bytes]:
    folder = project.root / "articles" / "hafenfest"
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _consistent(project: RevisedProject) -> int:
    """The files form one revision: text = articleBody, every state's hash checks out."""
    state = _state(project)
    rebuilt = states(state.quads, state.revisions)
    bodies = [
        q.object.value
        for q in state.quads
        if q.predicate.value == SCHEMA + "articleBody" and isinstance(q.object, ox.Literal)
    ]
    assert bodies == [state.text]
    return max(rebuilt)


def test_a_commit_writes_text_graphs_and_history_in_canonical_form(project: RevisedProject) -> None:
    new = project.texts[-1].replace("Blaskapelle.", "Blaskapelle. Am Abend tanzten die Gäste.")
    plan = revision_commit.commit(project.settings, _state(project), _request(project, new))
    folder = project.root / "articles" / "hafenfest"
    assert (folder / "hafenfest.de.txt").read_bytes() == new.encode("utf-8")
    for name in ("hafenfest.ttl", "history.ttl"):
        assert format_file(folder / name) == (folder / name).read_text(encoding="utf-8")
    history = read_quads(Source(folder / "history.ttl", "https://kgpub.example/graph/history"))
    revisions = history_of(history, Terms("https://kgpub.example/"), project.article)
    assert [r.number for r in revisions] == [1, 2, 3, 4]
    assert revisions[-1].content_hash == plan.revision.content_hash
    assert _consistent(project) == 4
    assert list(folder.glob("*.kgpub-new")) == []


def test_nothing_is_written_when_the_new_data_breaks_a_shape(project: RevisedProject) -> None:
    before = _files(project)
    new = project.texts[-1].replace("9000", "9100")
    with pytest.raises(DataNotConformingError) as caught:
        revision_commit.commit(project.settings, _state(project), _request(project, new, note=" "))
    assert "editorNote" in caught.value.report_text
    assert _files(project) == before


def test_a_crash_during_the_commit_leaves_one_revision_after_recovery(
    project: RevisedProject, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    new = project.texts[-1].replace("einem Feuerwerk", "keinem Feuerwerk")
    real = journal._rename
    renamed: list[Path] = []

    def rename(source: Path, target: Path) -> None:
        if len(renamed) == 2:  # the journal committed, the text renamed, the graphs not yet
            raise CrashError
        real(source, target)
        renamed.append(target)

    monkeypatch.setattr(journal, "_rename", rename)
    request = _request(project, new, decisions={CLAIM: Decision.RETRACTED})
    with pytest.raises(CrashError):
        revision_commit.commit(project.settings, _state(project), request)
    monkeypatch.undo()
    # Every command that reads the project recovers first.
    assert main(["--project", str(project.root), "validate"]) == 0
    assert "interrupted revision was rolled forward" in capsys.readouterr().err
    assert _consistent(project) == 4


def test_a_crash_before_the_commit_point_keeps_the_old_revision(
    project: RevisedProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _files(project)

    def rename(source: Path, target: Path) -> None:
        raise CrashError

    monkeypatch.setattr(journal, "_rename", rename)
    new = project.texts[-1].replace("9000", "9100")
    with pytest.raises(CrashError):
        revision_commit.commit(project.settings, _state(project), _request(project, new))
    monkeypatch.undo()
    assert journal.recover(project.root) == "rolled back"
    assert _files(project) == before
    assert _consistent(project) == 3


def test_the_dry_run_reports_without_writing(project: RevisedProject) -> None:
    before = _files(project)
    new = project.texts[-1].replace(" Das Fest endete mit einem Feuerwerk über dem Hafen.", "")
    (claim,) = revision_commit.dry_run(project.settings, _state(project), new)
    assert (claim.claim, str(claim.status), claim.needs_decision) == (CLAIM, "orphaned", True)
    assert _files(project) == before


def test_the_server_start_finishes_an_interrupted_revision(
    project: RevisedProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    new = project.texts[-1].replace("9000", "9100")
    real = journal._rename
    renamed: list[Path] = []

    def rename(source: Path, target: Path) -> None:
        if len(renamed) == 3:  # the journal committed, the text and the graph renamed
            raise CrashError
        real(source, target)
        renamed.append(target)

    monkeypatch.setattr(journal, "_rename", rename)
    with pytest.raises(CrashError):
        revision_commit.commit(project.settings, _state(project), _request(project, new))
    monkeypatch.undo()
    loaded = load_dataset(project.settings)
    assert loaded.conformance.report is not None
    assert loaded.conformance.report.accepted
    assert not (project.root / journal.COMMITTED).exists()
    assert _consistent(project) == 4
