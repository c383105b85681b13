"""Comunica, the JavaScript SPARQL engine, against the running endpoint.

Comunica is handed only the endpoint's URL: it must find out from the Service
Description that the source is a SPARQL endpoint, send the query there, and
get terms back exactly as pyoxigraph holds them (language tags and datatypes
included). Skipped where ``scripts/setup-clients`` could not install it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from kgpub.config import Settings
from kgpub.store.oxigraph import Store
from kgpub.web.app import create_app
from tests.paths import CLIENTS
from tests.sparql_fixtures import live_server

NODE = shutil.which("node")
pytestmark = [
    pytest.mark.skipif(
        NODE is None or not (CLIENTS / "node_modules" / "@comunica" / "query-sparql").is_dir(),
        reason="needs Node.js and Comunica (scripts/setup-clients)",
    ),
    pytest.mark.external,
]

Row = dict[str, tuple[str, str, str, str]]


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with live_server(create_app(Settings())) as url:
        yield url + "/sparql"


def comunica(source: str, query: str) -> list[Row]:
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(CLIENTS / "query.js"), source, query],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=CLIENTS,
    )
    assert done.returncode == 0, done.stderr
    rows = []
    for line in done.stdout.splitlines():
        raw = json.loads(line)
        rows.append(
            {v: (t["termType"], t["value"], t["language"], t["datatype"]) for v, t in raw.items()}
        )
    return rows


def in_process(store: Store, query: str) -> list[Row]:
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    rows = []
    for solution in result:
        row: Row = {}
        for name in names:
            term = solution[name]
            if isinstance(term, ox.Literal):
                lang = term.language or ""
                row[name] = ("Literal", term.value, lang, term.datatype.value)
            elif isinstance(term, ox.NamedNode):
                row[name] = ("NamedNode", term.value, "", "")
        rows.append(row)
    return rows


def _key(row: Row) -> str:
    return json.dumps(row, sort_keys=True)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?person ?name WHERE { <https://kgpub.example/id/trump-zelensky-call> "
        "<https://schema.org/attendee> ?person . ?person <https://schema.org/name> ?name }",
        "SELECT ?date WHERE { <https://kgpub.example/id/trump-zelensky-call> "
        "<https://schema.org/startDate> ?date }",
        "SELECT ?claim ?other WHERE { ?claim <https://kgpub.example/ontology#contradicts> ?other }",
    ],
)
def test_comunica_discovers_the_endpoint_and_gets_the_same_terms(
    endpoint: str, store: Store, query: str
) -> None:
    got = sorted(comunica(endpoint, query), key=_key)
    assert got, "Comunica found nothing: it did not use the source as a SPARQL endpoint"
    assert got == sorted(in_process(store, query), key=_key)
