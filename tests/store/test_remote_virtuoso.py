"""kgpub over a real Virtuoso 7: loaded with ``kgpub load --backend``, served, and held to
the embedded store's expectations.

One throw-away Virtuoso (tests/virtuoso.py: own database, loopback ports) runs
for the session, gets the article's ontology, data and shapes through the
Graph Store Protocol, each in its graph ``<base>graph/<stem>``, and is queried
through kgpub: the competency questions against their expected answers,
dereferenced IRIs, VoID and the service description against what the
embedded store gives. The tests skip only where Virtuoso cannot be installed
or started (scripts/setup-virtuoso installs it).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from kgpub.config import Settings
from kgpub.ld.describe import describe
from kgpub.ld.void import Site, describe_dataset
from kgpub.rdf.sources import default_sources
from kgpub.store.oxigraph import Store
from kgpub.store.remote import RemoteStore
from kgpub.web.app import create_app
from kgpub.web.services import app_services
from tests.virtuoso import Virtuoso, VirtuosoUnavailableError, start

pytestmark = pytest.mark.external

QUERIES = sorted(Settings().queries_dir.glob("*.rq"))
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
VIRTRDF = "http://www.openlinksw.com/schemas/virtrdf#"
KGPUB = (sys.executable, "-m", "kgpub")


def _backend(virtuoso: Virtuoso) -> list[str]:
    return ["--backend", virtuoso.endpoint, "--graph-store", virtuoso.graph_store]


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    try:
        server = start(tmp_path_factory.mktemp("virtuoso"))
    except VirtuosoUnavailableError as exc:
        pytest.skip(f"no Virtuoso to test against: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def loaded(virtuoso: Virtuoso, settings: Settings) -> str:
    """What ``kgpub load --backend`` said, loading ontology/, data/, articles/ and shapes/."""
    env = dict(
        os.environ,
        KGPUB_BACKEND_USER="dba",
        KGPUB_BACKEND_PASSWORD=virtuoso.password,
        KGPUB_PROJECT_DIR=str(settings.project_dir),
    )
    s = settings
    folders = [str(d) for d in (s.ontology_dir, s.data_dir, s.articles_dir, s.shapes_dir)]
    done = subprocess.run(
        [*KGPUB, "load", *folders, "--validate", *_backend(virtuoso)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stderr


@pytest.fixture(scope="session")
def backend_settings(settings: Settings, virtuoso: Virtuoso, loaded: str) -> Settings:
    return settings.model_copy(update={"backend_url": virtuoso.endpoint})


@pytest.fixture(scope="session")
def remote(backend_settings: Settings) -> Iterator[RemoteStore]:
    store = RemoteStore.from_settings(backend_settings)
    yield store
    store.close()


@pytest.fixture(scope="session")
def client(backend_settings: Settings) -> Iterator[TestClient]:
    app = create_app(backend_settings)
    with TestClient(app) as test_client:
        yield test_client
    app_services(app).store.close()


def test_load_sends_every_graph_and_the_backend_holds_them(
    loaded: str, remote: RemoteStore, store: Store
) -> None:
    # One file and one graph per source of the shipped project (ontology, data, shapes).
    files = len(default_sources(Settings()))
    assert f"{files} files, {len(store):,} quads, {files} graphs" in loaded
    assert "/sparql-graph-crud-auth" in loaded
    assert remote.named_graphs() == store.named_graphs()
    assert remote.graph_sizes() == store.graph_sizes()
    assert remote.distinct_triples() == store.distinct_triples()


def test_loading_without_the_password_is_refused_and_says_why(
    virtuoso: Virtuoso, settings: Settings, tmp_path: Path
) -> None:
    data = tmp_path / "extra.ttl"
    data.write_text("<http://a/s> <http://a/p> <http://a/o> .\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KGPUB_BACKEND")}
    done = subprocess.run(
        [*KGPUB, "load", str(data), "--backend", virtuoso.endpoint],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    # A 401 from /sparql-graph-crud-auth, found without --graph-store: a PUT to Virtuoso's
    # query endpoint would wait for the timeout instead.
    assert "401" in done.stderr
    assert "KGPUB_BACKEND_PASSWORD" in done.stderr


def _tsv(client: TestClient, query: str, **params: str) -> list[str]:
    """A query's answer through the endpoint, as SPARQL TSV lines."""
    response = client.get("/sparql", params={"query": query, "format": "tsv", **params})
    assert response.status_code == 200, response.text
    return response.text.splitlines()


@pytest.mark.parametrize("query", QUERIES, ids=lambda p: p.stem)
def test_competency_question_through_the_endpoint(client: TestClient, query: Path) -> None:
    text = query.read_text(encoding="utf-8")
    expected = query.with_suffix(".tsv").read_text(encoding="utf-8").splitlines()
    if expected in (["true"], ["false"]):
        response = client.get("/sparql", params={"query": text, "format": "json"})
        assert response.json()["boolean"] is (expected == ["true"])
        return
    got = _tsv(client, text)
    if "ORDER BY" not in text:
        got = got[:1] + sorted(got[1:])
        expected = expected[:1] + sorted(expected[1:])
    assert got == expected


def test_construct_gives_the_embedded_stores_triples(client: TestClient, store: Store) -> None:
    query = (
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://kgpub.example/graph/background> "
        "{ ?s ?p ?o } }"
    )
    response = client.get("/sparql", params={"query": query}, headers={"Accept": "text/turtle"})
    assert response.headers["content-type"].startswith("text/turtle")
    got = {quad.triple for quad in ox.parse(response.content, format=ox.RdfFormat.TURTLE)}
    assert got
    assert got == {q.triple for q in store.quads("https://kgpub.example/graph/background")}


