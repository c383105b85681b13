"""Result limits stop the writing at the row or byte that crosses them, not at the end.

A result far over a limit must cost the server the limit, not the whole
result: these tests count how many triples the serialiser pulled from the
result when the limit tripped (behaviour, not timing), and check the answer
over HTTP on a generated store.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from kgpub.errors import ResultTooLargeError
from kgpub.rdf import formats
from kgpub.sparql import results
from kgpub.sparql.results import ResultLimits, write_result
from kgpub.store.oxigraph import Store
from tests.sparql_fixtures import app_for, write_project

EX = "http://example.org/"
TRIPLES = 100_000


class Counted:
    """``TRIPLES`` triples, counting how many were taken."""

    def __init__(self) -> None:
        self.taken = 0

    def __iter__(self) -> Iterator[ox.Triple]:
        for i in range(TRIPLES):
            self.taken += 1
            yield ox.Triple(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(f"{EX}p"), ox.Literal(f"v{i}"))


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "jsonld", "xml"])
def test_the_row_limit_stops_a_graph_at_the_row_that_crosses_it(fmt: str) -> None:
    result, output = Counted(), io.BytesIO()
    with pytest.raises(ResultTooLargeError) as raised:
        write_result(result, None, fmt, output, ResultLimits(max_rows=1000))  # type: ignore[arg-type]
    assert str(raised.value) == (
        "the result has more than 1000 triples, the endpoint's limit; "
        "add a LIMIT or narrow the query"
    )
    assert result.taken == 1001  # of 100,000: nothing after the crossing was produced
    assert output.getvalue().count(f"{EX}s1000>".encode()) == 0


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "jsonld", "xml"])
def test_the_byte_limit_stops_a_graph_at_the_write_that_crosses_it(fmt: str) -> None:
    result, output = Counted(), io.BytesIO()
    with pytest.raises(ResultTooLargeError) as raised:
        write_result(result, None, fmt, output, ResultLimits(max_bytes=50_000))  # type: ignore[arg-type]
    assert str(raised.value) == (
        "the result is larger than 50000 bytes, the endpoint's limit; "
        "add a LIMIT or narrow the query"
    )
    assert len(output.getvalue()) <= 50_000
    assert result.taken < 2_000  # each triple is over 40 bytes in every format


@pytest.mark.slow
def test_a_construct_over_the_limit_is_422_over_http(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    store = Store()
    graph = ox.NamedNode(f"{EX}g")
    store.add_quads(
        ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(f"{EX}p"), ox.Literal(f"v{i}"), graph)
        for i in range(TRIPLES)
    )
    settings = write_project(tmp_path_factory.mktemp("project")).model_copy(
        update={"max_result_rows": 1000, "query_workers": 1, "cache_bytes": 0}
    )
    with TestClient(app_for(settings, store)) as client:
        for fmt in ("turtle", "ntriples", "jsonld", "xml"):
            response = client.get(
                "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": fmt}
            )
            assert response.status_code == 422
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["detail"] == (
                "the result has more than 1000 triples, the endpoint's limit; "
                "add a LIMIT or narrow the query"
            )
        within = client.get(
            "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1000", "format": "nt"}
        )
        assert within.status_code == 200
        assert within.content.count(b"\n") == 1000


SOLUTION_FORMATS = ["json", "xml", "csv", "tsv"]


def solutions(count: int, value: str = "v") -> ox.QuerySolutions:
    values = " ".join(f'"{value}{i}"' for i in range(count))
    result = Store().query(f"SELECT ?x {{ VALUES ?x {{ {values} }} }}")
    assert isinstance(result, ox.QuerySolutions)
    return result


@pytest.mark.parametrize("fmt", SOLUTION_FORMATS)
def test_solutions_over_the_row_limit_are_refused_in_every_format(fmt: str) -> None:
    with pytest.raises(ResultTooLargeError, match="more than 10 rows"):
        write_result(solutions(11), None, fmt, io.BytesIO(), ResultLimits(max_rows=10))


@pytest.mark.parametrize("fmt", SOLUTION_FORMATS)
def test_solutions_at_the_row_limit_pass_whatever_their_size(fmt: str) -> None:
    """Long values make the result larger than the size that needs counting: counted, and
    within the limit, it is written whole, byte for byte as the serialiser writes it."""
    limits = ResultLimits(max_rows=10)
    output = io.BytesIO()
    _, rows, size = write_result(solutions(10, "x" * 100), None, fmt, output, limits)
    assert rows == 10
    expected = io.BytesIO()
    write_result(solutions(10, "x" * 100), None, fmt, expected, ResultLimits())
    assert output.getvalue() == expected.getvalue()
    assert size == len(expected.getvalue())


@pytest.mark.parametrize("fmt", ["json", "xml", "csv"])
def test_small_results_are_not_counted_again(fmt: str) -> None:
    """Under ``max_rows + 1`` of the smallest solution, a result cannot be over the limit."""
    _, rows, _ = write_result(solutions(3), None, fmt, io.BytesIO(), ResultLimits(max_rows=1000))
    assert rows == -1


@pytest.mark.parametrize("fmt", ["json", "xml", "csv"])
def test_the_smallest_solution_is_no_smaller_than_assumed(fmt: str) -> None:
    """``_MIN_ROW_BYTES`` is a lower bound: a thousand solutions binding nothing (the
    smallest there are) take at least a thousand times as many bytes."""
    empty = Store().query("SELECT * { VALUES ?x { " + "UNDEF " * 1000 + "} }")
    assert isinstance(empty, ox.QuerySolutions)
    output = io.BytesIO()
    write_result(empty, None, fmt, output, ResultLimits())
    rep = formats.named(fmt, formats.RESULT_FORMATS)
    assert len(output.getvalue()) >= 1000 * results._MIN_ROW_BYTES[formats.results_format(rep)]


def test_csv_rows_are_counted_by_their_line_ends_outside_quoted_values() -> None:
    tricky = Store().query(
        'SELECT ?x ?y { VALUES (?x ?y) { ("a\\r\\nb" "c,\\"d\\"") ("\\"\\r\\n\\"" "") '
        '("plain" "\\r\\n") } }'
    )
    assert isinstance(tricky, ox.QuerySolutions)
    output = io.BytesIO()
    write_result(tricky, None, "csv", output, ResultLimits())
    written = memoryview(output.getvalue())
    assert results._count_rows(written, ox.QueryResultsFormat.CSV) == 3


@pytest.mark.parametrize("fmt", SOLUTION_FORMATS)
def test_too_many_rows_cut_short_by_the_byte_limit_are_reported_as_rows(fmt: str) -> None:
    """The byte limit stops the writing first; the rows it got to already say why."""
    limits = ResultLimits(max_rows=10, max_bytes=2_000)
    with pytest.raises(ResultTooLargeError, match="more than 10 rows"):
        write_result(solutions(1_000), None, fmt, io.BytesIO(), limits)
    with pytest.raises(ResultTooLargeError, match="larger than 2000 bytes"):
        write_result(solutions(5, "x" * 1_000), None, fmt, io.BytesIO(), limits)
