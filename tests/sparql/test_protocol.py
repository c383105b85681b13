"""The protocol core as plain functions: request parsing, keyword scan, execution."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kgpub.errors import (
    MalformedRequestError,
    NotAcceptableError,
    QueryRefusedError,
    QuerySyntaxError,
    UnsupportedMediaTypeError,
    UpdateRefusedError,
)
from kgpub.sparql.operation import QueryOperation
from kgpub.sparql.protocol import (
    execute,
    keywords,
    parse_request,
    query_form,
    refuse_update,
)
from kgpub.store.protocol import Dataset
from tests.sparql_fixtures import EX, store_of

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"


def test_get_without_query_is_no_operation() -> None:
    assert parse_request("GET", b"", None, b"") is None
    assert parse_request("GET", b"format=ttl", None, b"") is None


def test_get_collects_the_dataset_parameters() -> None:
    op = parse_request(
        "GET",
        b"query=ASK%7B%7D&default-graph-uri=urn%3Aa&named-graph-uri=urn%3Ab"
        b"&named-graph-uri=urn%3Ac",
        None,
        b"",
        base_iri="http://h/sparql",
    )
    assert op == QueryOperation.of("ASK{}", ("urn:a",), ("urn:b", "urn:c"), "http://h/sparql")
    assert op.dataset == Dataset(("urn:a",), ("urn:b", "urn:c"), union_default=False)
    assert op.dataset.named_by_protocol


def test_form_post_merges_url_and_body_parameters() -> None:
    op = parse_request("POST", b"default-graph-uri=urn%3Ag", FORM, b"query=SELECT+*+%7B%7D")
    assert op == QueryOperation.of("SELECT * {}", ("urn:g",))


def test_direct_post_takes_the_body_as_utf8_query() -> None:
    query = 'SELECT * { ?s ?p "Київ" }'
    op = parse_request("POST", b"", "application/sparql-query; charset=utf-8", query.encode())
    assert op is not None
    assert op.query == query


@pytest.mark.parametrize(
    ("http_request", "error", "message"),
    [
        (("GET", b"query=a&query=b", None, b""), MalformedRequestError, "more than one query"),
        (("GET", b"query=a&update=b", None, b""), MalformedRequestError, "both"),
        (("POST", b"query=a", FORM, b"query=b"), MalformedRequestError, "more than one query"),
        (("POST", b"query=a", DIRECT, b"ASK {}"), MalformedRequestError, "must not have"),
        (("POST", b"", FORM, b"update=a&update=b"), MalformedRequestError, "more than one update"),
        (("POST", b"", FORM, b"default-graph-uri=urn:a"), MalformedRequestError, "no query"),
        (("GET", b"update=CLEAR+ALL", None, b""), MalformedRequestError, "POST"),
        (
            ("GET", b"query=ASK%7B%7D&default-graph-uri=not+an+iri", None, b""),
            MalformedRequestError,
            "not an absolute IRI",
        ),
        (("GET", b"query=%FF", None, b""), MalformedRequestError, "not UTF-8"),
        (("GET", b"named-graph-uri=", None, b""), MalformedRequestError, "not an absolute IRI"),
        (("POST", b"", FORM, b"query=%C3%28"), MalformedRequestError, "not UTF-8"),
        (("POST", b"", DIRECT, b"ASK { \xff }"), MalformedRequestError, "not valid UTF-8"),
        (
            ("POST", b"", "application/sparql-query; charset=latin-1", b"ASK {}"),
            UnsupportedMediaTypeError,
            "charset",
        ),
        (("POST", b"", None, b"ASK {}"), UnsupportedMediaTypeError, "has none"),
        (("POST", b"", "application/json", b"{}"), UnsupportedMediaTypeError, "application/json"),
        (("POST", b"", FORM, b"update=CLEAR+ALL"), UpdateRefusedError, "read-only"),
        (("POST", b"", "application/sparql-update", b"CLEAR ALL"), UpdateRefusedError, "read-only"),
    ],
)
def test_protocol_violations(
    http_request: tuple[str, bytes, str | None, bytes], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        parse_request(*http_request)


@pytest.mark.parametrize(
    ("query", "has_from", "has_service"),
    [
        ("SELECT * FROM <urn:g> { ?s ?p ?o }", True, False),
        ("select * from named <urn:g> { graph ?g { ?s ?p ?o } }", True, False),
        ('SELECT * { ?s ?p "FROM here" } # FROM in a comment', False, False),
        ("SELECT ?from ?service { ?from ex:from ex:SERVICE . from:x ?p _:service }", False, False),
        ("SELECT * { ?s ?p '''long\nSERVICE''' }", False, False),
        ("SELECT * { SERVICE <http://x/sparql> { ?s ?p ?o } }", False, True),
        ("SELECT * { service silent ?endpoint { ?s ?p ?o } }", False, True),
        ("SELECT * { ?s ?p <http://ex/FROM> }", False, False),
        ('SELECT * { ?s ?p "x"@from }', False, False),
    ],
)
def test_keyword_scan_ignores_strings_iris_names_and_comments(
    query: str, has_from: bool, has_service: bool
) -> None:
    words = keywords(query)
    assert ("FROM" in words) is has_from
    assert ("SERVICE" in words) is has_service


STORE = store_of(
    {
        f"{EX}g1": [(f"{EX}a", f"{EX}p", f"{EX}b")],
        f"{EX}g2": [(f"{EX}a", f"{EX}p", f"{EX}c"), (f"{EX}a", f"{EX}p", f"{EX}b")],
    }
)


def test_execute_refuses_service_without_fetching() -> None:
    op = QueryOperation("SELECT * { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }")
    with pytest.raises(QueryRefusedError, match="SERVICE"):
        execute(STORE, op, None, None)


def test_execute_raises_syntax_errors_as_domain_errors() -> None:
    with pytest.raises(QuerySyntaxError, match="error at 1:"):
        execute(STORE, QueryOperation("SELECT * {"), None, None)


def test_execute_negotiates_by_query_form() -> None:
    select = execute(STORE, QueryOperation("SELECT ?s ?p ?o { ?s ?p ?o }"), "text/csv", None)
    assert select.representation.name == "csv"
    assert select.body.splitlines()[0] == b"s,p,o"
    graph = execute(STORE, QueryOperation("CONSTRUCT WHERE { ?s ?p ?o }"), None, "nt")
    assert graph.representation.name == "nt"
    assert graph.engine_seconds >= 0
    with pytest.raises(NotAcceptableError):
        execute(STORE, QueryOperation("CONSTRUCT WHERE { ?s ?p ?o }"), "text/csv", None)


def test_union_default_graph_and_named_graph_sizes() -> None:
    answer = execute(STORE, QueryOperation("SELECT ?o { ?s ?p ?o }"), None, "csv")
    # pyoxigraph's union default graph keeps one solution per quad: b appears twice.
    assert sorted(answer.body.splitlines()[1:]) == [
        f"{EX}b".encode(),
        f"{EX}b".encode(),
        f"{EX}c".encode(),
    ]
    assert STORE.graph_sizes() == {f"{EX}g1": 1, f"{EX}g2": 2}
    assert STORE.distinct_triples() == 2


@pytest.mark.parametrize(
    ("update", "params", "error"),
    [
        ("CLEAR XYZ", [], MalformedRequestError),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", [], UpdateRefusedError),
        ("LOAD <http://127.0.0.1:9/never>", [], UpdateRefusedError),
        (
            "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
            [("using-graph-uri", "urn:x")],
            MalformedRequestError,
        ),
        (
            'INSERT DATA { <urn:a> <urn:b> "WITH USING" }',
            [("using-graph-uri", "urn:x")],
            UpdateRefusedError,
        ),
    ],
)
def test_updates_are_checked_then_refused(
    update: str, params: list[tuple[str, str]], error: type[Exception]
) -> None:
    with pytest.raises(error):
        refuse_update(update, params)


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("ASK {}", "ASK"),
        ("select * { ?s ?p ?o }", "SELECT"),
        (
            "PREFIX select: <http://e/> BASE <http://e/ask> CONSTRUCT WHERE { ?s select:p ?o }",
            "CONSTRUCT",
        ),
        ("# SELECT in a comment\nDESCRIBE <http://e/s>", "DESCRIBE"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { { SELECT ?s ?p ?o { ?s ?p ?o } } }", "CONSTRUCT"),
        ("PREFIX ask: <http://e/> SELECT ?ask { ?ask ask:p 'ASK' }", "SELECT"),
        ("not a query", None),
    ],
)
def test_query_form_is_the_first_form_keyword_after_the_prologue(
    query: str, form: str | None
) -> None:
    assert query_form(query) == form


def test_concurrent_first_updates_are_all_refused_not_crashed() -> None:
    """Eight threads parse their first update at once in a fresh interpreter.

    rdflib's pyparsing grammar is not thread-safe: without kgpub's lock one
    such burst left it broken, every later update a 500 (found by the soak).
    """
    script = (
        "import threading\n"
        "from kgpub.errors import UpdateRefusedError\n"
        "from kgpub.sparql.protocol import refuse_update\n"
        "outcomes = []\n"
        "def run():\n"
        "    for _ in range(5):\n"
        "        try:\n"
        "            refuse_update('CLEAR ALL', [])\n"
        "        except UpdateRefusedError:\n"
        "            outcomes.append('refused')\n"
        "        except Exception as exc:\n"
        "            outcomes.append(type(exc).__name__)\n"
        "threads = [threading.Thread(target=run) for _ in range(8)]\n"
        "[t.start() for t in threads]\n"
        "[t.join() for t in threads]\n"
        "print(sorted(set(outcomes)), len(outcomes))\n"
    )
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
        )
        assert done.stdout.strip() == "['refused'] 40", done.stdout + done.stderr
