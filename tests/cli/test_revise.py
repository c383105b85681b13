"""``kgpub revise ARTICLE NEW_TEXT --dry-run``: each claim's evidence in a revised text.

The revised texts here are test edits of the shipped article (a sentence deleted, the
text decomposed to NFD), made only to check the command; they are not an update of
the story and are never stored.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from kgpub.cli.exit_codes import EXIT_OK, EXIT_UNREADABLE
from kgpub.cli.main import main
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
