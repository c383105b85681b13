"""A newsroom project: the shipped story and two fictional test articles, served together.

The fictional articles (tests/fixtures/articles/) say so in their sidecar
(``fictional = true``) and in their graph (``schema:description``); they exist
to show that nothing assumes a single article: each has its own IRI, graph,
text and anchors, and VoID and the service description list every article.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef

from kgpub.cli.main import main
from kgpub.config import Settings
from kgpub.ld.article_scaffold import FICTIONAL_NOTE
from kgpub.ld.claims_rdf12 import REIFIES
from kgpub.rdf.articles import articles
from kgpub.rdf.sources import data_sources
from kgpub.web.app import create_app

_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"
_ID = "https://kgpub.example/id/"
_ROOT = URIRef("http://rdfs.org/ns/void#rootResource")
_ARTICLES = {URIRef(_ID + name) for name in ("article", "hafenfest", "library")}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped project with the two fictional articles added."""
    root = tmp_path_factory.mktemp("newsroom")
    shipped = Settings().project_dir
    for folder in ("ontology", "shapes", "data", "articles"):
        shutil.copytree(shipped / folder, root / folder)
    for article in ("hafenfest", "library"):
        shutil.copytree(_FIXTURES / article, root / "articles" / article)
    return root


@pytest.fixture(scope="module")
def client(project: Path) -> Iterator[TestClient]:
    settings = Settings(project_dir=project, query_workers=1, cache_bytes=0)
    with TestClient(create_app(settings)) as c:
        yield c


def test_every_article_folder_is_read(project: Path) -> None:
    found = {a.slug: a for a in articles(Settings(project_dir=project))}
    assert sorted(found) == ["hafenfest", "library", "musk-trump-zelensky-call"]
    assert found["musk-trump-zelensky-call"].iri == _ID + "article"
    assert not found["musk-trump-zelensky-call"].fictional
    assert found["hafenfest"].iri == _ID + "hafenfest"
    assert (found["hafenfest"].language, found["library"].language) == ("de", "en")
    assert found["hafenfest"].fictional
    assert found["library"].fictional
    assert found["library"].description == FICTIONAL_NOTE


def test_each_article_file_is_its_own_graph(project: Path) -> None:
    graphs = [s.graph.rsplit("/", 1)[1] for s in data_sources(Settings(project_dir=project))]
    assert graphs == ["background", "hafenfest", "library", "article", "reported", "history"]


@pytest.mark.slow
def test_the_project_validates(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KGPUB_PROJECT_DIR", str(project))
    assert main(["validate"]) == 0


def _turtle(client: TestClient, path: str) -> Graph:
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200, response.text
    return Graph().parse(data=response.text, format="turtle")


@pytest.mark.slow
def test_void_and_the_service_description_list_every_article(client: TestClient) -> None:
    assert set(_turtle(client, "/.well-known/void").objects(None, _ROOT)) == _ARTICLES
    assert set(_turtle(client, "/sparql").objects(None, _ROOT)) == _ARTICLES


@pytest.mark.slow
def test_each_article_page_shows_its_own_text_and_claims(client: TestClient) -> None:
    html = {"Accept": "text/html"}
    fest = client.get("/id/hafenfest", headers=html).text
    assert "Das Fest endete mit einem Feuerwerk" in fest
    assert _ID + "hafenfest/claim-1" in fest
    assert "Elon Musk" not in fest
    story = client.get("/id/article", headers=html).text
    assert "Elon Musk, der Tech-Tycoon" in story
    assert "hafenfest" not in story
    claim = client.get("/id/library/claim-1", headers=html).text
    assert "The library has 40000 books." in claim


@pytest.mark.slow
def test_fictional_articles_say_so_in_the_graph(client: TestClient) -> None:
    query = (
        "PREFIX schema: <https://schema.org/> SELECT ?a WHERE { GRAPH ?g { "
        f"?a a schema:NewsArticle ; schema:description {_literal(FICTIONAL_NOTE)} }} }} ORDER BY ?a"
    )
    answer = client.post("/sparql", data={"query": query}, headers={"Accept": "text/csv"})
    assert answer.text.split() == ["a", _ID + "hafenfest", _ID + "library"]


def _literal(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"@en'


@pytest.mark.slow
def test_anchors_count_in_their_own_article(client: TestClient) -> None:
    query = """PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX schema: <https://schema.org/>
    SELECT ?exact WHERE { GRAPH <https://kgpub.example/graph/library> {
      ?anchor oa:hasSource ?article ; oa:hasSelector ?p , ?q .
      ?p oa:start ?start ; oa:end ?end . ?q oa:exact ?exact .
      ?article schema:articleBody ?body .
      FILTER(SUBSTR(?body, ?start + 1, ?end - ?start) = ?exact) } }"""
    answer = client.post("/sparql", data={"query": query}, headers={"Accept": "text/csv"})
    assert answer.text.splitlines() == ["exact", "The library has 40000 books."]


@pytest.mark.slow
def test_each_article_graph_has_its_rdf_1_2_view(client: TestClient) -> None:
    view = client.get("/graph/library/rdf12", headers={"Accept": "text/turtle"})
    assert view.status_code == 200
    assert view.headers["content-location"] == "/graph/library/rdf12?format=ttl"
    triples = list(ox.parse(view.content, format=ox.RdfFormat.TURTLE))
    subjects = {t.subject for t in triples}
    assert ox.NamedNode(_ID + "library/claim-1") in subjects
    assert ox.NamedNode(_ID + "claim-musk-joined-call") not in subjects
    assert sum(1 for t in triples if t.predicate == REIFIES) == 1
    assert client.get("/graph/background/rdf12").status_code == 404
