"""Anchors as Turtle, added to a claim in its file, and checked against the stored text."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from kgpub.config import Settings
from kgpub.errors import AnchorError
from kgpub.ld.anchor_authoring import (
    AnchorNames,
    add_to_claim,
    anchor_name_for,
    anchor_problems,
    anchor_turtle,
    claim_file,
    text_problems,
)
from kgpub.rdf.articles import read_article
from kgpub.rdf.formatting import format_file
from kgpub.rdf.quote_selectors import select
from kgpub.rdf.sources import Source, read_quads

ID = "https://kgpub.example/id/"
KGPUB = "https://kgpub.example/ontology#"
# A fictional text.
TEXT = "Die Fähre fuhr ab. Die Fähre kam an."
CLAIM_TTL = f"""PREFIX kgpub: <{KGPUB}>
PREFIX fähre: <{ID}faehre/>

fähre:claim-1
    a kgpub:ReportedClaim ;
.
"""


def test_the_anchor_is_named_after_its_claim() -> None:
    assert anchor_name_for(ID + "faehre/claim-arrival") == ID + "faehre/anchor-arrival"
    assert anchor_name_for(ID + "faehre/x") == ID + "faehre/anchor-x"


def test_turtle_to_paste_has_both_selectors() -> None:
    sel = select(TEXT, "Die Fähre", at=19)
    text = anchor_turtle(ID + "faehre", AnchorNames(ID + "faehre/anchor-19"), sel, {"kg": ID})
    graph = Graph().parse(data=text, format="turtle")
    oa = "http://www.w3.org/ns/oa#"
    assert {str(o) for o in graph.objects(None, URIRef(oa + "start"))} == {"19"}
    assert {str(o) for o in graph.objects(None, URIRef(oa + "end"))} == {"28"}
    assert {str(o) for o in graph.objects(None, URIRef(oa + "prefix"))} == {"ab. "}
    assert not list(graph.objects(None, URIRef(oa + "suffix")))
    assert "kg:faehre" in text


def test_the_anchor_goes_into_the_claim_in_canonical_form(tmp_path: Path) -> None:
    path = tmp_path / "faehre.ttl"
    path.write_text(CLAIM_TTL, encoding="utf-8")
    claim = ID + "faehre/claim-1"
    first = add_to_claim(path, claim, ID + "faehre", select(TEXT, "fuhr ab"), KGPUB)
    second = add_to_claim(path, claim, ID + "faehre", select(TEXT, "kam an"), KGPUB)
    assert (first.anchor, second.anchor) == (ID + "faehre/anchor-1", ID + "faehre/anchor-1-2")
    assert path.read_text(encoding="utf-8") == format_file(path)
    graph = Graph().parse(path, format="turtle")
    evidence = set(graph.objects(URIRef(claim), URIRef(KGPUB + "evidence")))
    assert evidence == {URIRef(first.anchor), URIRef(second.anchor)}


def test_a_claim_not_in_the_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "faehre.ttl"
    path.write_text(CLAIM_TTL, encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(AnchorError, match="no claim"):
        add_to_claim(path, ID + "faehre/claim-9", ID + "faehre", select(TEXT, "kam"), KGPUB)
    assert path.read_bytes() == before
    with pytest.raises(AnchorError, match="exactly one file"):
        claim_file([path], ID + "faehre/claim-9")
    assert claim_file([path], ID + "faehre/claim-1") == path


def _quads(turtle: str) -> list[ox.Quad]:
    return [
        ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
        for t in ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE)
    ]


def _anchored(start: int, end: int, exact: str) -> str:
    return f"""PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX schema: <https://schema.org/>
    <{ID}faehre> schema:articleBody "{TEXT}" .
    <{ID}a> oa:hasSource <{ID}faehre> ; oa:hasSelector <{ID}p> , <{ID}q> .
    <{ID}p> a oa:TextPositionSelector ; oa:start {start} ; oa:end {end} .
    <{ID}q> a oa:TextQuoteSelector ; oa:exact "{exact}" ."""


def test_problems_say_where_the_quote_is() -> None:
    assert anchor_problems(_quads(_anchored(10, 17, "fuhr ab"))) == []
    assert anchor_problems(_quads(_anchored(8, 15, "fuhr ab"))) == [
        f"anchor {ID}a: exact 'fuhr ab' is at 10-17, not 8-15"
    ]


def test_the_stored_text_must_be_the_text_file(tmp_path: Path) -> None:
    folder = tmp_path / "articles" / "faehre"
    folder.mkdir(parents=True)
    (folder / "faehre.de.txt").write_text(TEXT, encoding="utf-8")
    article = read_article(Settings(project_dir=tmp_path), folder)
    same = _quads(_anchored(10, 17, "fuhr ab"))
    assert text_problems([article], same) == []
    (folder / "faehre.de.txt").write_text(TEXT + "\n", encoding="utf-8")
    (problem,) = text_problems([article], same)
    assert "differs from" in problem
    (missing,) = text_problems([article], [])
    assert "no schema:articleBody" in missing


def test_the_shipped_story_has_no_anchor_problems(settings: Settings) -> None:
    article = read_article(settings, settings.articles_dir / "musk-trump-zelensky-call")
    quads = [q for p in article.graph_files for q in read_quads(Source(p, "urn:g"))]
    assert anchor_problems(quads) == []
    assert text_problems([article], quads) == []
