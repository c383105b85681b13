"""Memento (RFC 7089) over the routes: TimeGate, mementos and TimeMaps of a revised article.

The project is tests/history_fixtures.py's (a fictional article with three
revisions); the RFC's own examples (section 4.1.1's TimeGate answer, section
5's TimeMap) are reproduced against our routes, with our IRIs in theirs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from kgpub.cli.main import main
from kgpub.config import Settings
from kgpub.history.memento import http_date
from kgpub.history.rdf_patch import write_patch
from kgpub.web.app import create_app
from tests.history_fixtures import BASE, TIMES, RevisedProject, revised_project
from tests.web.routes.test_graph_patch import FIRST, SECOND, etag, patch, writable

ARTICLE_PATH = "/id/hafenfest"
STAMPS = ("20260110080000", "20260110120000", "20260111093000")
DATES = tuple(http_date(t) for t in TIMES)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> RevisedProject:
    return revised_project(tmp_path_factory.mktemp("memento") / "project")


@pytest.fixture(scope="module")
def client(project: RevisedProject) -> Iterator[TestClient]:
    settings = Settings(project_dir=project.root, query_workers=1, cache_bytes=0)
    with TestClient(create_app(settings)) as c:
        yield c


def links(header: str) -> dict[str, dict[str, str]]:
    """A Link header as {rel: {"uri": …, param: value}} (one entry per rel value)."""
    found: dict[str, dict[str, str]] = {}
    for value in re.split(r",\s*(?=<)", header):
        uri = value[value.index("<") + 1 : value.index(">")]
        params = dict(re.findall(r'(\w+)="([^"]*)"', value))
        for rel in params.get("rel", "").split():
            found[rel] = {"uri": uri, **params}
    return found


def vary(answer: Response) -> set[str]:
    return {v.strip().lower() for v in answer.headers["Vary"].split(",")}


def timegate(client: TestClient, path: str, when: str, **headers: str) -> Response:
    return client.get(path, headers={"Accept-Datetime": when, **headers}, follow_redirects=False)


# RFC 7089 section 4.1.1: the TimeGate's answer (there pattern 1.1; ours is 2.1, the original
# is its own TimeGate, so its Link says rel="original timegate").
def test_the_rfc_timegate_answer(client: TestClient) -> None:
    answer = timegate(client, ARTICLE_PATH, "Sat, 10 Jan 2026 13:00:00 GMT")
    assert answer.status_code == 302
    assert "accept-datetime" in vary(answer)
    assert answer.headers["Location"] == f"/memento/{STAMPS[1]}/id/hafenfest"
    rels = links(answer.headers["Link"])
    assert rels["original"]["uri"] == rels["timegate"]["uri"] == BASE + "id/hafenfest"
    assert rels["timemap"] == {
        "uri": BASE + "timemap/id/hafenfest",
        "rel": "timemap",
        "type": "application/link-format",
        "from": DATES[0],
        "until": DATES[2],
    }
    assert rels["first"]["uri"] == BASE + f"memento/{STAMPS[0]}/id/hafenfest"
    assert rels["prev"] == rels["first"]
    assert rels["next"]["uri"] == rels["last"]["uri"] == BASE + f"memento/{STAMPS[2]}/id/hafenfest"
    assert rels["memento"]["datetime"] in DATES


@pytest.mark.parametrize(
    ("when", "stamp"),
    [
        ("Thu, 01 Jan 2026 00:00:00 GMT", STAMPS[0]),  # before the first: the first
        ("Sat, 10 Jan 2026 08:00:00 GMT", STAMPS[0]),
        ("Sat, 10 Jan 2026 11:59:59 GMT", STAMPS[0]),
        ("Sun, 11 Jan 2026 09:30:00 GMT", STAMPS[2]),
        ("Fri, 01 Jan 2027 00:00:00 GMT", STAMPS[2]),
    ],
)
def test_the_timegate_picks_the_memento_current_then(
    client: TestClient, when: str, stamp: str
) -> None:
    answer = timegate(client, ARTICLE_PATH + "?format=ttl", when)
    assert answer.headers["Location"] == f"/memento/{stamp}/id/hafenfest?format=ttl"


def test_a_bad_accept_datetime_is_a_400_naming_it(client: TestClient) -> None:
    answer = timegate(client, ARTICLE_PATH, "2026-01-10T13:00:00Z")
    assert answer.status_code == 400
    assert "2026-01-10T13:00:00Z" in answer.json()["detail"]


def test_an_iri_without_history_answers_as_today(client: TestClient) -> None:
    plain = client.get("/ontology", headers={"Accept": "text/turtle"})
    answer = timegate(client, "/ontology", "Sat, 10 Jan 2026 13:00:00 GMT", Accept="text/turtle")
    assert answer.status_code == 200
    assert answer.content == plain.content
    assert "accept-datetime" not in vary(answer)
    assert "timemap" not in answer.headers["Link"]


def test_an_original_says_it_is_its_own_timegate(client: TestClient) -> None:
    answer = client.get(ARTICLE_PATH, headers={"Accept": "text/turtle"})
    assert answer.status_code == 200
    assert {"accept", "accept-language", "accept-datetime"} <= vary(answer)
    rels = links(answer.headers["Link"])
    assert rels["timegate"]["uri"] == BASE + "id/hafenfest"
    assert rels["timemap"]["uri"] == BASE + "timemap/id/hafenfest"


def _body_at(client: TestClient, stamp: str, path: str = "/id/hafenfest") -> str:
    answer = client.get(f"/memento/{stamp}{path}", headers={"Accept": "application/n-triples"})
    assert answer.status_code == 200, answer.text
    graph = ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES)
    (body,) = [t.object.value for t in graph if t.predicate.value.endswith("articleBody")]
    return str(body)


def test_each_memento_is_the_article_as_it_was(client: TestClient, project: RevisedProject) -> None:
    assert [_body_at(client, s) for s in STAMPS] == list(project.texts)


def test_a_mementos_headers(client: TestClient) -> None:
    answer = client.get(f"/memento/{STAMPS[1]}/id/hafenfest", headers={"Accept": "text/turtle"})
    assert answer.headers["Memento-Datetime"] == DATES[1]
    assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert answer.headers["Last-Modified"] == DATES[1]
    rels = links(answer.headers["Link"])
    assert rels["original"]["uri"] == BASE + "id/hafenfest"
    assert rels["timemap"]["uri"] == BASE + "timemap/id/hafenfest"
    assert rels["prev"]["uri"] == BASE + f"memento/{STAMPS[0]}/id/hafenfest"
    assert rels["next"]["uri"] == BASE + f"memento/{STAMPS[2]}/id/hafenfest"
    assert answer.headers["Content-Location"] == f"/memento/{STAMPS[1]}/id/hafenfest?format=ttl"
    again = client.get(
        f"/memento/{STAMPS[1]}/id/hafenfest",
        headers={"Accept": "text/turtle", "If-None-Match": answer.headers["ETag"]},
    )
    assert again.status_code == 304


def test_the_memento_page_shows_the_text_then(client: TestClient, project: RevisedProject) -> None:
    page = client.get(f"/memento/{STAMPS[0]}/id/hafenfest", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "8000 Besucher" in page.text
    assert "Blaskapelle" not in page.text
    assert '<time datetime="2026-01-10T08:00:00Z">' in page.text
    assert '<a href="/id/hafenfest">' in page.text
    assert '<a href="/timemap/id/hafenfest">' in page.text
    today = client.get(ARTICLE_PATH, headers={"Accept": "text/html"})
    assert 'id="memento"' not in today.text
    german = client.get(f"/memento/{STAMPS[0]}/id/hafenfest?format=html&lang=de")
    assert "Eine frühere Fassung" in german.text
    assert page.headers["Memento-Datetime"] == DATES[0]
    latest = client.get(f"/memento/{STAMPS[2]}/id/hafenfest", headers={"Accept": "text/html"})
    assert "9000 Besucher" in latest.text


def test_a_claim_has_mementos(client: TestClient, project: RevisedProject) -> None:
    path = "/" + project.claim.removeprefix(BASE)
    answer = timegate(client, path, "Sat, 10 Jan 2026 09:00:00 GMT")
    assert answer.headers["Location"] == f"/memento/{STAMPS[0]}{path}"
    memento = client.get(answer.headers["Location"], headers={"Accept": "text/turtle"})
    assert memento.status_code == 200
    assert memento.headers["Memento-Datetime"] == DATES[0]


def test_a_revision_exists_from_its_own_time(client: TestClient, project: RevisedProject) -> None:
    path = "/" + project.revision_iri(3).removeprefix(BASE)
    tm = client.get("/timemap" + path, headers={"Accept": "application/json"}).json()
    assert [m["datetime"] for m in tm["mementos"]["list"]] == ["2026-01-11T09:30:00Z"]
    early = client.get(f"/memento/{STAMPS[0]}{path}", follow_redirects=False)
    assert early.status_code == 302
    assert early.headers["Location"] == f"/memento/{STAMPS[2]}{path}"


def test_an_unknown_stamp_is_sent_to_the_memento_current_then(client: TestClient) -> None:
    answer = client.get("/memento/20260110130000/id/hafenfest?format=nt", follow_redirects=False)
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/memento/{STAMPS[1]}/id/hafenfest?format=nt"


@pytest.mark.parametrize("stamp", ["2026", "20261310080000", "2026011008000x"])
def test_a_bad_stamp_is_a_400(client: TestClient, stamp: str) -> None:
    answer = client.get(f"/memento/{stamp}/id/hafenfest")
    assert answer.status_code == 400
    assert stamp in answer.json()["detail"]


def test_no_history_no_memento_no_timemap(client: TestClient) -> None:
    for path in (f"/memento/{STAMPS[0]}/ontology", "/timemap/ontology", "/timemap/id/nobody"):
        answer = client.get(path, headers={"Accept": "application/json"})
        assert answer.status_code == 404, path
        assert "has no history" in answer.json()["detail"]


# RFC 7089 section 5.2: the TimeMap, in link-format, one link-value a line.
def test_the_rfc_timemap(client: TestClient) -> None:
    answer = client.get("/timemap/id/hafenfest")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/link-format"
    memento = BASE + "memento/{}/id/hafenfest"
    assert answer.text.splitlines() == [
        f'<{BASE}id/hafenfest>;rel="original",',
        f'<{BASE}timemap/id/hafenfest>;rel="self";type="application/link-format"'
        f';from="{DATES[0]}";until="{DATES[2]}",',
        f'<{BASE}id/hafenfest>;rel="timegate",',
        f'<{memento.format(STAMPS[0])}>;rel="first memento";datetime="{DATES[0]}",',
        f'<{memento.format(STAMPS[1])}>;rel="memento";datetime="{DATES[1]}",',
        f'<{memento.format(STAMPS[2])}>;rel="last memento";datetime="{DATES[2]}"',
    ]


def test_the_timemap_as_json_and_prov(client: TestClient) -> None:
    body = client.get("/timemap/id/hafenfest", headers={"Accept": "application/json"}).json()
    assert body["original_uri"] == body["timegate_uri"] == BASE + "id/hafenfest"
    assert len(body["mementos"]["list"]) == 3
    turtle = client.get("/timemap/id/hafenfest", headers={"Accept": "text/turtle"})
    assert turtle.headers["Content-Type"] == "text/turtle; charset=utf-8"
    graph = list(ox.parse(turtle.content, format=ox.RdfFormat.TURTLE))
    prov = "http://www.w3.org/ns/prov#"
    originals = {t.object.value for t in graph if t.predicate.value == prov + "specializationOf"}
    assert originals == {BASE + "id/hafenfest"}
    times = sorted(t.object.value for t in graph if t.predicate.value == prov + "generatedAtTime")
    assert times == ["2026-01-10T08:00:00Z", "2026-01-10T12:00:00Z", "2026-01-11T09:30:00Z"]
    jsonld = client.get("/timemap/id/hafenfest", headers={"Accept": "application/ld+json"})
    assert jsonld.status_code == 200
    assert json.loads(jsonld.content)


def test_the_shipped_story_has_its_one_memento() -> None:
    """docs/revisions.md's example: the shipped story's revision 1 (2026-11-25T02:50:05Z)."""
    with TestClient(create_app(Settings(validate_on_start=False, query_workers=1))) as shipped:
        answer = timegate(shipped, "/id/article", "Tue, 01 Dec 2026 00:00:00 GMT")
        assert answer.headers["Location"] == "/memento/20261125025005/id/article"
        nt = {"Accept": "application/n-triples"}
        memento = shipped.get(answer.headers["Location"], headers=nt)
        today = shipped.get("/id/article", headers=nt)
        assert memento.headers["Memento-Datetime"] == "Wed, 25 Nov 2026 02:50:05 GMT"
        # One revision: the memento says what today's answer says (in another order).
        assert set(memento.text.splitlines()) == set(today.text.splitlines())
        timemap = shipped.get("/timemap/id/article").text
        assert timemap.count("datetime=") == 1
        assert 'rel="first last memento"' in timemap


def test_head_answers_like_get(client: TestClient) -> None:
    for path in ("/timemap/id/hafenfest", f"/memento/{STAMPS[0]}/id/hafenfest"):
        got, head = client.get(path), client.head(path)
        assert head.status_code == 200
        assert head.content == b""
        assert head.headers["ETag"] == got.headers["ETag"]
        assert head.headers["Content-Length"] == str(len(got.content))


def test_revisions_committed_by_kgpub_revise_have_mementos(tmp_path: Path) -> None:
    """The revision writer (``kgpub revise``) and the Memento reader agree: a committed
    update and a correction whose claim is replaced (docs/revisions.md's walkthrough)."""
    project = revised_project(tmp_path / "project")
    body = project.texts[2].split("\n")[1]
    r4 = body.replace("Blaskapelle.", "Blaskapelle. Am Abend tanzten die Gäste.")
    r5 = r4.replace("mit einem Feuerwerk", "mit keinem Feuerwerk")
    for number, (text, options) in enumerate(
        [
            (r4, ["--note", "Abendprogramm ergänzt."]),
            (
                r5,
                [
                    "--kind",
                    "correction",
                    "--note",
                    "Kein Feuerwerk.",
                    "--decide",
                    "claim-1=updated",
                ],
            ),
        ],
        start=4,
    ):
        new = tmp_path / f"r{number}.txt"
        new.write_text(f"Hafenfest zieht Tausende an\n{text}\n", encoding="utf-8")
        assert (
            main(["--project", str(project.root), "revise", "hafenfest", str(new), *options]) == 0
        )
    settings = Settings(project_dir=project.root, query_workers=1, validate_on_start=False)
    with TestClient(create_app(settings)) as revised:
        timemap = revised.get("/timemap/id/hafenfest", headers={"Accept": "application/json"})
        stamps = [m["uri"].split("/")[4] for m in timemap.json()["mementos"]["list"]]
        assert stamps[:3] == list(STAMPS)
        assert len(stamps) == 5
        assert _body_at(revised, stamps[3]) == f"Hafenfest zieht Tausende an\n{r4}\n"
        assert _body_at(revised, stamps[1]) == project.texts[1]
        successor = revised.get(
            "/timemap/id/hafenfest/claim-1-r5", headers={"Accept": "application/json"}
        )
        assert [m["uri"].split("/")[4] for m in successor.json()["mementos"]["list"]] == stamps[4:]
        old = revised.get("/timemap/id/hafenfest/claim-1", headers={"Accept": "application/json"})
        assert len(old.json()["mementos"]["list"]) == 5  # never deleted: in every revision


def test_a_live_patch_is_a_new_memento_at_once(tmp_path: Path) -> None:
    """A revision made over HTTP (PATCH with RDF Patch) is in the TimeMap, its memento and
    time-travel queries at once; the mementos before it still show the old text."""
    project = revised_project(tmp_path / "project")
    settings = writable(project)
    claim_path = "/" + project.claim.removeprefix(BASE)
    text = f"<{project.claim}> <https://schema.org/text> ?t"
    query = f'SELECT ?t WHERE {{ {text} FILTER(lang(?t) = "en") }}'
    with TestClient(create_app(settings)) as live:
        before = live.get("/timemap" + claim_path, headers={"Accept": "application/json"}).json()
        assert len(before["mementos"]["list"]) == 3
        made = patch(live, write_patch([SECOND], [FIRST]), etag(live))
        assert made.status_code == 201, made.text
        after = live.get("/timemap" + claim_path, headers={"Accept": "application/json"}).json()
        stamps = [m["uri"].split("/")[4] for m in after["mementos"]["list"]]
        assert stamps[:3] == list(STAMPS)
        assert len(stamps) == 4
        nt = {"Accept": "application/n-triples"}
        newest = live.get(f"/memento/{stamps[3]}{claim_path}", headers=nt).text
        oldest = live.get(f"/memento/{STAMPS[2]}{claim_path}", headers=nt).text
        assert "closed with fireworks" in newest
        assert "ended with fireworks" not in newest
        assert "ended with fireworks" in oldest
        json_results = {"Accept": "application/sparql-results+json"}
        at = {"query": query, "at": "2026-01-12T00:00:00Z"}
        then = live.get("/sparql", params=at, headers=json_results)
        now = live.get("/sparql", params={"query": query}, headers=json_results)
        assert isinstance(FIRST.object, ox.Literal)
        assert isinstance(SECOND.object, ox.Literal)
        assert [b["t"]["value"] for b in then.json()["results"]["bindings"]] == [FIRST.object.value]
        assert [b["t"]["value"] for b in now.json()["results"]["bindings"]] == [SECOND.object.value]
