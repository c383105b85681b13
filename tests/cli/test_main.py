"""``kgpub validate`` and ``kgpub fmt``.

``validate``: exit codes by kgpub's policy, report formats, message language.

0: accepted (no result, or only Warnings/Infos, which the report still shows
with ``sh:conforms false``); 1: a Violation; 2: unreadable input. ``fmt``:
formats, checks, and refuses a file whose comments it would drop.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal
from rdflib.namespace import SH

from kgpub.cli.exit_codes import EXIT_INVALID, EXIT_OK, EXIT_UNREADABLE
from kgpub.cli.main import main
from kgpub.rdf.rdflib_bridge import to_rdflib

SHAPES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix schema: <https://schema.org/> .
<urn:shape:Person> a sh:NodeShape ; sh:targetClass schema:Person ;
  sh:property <urn:shape:Person-name> , <urn:shape:Person-email> .
<urn:shape:Person-name> a sh:PropertyShape ; sh:path schema:name ; sh:minCount 1 ;
  sh:message "a person needs a name"@en , "eine Person braucht einen Namen"@de .
<urn:shape:Person-email> a sh:PropertyShape ; sh:path schema:email ; sh:minCount 1 ;
  sh:severity sh:Warning ;
  sh:message "a person should have an e-mail address"@en ,
    "eine Person sollte eine E-Mail-Adresse haben"@de .
"""
PREFIX = "@prefix schema: <https://schema.org/> .\n"
COMPLETE = PREFIX + '<urn:p:a> a schema:Person ; schema:name "A" ; schema:email "a@x" .\n'
WARNING = PREFIX + '<urn:p:a> a schema:Person ; schema:name "A" .\n'
VIOLATION = PREFIX + "<urn:p:a> a schema:Person .\n"


def _run(tmp_path: Path, data: str, *options: str) -> int:
    (tmp_path / "shapes.ttl").write_text(SHAPES, encoding="utf-8")
    (tmp_path / "data.ttl").write_text(data, encoding="utf-8")
    return main(
        ["validate", str(tmp_path / "data.ttl"), "--shapes", str(tmp_path / "shapes.ttl"), *options]
    )


def test_no_result_exits_0_and_conforms(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(tmp_path, COMPLETE) == EXIT_OK
    assert capsys.readouterr().out.strip() == "Conforms: the data passes every shape."


def test_warnings_only_exit_0_but_do_not_conform(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(tmp_path, WARNING) == EXIT_OK
    out = capsys.readouterr().out
    assert "Warning: urn:p:a path https://schema.org/email" in out
    assert out.splitlines()[-1] == (
        "Does not conform (sh:conforms false): 0 violation(s), 1 warning(s)/info(s); "
        "accepted, no violations."
    )


def test_a_violation_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(tmp_path, VIOLATION) == EXIT_INVALID
    assert capsys.readouterr().out.splitlines()[-1].endswith("; rejected.")


def test_unreadable_data_exits_2(tmp_path: Path) -> None:
    assert _run(tmp_path, "<urn:a> <urn:b> .") == EXIT_UNREADABLE


@pytest.mark.parametrize(
    ("option", "parse_as"), [("turtle", ox.RdfFormat.TURTLE), ("json-ld", ox.RdfFormat.JSON_LD)]
)
def test_report_as_rdf_with_conforms_false_on_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, parse_as: ox.RdfFormat
) -> None:
    assert _run(tmp_path, WARNING, "--format", option) == EXIT_OK
    captured = capsys.readouterr()
    report = to_rdflib(ox.parse(captured.out.encode(), format=parse_as))
    assert (None, SH.conforms, Literal(False)) in report
    assert list(report.objects(None, SH.resultMessage)) == [
        Literal("a person should have an e-mail address", lang="en")
    ]
    assert "accepted" in captured.err


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("de", "eine Person braucht einen Namen"),
        ("de-CH", "eine Person braucht einen Namen"),
        ("fr", "a person needs a name"),
        ("en", "a person needs a name"),
    ],
)
def test_lang_picks_one_language_every_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str, message: str
) -> None:
    for _ in range(3):
        assert _run(tmp_path, VIOLATION, "--lang", lang) == EXIT_INVALID
        out = capsys.readouterr().out
        assert f"    {message}\n" in out
        assert out.count("    ") == 2  # one line per result, one message each


def test_message_language_setting_is_the_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KGPUB_MESSAGE_LANGUAGE", "de")
    assert _run(tmp_path, VIOLATION) == EXIT_INVALID
    assert "eine Person braucht einen Namen" in capsys.readouterr().out


_UNFORMATTED = "@prefix s: <https://schema.org/> .\n<urn:a> s:name 'a' .\n"


def test_fmt_formats_a_file_and_check_then_passes(tmp_path: Path) -> None:
    src = tmp_path / "a.ttl"
    src.write_text(_UNFORMATTED, encoding="utf-8")
    assert main(["fmt", "--check", str(src)]) == 1
    assert src.read_text(encoding="utf-8") == _UNFORMATTED
    assert main(["fmt", str(src)]) == 0
    assert main(["fmt", "--check", str(src)]) == 0


@pytest.mark.parametrize("check", [True, False], ids=["check", "write"])
def test_fmt_refuses_a_file_with_a_comment_and_keeps_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], check: bool
) -> None:
    src = tmp_path / "noted.ttl"
    text = _UNFORMATTED + "# editor's note: the name is provisional\n"
    src.write_text(text, encoding="utf-8")
    assert main(["fmt", *(["--check"] if check else []), str(src)]) == 2
    err = capsys.readouterr().err
    assert f"kgpub fmt: {src}:3:1: has a comment" in err
    assert "Traceback" not in err
    assert src.read_text(encoding="utf-8") == text


def test_the_command_is_found_past_the_top_level_options() -> None:
    """``serve`` builds only its own parsers: the command word must be read exactly."""
    from kgpub.cli.main import _command_of  # noqa: PLC0415 - a private helper, tested here

    assert _command_of(["serve", "--port", "1"]) == "serve"
    assert _command_of(["--project", "serve", "load", "--store", "x"]) == "load"
    assert _command_of(["--proj", "serve", "load"]) == "load"
    assert _command_of(["--project=serve", "load"]) == "load"
    assert _command_of(["--version"]) is None
    assert _command_of([]) is None
