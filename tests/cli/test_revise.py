"""``kgpub revise ARTICLE NEW_TEXT``: each claim's evidence in a revised text, and commits.

The revised texts here are test edits of the shipped article (a sentence deleted, the
text decomposed to NFD), made only to check the command; they are not an update of
the story and are never stored. Revisions are committed only to the fictional
Hafenfest article of tests/history_fixtures.py.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from kgpub.cli.exit_codes import EXIT_INVALID, EXIT_OK, EXIT_UNREADABLE
from kgpub.cli.main import main
from tests.history_fixtures import CLAIM as HAFENFEST_CLAIM
from tests.history_fixtures import TEXTS, RevisedProject, revised_project
from tests.paths import STORY

ARTICLE = (STORY / "article.de.txt").read_text(encoding="utf-8")
NO_COMMENT = "Musk reagierte nicht auf die Anfragen des Journal für einen Kommentar. "
CLAIM = "https://kgpub.example/id/claim-musk-no-comment"


def revise(tmp_path: Path, text: str, *options: str) -> list[str]:
    path = tmp_path / "new.txt"
    path.write_bytes(text.encode("utf-8"))
    return ["revise", "article", str(path), *options]


def test_the_unchanged_text_leaves_every_claim_exact(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(revise(tmp_path, ARTICLE, "--dry-run", "--json")) == EXIT_OK
    claims = json.loads(capsys.readouterr().out)
    assert len(claims) == 25
    assert {c["status"] for c in claims} == {"exact"}
    assert all(a["new"] == a["old"] for c in claims for a in c["anchors"])


def test_a_deleted_sentence_orphans_its_claim_and_shifts_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = ARTICLE.replace(NO_COMMENT, "")
    assert main(revise(tmp_path, new, "--dry-run", "--json")) == EXIT_OK
    claims = {c["claim"]: c for c in json.loads(capsys.readouterr().out)}
    assert claims[CLAIM]["status"] == "orphaned"
    assert claims[CLAIM]["anchors"][0]["new"] is None
    shifted = claims["https://kgpub.example/id/claim-peskov-kremlin-spokesman"]
    assert shifted["status"] == "shifted"
    start, end = shifted["anchors"][0]["new"]
    assert new[start:end] == shifted["anchors"][0]["exact"]
    assert new[start:end] == "Der Sprecher des Kremls, Dmitry Peskov"
    assert claims["https://kgpub.example/id/claim-musk-founded-spacex"]["status"] == "exact"


def test_the_table_names_each_claim_and_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = unicodedata.normalize("NFD", ARTICLE)
    assert main(revise(tmp_path, new, "--dry-run")) == EXIT_OK
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:2] == ["claim", "status"]
    assert "claim-musk-no-comment" in out
    assert "shifted" in out
    assert "orphaned" not in out


def test_the_same_text_commits_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = {p: p.read_bytes() for p in STORY.iterdir()}
    assert main(revise(tmp_path, ARTICLE)) == EXIT_UNREADABLE
    assert "nothing to revise" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in STORY.iterdir()} == before


def test_bad_input_fails_with_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = ["revise", "article", str(tmp_path / "missing.txt"), "--dry-run"]
    assert main(missing) == EXIT_UNREADABLE
    assert "cannot read" in capsys.readouterr().err
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Grüße".encode("latin-1"))
    assert main(["revise", "article", str(latin), "--dry-run"]) == EXIT_UNREADABLE
    assert "not UTF-8" in capsys.readouterr().err
    text = tmp_path / "new.txt"
    text.write_text(ARTICLE, encoding="utf-8")
    assert main(["revise", "no-such-article", str(text), "--dry-run"]) == EXIT_UNREADABLE
    assert "no article" in capsys.readouterr().err


# ---------------------------------------------------------------- committing (fictional article)


@pytest.fixture
def hafenfest(tmp_path: Path) -> RevisedProject:
    return revised_project(tmp_path / "project")


def _commit(project: RevisedProject, text: str, *options: str) -> list[str]:
    path = project.root.parent / "new.txt"
    path.write_bytes(text.encode("utf-8"))
    return ["--project", str(project.root), "revise", "hafenfest", str(path), *options]


def _files(project: RevisedProject) -> dict[str, bytes]:
    folder = project.root / "articles" / "hafenfest"
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


MODIFIED = TEXTS[-1].replace("einem Feuerwerk", "keinem Feuerwerk")


def test_an_undecided_claim_commits_nothing_and_the_table_says_which(
    hafenfest: RevisedProject, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _files(hafenfest)
    assert main(_commit(hafenfest, MODIFIED, "--kind", "correction", "--note", "Korrigiert.")) == 2
    out, err = capsys.readouterr()
    assert "hafenfest/claim-1" in out
    assert "modified" in out
    assert "NEEDED" in out
    assert "nothing committed" in err
    assert f"<{HAFENFEST_CLAIM}>" in err
    assert _files(hafenfest) == before


@pytest.mark.parametrize("claim", ["claim-1", HAFENFEST_CLAIM])
def test_a_decided_revision_is_committed(
    hafenfest: RevisedProject, capsys: pytest.CaptureFixture[str], claim: str
) -> None:
    options = ("--kind", "correction", "--note", "Korrigiert.", "--decide", f"{claim}=updated")
    assert main(_commit(hafenfest, MODIFIED, *options, "--json")) == EXIT_OK
    out, err = capsys.readouterr()
    (answer,) = json.loads(out)
    assert (answer["claim"], answer["status"], answer["decision"]) == (
        HAFENFEST_CLAIM,
        "modified",
        "updated",
    )
    assert "committed revision 4 (correction)" in err
    assert f"<{HAFENFEST_CLAIM}-r4> replaces <{HAFENFEST_CLAIM}>" in err
    folder = hafenfest.root / "articles" / "hafenfest"
    assert (folder / "hafenfest.de.txt").read_text(encoding="utf-8") == MODIFIED
    assert "revision/4" in (folder / "history.ttl").read_text(encoding="utf-8")


def test_the_new_data_breaking_a_shape_commits_nothing(
    hafenfest: RevisedProject, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _files(hafenfest)
    shifted = TEXTS[-1].replace("9000", "9100")
    assert main(_commit(hafenfest, shifted, "--note", " ")) == EXIT_INVALID
    err = capsys.readouterr().err
    assert "breaks a shape" in err
    assert "editorNote" in err
    assert _files(hafenfest) == before


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--decide", "claim-1=maybe"), "choose updated, retracted or kept"),
        (("--decide", "claim-1"), "expected CLAIM=VALUE"),
        (("--decide", "claim-9=kept"), "'claim-9'"),
        (("--decide", "claim-1=updated", "--span", "claim-1=a-b"), "expected START-END"),
        (("--kind", "correction"), "needs a note"),
    ],
)
def test_bad_options_commit_nothing(
    hafenfest: RevisedProject,
    capsys: pytest.CaptureFixture[str],
    options: tuple[str, ...],
    message: str,
) -> None:
    before = _files(hafenfest)
    text = MODIFIED if "--decide" in options else TEXTS[-1].replace("9000", "9100")
    assert main(_commit(hafenfest, text, *options)) == EXIT_UNREADABLE
    assert message in capsys.readouterr().err
    assert _files(hafenfest) == before
