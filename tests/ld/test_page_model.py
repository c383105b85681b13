"""A section's facts as a reader reads them: each value once, sorted by its words, long
lists of links on one line."""

from __future__ import annotations

import pyoxigraph as ox

from kgpub.ld.page_model import Page, Value, inline, section
from kgpub.namespaces import SCHEMA

BASE = "https://kgpub.example/"
ME = ox.NamedNode(BASE + "id/me")


def _quad(predicate: str, value: ox.NamedNode | ox.Literal) -> ox.Quad:
    return ox.Quad(ME, ox.NamedNode(SCHEMA + predicate), value, ox.DefaultGraph())


def test_the_same_name_in_two_languages_reads_once_in_the_readers_language() -> None:
    quads = [
        _quad("name", ox.Literal("Ada Beispiel", language="en")),
        _quad("name", ox.Literal("Ada Beispiel", language="de")),
        _quad("description", ox.Literal("test person", language="en")),
        _quad("description", ox.Literal("Testperson", language="de")),
    ]
    made = section(Page(BASE, {}, "de", False), ME.value, quads, "about")
    facts = {prop.text: values for prop, values in made.properties}
    assert facts["Name"] == [Value("Ada Beispiel", None, "de")]
    assert facts["Beschreibung"] == [
        Value("test person", None, "en"),
        Value("Testperson", None, "de"),
    ]


def test_values_sort_by_their_words_quotation_marks_aside() -> None:
    page = Page(BASE, {}, "en", False)
    for iri, label in (("b", "„Zebra …“"), ("c", "apple"), ("a", "Mango")):
        page.label_index[BASE + "id/" + iri] = [(label, "")]
    quads = [_quad("hasPart", ox.NamedNode(BASE + "id/" + iri)) for iri in "abc"]
    made = section(page, ME.value, quads, "about")
    ((prop, values),) = made.properties
    assert prop.text == "has part"
    assert [v.text for v in values] == ["apple", "Mango", "„Zebra …“"]


def test_more_than_three_links_read_as_one_line() -> None:
    links = [Value(str(n), f"/id/{n}") for n in range(4)]
    assert inline(links)
    assert not inline(links[:3])
    assert not inline([*links, Value("plain words")])
