"""ingest.journal: several files replaced as one change, and a crash at any step recovered."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgpub.errors import KgpubError
from kgpub.ingest import journal


class CrashError(Exception):
    """The process dying at a chosen step."""


def _project(tmp_path: Path) -> tuple[Path, dict[Path, bytes]]:
    project = tmp_path / "project"
    (project / "articles" / "a").mkdir(parents=True)
    files = {
        project / "articles" / "a" / "a.de.txt": b"old text",
        project / "articles" / "a" / "a.ttl": b"old graph",
        project / "articles" / "a" / "history.ttl": b"old history",
    }
    for path, data in files.items():
        path.write_bytes(data)
    return project, {path: data.replace(b"old", b"new") for path, data in files.items()}


def _contents(files: dict[Path, bytes]) -> set[bytes]:
    return {path.read_bytes() for path in files}


def _leftovers(project: Path) -> list[str]:
    return sorted(
        p.name
        for p in project.rglob("*")
        if p.name.startswith(".kgpub") or p.suffix == ".kgpub-new"
    )


def test_every_file_is_replaced_and_nothing_is_left(tmp_path: Path) -> None:
    project, new = _project(tmp_path)
    journal.write_together(project, new)
    assert _contents(new) == {b"new text", b"new graph", b"new history"}
    assert _leftovers(project) == []
    assert journal.recover(project) is None


@pytest.mark.parametrize("renames_before_crash", [1, 2, 3])
def test_a_crash_after_the_commit_point_is_rolled_forward(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, renames_before_crash: int
) -> None:
    """Rename 1 commits the journal; renames 2-4 replace the files: a crash between any
    two of them leaves a mix on disk, which recover() completes."""
    project, new = _project(tmp_path)
    real = journal._rename
    done: list[Path] = []

    def rename(source: Path, target: Path) -> None:
        if len(done) == renames_before_crash:
            raise CrashError
        real(source, target)
        done.append(target)

    monkeypatch.setattr(journal, "_rename", rename)
    with pytest.raises(CrashError):
        journal.write_together(project, new)
    monkeypatch.setattr(journal, "_rename", real)
    assert (project / journal.COMMITTED).exists()
    assert journal.recover(project) == "rolled forward"
    assert _contents(new) == {b"new text", b"new graph", b"new history"}
    assert _leftovers(project) == []


def test_a_crash_before_the_commit_point_is_rolled_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, new = _project(tmp_path)

    def rename(source: Path, target: Path) -> None:
        raise CrashError

    monkeypatch.setattr(journal, "_rename", rename)
    with pytest.raises(CrashError):
        journal.write_together(project, new)
    monkeypatch.undo()
    assert (project / journal.PENDING).exists()
    assert journal.recover(project) == "rolled back"
    assert _contents(new) == {b"old text", b"old graph", b"old history"}
    assert _leftovers(project) == []


def test_a_crash_while_writing_the_temporary_files_is_rolled_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, new = _project(tmp_path)
    real = journal._write
    written: list[Path] = []

    def write(path: Path, data: bytes) -> None:
        if len(written) == 2:  # the journal and one temporary file
            raise CrashError
        real(path, data)
        written.append(path)

    monkeypatch.setattr(journal, "_write", write)
    with pytest.raises(CrashError):
        journal.write_together(project, new)
    monkeypatch.undo()
    assert journal.recover(project) == "rolled back"
    assert _contents(new) == {b"old text", b"old graph", b"old history"}
    assert _leftovers(project) == []


def test_a_write_finishes_an_earlier_interrupted_one_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, new = _project(tmp_path)
    real = journal._rename
    calls: list[Path] = []

    def rename(source: Path, target: Path) -> None:
        if len(calls) == 2:
            raise CrashError
        real(source, target)
        calls.append(target)

    monkeypatch.setattr(journal, "_rename", rename)
    with pytest.raises(CrashError):
        journal.write_together(project, new)
    monkeypatch.undo()
    text = next(iter(new))
    journal.write_together(project, {text: b"newer text"})
    assert _contents(new) == {b"newer text", b"new graph", b"new history"}


def test_files_outside_the_project_and_broken_journals_are_refused(tmp_path: Path) -> None:
    project, _ = _project(tmp_path)
    with pytest.raises(KgpubError, match="outside the project"):
        journal.write_together(project, {tmp_path / "elsewhere.txt": b"x"})
    (project / journal.COMMITTED).write_text("{not json", encoding="utf-8")
    with pytest.raises(KgpubError, match="unreadable journal"):
        journal.recover(project)
    (project / journal.COMMITTED).write_text('{"a": 1}', encoding="utf-8")
    with pytest.raises(KgpubError, match="not a journal"):
        journal.recover(project)
