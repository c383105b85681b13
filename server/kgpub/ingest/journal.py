"""Writing several project files as one change: all of them or none, even across a crash.

A revision changes an article's text, its graph files and its ``history.ttl``
together; a reader that saw the new text with the old graphs would find anchors
that lie, and a history whose last record does not match the graphs
(docs/revisions.md: "no revision without its record"). A rename is atomic for
one file only, so the files go through a small journal in the project folder:

1. ``.kgpub-journal.pending`` lists the targets and their temporary files;
2. each new content is written to its temporary file (``<target>.kgpub-new``)
   and flushed to disk;
3. the journal is renamed to ``.kgpub-journal`` (the commit point) and the
   folder flushed;
4. each temporary file is renamed over its target;
5. the journal is removed.

:func:`recover` finishes what a crash interrupted: after the commit point it
renames the temporary files still there (roll forward), before it removes them
(roll back). Either way the project holds the old files or the new ones. Every
command that reads a project calls it first (the CLI and the web app's start).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path

from kgpub.errors import KgpubError

PENDING = ".kgpub-journal.pending"
COMMITTED = ".kgpub-journal"
SUFFIX = ".kgpub-new"

logger = logging.getLogger(__name__)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write(path: Path, data: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _rename(source: Path, target: Path) -> None:
    """One atomic rename (a seam the crash tests replace)."""
    os.replace(source, target)


def _entries(project: Path, targets: Mapping[Path, bytes]) -> list[dict[str, str]]:
    entries = []
    for target in targets:
        resolved = target.resolve()
        if not resolved.is_relative_to(project.resolve()):
            raise KgpubError(f"{target} is outside the project folder {project}")
        relative = resolved.relative_to(project.resolve())
        entries.append({"target": str(relative), "temp": str(relative) + SUFFIX})
    return entries


def write_together(project: Path, files: Mapping[Path, bytes]) -> None:
    """Replace every file in ``files`` (paths inside ``project``) with its bytes, atomically
    as a set: a crash leaves the old files or, after :func:`recover`, the new ones."""
    recover(project)
    entries = _entries(project, files)
    pending, committed = project / PENDING, project / COMMITTED
    _write(pending, json.dumps(entries, indent=1).encode("utf-8"))
    _fsync_dir(project)
    for entry, data in zip(entries, files.values(), strict=True):
        _write(project / entry["temp"], data)
    _rename(pending, committed)
    _fsync_dir(project)
    _finish(project, entries)


def _finish(project: Path, entries: list[dict[str, str]]) -> None:
    folders = set()
    for entry in entries:
        temp = project / entry["temp"]
        if temp.exists():
            _rename(temp, project / entry["target"])
        folders.add((project / entry["target"]).parent)
    for folder in folders:
        _fsync_dir(folder)
    (project / COMMITTED).unlink()
    _fsync_dir(project)


def _read(journal: Path) -> list[dict[str, str]]:
    try:
        entries = json.loads(journal.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KgpubError(f"{journal}: unreadable journal of an interrupted write: {exc}") from exc
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and {"target", "temp"} <= e.keys() for e in entries
    ):
        raise KgpubError(f"{journal}: not a journal of kgpub's")
    return entries


def recover(project: Path) -> str | None:
    """Finish or undo a write a crash interrupted; says which (``None``: nothing to do)."""
    committed, pending = project / COMMITTED, project / PENDING
    if committed.exists():
        entries = _read(committed)
        _finish(project, entries)
        if pending.exists():
            pending.unlink()
        logger.warning("finished an interrupted write of %d files", len(entries))
        return "rolled forward"
    if pending.exists():
        entries = _read(pending)
        for entry in entries:
            (project / entry["temp"]).unlink(missing_ok=True)
        pending.unlink()
        _fsync_dir(project)
        logger.warning("undid an interrupted write of %d files", len(entries))
        return "rolled back"
    return None
