"""The application as a whole: lifespan, headers, limits, errors, OpenAPI, query page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kgpub.config import Settings
from kgpub.errors import DataNotConformingError
from kgpub.web.app import create_app
from kgpub.web.services import app_services
from tests.sparql_fixtures import EX, write_project

SHAPES_TTL = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix schema: <https://schema.org/> .
<urn:shape:Person> a sh:NodeShape ; sh:targetClass schema:Person ;
  sh:property [ sh:path schema:email ; sh:minCount 1 ] .
"""
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return write_project(Path(tmp_path_factory.mktemp("project")))


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def test_lifespan_loads_each_file_into_its_own_named_graph(client: TestClient) -> None:
    response = client.get(
        "/sparql",
        params={"query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"},
        headers={"accept": "text/csv"},
    )
    assert response.text.splitlines() == [
        "g",
        "https://kgpub.example/graph/people",
        "https://kgpub.example/graph/places",
    ]


def test_default_graph_is_the_union(client: TestClient) -> None:
    query = f"ASK {{ <{EX}anna> a ?t ; <https://schema.org/homeLocation> <{EX}kyiv> }}"
    assert client.get("/sparql", params={"query": query}).json()["boolean"] is True


def test_lifespan_refuses_invalid_data(tmp_path: Path) -> None:
    settings = write_project(tmp_path)
    (tmp_path / "shapes").mkdir()
    (tmp_path / "shapes" / "shapes.ttl").write_text(SHAPES_TTL, encoding="utf-8")
    with pytest.raises(DataNotConformingError) as info, TestClient(create_app(settings)):
        pass
    assert "schema.org/email" in info.value.report_text


def test_files_setting_serves_only_those_files(settings: Settings) -> None:
    only = settings.model_copy(update={"files": (settings.data_dir / "places.ttl",)})
    with TestClient(create_app(only)) as c:
        response = c.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "5"


def test_every_response_carries_server_timing(client: TestClient) -> None:
    answered = client.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }"})
    failed = client.get("/sparql", params={"query": "SELECT"})
    missing = client.get("/nowhere")
    for response in (answered, failed, missing):
        assert response.headers["server-timing"].startswith("engine;dur=")
    engine = answered.headers["server-timing"].split(";")[1]
    assert float(engine.removeprefix("dur=")) > 0


@pytest.mark.parametrize(
    "params", [{"query": "ASK {}"}, {"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, {}]
)
def test_negotiated_responses_vary_on_accept(client: TestClient, params: dict[str, str]) -> None:
    response = client.get("/sparql", params=params)
    assert response.status_code == 200
    assert "Accept" in response.headers["vary"]


def test_406_lists_what_is_offered(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK {}"}, headers={"accept": "image/png"})
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"
    assert "Accept" in response.headers["vary"]
    assert response.json()["offered"] == [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ]
    wrong = client.get("/sparql", params={"query": "ASK {}", "format": "ttl"})
    assert wrong.status_code == 406
    assert "json, xml, csv, tsv" in wrong.json()["detail"]


def test_format_parameter_overrides_accept(client: TestClient) -> None:
    response = client.get(
        "/sparql",
        params={"query": "SELECT * { ?s ?p ?o }", "format": "tsv"},
        headers={"accept": "application/sparql-results+json"},
    )
    assert response.headers["content-type"] == "text/tab-separated-values; charset=utf-8"


def test_body_over_the_limit_is_413(settings: Settings) -> None:
    small = settings.model_copy(update={"max_body_bytes": 64})
    with TestClient(create_app(small)) as c:
        ok = c.post(
            "/sparql", content=b"ASK {}", headers={"content-type": "application/sparql-query"}
        )
        big = c.post(
            "/sparql",
            content=b"ASK {}" + b" " * 100,
            headers={"content-type": "application/sparql-query"},
        )

        def chunks() -> Iterator[bytes]:
            yield b"query=ASK%20%7B%7D"
            yield b"&x=" + b"y" * 100

        streamed = c.post(
            "/sparql",
            content=chunks(),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    assert ok.status_code == 200
    assert big.status_code == 413
    assert streamed.status_code == 413
    assert big.json()["detail"] == "the request body is over the limit of 64 bytes"


def test_service_is_refused(client: TestClient) -> None:
    query = "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert "SERVICE" in response.json()["detail"]


def test_cors_for_browser_clients(client: TestClient) -> None:
    simple = client.get(
        "/sparql", params={"query": "ASK {}"}, headers={"origin": "https://yasgui.example"}
    )
    assert simple.headers["access-control-allow-origin"] == "*"
    assert "Server-Timing" in simple.headers["access-control-expose-headers"]
    preflight = client.options(
        "/sparql",
        headers={
            "origin": "https://yasgui.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


def test_head_answers_like_get_without_a_body(client: TestClient) -> None:
    response = client.head("/sparql", headers={"accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    assert response.content == b""


def test_unknown_path_is_a_problem_not_a_traceback(client: TestClient) -> None:
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "Not Found",
    }


def test_openapi_describes_every_parameter_and_media_type(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    get = spec["paths"]["/sparql"]["get"]
    post = spec["paths"]["/sparql"]["post"]
    assert {p["name"] for p in get["parameters"]} == {
        "query",
        "default-graph-uri",
        "named-graph-uri",
        "format",
        "timeout",
        "at",
        "Accept-Datetime",
    }
    assert {p["in"] for p in get["parameters"] if p["name"] == "Accept-Datetime"} == {"header"}
    assert "requestBody" not in get
    assert set(post["requestBody"]["content"]) == {
        "application/sparql-query",
        "application/x-www-form-urlencoded",
    }
    assert set(get["responses"]["200"]["content"]) >= {
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
        "text/turtle",
        "application/n-triples",
        "application/ld+json",
        "application/rdf+xml",
        "application/trig",
        "application/n-quads",
        "text/html",
    }
    for status in ("400", "403", "406", "413", "415", "422", "503"):
        assert "application/problem+json" in post["responses"][status]["content"]
    assert "Problem" in spec["components"]["schemas"]
    assert get["operationId"] != post["operationId"]


def test_browser_gets_the_query_page(client: TestClient) -> None:
    response = client.get("/sparql", headers={"accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert '<div id="yasgui"' in response.text
    assert 'src="/static/vendor/yasgui.min.js"' in response.text


def test_browser_gets_the_home_page_and_clients_the_service_description(
    client: TestClient,
) -> None:
    page = client.get("/", headers={"accept": BROWSER})
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert '<div id="yasgui"' not in page.text
    for link in (
        'href="/sparql"',
        'href="/ontology"',
        'href="/shapes"',
        'href="/.well-known/void"',
        'href="/docs"',
        'action="/search"',
    ):
        assert link in page.text
    described = client.get("/", headers={"accept": "text/turtle"})
    assert described.headers["content-type"].startswith("text/turtle")
    assert "sd:Service" in described.text or "Service" in described.text


def test_validation_switched_off_runs_no_shacl_and_pages_say_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("pySHACL ran although validation is off")

    monkeypatch.setattr("kgpub.shacl.validate.validate_quads", refuse)
    settings = Settings(validate_on_start=False)
    with TestClient(create_app(settings)) as c:
        page = c.get("/id/elon-musk", headers={"Accept": "text/html", "Accept-Language": "en"})
        assert page.status_code == 200
        assert "Validation was switched off for this server" in page.text
        assert app_services(c.app).conformance.shapes
