"""POST /id/{article}/revisions on a writable server: the fictional Hafenfest article revised.

The edits are test edits of a fictional article (tests/history_fixtures.py); none is news.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from kgpub.config import Settings
from kgpub.history.records import Terms, history_of
from kgpub.store.oxigraph import Store
from kgpub.web.app import create_app
from kgpub.web.services import app_services
from tests.history_fixtures import ARTICLE, BASE, CLAIM, TEXTS, revised_project
from tests.writes_fixtures import AUTH, TOKEN

URL = "/id/hafenfest/revisions"
MODIFIED = TEXTS[-1].replace("einem Feuerwerk", "keinem Feuerwerk")
SHIFTED = TEXTS[-1].replace("Blaskapelle.", "Blaskapelle. Am Abend tanzten die Gäste.")
TEXT = {**AUTH, "content-type": "text/plain; charset=utf-8"}


def _settings(root: Path, **changes: object) -> Settings:
    revised_project(root)
    values: dict[str, object] = {"project_dir": root, "query_workers": 1, **changes}
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = _settings(tmp_path / "project", writes_enabled=True, write_token=SecretStr(TOKEN))
    with TestClient(create_app(settings)) as c:
        yield c


def _revisions(client: TestClient) -> list[int]:
    app = client.app
    store = app_services(app).store
    assert isinstance(store, Store)
    terms = Terms(BASE)
    return [r.number for r in history_of(store.graph_quads(terms.history_graph), terms, ARTICLE)]


def test_a_dry_run_answers_each_claims_status_and_changes_nothing(client: TestClient) -> None:
    answer = client.post(URL, params={"dry-run": "true"}, content=MODIFIED.encode(), headers=TEXT)
    assert answer.status_code == 200, answer.text
    (claim,) = answer.json()
    assert (claim["claim"], claim["status"]) == (CLAIM, "modified")
    assert _revisions(client) == [1, 2, 3]


def test_a_revision_is_committed_with_its_record(client: TestClient) -> None:
    answer = client.post(
        URL, params={"note": "Abend ergänzt."}, content=SHIFTED.encode(), headers=TEXT
    )
    assert answer.status_code == 201, answer.text
    assert answer.headers["location"] == "/id/hafenfest/revision/4"
    assert answer.json()["revision"] == ARTICLE + "/revision/4"
    assert _revisions(client) == [1, 2, 3, 4]
    page = client.get("/id/hafenfest", headers={"accept": "text/turtle"})
    assert "Am Abend tanzten die Gäste." in page.text


def test_an_undecided_claim_is_409_naming_it_and_a_decision_commits(client: TestClient) -> None:
    params = {"kind": "correction", "note": "Korrigiert: kein Feuerwerk."}
    answer = client.post(URL, params=params, content=MODIFIED.encode(), headers=TEXT)
    assert answer.status_code == 409, answer.text
    assert CLAIM in answer.text
    assert _revisions(client) == [1, 2, 3]
    decided = {**params, "decide": "claim-1=updated"}
    answer = client.post(URL, params=decided, content=MODIFIED.encode(), headers=TEXT)
    assert answer.status_code == 201, answer.text
    (claim,) = answer.json()["claims"]
    assert claim["decision"] == "updated"
    assert _revisions(client) == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("params", "body", "status"),
    [
        ({"decide": "claim-1=maybe"}, MODIFIED.encode(), 400),
        ({"kind": "original"}, SHIFTED.encode(), 400),
        ({"dry-run": "yes"}, SHIFTED.encode(), 400),
        ({}, "Grüße".encode("latin-1"), 400),
        ({}, TEXTS[-1].encode(), 409),
        ({"note": " "}, SHIFTED.encode(), 422),
    ],
)
def test_bad_revisions_are_refused_and_change_nothing(
    client: TestClient, params: dict[str, str], body: bytes, status: int
) -> None:
    answer = client.post(URL, params=params, content=body, headers=TEXT)
    assert answer.status_code == status, answer.text
    assert _revisions(client) == [1, 2, 3]


def test_a_revision_needs_the_write_token(client: TestClient) -> None:
    answer = client.post(URL, content=SHIFTED.encode(), headers={"content-type": "text/plain"})
    assert answer.status_code == 401
    assert _revisions(client) == [1, 2, 3]


def test_without_writes_there_is_no_revision_route(tmp_path: Path) -> None:
    with TestClient(create_app(_settings(tmp_path / "project"))) as client:
        answer = client.post(URL, content=SHIFTED.encode(), headers=TEXT)
    assert answer.status_code in (404, 405)
