"""One registry of formats: every ``?format=`` token means the same format on every route.

Before the registry, ``?format=turtle`` was Turtle on ``/sparql`` and a 406 on
``/id/elon-musk``, ``/.well-known/void`` and ``/graph-store``. Each route is
asked for every token (name, synonyms, media type) of every RDF format it
offers, and must answer that format.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kgpub.config import Settings
from kgpub.rdf.formats import RDF_FORMATS, RESULT_FORMATS, Representation
from kgpub.web.app import create_app

ROUTES = {
    "resource": ("/id/elon-musk", {}),
    "void": ("/.well-known/void", {}),
    "graph store": ("/graph-store", {"default": ""}),
    "construct": ("/sparql", {"query": "CONSTRUCT WHERE { ?s a ?o } LIMIT 3"}),
    "service description": ("/sparql", {}),
    "ontology": ("/ontology", {}),
    "shapes": ("/shapes", {}),
    "graph": ("/graph/background", {}),
}


def tokens(rep: Representation) -> list[str]:
    return [rep.name, *rep.synonyms, rep.media_type]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(query_workers=1))) as c:
        yield c


@pytest.mark.parametrize("route", sorted(ROUTES))
@pytest.mark.parametrize(
    ("rep", "token"),
    [(rep, token) for rep in RDF_FORMATS for token in tokens(rep)],
    ids=lambda value: value.name if isinstance(value, Representation) else value,
)
def test_every_rdf_token_selects_its_format_on_every_route(
    client: TestClient, route: str, rep: Representation, token: str
) -> None:
    path, params = ROUTES[route]
    response = client.get(path, params={**params, "format": token})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == rep.content_type


@pytest.mark.parametrize(
    ("rep", "token"),
    [(rep, token) for rep in RESULT_FORMATS for token in tokens(rep)],
    ids=lambda value: value.name if isinstance(value, Representation) else value,
)
def test_every_results_token_selects_its_format(
    client: TestClient, rep: Representation, token: str
) -> None:
    response = client.get("/sparql", params={"query": "ASK {}", "format": token})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == rep.content_type
