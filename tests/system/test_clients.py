"""Real SPARQL clients against a live server, compared with pyoxigraph in-process.

SPARQLWrapper and rdflib's SPARQLStore are what Python users query endpoints
with; plain urllib stands for curl. Each answer must equal what pyoxigraph
gives for the same query on the same files without any HTTP in between.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import Result
from rdflib.term import Node
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kgpub.config import Settings
from kgpub.rdf.sources import data_files
from kgpub.web.app import create_app
from tests.sparql_fixtures import live_server, write_project

pytestmark = pytest.mark.external

XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")
SELECT = """PREFIX schema: <https://schema.org/>
SELECT ?person ?name WHERE { ?person a schema:Person ; schema:name ?name }"""
ASK = "PREFIX schema: <https://schema.org/> ASK { ?x schema:homeLocation ?city }"
CONSTRUCT = """PREFIX schema: <https://schema.org/>
CONSTRUCT { ?s schema:name ?n ; schema:knows ?o }
WHERE { ?s schema:name ?n OPTIONAL { ?s schema:knows ?o } }"""


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return write_project(Path(tmp_path_factory.mktemp("clients")))


@pytest.fixture(scope="module")
def endpoint(settings: Settings) -> Iterator[str]:
    with live_server(create_app(settings)) as base:
        yield base + "/sparql"


@pytest.fixture(scope="module")
def oxigraph(settings: Settings) -> ox.Store:
    """The same files in a bare pyoxigraph store: the reference answers."""
    store = ox.Store()
    for path in data_files(settings):
        graph = ox.NamedNode(f"https://kgpub.example/graph/{path.stem}")
        store.extend(
            ox.Quad(t.subject, t.predicate, t.object, graph)
            for t in ox.parse(path=path, format=ox.RdfFormat.TURTLE)
        )
    return store


def _to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> Node | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD_STRING):
            return Literal(term.value)  # RDF 1.1: a simple literal is an xsd:string
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(term)


def reference_rows(store: ox.Store, query: str) -> list[tuple[Node | None, ...]]:
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    variables = [v.value for v in result.variables]
    return sorted(tuple(_to_rdflib(row[v]) for v in variables) for row in result)


def reference_graph(store: ox.Store, query: str) -> Graph:
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QueryTriples)
    return Graph().parse(data=result.serialize(format=ox.RdfFormat.N_TRIPLES), format="nt")


def _node(binding: dict[str, str]) -> Node:
    if binding["type"] == "uri":
        return URIRef(binding["value"])
    if binding["type"] == "bnode":
        return BNode(binding["value"])
    if "xml:lang" in binding:
        return Literal(binding["value"], lang=binding["xml:lang"])
    if "datatype" in binding and binding["datatype"] != str(XSD_STRING):
        return Literal(binding["value"], datatype=URIRef(binding["datatype"]))
    return Literal(binding["value"])


# --- SPARQLWrapper -------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_json(endpoint: str, oxigraph: ox.Store, method: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setMethod(method)
    client.setQuery(SELECT)
    client.setReturnFormat(JSON)
    data = client.query().convert()
    assert isinstance(data, dict)
    rows = sorted((_node(b["person"]), _node(b["name"])) for b in data["results"]["bindings"])
    assert rows == reference_rows(oxigraph, SELECT)


def test_sparqlwrapper_select_xml_csv_tsv(endpoint: str, oxigraph: ox.Store) -> None:
    expected_names = sorted(str(row[1]) for row in reference_rows(oxigraph, SELECT))
    client = SPARQLWrapper(endpoint)
    client.setQuery(SELECT)

    client.setReturnFormat(XML)
    document: Any = client.query().convert()
    literals = document.getElementsByTagName("literal")
    assert sorted(node.firstChild.data for node in literals) == expected_names

    client.setReturnFormat(CSV)
    raw_csv = client.query().convert()
    assert isinstance(raw_csv, bytes)
    records = list(csv.DictReader(io.StringIO(raw_csv.decode("utf-8"), newline="")))
    assert sorted(record["name"] for record in records) == expected_names

    client.setReturnFormat(TSV)
    raw_tsv = client.query().convert()
    assert isinstance(raw_tsv, bytes)
    parsed = Result.parse(io.BytesIO(raw_tsv), format="tsv")
    assert sorted(tuple(row) for row in parsed) == reference_rows(oxigraph, SELECT)  # type: ignore[arg-type]


def test_sparqlwrapper_ask(endpoint: str, oxigraph: ox.Store) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery(ASK)
    expected = bool(oxigraph.query(ASK, use_default_graph_as_union=True))
    client.setReturnFormat(JSON)
    data: Any = client.query().convert()
    assert data["boolean"] is expected
    client.setReturnFormat(XML)
    document: Any = client.query().convert()
    assert document.getElementsByTagName("boolean")[0].firstChild.data == str(expected).lower()


# SPARQLWrapper 2.0 converts RDF/XML and JSON-LD into rdflib's deprecated ConjunctiveGraph.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, JSONLD])
def test_sparqlwrapper_construct(endpoint: str, oxigraph: ox.Store, fmt: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery(CONSTRUCT)
    client.setReturnFormat(fmt)
    result: Any = client.query().convert()
    graph = result if isinstance(result, Graph) else Graph().parse(data=result, format="turtle")
    assert isomorphic(graph, reference_graph(oxigraph, CONSTRUCT))


def test_sparqlwrapper_surfaces_400_with_the_parser_message(endpoint: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery("SELECT * WHERE { ?s ?p }")
    client.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed) as info:
        client.query()
    assert "error at 1:" in str(info.value)


# --- rdflib SPARQLStore --------------------------------------------------------


def test_rdflib_sparqlstore(endpoint: str, oxigraph: ox.Store) -> None:
    store = SPARQLStore(endpoint)
    try:
        rows = sorted(tuple(row) for row in store.query(SELECT))  # type: ignore[arg-type]
        assert rows == reference_rows(oxigraph, SELECT)
        assert store.query(ASK).askAnswer is True
        constructed = store.query(CONSTRUCT).graph
        assert constructed is not None
        assert isomorphic(constructed, reference_graph(oxigraph, CONSTRUCT))
        assert len(store) == len(oxigraph)
    finally:
        store.close()


def test_rdflib_sparqlstore_with_post(endpoint: str, oxigraph: ox.Store) -> None:
    store = SPARQLStore(endpoint, method="POST_FORM")
    try:
        rows = sorted(tuple(row) for row in store.query(SELECT))  # type: ignore[arg-type]
        assert rows == reference_rows(oxigraph, SELECT)
    finally:
        store.close()


# --- plain HTTP ----------------------------------------------------------------


def test_plain_http_get_and_errors(endpoint: str, oxigraph: ox.Store) -> None:
    url = endpoint + "?" + urllib.parse.urlencode({"query": SELECT})
    with urllib.request.urlopen(url) as response:
        assert response.headers["Content-Type"] == "application/sparql-results+json"
        data = json.load(response)
    rows = sorted((_node(b["person"]), _node(b["name"])) for b in data["results"]["bindings"])
    assert rows == reference_rows(oxigraph, SELECT)

    bad = urllib.request.Request(
        endpoint, data=b"ASK {}", headers={"Content-Type": "text/plain"}, method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(bad)
    assert info.value.code == 415
    info.value.close()

    put = urllib.request.Request(endpoint, data=b"", method="PUT")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(put)
    assert info.value.code == 405
    assert info.value.headers["Allow"] == "GET, HEAD, POST"
    info.value.close()
