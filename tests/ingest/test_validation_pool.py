"""``POST /validate`` as untrusted work: worker processes with a deadline, a memory
bound and limits, over real HTTP; and queries stay fast while it runs."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal
from rdflib.namespace import SH

from kgpub.config import Settings
from kgpub.ingest.validation_pool import ValidationPool
from kgpub.web.app import create_app
from kgpub.web.services import app_services
from tests.sparql_fixtures import live_server, lookup_latencies, p99

TTL = {"content-type": "text/turtle", "accept": "text/turtle"}
PROBLEM = "application/problem+json"


def chain(steps: int) -> bytes:
    """A class hierarchy ``steps`` deep under a class the shapes target, and one instance."""
    lines = [
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix ex: <http://example.org/> .",
        "ex:C0 rdfs:subClassOf <https://schema.org/Person> .",
        *(f"ex:C{i + 1} rdfs:subClassOf ex:C{i} ." for i in range(steps)),
        f"ex:x a ex:C{steps} .",
    ]
    return "\n".join(lines).encode()


def collection(items: int) -> bytes:
    return b"<http://example.org/s> <http://example.org/p> (" + b" 1" * items + b" ) ."


def settings(**changes: object) -> Settings:
    values: dict[str, object] = {"validate_on_start": False, "query_workers": 1, **changes}
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(settings())) as c:
        yield c


def test_a_deep_class_hierarchy_is_validated_not_a_500(client: TestClient) -> None:
    response = client.post("/validate", content=chain(1000), headers=TTL)
    assert response.status_code == 200
    report = Graph().parse(data=response.text, format="turtle")
    assert (None, SH.conforms, Literal(False)) in report  # ex:x is a Person without a name


def test_a_long_list_is_422_naming_the_triple_limit(client: TestClient) -> None:
    body = collection(100_000)
    assert len(body) < 1_048_576
    response = client.post("/validate", content=body, headers=TTL)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["detail"] == (
        "the upload holds more than 50000 triples, the limit of KGPUB_VALIDATE_MAX_TRIPLES; "
        "validate it in parts, or with kgpub validate"
    )


def test_an_upload_over_the_size_limit_is_413_naming_it() -> None:
    with TestClient(create_app(settings(validate_max_bytes=1000))) as small:
        response = small.post("/validate", content=collection(1000), headers=TTL)
    assert response.status_code == 413
    assert response.json()["detail"] == (
        "the request body is over the limit of 1000 bytes "
        "(KGPUB_VALIDATE_MAX_BYTES, KGPUB_MAX_BODY_BYTES)"
    )


def test_past_the_deadline_the_worker_is_killed_and_the_answer_is_503() -> None:
    with TestClient(create_app(settings(validate_timeout=1.0))) as slow:
        pool = app_services(slow.app).validation_pool
        started = time.monotonic()
        response = slow.post("/validate", content=collection(24_000), headers=TTL)
        elapsed = time.monotonic() - started
        assert response.status_code == 503
        assert response.headers["retry-after"] == "1"
        assert response.json()["detail"] == (
            "the validation did not finish within 1 s (KGPUB_VALIDATE_TIMEOUT) and was stopped; "
            "validate smaller parts, or retry later if the server is busy"
        )
        assert elapsed < 3.0
        assert pool._slots.value == 1  # the slot is free again


def test_past_the_memory_bound_the_answer_is_422_naming_it() -> None:
    with TestClient(create_app(settings(validate_memory_bytes=256 * 1024 * 1024))) as bounded:
        response = bounded.post("/validate", content=chain(10), headers=TTL)
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "validating the upload needed more memory than a validation may use "
        "(KGPUB_VALIDATE_MEMORY_BYTES); validate it in parts, or with kgpub validate"
    )


def test_errors_from_the_worker_keep_their_status(client: TestClient) -> None:
    broken = client.post("/validate", content=b"<a> <b> .", headers=TTL)
    assert broken.status_code == 400
    assert broken.json()["detail"].startswith("request body:1:")
    unknown = client.post("/validate", content=b"x", headers={"content-type": "text/plain"})
    assert unknown.status_code == 415


@pytest.mark.slow  # four seconds of lookups under load, as the executor's runaway test
def test_point_lookups_stay_fast_during_four_worst_case_validations() -> None:
    """p99 of distinct point lookups < 50 ms on a real uvicorn while four uploads of the
    largest list the limits allow are sent at once: with the default settings they are
    validated one at a time at idle CPU priority, and stopped at their deadline."""
    app = create_app(settings(query_workers=3, validate_timeout=4.0, validate_priority="idle"))
    worst = collection(24_999)  # 49,998 triples: just under KGPUB_VALIDATE_MAX_TRIPLES
    with live_server(app) as base, httpx.Client(timeout=30) as http:
        answers: list[int] = []

        def upload() -> None:
            answers.append(http.post(f"{base}/validate", content=worst, headers=TTL).status_code)

        uploads = [threading.Thread(target=upload) for _ in range(4)]
        for thread in uploads:
            thread.start()
        time.sleep(0.3)
        latencies = lookup_latencies(
            http, base, 4.0, lambda _: "https://kgpub.example/id/elon-musk"
        )
        for thread in uploads:
            thread.join()
    assert len(answers) == 4
    assert set(answers) <= {200, 503}, answers
    assert len(latencies) > 100
    slowest = p99(latencies)
    assert slowest < 0.050, f"p99 {slowest * 1000:.1f} ms over {len(latencies)} lookups"


@pytest.mark.parametrize(
    ("priority", "policy"), [("idle", os.SCHED_IDLE), ("normal", os.SCHED_OTHER)]
)
def test_validation_workers_run_at_the_configured_priority(priority: str, policy: int) -> None:
    """``KGPUB_VALIDATE_PRIORITY``: idle by default, so queries come first; normal on a
    machine that is never idle, where an idle validation would only meet its deadline."""

    async def check() -> None:
        pool = ValidationPool(settings(validate_priority=priority))
        worker = await pool._take()  # forked from the template, which is started first
        try:
            assert worker.process.pid is not None
            assert os.sched_getscheduler(worker.process.pid) == policy
        finally:
            worker.stop()
            await pool.close()

    asyncio.run(check())


def test_the_default_priority_is_idle() -> None:
    assert Settings.model_fields["validate_priority"].default == "idle"
