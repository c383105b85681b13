"""Every result format, parsed back by an independent parser and compared.

The reference is pyoxigraph's own answer in-process; the endpoint's bytes are
read back with rdflib (SPARQL JSON/XML/TSV, Turtle, N-Triples, RDF/XML, TriG,
N-Quads, JSON-LD), the csv module (CSV) and PyLD (JSON-LD), so a bug in the
endpoint's serialisation cannot hide behind the same library reading it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from pyld import jsonld
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.query import Result
from rdflib.term import Node

from kgpub.config import Settings
from kgpub.ingest.dataset import served_sources
from kgpub.rdf.sources import read_all
from kgpub.web.app import create_app
from tests.sparql_fixtures import write_project

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
# Every kind of term: IRIs, blank nodes, language-tagged and typed literals,
# strings with quotes, tabs, commas and newlines, and unbound variables.
SELECT = """PREFIX schema: <https://schema.org/>
SELECT ?s ?p ?o ?knows WHERE { ?s ?p ?o OPTIONAL { ?s schema:knows ?knows } }"""
CONSTRUCT = "CONSTRUCT WHERE { ?s ?p ?o }"

Row = tuple[tuple[str, ...] | None, ...]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = Path(tmp_path_factory.mktemp("roundtrip"))
    write_project(root)
    return root


@pytest.fixture(scope="module")
def client(project: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(project_dir=project))) as c:
        yield c


@pytest.fixture(scope="module")
def reference(project: Path) -> ox.Store:
    store = ox.Store()
    store.extend(read_all(served_sources(Settings(project_dir=project))))
    return store


def _ox_key(term: Any) -> tuple[str, ...] | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("uri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode",)  # labels are not preserved across serialisations
    if term.language:
        return ("literal", term.value, term.language, "")
    datatype = term.datatype.value
    return ("literal", term.value, "", "" if datatype == XSD_STRING else datatype)


def _rdflib_key(term: Node | None) -> tuple[str, ...] | None:
    if term is None:
        return None
    if isinstance(term, URIRef):
        return ("uri", str(term))
    if isinstance(term, BNode):
        return ("bnode",)
    assert isinstance(term, Literal)
    datatype = str(term.datatype) if term.datatype and str(term.datatype) != XSD_STRING else ""
    return ("literal", str(term), term.language or "", datatype)


def expected_rows(store: ox.Store) -> list[Row]:
    result = store.query(SELECT, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return sorted((tuple(_ox_key(row[n]) for n in names) for row in result), key=repr)


def expected_graph(store: ox.Store) -> Graph:
    result = store.query(CONSTRUCT, use_default_graph_as_union=True)
    assert isinstance(result, ox.QueryTriples)
    return Graph().parse(data=result.serialize(format=ox.RdfFormat.N_TRIPLES), format="nt")


def _fetch(client: TestClient, query: str, fmt: str) -> bytes:
    response = client.get("/sparql", params={"query": query, "format": fmt})
    assert response.status_code == 200, response.text
    return response.content


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_select_results_parse_back_with_rdflib(
    client: TestClient, reference: ox.Store, fmt: str
) -> None:
    result = Result.parse(io.BytesIO(_fetch(client, SELECT, fmt)), format=fmt)
    assert [str(v) for v in result.vars or []] == ["s", "p", "o", "knows"]
    rows = sorted((tuple(_rdflib_key(t) for t in row) for row in result), key=repr)  # type: ignore[union-attr]
    assert rows == expected_rows(reference)


def test_select_csv_parses_back_with_the_csv_module(
    client: TestClient, reference: ox.Store
) -> None:
    text = _fetch(client, SELECT, "csv").decode("utf-8")
    records = list(csv.reader(io.StringIO(text, newline="")))
    assert records[0] == ["s", "p", "o", "knows"]

    # CSV keeps only lexical forms: IRIs and literal values, _:labels, "" when unbound.
    def lexical(key: tuple[str, ...] | None) -> str:
        if key is None:
            return ""
        return "_:" if key[0] == "bnode" else key[1]

    got = sorted(
        tuple("_:" if cell.startswith("_:") else cell for cell in record) for record in records[1:]
    )
    assert got == sorted(tuple(lexical(k) for k in row) for row in expected_rows(reference))


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_ask_in_every_results_format(client: TestClient, fmt: str) -> None:
    body = _fetch(client, "ASK { ?s a <https://schema.org/City> }", fmt)
    if fmt in ("json", "xml"):
        assert Result.parse(io.BytesIO(body), format=fmt).askAnswer is True
    else:
        assert body.decode().strip() == "true"


# rdflib's own JSON-LD, TriG and N-Quads parsers use its deprecated ConjunctiveGraph API.
RDFLIB_INTERNAL_DEPRECATIONS = (
    "ignore:ConjunctiveGraph is deprecated:DeprecationWarning",
    "ignore:Dataset.default_context is deprecated:DeprecationWarning",
)


@pytest.mark.filterwarnings(*RDFLIB_INTERNAL_DEPRECATIONS)
@pytest.mark.parametrize(
    ("fmt", "rdflib_format"),
    [("ttl", "turtle"), ("nt", "nt"), ("rdf", "xml"), ("jsonld", "json-ld")],
)
def test_graph_formats_parse_back_with_rdflib(
    client: TestClient, reference: ox.Store, fmt: str, rdflib_format: str
) -> None:
    graph = Graph().parse(data=_fetch(client, CONSTRUCT, fmt), format=rdflib_format)
    assert isomorphic(graph, expected_graph(reference))


@pytest.mark.filterwarnings(*RDFLIB_INTERNAL_DEPRECATIONS)
@pytest.mark.parametrize(("fmt", "rdflib_format"), [("trig", "trig"), ("nq", "nquads")])
def test_dataset_formats_parse_back_with_rdflib(
    client: TestClient, reference: ox.Store, fmt: str, rdflib_format: str
) -> None:
    dataset = Dataset()
    dataset.parse(data=_fetch(client, CONSTRUCT, fmt), format=rdflib_format)
    graph = Graph()
    for s, p, o, _ in dataset.quads():
        graph.add((s, p, o))
    assert isomorphic(graph, expected_graph(reference))


def test_jsonld_parses_back_with_pyld(client: TestClient, reference: ox.Store) -> None:
    document = json.loads(_fetch(client, CONSTRUCT, "jsonld"))
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads"})
    graph = Graph().parse(data=nquads, format="nt")
    assert isomorphic(graph, expected_graph(reference))


def test_describe_in_turtle(client: TestClient, reference: ox.Store) -> None:
    graph = Graph().parse(data=_fetch(client, "DESCRIBE <http://example.org/anna>", "ttl"))
    names = {str(o) for o in graph.objects(URIRef("http://example.org/anna"))}
    assert {"Anna", "1990-05-01", "http://example.org/kyiv"} <= names


def test_rdf12_triple_terms_in_rdf12_formats(client: TestClient) -> None:
    query = "CONSTRUCT { <urn:s> <urn:p> <<( <urn:a> <urn:b> 'x' )>> } WHERE {}"
    for fmt in ("ttl", "nt", "trig", "nq"):
        text = _fetch(client, query, fmt).decode()
        assert '<<( <urn:a> <urn:b> "x" )>>' in text
    # JSON-LD has no RDF 1.2 form yet: 406, offering the others.
    response = client.get("/sparql", params={"query": query, "format": "jsonld"})
    assert response.status_code == 406
    assert "text/turtle" in response.json()["offered"]
