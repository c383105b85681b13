"""The format registry: lookups by suffix, media type and name, and pickling to workers."""

from __future__ import annotations

import pickle
from pathlib import Path

import pyoxigraph as ox
import pytest

from kgpub.rdf import formats
from kgpub.rdf.formats import (
    HTML,
    JSON,
    JSON_LD,
    N3,
    RDF_XML,
    RESULT_FORMATS,
    SOURCE_FORMATS,
    TURTLE,
    by_media_type,
    by_suffix,
    named,
)


@pytest.mark.parametrize("rep", [*SOURCE_FORMATS, *RESULT_FORMATS, HTML, JSON])
def test_a_representation_pickles_to_the_same_registry_entry(rep: formats.Representation) -> None:
    assert pickle.loads(pickle.dumps(rep)) is rep


@pytest.mark.parametrize(
    ("name", "rep"),
    [("a.ttl", TURTLE), ("A.TTL", TURTLE), ("x.owl", RDF_XML), ("x.n3", N3), ("x.txt", None)],
)
def test_files_are_read_by_their_suffix(name: str, rep: formats.Representation | None) -> None:
    assert by_suffix(Path(name)) is rep


def test_uploads_are_read_by_media_type_or_alias() -> None:
    assert by_media_type("application/x-turtle") is TURTLE
    assert by_media_type(" Application/LD+JSON ") is JSON_LD
    assert by_media_type("application/trig") is None  # one graph per upload


def test_json_and_xml_mean_the_graph_formats_among_graph_formats() -> None:
    assert named("json") is JSON_LD
    assert named("xml") is RDF_XML
    assert named("json", RESULT_FORMATS).results_format == ox.QueryResultsFormat.JSON
    with pytest.raises(KeyError):
        named("html")


def test_every_format_name_is_unique_within_its_offers() -> None:
    for offers in (formats.RDF_FORMATS, RESULT_FORMATS):
        names = [token for rep in offers for token in (rep.name, *rep.synonyms)]
        assert len(names) == len(set(names))
