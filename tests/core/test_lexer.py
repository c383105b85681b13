"""The lexer's two token patterns: ASCII-only classes for ASCII text, the grammar's full
Unicode classes for any other, compiled on first use (kgpub starts without it)."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from kgpub import lexer

SPARQL_ISH = st.lists(
    st.sampled_from([*map(chr, range(128)), "PREFIX ", "SERVICE", "?x", "_:b", "ex:"]),
    max_size=40,
).map("".join)


def _tokens(pattern: object, text: str) -> list[tuple[str | None, str, str | None]]:
    assert hasattr(pattern, "finditer")
    return [(m.lastgroup, m.group(), m.group("prefix")) for m in pattern.finditer(text)]


@settings(max_examples=500, deadline=None)
@given(SPARQL_ISH)
def test_on_ascii_text_the_ascii_pattern_reads_what_the_full_one_reads(text: str) -> None:
    assert _tokens(lexer._ASCII_TOKEN, text) == _tokens(lexer._unicode_token(), text)


def test_text_beyond_ascii_uses_the_grammars_classes() -> None:
    found = lexer.lex("SELECT ?größe WHERE { ?s ex:straße ?größe }")
    assert [w.text for w in found.words] == ["SELECT", "WHERE"]


def test_importing_the_lexer_does_not_compile_the_unicode_pattern() -> None:
    probe = "import kgpub.lexer as l; print(l._unicode_token.cache_info().currsize)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "0"
