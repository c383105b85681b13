"""Snippets: the words around the first match, marked; the news' text always escaped."""

from __future__ import annotations

from kgpub.search.snippets import snippet


def test_a_short_text_is_shown_whole_with_its_matches_marked() -> None:
    cut = snippet("Musk und Putin", [(0, 4), (9, 14)])
    assert cut.html() == "<mark>Musk</mark> und <mark>Putin</mark>"
    assert cut.plain == "Musk und Putin"
    assert not cut.cut_before
    assert not cut.cut_after


def test_hostile_text_is_escaped_and_only_mark_elements_are_added() -> None:
    text = '<script>alert("x")</script> & <img src=x onerror=alert(1)> Musk'
    start = text.index("Musk")
    html = snippet(text, [(start, start + 4)]).html()
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img" in html
    assert html.endswith("<mark>Musk</mark>")


def test_a_long_text_is_cut_around_the_first_match_at_word_boundaries() -> None:
    text = " ".join(f"wort{i}" for i in range(200)) + " Starlink " + "ende " * 100
    start = text.index("Starlink")
    cut = snippet(text, [(start, start + 8)], width=120)
    assert cut.cut_before
    assert cut.cut_after
    assert len(cut.text) <= 120
    assert cut.plain.startswith("…wort")
    assert cut.plain.endswith("…")
    s, e = cut.marks[0]
    assert cut.text[s:e] == "Starlink"
    assert text[cut.offset : cut.offset + len(cut.text)] == cut.text
