"""``/healthz``, ``/readyz`` and ``/metrics`` (``kgpub.web.operations``, ``kgpub.metrics``).

The metrics live in the process's one registry, so each test reads how much a
series grew across what it did, never its absolute value.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from kgpub.config import Settings
from kgpub.sparql.executor import QueryPool
from kgpub.store.oxigraph import Store
from kgpub.web.app import create_app
from kgpub.web.services import app_services
from tests.sparql_fixtures import write_project, write_served_project

EX = "http://example.org/"
PEOPLE = "SELECT ?p WHERE { ?p a <https://schema.org/Person> } ORDER BY ?p"
# Cartesian product of a 3,000-triple chain: minutes, far past any deadline here.
RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = Path(tmp_path_factory.mktemp("project"))
    return write_served_project(root).model_copy(update={"query_workers": 1})


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def test_healthz_answers_alive(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert response.headers["cache-control"] == "no-store"


def test_readyz_names_each_check(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"store": True, "query_workers": True, "data_validated": True},
    }


def test_readyz_is_503_when_no_query_worker_is_up(settings: Settings) -> None:
    with TestClient(create_app(settings)) as c:
        pool = app_services(c.app).pool
        assert isinstance(pool, QueryPool)
        for worker in list(pool._live):  # what the OOM killer would do to every worker
            worker.process.kill()
            worker.process.join()
        response = c.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"] == {
            "store": True,
            "query_workers": False,
            "data_validated": True,
        }
        # The next query replaces the dead worker, and the server is ready again.
        assert c.get("/sparql", params={"query": "ASK {}"}).status_code == 200
        assert c.get("/readyz").status_code == 200


def test_readyz_is_503_before_start_up(settings: Settings) -> None:
    app = create_app(settings)
    client = TestClient(app)  # not entered: the lifespan has not run
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["store"] is False
    assert client.get("/healthz").status_code == 200


def test_metrics_count_requests_by_route_template_and_status(client: TestClient) -> None:
    route = {"route": "/id/{rest:path}", "method": "GET"}
    before_200 = value("kgpub_http_requests_total", status="200", **route)
    before_404 = value("kgpub_http_requests_total", status="404", **route)
    unmatched = value("kgpub_http_requests_total", route="unmatched", method="GET", status="404")
    assert client.get("/id/anna", headers={"accept": "text/turtle"}).status_code in (200, 404)
    assert client.get("/id/no-such-thing").status_code == 404
    assert client.get("/nowhere/at/all").status_code == 404
    grown = value("kgpub_http_requests_total", status="200", **route) - before_200
    grown += value("kgpub_http_requests_total", status="404", **route) - before_404
    assert grown == 2
    after = value("kgpub_http_requests_total", route="unmatched", method="GET", status="404")
    assert after == unmatched + 1
    # The raw paths never become labels.
    text = client.get("/metrics").text
    assert "no-such-thing" not in text
    assert "/nowhere" not in text


def test_metrics_count_cache_hits_and_misses_and_time_queries(client: TestClient) -> None:
    hits, misses = (value("kgpub_result_cache_lookups_total", result=r) for r in ("hit", "miss"))
    timed = value("kgpub_query_duration_seconds_count")
    query = PEOPLE + " LIMIT 2"
    for _ in range(3):
        assert client.get("/sparql", params={"query": query}).status_code == 200
    assert value("kgpub_result_cache_lookups_total", result="miss") == misses + 1
    assert value("kgpub_result_cache_lookups_total", result="hit") == hits + 2
    assert value("kgpub_query_duration_seconds_count") == timed + 1


def test_metrics_are_the_prometheus_text_format(client: TestClient) -> None:
    client.get("/sparql", params={"query": "ASK {}"})
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == CONTENT_TYPE_LATEST
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    for name, kind in {
        "kgpub_http_requests": "counter",
        "kgpub_query_duration_seconds": "histogram",
        "kgpub_result_cache_lookups": "counter",
        "kgpub_query_workers_killed": "counter",
        "kgpub_validation_duration_seconds": "histogram",
        "kgpub_write_duration_seconds": "histogram",
    }.items():
        assert families[name].type == kind, name


@pytest.mark.slow
def test_a_worker_killed_at_the_deadline_is_counted(tmp_path: Path) -> None:
    chain: list[ox.Quad] = [
        ox.Quad(ox.NamedNode(f"{EX}n{i}"), ox.NamedNode(f"{EX}p"), ox.NamedNode(f"{EX}n{i + 1}"))
        for i in range(3000)
    ]
    store = Store()
    store.add_quads(chain)
    settings = write_project(tmp_path).model_copy(
        update={"query_timeout": 0.5, "query_workers": 1, "cache_bytes": 0}
    )
    killed = value("kgpub_query_workers_killed_total", reason="deadline")
    with TestClient(create_app(settings, store)) as c:
        assert c.get("/sparql", params={"query": RUNAWAY}).status_code == 503
    assert value("kgpub_query_workers_killed_total", reason="deadline") == killed + 1


def test_operations_are_not_in_the_public_openapi(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not {"/healthz", "/readyz", "/metrics", "/docs"} & set(paths)


def test_a_setting_puts_them_in_the_openapi(settings: Settings) -> None:
    shown = settings.model_copy(update={"operations_in_openapi": True})
    with TestClient(create_app(shown)) as c:
        paths = c.get("/openapi.json").json()["paths"]
    assert {"/healthz", "/readyz", "/metrics"} <= set(paths)


def test_metrics_can_be_switched_off(settings: Settings) -> None:
    off = settings.model_copy(update={"metrics_enabled": False})
    before = value("kgpub_http_requests_total", route="/healthz", method="GET", status="200")
    with TestClient(create_app(off)) as c:
        assert c.get("/metrics").status_code == 404
        assert c.get("/healthz").status_code == 200
        assert c.get("/readyz").status_code == 200
    after = value("kgpub_http_requests_total", route="/healthz", method="GET", status="200")
    assert after == before
