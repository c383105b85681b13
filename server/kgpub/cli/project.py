"""Which project a command works on, and saying so on stderr.

The project folder is ``--project DIR`` (or ``KGPUB_PROJECT_DIR``), else the
current folder when it holds a kgpub project, else the story kgpub ships
(``kgpub.config``). A command run from the wrong folder must not look like a
success on someone else's data, so every command names the folder it uses and
how it was chosen, and every file it reads (``kgpub.rdf.sources`` logs each
read; this module shows those lines on stderr).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from kgpub.config import Settings, holds_project, shipped_story
from kgpub.errors import NothingFoundError
from kgpub.ingest import journal
from kgpub.rdf import sources


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is at the time (tests swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        print(self.format(record), file=sys.stderr)


_HANDLER = _StderrHandler(logging.INFO)


def settings_for(project: Path | None) -> Settings:
    """The settings with the project folder ``--project`` names, if it names one."""
    return Settings() if project is None else Settings(project_dir=project.resolve())


def origin(settings: Settings, named: bool) -> str:
    """How the project folder was chosen, in words."""
    if named:
        return "named by --project"
    if "project_dir" in settings.model_fields_set:
        return "named by KGPUB_PROJECT_DIR"
    if settings.project_dir == Path.cwd() and holds_project(settings.project_dir):
        return "the current folder"
    if settings.project_dir == shipped_story():
        return "the story shipped with kgpub, as the current folder holds no project"
    return "the default"


def announce(command: str, settings: Settings, *, named: bool) -> None:
    """Say which project ``command`` uses, and show every file it reads from now on.

    A named folder that does not exist is a ``NothingFoundError`` (exit 2).
    """
    prefix = f"kgpub {command}"
    _HANDLER.setFormatter(logging.Formatter(f"{prefix}: %(message)s"))
    if _HANDLER not in sources.logger.handlers:
        sources.logger.addHandler(_HANDLER)
        sources.logger.setLevel(logging.INFO)
        sources.logger.propagate = False
    folder = settings.project_dir
    print(f"{prefix}: project {folder} ({origin(settings, named)})", file=sys.stderr)
    if not folder.is_dir():
        raise NothingFoundError(f"project folder {folder} does not exist")
    # A revision a crash interrupted is finished (or undone) before anything is read.
    done = journal.recover(folder)
    if done is not None:
        print(f"{prefix}: an interrupted revision was {done}", file=sys.stderr)
