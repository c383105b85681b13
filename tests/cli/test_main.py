"""``kgpub fmt``: formats, checks, and refuses a file whose comments it would drop."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgpub.cli.main import main

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
