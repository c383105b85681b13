"""``kgpub init``, ``new`` and ``anchor``, and what ``validate`` says about anchors."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgpub.cli.main import main

# A fictional article.
TEXT = (
    "Fähre fährt wieder\nDie Fähre nach Beispielinsel fährt ab Montag wieder. Die Fähre ist neu.\n"
)


@pytest.fixture
def project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    root = tmp_path / "newsroom"
    assert main(["init", str(root)]) == 0
    monkeypatch.setenv("KGPUB_PROJECT_DIR", str(root))
    monkeypatch.chdir(root)
    capsys.readouterr()
    return root


def _said(capsys: pytest.CaptureFixture[str]) -> str:
    out = capsys.readouterr()
    return out.out + out.err


def test_init_scaffolds_a_project_in_canonical_form(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("ontology/kgpub.ttl", "shapes/shapes.ttl", "data/background.ttl", "README.md"):
        assert (project / name).is_file(), name
    assert (project / "articles").is_dir()
    assert main(["fmt", "--check"]) == 0
    # Only which project and which files it read (kgpub.cli.project), nothing to reformat.
    said = _said(capsys).splitlines()
    assert said[0] == f"kgpub fmt: project {project} (named by KGPUB_PROJECT_DIR)"
    assert all(line.startswith("kgpub fmt: read ") for line in said[1:])


def test_init_changes_nothing_where_a_project_is(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "README.md").write_text("ours", encoding="utf-8")
    assert main(["init", str(project)]) == 2
    assert "already holds" in _said(capsys)
    assert (project / "README.md").read_text(encoding="utf-8") == "ours"


def test_new_adds_an_article_folder(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "Fähre Beispielinsel.de.txt").write_text(TEXT, encoding="utf-8")
    assert main(["new", "Fähre Beispielinsel.de.txt", "--fictional"]) == 0
    said = _said(capsys)
    folder = project / "articles" / "f-hre-beispielinsel"
    assert f"created {Path('articles/f-hre-beispielinsel/f-hre-beispielinsel.ttl')}" in said
    assert (folder / "f-hre-beispielinsel.de.txt").read_bytes() == TEXT.encode()
    assert "fictional = true" in (folder / "article.toml").read_text(encoding="utf-8")
    assert main(["fmt", "--check"]) == 0
    assert main(["validate"]) == 1  # the skeleton claim says what it lacks
    assert "A claim needs at least one kgpub:evidence" in _said(capsys)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["new", "missing.de.txt"], "cannot read it"),
        (["new", "text.txt"], "no language"),
        (["new", "text.txt", "--lang", "de", "--slug", "Bad Slug"], "lowercase letters"),
        (["new", "text.txt", "--lang", "de", "--slug", "background"], "graph/background"),
    ],
)
def test_new_refuses_what_it_cannot_add(
    project: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    (project / "text.txt").write_text(TEXT, encoding="utf-8")
    assert main(args) == 2
    assert message in _said(capsys)
    assert list((project / "articles").iterdir()) == []


def test_new_never_overwrites_an_article(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "faehre.de.txt").write_text(TEXT, encoding="utf-8")
    assert main(["new", "faehre.de.txt"]) == 0
    graph = (project / "articles" / "faehre" / "faehre.ttl").read_bytes()
    assert main(["new", "faehre.de.txt"]) == 2
    assert "exists already" in _said(capsys)
    assert (project / "articles" / "faehre" / "faehre.ttl").read_bytes() == graph


def test_new_outside_a_project_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KGPUB_PROJECT_DIR", str(tmp_path))
    (tmp_path / "faehre.de.txt").write_text(TEXT, encoding="utf-8")
    assert main(["new", str(tmp_path / "faehre.de.txt")]) == 2
    assert "not a kgpub project" in _said(capsys)


@pytest.fixture
def article(project: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    (project / "faehre.de.txt").write_text(TEXT, encoding="utf-8")
    assert main(["new", "faehre.de.txt", "--fictional"]) == 0
    capsys.readouterr()
    return project / "articles" / "faehre"


def test_anchor_prints_turtle(article: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["anchor", "faehre", "ab Montag"]) == 0
    said = capsys.readouterr().out
    start = TEXT.index("ab Montag")
    assert f"faehre:anchor-{start}-position" in said
    assert f"oa:start {start} ;" in said
    assert f"oa:end {start + 9} ;" in said
    assert 'oa:exact "ab Montag" ;' in said


def test_anchor_of_a_repeated_quote_lists_every_place(
    article: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["anchor", "faehre", "Die Fähre"]) == 2
    said = _said(capsys)
    assert "'Die Fähre' occurs 2 times" in said
    assert "--at 19  (19-28): …wieder\\n⟨Die Fähre⟩…" in said
    assert "--at 72  (72-81): …wieder. ⟨Die Fähre⟩…" in said
    second = TEXT.rindex("Die Fähre")
    assert main(["anchor", "faehre", "Die Fähre", "--at", str(second)]) == 0
    assert 'oa:prefix "wieder. "' in _said(capsys)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["anchor", "faehre", "Die Bahn"], "'Die Bahn' is not in the text"),
        (["anchor", "ebbe", "Die"], "no article 'ebbe' (articles: faehre)"),
        (["anchor", "faehre", "ab Montag", "--claim", "claim-9"], "exactly one file"),
    ],
)
def test_anchor_errors_name_the_problem(
    article: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(args) == 2
    assert message in _said(capsys)


def test_anchor_into_a_claim_and_validate_where_it_went_wrong(
    article: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["anchor", "faehre", "fährt ab Montag wieder", "--claim", "claim-1"]) == 0
    graph = article / "faehre.ttl"
    text = graph.read_text(encoding="utf-8")
    assert "kgpub:evidence faehre:anchor-1 ;" in text
    start = TEXT.index("fährt ab Montag")
    assert f"oa:start {start} ;" in text
    capsys.readouterr()
    graph.write_text(text.replace(f"oa:start {start} ;", f"oa:start {start + 1} ;"), "utf-8")
    graph.write_text(
        graph.read_text("utf-8").replace(f"oa:end {start + 22} ;", f"oa:end {start + 23} ;"),
        "utf-8",
    )
    assert main(["validate"]) == 1
    said = _said(capsys)
    assert (
        f"exact 'fährt ab Montag wieder' is at {start}-{start + 22}, not {start + 1}-{start + 23}"
    ) in said


def test_validate_fails_when_the_stored_text_is_not_the_file(
    article: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (article / "faehre.de.txt").write_text(TEXT + "Nachtrag.\n", encoding="utf-8")
    assert main(["validate"]) == 1
    assert "a schema:articleBody that differs from" in _said(capsys)


def test_a_broken_article_folder_is_an_error_not_a_crash(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "articles" / "leer").mkdir()  # no text file
    for command in (["validate"], ["fmt", "--check"], ["anchor", "leer", "x"]):
        assert main(command) == 2, command
        assert "an article folder needs exactly one *.txt" in _said(capsys)
