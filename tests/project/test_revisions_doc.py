"""docs/revisions.md's walkthrough, replayed: every command, in order, on the fictional article.

The page marks each step with an HTML comment before its block: ``write FILE``
writes the block (each line ending in a newline) as the next text; ``run [exit N]``
runs the block's ``$ kgpub …`` line in a copy of the Hafenfest project of
tests/history_fixtures.py and checks its exit status and that every other line
shown is printed (stdout or stderr, runs of spaces compared as one). So the page
cannot drift from what ``kgpub revise`` does.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from kgpub.cli.main import main
from kgpub.history.records import Terms, history_of
from kgpub.rdf.sources import Source, read_quads
from tests.history_fixtures import ARTICLE, BASE, revised_project

_DOC = Path(__file__).resolve().parents[2] / "docs" / "revisions.md"
_STEP = re.compile(r"^<!-- replay: (.*) -->$")


def _steps() -> list[tuple[list[str], list[str]]]:
    lines = _DOC.read_text(encoding="utf-8").splitlines()
    steps = []
    for index, line in enumerate(lines):
        match = _STEP.match(line)
        if match is None:
            continue
        assert lines[index + 1].startswith("```"), f"replay step without a block: {line}"
        end = lines.index("```", index + 2)
        steps.append((shlex.split(match.group(1)), lines[index + 2 : end]))
    return steps


def _flat(text: str) -> str:
    return re.sub(r"[ ]+", " ", text).strip()


def test_the_walkthrough_prints_what_the_page_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    revised_project(tmp_path / "project")
    monkeypatch.chdir(tmp_path)
    steps = _steps()
    assert [s[0][0] for s in steps].count("run") == 5
    for directive, block in steps:
        if directive[0] == "write":
            (tmp_path / directive[1]).write_bytes("".join(f"{b}\n" for b in block).encode())
            continue
        assert directive[0] == "run", directive
        expected_exit = int(directive[2]) if directive[1:2] == ["exit"] else 0
        command, *shown = block
        assert command.startswith("$ kgpub "), command
        capsys.readouterr()
        assert main(shlex.split(command)[2:]) == expected_exit, command
        out, err = capsys.readouterr()
        printed = {_flat(line) for line in (out + err).splitlines()}
        missing = [line for line in shown if _flat(line) not in printed]
        assert not missing, f"{command}: not printed: {missing}\n{out}{err}"
    folder = tmp_path / "project" / "articles" / "hafenfest"
    history = read_quads(Source(folder / "history.ttl", BASE + "graph/history"))
    kinds = [str(r.kind) for r in history_of(history, Terms(BASE), ARTICLE)]
    assert kinds == ["original", "update", "correction", "update", "correction", "update"]
