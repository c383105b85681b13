"""Time travel in SPARQL: ``Accept-Datetime`` or ``at=`` answers over the store as of then.

Over tests/history_fixtures.py's project (a fictional article with three
revisions), through the real query workers, so the as-of store is built where
queries run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import anyio
import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from kgpub.config import Settings
from kgpub.errors import MalformedRequestError
from kgpub.history.memento import http_date
from kgpub.ingest.dataset import load_dataset
from kgpub.sparql.executor import Outcome
from kgpub.sparql.operation import QueryOperation
from kgpub.sparql.results import ResultLimits
from kgpub.sparql.runners import InlineRunner
from kgpub.sparql.time_travel import at_parameter, parse_at, requested
from kgpub.web.app import create_app
from tests.history_fixtures import ARTICLE, BASE, TIMES, RevisedProject, revised_project

BODY = f"SELECT ?body WHERE {{ <{ARTICLE}> <https://schema.org/articleBody> ?body }}"
REVISION_OF = "<https://kgpub.example/ontology#revisionOf>"
REVISIONS = f"SELECT (COUNT(?r) AS ?n) WHERE {{ ?r {REVISION_OF} <{ARTICLE}> }}"


@pytest.mark.parametrize(
    ("value", "moment"),
    [
        ("2026-01-10T13:00:00Z", datetime(2026, 1, 10, 13, tzinfo=UTC)),
        ("2026-01-10T14:00:00+01:00", datetime(2026, 1, 10, 13, tzinfo=UTC)),
        ("2026-01-10T13:00:00.75", datetime(2026, 1, 10, 13, tzinfo=UTC)),  # naive: UTC
        ("2026-01-10", datetime(2026, 1, 10, tzinfo=UTC)),
        ("Sat, 10 Jan 2026 13:00:00 GMT", datetime(2026, 1, 10, 13, tzinfo=UTC)),
    ],
)
def test_at_is_iso_8601_or_rfc_1123(value: str, moment: datetime) -> None:
    assert parse_at(value) == moment


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "Sat, 10 Jan 2026 13:00 GMT", ""])
def test_a_bad_at_is_named(value: str) -> None:
    with pytest.raises(MalformedRequestError, match="at="):
        parse_at(value)


def test_at_wins_over_the_header_and_only_one_at() -> None:
    at = datetime(2026, 1, 10, 13, tzinfo=UTC)
    assert requested(at, "Thu, 01 Jan 2026 00:00:00 GMT") == at
    assert requested(None, "Thu, 01 Jan 2026 00:00:00 GMT") == datetime(2026, 1, 1, tzinfo=UTC)
    assert requested(None, None) is None
    with pytest.raises(MalformedRequestError, match="more than one at"):
        at_parameter([("at", "2026-01-10"), ("at", "2026-01-11")])


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> RevisedProject:
    return revised_project(tmp_path_factory.mktemp("travel") / "project")


@pytest.fixture(scope="module")
def client(project: RevisedProject) -> Iterator[TestClient]:
    settings = Settings(project_dir=project.root, query_workers=1)
    with TestClient(create_app(settings)) as c:
        yield c


def _values(answer: Response) -> list[str]:
    body = answer.json()
    return [next(iter(row.values()))["value"] for row in body["results"]["bindings"]]


def _ask(client: TestClient, query: str, **kwargs: str) -> Response:
    headers = {"Accept": "application/sparql-results+json"}
    if "when" in kwargs:
        headers["Accept-Datetime"] = kwargs.pop("when")
    answer = client.get("/sparql", params={"query": query, **kwargs}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer


def test_a_query_reads_the_article_as_it_was(client: TestClient, project: RevisedProject) -> None:
    now = _ask(client, BODY)
    assert _values(now) == [project.texts[2]]
    assert "memento-datetime" not in now.headers
    first = _ask(client, BODY, when="Sat, 10 Jan 2026 09:00:00 GMT")
    assert _values(first) == [project.texts[0]]
    assert first.headers["Memento-Datetime"] == http_date(TIMES[0])
    second = _ask(client, BODY, at="2026-01-10T13:00:00Z")
    assert _values(second) == [project.texts[1]]
    assert second.headers["Memento-Datetime"] == http_date(TIMES[1])
    assert "Accept-Datetime" in second.headers["Vary"]


def test_the_past_knows_no_later_revision(client: TestClient) -> None:
    assert _values(_ask(client, REVISIONS, at="2026-01-10T13:00:00Z")) == ["2"]
    assert _values(_ask(client, REVISIONS)) == ["3"]


def test_before_the_first_revision_the_article_is_absent(client: TestClient) -> None:
    answer = _ask(client, BODY, at="2025-12-31T00:00:00Z")
    assert _values(answer) == []
    assert answer.headers["Memento-Datetime"] == "Wed, 31 Dec 2025 00:00:00 GMT"


def test_cached_answers_keep_their_instant(client: TestClient, project: RevisedProject) -> None:
    """Repeated (and so cached, FastPath too) answers are those of their own instant."""
    for _ in range(3):
        assert _values(_ask(client, BODY, when="Sat, 10 Jan 2026 09:00:00 GMT")) == [
            project.texts[0]
        ]
        assert _values(_ask(client, BODY)) == [project.texts[2]]
        later = _ask(client, BODY, when="Sat, 10 Jan 2026 10:00:00 GMT")
        assert _values(later) == [project.texts[0]]
        assert later.headers["Memento-Datetime"] == http_date(TIMES[0])


def test_the_results_page_travels_too(client: TestClient, project: RevisedProject) -> None:
    params = {"query": BODY, "at": "2026-01-10T09:00:00Z"}
    page = client.get("/sparql", params=params, headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["Memento-Datetime"] == http_date(TIMES[0])
    assert "8000 Besucher" in page.text
    assert "Blaskapelle" not in page.text
    assert "accept-datetime" in page.headers["Vary"].lower()


def test_a_bad_instant_is_a_400(client: TestClient) -> None:
    answer = client.get("/sparql", params={"query": BODY, "at": "gestern"})
    assert answer.status_code == 400
    assert "gestern" in answer.json()["detail"]
    answer = client.get(
        "/sparql", params={"query": BODY}, headers={"Accept-Datetime": "2026-01-10"}
    )
    assert answer.status_code == 400
    assert "2026-01-10" in answer.json()["detail"]


def test_a_form_post_travels_too(client: TestClient, project: RevisedProject) -> None:
    answer = client.post(
        "/sparql",
        data={"query": BODY, "at": "2026-01-10T09:00:00Z"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert _values(answer) == [project.texts[0]]


def test_the_service_description_lists_time_travel(client: TestClient) -> None:
    description = client.get("/sparql", headers={"Accept": "application/n-triples"}).text
    feature = "<https://kgpub.example/ontology#TimeTravel>"
    assert f"<http://www.w3.org/ns/sparql-service-description#feature> {feature}" in description


def test_a_remote_backends_runner_travels_too(project: RevisedProject) -> None:
    """The thread runner of a remote backend builds the as-of store from the backend's
    quads (here kgpub's own store stands in for the backend)."""
    store = load_dataset(Settings(project_dir=project.root, validate_on_start=False)).store
    runner = InlineRunner(store, 10.0, ResultLimits(), BASE)
    operation = QueryOperation.of(BODY, at=datetime(2026, 1, 10, 13, tzinfo=UTC))
    json_results = "application/sparql-results+json"

    def body(answer: Outcome) -> list[str]:
        assert answer.done.body is not None
        rows = json.loads(answer.done.body)["results"]["bindings"]
        return [row["body"]["value"] for row in rows]

    assert body(anyio.run(runner.run, operation, json_results, None)) == [project.texts[1]]
    now = anyio.run(runner.run, QueryOperation.of(BODY), json_results, None)
    assert body(now) == [project.texts[2]]
