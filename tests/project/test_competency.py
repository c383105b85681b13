"""The competency questions: each query returns exactly its expected answer.

The expected answers are SPARQL 1.1 TSV files next to the queries, so a change
to the data that alters an answer shows up as a readable diff. Queries run on
pyoxigraph with the union of all named graphs as default graph, as the server
runs them.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kgpub.config import Settings
from kgpub.store.oxigraph import Store

_QUERIES = sorted(Settings().queries_dir.glob("*.rq"))


def _answer(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> list[str]:
    if isinstance(result, ox.QueryBoolean):
        return ["true" if bool(result) else "false"]
    assert isinstance(result, ox.QuerySolutions)
    tsv = result.serialize(format=ox.QueryResultsFormat.TSV)
    assert tsv is not None
    return tsv.decode("utf-8").splitlines()


def test_at_least_the_ten_questions_of_the_issue() -> None:
    assert len(_QUERIES) >= 10
    for query in _QUERIES:
        assert query.read_text(encoding="utf-8").startswith("# title: ")
        assert query.with_suffix(".tsv").exists(), f"{query.name} has no expected answer"


@pytest.mark.parametrize("query", _QUERIES, ids=lambda p: p.stem)
def test_query_returns_expected_answer(store: Store, query: Path) -> None:
    text = query.read_text(encoding="utf-8")
    got = _answer(store.query(text))
    expected = query.with_suffix(".tsv").read_text(encoding="utf-8").splitlines()
    assert got, f"{query.name} returned nothing"
    if "ORDER BY" not in text:
        got = got[:1] + sorted(got[1:])
        expected = expected[:1] + sorted(expected[1:])
    assert got == expected
    if got[0].startswith("?"):
        assert len(got) > 1, f"{query.name} has no rows"
