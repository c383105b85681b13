"""Every RDF source file is in the one canonical Turtle form."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgpub.config import Settings
from kgpub.rdf.formatting import format_file

_ROOT = Settings().project_dir
_FILES = sorted(p for d in ("ontology", "data", "shapes") for p in (_ROOT / d).glob("*.ttl"))


@pytest.mark.parametrize("path", _FILES, ids=lambda p: str(p.relative_to(_ROOT)))
def test_file_is_formatted(path: Path) -> None:
    assert path.read_text(encoding="utf-8") == format_file(path), (
        f"run `kgpub fmt {path.relative_to(_ROOT)}`"
    )


def test_formatting_is_idempotent_and_sorted(tmp_path: Path) -> None:
    src = tmp_path / "x.ttl"
    src.write_text(
        "@prefix s: <https://schema.org/> .\n@prefix unused: <urn:x:> .\n"
        "<urn:b> s:name 'b'@en ; a s:Thing .\n<urn:a> s:name 'z', 'a' .\n",
        encoding="utf-8",
    )
    once = format_file(src)
    src.write_text(once, encoding="utf-8")
    assert format_file(src) == once
    assert "unused" not in once
    assert once.index('"a"') < once.index('"z"')