def test_protocol_dataset_parameters_name_the_dataset(client: TestClient, store: Store) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    background = "https://kgpub.example/graph/background"
    # The background graph's size as the embedded store counts it.
    expected = str(store.graph_sizes()[background])
    assert _tsv(client, count, **{"default-graph-uri": background})[1] == expected
    only_named = client.get(
        "/sparql",
        params={"query": "ASK { ?s ?p ?o }", "named-graph-uri": background, "format": "json"},
    )
    assert only_named.json()["boolean"] is False  # no default graph given: it is empty


def _without_blank_nodes(quads: object) -> list[str]:
    """Quads as sorted N-Quads lines with every blank node written ``_:b``."""
    assert isinstance(quads, list | set | tuple)
    lines = []
    for quad in quads:
        terms = [
            "_:b" if isinstance(t, ox.BlankNode) else str(t)
            for t in (quad.subject, quad.predicate, quad.object, quad.graph_name)
        ]
        lines.append(" ".join(terms))
    return sorted(lines)


@pytest.mark.parametrize(
    "path",
    [
        "id/elon-musk",
        "id/article",
        "id/claim-wsj-regular-contact",
        "ontology",
        "ontology#ReportedClaim",
        "graph/background",
        "shapes",
    ],
)
def test_dereferencing_gives_the_embedded_stores_description(
    client: TestClient, store: Store, settings: Settings, path: str
) -> None:
    document = path.split("#", maxsplit=1)[0]
    response = client.get("/" + document, params={"format": "nq"})
    assert response.status_code == 200, response.text
    got = list(ox.parse(response.content, format=ox.RdfFormat.N_QUADS))
    expected = describe(store, settings.base_iri + document)
    assert expected is not None
    assert _without_blank_nodes(got) == _without_blank_nodes(expected.quads)


def test_pages_and_unknown_iris(client: TestClient) -> None:
    page = client.get("/id/elon-musk", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "Elon Musk" in page.text
    assert client.get("/ontology", headers={"Accept": "text/html"}).status_code == 200
    missing = client.get("/id/no-such-thing", headers={"Accept": "application/n-triples"})
    assert missing.status_code == 404


def test_void_is_the_embedded_stores(client: TestClient, store: Store, settings: Settings) -> None:
    response = client.get("/.well-known/void", params={"format": "nt"})
    got = {quad.triple for quad in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)}
    sizes, total = store.graph_sizes(), store.distinct_triples()
    modified = app_services(client.app).modified
    site = Site(settings.base_iri, "http://testserver", sizes, total, modified)
    assert got == set(describe_dataset(store, site))
    assert not any(t.object == ox.NamedNode(VIRTRDF) for t in got)


def test_service_description_lists_the_published_graphs(client: TestClient, store: Store) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    graph = ox.Store()
    graph.load(response.content, format=ox.RdfFormat.TURTLE)
    rows = graph.query(
        f"SELECT ?name ?n WHERE {{ ?ng <{SD}name> ?name ; <{SD}graph> [ <{VOID}triples> ?n ] }}"
    )
    assert isinstance(rows, ox.QuerySolutions)
    listed = {row["name"].value: int(row["n"].value) for row in rows}
    assert listed == store.graph_sizes()


def test_the_default_graph_is_virtuosos_own(client: TestClient, store: Store) -> None:
    """Documented in docs/backend.md: without a dataset the backend's default graph is
    queried, on Virtuoso all its graphs, its own system graphs included."""
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    graphs = set(_tsv(client, query)[1:])
    published = {f"<{g}>" for g in store.named_graphs()}
    assert published < graphs
    assert f"<{VIRTRDF}>" in graphs


def test_backend_errors_reach_the_client_as_problems(client: TestClient) -> None:
    bad = client.get("/sparql", params={"query": "SELEC * WHERE { ?s ?p ?o }"})
    assert bad.status_code == 400
    assert bad.headers["content-type"] == "application/problem+json"
    assert "SP030" in bad.json()["detail"]
    # The test server's ResultSetMaxRows is 10000: a bigger result is refused, not cut short.
    huge = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 20000"
    capped = client.get("/sparql", params={"query": huge})
    assert capped.status_code == 422
    assert "10000 rows" in capped.json()["detail"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_kgpub_serve_backend_serves_the_endpoint_and_pages(
    backend_settings: Settings, virtuoso: Virtuoso
) -> None:
    port = _free_port()
    env = dict(os.environ, KGPUB_PROJECT_DIR=str(backend_settings.project_dir))
    server = subprocess.Popen(
        [*KGPUB, "serve", "--backend", virtuoso.endpoint, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                ask = httpx.get(
                    f"{base}/sparql", params={"query": "ASK { ?s ?p ?o }", "format": "json"}
                )
                break
            except httpx.TransportError:
                assert server.poll() is None, "kgpub serve --backend exited"
                assert time.monotonic() < deadline, "kgpub serve --backend did not start"
                time.sleep(0.2)
        assert ask.json()["boolean"] is True
        page = httpx.get(f"{base}/id/elon-musk", headers={"Accept": "text/turtle"})
        assert page.status_code == 200
        assert "Elon Musk" in page.text
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert b"not validated" in err
