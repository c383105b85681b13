"""Which project a command uses (``kgpub.cli.project``), and nothing found is exit 2.

The project folder is ``--project DIR`` (or ``KGPUB_PROJECT_DIR``), else the
current folder when it holds a project, else the shipped story; every command
says which, and names each file it read. A folder that yields no data or no
shapes fails every command that reads it with exit 2 and the folder's name.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from kgpub import __version__
from kgpub.cli.exit_codes import EXIT_OK, EXIT_UNREADABLE
from kgpub.cli.main import main
from kgpub.config import shipped_story
from tests.paths import REPO
from tests.sparql_fixtures import free_port

SHAPES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix schema: <https://schema.org/> .
<urn:shape:Person> a sh:NodeShape ; sh:targetClass schema:Person ;
  sh:property [ sh:path schema:name ; sh:minCount 1 ] .
"""
DATA = '@prefix schema: <https://schema.org/> .\n<urn:p:a> a schema:Person ; schema:name "A" .\n'
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _project(root: Path, *, data: bool = True, shapes: bool = True) -> Path:
    (root / "data").mkdir(parents=True)
    (root / "shapes").mkdir()
    if data:
        (root / "data" / "people.ttl").write_text(DATA, encoding="utf-8")
    if shapes:
        (root / "shapes" / "shapes.ttl").write_text(SHAPES, encoding="utf-8")
    return root


@pytest.fixture(autouse=True)
def _no_project_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KGPUB_PROJECT_DIR", raising=False)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out == f"kgpub {__version__}\n"


def test_the_current_folder_with_a_project_is_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path / "p")
    monkeypatch.chdir(project)
    assert main(["validate"]) == EXIT_OK
    err = capsys.readouterr().err
    assert f"kgpub validate: project {project} (the current folder)" in err
    assert f"kgpub validate: read {project / 'data' / 'people.ttl'} (2 triples)" in err
    assert f"kgpub validate: read {project / 'shapes' / 'shapes.ttl'}" in err


def test_an_empty_folder_uses_the_shipped_story(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["query", COUNT, "--format", "csv"]) == EXIT_OK
    captured = capsysbinary.readouterr()
    assert int(captured.out.decode().split()[1]) > 3000  # the story, not an empty dataset
    err = captured.err.decode()
    assert f"project {shipped_story()} (the story shipped with kgpub" in err
    assert "article.ttl" in err


@pytest.mark.parametrize("where", ["before", "after"])
def test_project_option_names_the_folder(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path / "p")
    monkeypatch.chdir(REPO)  # a project itself: the option must win over it
    argv = ["--project", str(project), "validate"]
    if where == "after":
        argv = ["validate", "--project", str(project)]
    assert main(argv) == EXIT_OK
    err = capsys.readouterr().err
    assert f"project {project} (named by --project)" in err
    assert "article.ttl" not in err


def test_project_setting_names_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path / "p")
    monkeypatch.setenv("KGPUB_PROJECT_DIR", str(project))
    monkeypatch.chdir(tmp_path)
    assert main(["validate"]) == EXIT_OK
    assert f"project {project} (named by KGPUB_PROJECT_DIR)" in capsys.readouterr().err


def test_a_named_folder_that_does_not_exist_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere"
    assert main(["--project", str(missing), "validate"]) == EXIT_UNREADABLE
    assert f"project folder {missing} does not exist" in capsys.readouterr().err


# Every command that reads the project, on a folder without data, then without shapes.
COMMANDS = {
    "validate": ["validate"],
    "fmt --check": ["fmt", "--check"],
    "dump": ["dump"],
    "query": ["query", COUNT],
    "serve": ["serve"],
}


@pytest.mark.parametrize("missing", ["data", "shapes"])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_project_without_data_or_shapes_exits_2_naming_the_folder(
    command: str, missing: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path / "p", data=missing != "data", shapes=missing != "shapes")
    capsys.readouterr()
    argv = [*COMMANDS[command], *(["--port", str(free_port())] if command == "serve" else [])]
    assert main(["--project", str(project), *argv]) == EXIT_UNREADABLE
    err = capsys.readouterr().err
    if missing == "data":
        where = f"{project / 'data'} and {project / 'articles'}"
    else:
        where = f"{project / 'shapes'}"
    assert f"no {missing}: no Turtle (*.ttl) file in {where} " in err


def test_load_validate_without_shapes_exits_2_and_loads_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path / "p", shapes=False)
    store = tmp_path / "store"
    argv = ["--project", str(project), "load", str(project / "data"), "--store", str(store)]
    assert main([*argv, "--validate"]) == EXIT_UNREADABLE
    assert f"no shapes: no Turtle (*.ttl) file in {project / 'shapes'} " in capsys.readouterr().err
    assert not store.exists()
    # Without --validate the shapes are not needed.
    assert main(argv) == EXIT_OK


def test_serve_on_a_taken_port_fails_at_once_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        # Before any file is read: the project here has no data, which would be exit 2 too,
        # but the port's message comes first.
        project = _project(tmp_path / "p", data=False)
        assert main(["--project", str(project), "serve", "--port", str(port)]) == EXIT_UNREADABLE
    err = capsys.readouterr().err
    assert f"kgpub serve: port {port} on 127.0.0.1 is not free" in err
    assert "no data" not in err
