"""Every RDF source file is in the one canonical Turtle form."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgpub.config import Settings
from kgpub.errors import CommentInSourceError
from kgpub.rdf.formatting import first_comment, format_file

_ROOT = Settings().project_dir
_FILES = sorted(
    p for d in ("ontology", "data", "articles/*", "shapes") for p in _ROOT.glob(f"{d}/*.ttl")
)


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


def test_a_file_with_a_comment_is_refused_with_its_line(tmp_path: Path) -> None:
    src = tmp_path / "noted.ttl"
    src.write_text(
        "@prefix s: <https://schema.org/> .\n"
        "<urn:a> s:name 'a' .\n"
        "  # editor's note: check the spelling\n"
        "<urn:b> s:name 'b' .\n",
        encoding="utf-8",
    )
    with pytest.raises(CommentInSourceError) as caught:
        format_file(src)
    assert (caught.value.line, caught.value.column) == (3, 3)
    assert str(caught.value).startswith(f"{src}:3:3: has a comment")


@pytest.mark.parametrize(
    "text",
    [
        "<urn:a> <urn:p> 'not # a comment' .\n",
        '<urn:a> <urn:p> """long\n# still the string\n""" .\n',
        "<urn:a#frag> <urn:p> 1 .\n",
        "@prefix e: <urn:x:> .\ne:a\\#b e:p 1 .\n",
    ],
    ids=["short-string", "long-string", "iri", "escaped-local-name"],
)
def test_a_hash_that_is_no_comment_is_formatted(tmp_path: Path, text: str) -> None:
    assert first_comment(text) is None
    src = tmp_path / "x.ttl"
    src.write_text(text, encoding="utf-8")
    assert format_file(src).endswith(".\n")


def test_a_comment_ended_by_a_carriage_return_is_found_on_its_line() -> None:
    assert first_comment("<urn:a> <urn:p> 1 .\r\n<urn:b> <urn:p> 2 . # note\r") == (2, 21)
