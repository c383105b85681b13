"""Content negotiation: q-values, wildcards, specificity, parameters, ``format``."""

from __future__ import annotations

import pytest

from kgpub.errors import NotAcceptableError
from kgpub.rdf.conneg import MediaRange, choose, negotiate, parse_accept
from kgpub.rdf.formats import RDF_FORMATS, RESULT_FORMATS
from kgpub.web.routes.sparql import DESCRIPTION_FORMATS

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
# What Comunica sends when it dereferences a source to discover its type.
COMUNICA = (
    "application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,"
    "application/n-triples;q=0.8,text/turtle;q=0.6,application/rdf+xml;q=0.5,"
    "text/n3;q=0.35,application/xml;q=0.3,image/svg+xml;q=0.3,text/xml;q=0.3,"
    "text/html;q=0.2,application/xhtml+xml;q=0.18,application/json;q=0.135,"
    "text/shaclc;q=0.1,text/shaclc-ext;q=0.05"
)
# SPARQLWrapper's Accept for JSON results.
SPARQLWRAPPER_JSON = (
    "application/sparql-results+json,application/json,text/javascript,application/javascript"
)


def test_parse_accept_reads_q_params_and_skips_garbage() -> None:
    ranges = parse_accept("text/turtle;charset=utf-8;q=0.5, */*;q=0.1, nonsense, a/b;q=x, c/d;q=2")
    assert ranges == [
        MediaRange("text", "turtle", (("charset", "utf-8"),), 0.5),
        MediaRange("*", "*", (), 0.1),
    ]


@pytest.mark.parametrize("header", [None, "", "   "])
def test_missing_accept_accepts_anything(header: str | None) -> None:
    assert parse_accept(header) == [MediaRange("*", "*")]
    assert negotiate(header, RESULT_FORMATS) is RESULT_FORMATS[0]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("*/*", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/*", "text/csv"),
        ("text/*, text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.5, text/tab-separated-values;q=0.6", "text/tab-separated-values"),
        ("application/json", "application/sparql-results+json"),
        ("application/xml", "application/sparql-results+xml"),
        (SPARQLWRAPPER_JSON, "application/sparql-results+json"),
        # The most specific range decides: text/csv is refused although text/* is welcome.
        ("text/*;q=0.9, text/csv;q=0, application/*;q=0.1", "text/tab-separated-values"),
        ("text/csv;charset=UTF-8", "text/csv"),
        (
            "text/csv;charset=iso-8859-1, application/sparql-results+xml;q=0.1",
            "application/sparql-results+xml",
        ),
        ("application/sparql-results+json;q=0.2, */*;q=0.5", "application/sparql-results+xml"),
        (BROWSER, "application/sparql-results+xml"),
    ],
)
def test_results_negotiation(accept: str, expected: str) -> None:
    rep = negotiate(accept, RESULT_FORMATS)
    assert rep is not None
    assert rep.media_type == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("*/*", "text/turtle"),
        (BROWSER, "text/html"),
        ("text/html, */*", "text/html"),
        (COMUNICA, "application/n-quads"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml;q=1, text/turtle;q=0.9", "application/rdf+xml"),
        ("application/x-turtle", "text/turtle"),
        ("text/plain, application/*;q=0.5", "application/n-triples"),
        ("text/*", "text/turtle"),
    ],
)
def test_description_negotiation(accept: str, expected: str) -> None:
    rep = negotiate(accept, DESCRIPTION_FORMATS)
    assert rep is not None
    assert rep.media_type == expected


@pytest.mark.parametrize(
    "accept", ["image/png", "text/turtle;q=0", "application/*;q=0, text/*;q=0"]
)
def test_nothing_acceptable(accept: str) -> None:
    assert negotiate(accept, RESULT_FORMATS) is None
    with pytest.raises(NotAcceptableError) as info:
        choose(accept, None, RESULT_FORMATS)
    assert "application/sparql-results+json" in info.value.offered


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("json", "application/sparql-results+json"),
        ("xml", "application/sparql-results+xml"),
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
    ],
)
def test_format_overrides_accept_for_results(name: str, media_type: str) -> None:
    assert choose("image/png", name, RESULT_FORMATS).media_type == media_type


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("ttl", "text/turtle"),
        ("nt", "application/n-triples"),
        ("jsonld", "application/ld+json"),
        ("rdf", "application/rdf+xml"),
        ("trig", "application/trig"),
        ("nq", "application/n-quads"),
    ],
)
def test_format_overrides_accept_for_graphs(name: str, media_type: str) -> None:
    assert choose("application/sparql-results+json", name, RDF_FORMATS).media_type == media_type


@pytest.mark.parametrize("name", ["ttl", "yaml", ""])
def test_unsuitable_format_is_not_acceptable(name: str) -> None:
    with pytest.raises(NotAcceptableError) as info:
        choose(None, name, RESULT_FORMATS)
    assert "json, xml, csv, tsv" in str(info.value)


def test_textual_formats_declare_utf8() -> None:
    by_name = {rep.name: rep for rep in (*RESULT_FORMATS, *RDF_FORMATS)}
    assert by_name["csv"].content_type == "text/csv; charset=utf-8"
    assert by_name["ttl"].content_type == "text/turtle; charset=utf-8"
    assert by_name["json"].content_type == "application/sparql-results+json"


def test_long_headers_are_negotiated_like_short_ones() -> None:
    """Headers past the remembered length take the uncached path, with the same answer."""
    padding = ", ".join(f"application/x-unknown-{i}" for i in range(60))
    long_header = f"{padding}, text/csv;q=0.9, application/sparql-results+xml"
    assert len(long_header) > 512
    chosen = negotiate(long_header, RESULT_FORMATS)
    assert chosen is not None
    assert chosen.media_type == "application/sparql-results+xml"
    assert negotiate("text/csv;q=0.9, application/sparql-results+xml", RESULT_FORMATS) == chosen
    assert negotiate(padding, RESULT_FORMATS) is None
