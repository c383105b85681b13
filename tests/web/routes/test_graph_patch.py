"""``PATCH /graph-store``: writes speak revisions (issue 17), over HTTP.

The app is built through its factory on the shared revised project
(tests/history_fixtures.py: the fictional Hafenfest article, three revisions)
with writes on. A patch to the article's graph needs the graph's ETag (the
latest revision's) in If-Match, makes revision 4 (201, Location, new ETag),
and its record lands in the history graph with it; every other path answers
with its status and a message naming the problem.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from pydantic import SecretStr

from kgpub.config import Settings
from kgpub.history.rdf_patch import parse_patch, write_patch
from kgpub.history.records import Kind, Revision, Terms, read_revisions
from kgpub.history.replay import states
from kgpub.web.app import create_app
from tests.history_fixtures import ARTICLE, BASE, CLAIM, GRAPH, RevisedProject, revised_project
from tests.writes_fixtures import AUTH, TOKEN

HISTORY = BASE + "graph/history"
PATCH = {"content-type": "text/rdf-patch"}
G = ox.NamedNode(GRAPH)
TEXT = ox.NamedNode("https://schema.org/text")


def en(text: str) -> ox.Quad:
    return ox.Quad(ox.NamedNode(CLAIM), TEXT, ox.Literal(text, language="en"), G)


FIRST = en("The harbour festival ended with fireworks.")
SECOND = en("The harbour festival closed with fireworks.")
THIRD = en("The harbour festival closed with a fireworks display.")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> RevisedProject:
    return revised_project(tmp_path_factory.mktemp("patch-http") / "project")


def writable(project: RevisedProject, editor: str | None = BASE + "id/hafenfest/desk") -> Settings:
    """The revised project served with writes on, ``editor`` credited with them."""
    return Settings(
        project_dir=project.root,
        writes_enabled=True,
        write_token=SecretStr(TOKEN),
        write_editor=editor,
        query_workers=1,
    )


@pytest.fixture(scope="module")
def client(project: RevisedProject) -> Iterator[TestClient]:
    with TestClient(create_app(writable(project))) as c:
        yield c


def etag(client: TestClient, graph: str = GRAPH, fmt: str | None = None) -> str:
    params = {"graph": graph, **({"format": fmt} if fmt else {})}
    response = client.head("/graph-store", params=params)
    assert response.status_code == 200
    return response.headers["etag"]


def patch(
    client: TestClient, body: str, if_match: str | None, graph: str = GRAPH, **headers: str
) -> Response:
    sent = {**AUTH, **PATCH, **headers}
    if if_match is not None:
        sent["if-match"] = if_match
    return client.patch("/graph-store", params={"graph": graph}, content=body, headers=sent)


def revisions(client: TestClient) -> list[Revision]:
    response = client.get("/graph-store", params={"graph": HISTORY, "format": "nt"})
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(HISTORY))
        for t in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)
    ]
    return read_revisions(quads, Terms(BASE))[ARTICLE]


def graph_quads(client: TestClient) -> set[ox.Quad]:
    response = client.get("/graph-store", params={"graph": GRAPH, "format": "nt"})
    return {
        ox.Quad(t.subject, t.predicate, t.object, G)
        for t in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)
    }


def problem(response: Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    detail: str = response.json()["detail"]
    return detail


def test_a_covered_graph_is_tagged_by_its_latest_revision(
    client: TestClient, project: RevisedProject
) -> None:
    latest = project.revisions[-1]
    digest = latest.content_hash.removeprefix("sha256:")
    tag = etag(client)
    assert tag == f'"r{latest.number}-{digest}-ttl"'
    get = client.get("/graph-store", params={"graph": GRAPH}, headers={"if-none-match": tag})
    assert get.status_code == 304
    assert etag(client, fmt="jsonld") == f'"r{latest.number}-{digest}-jsonld"'


def test_the_patch_path_end_to_end(client: TestClient, project: RevisedProject) -> None:
    """428 without If-Match, 201 with Location for a revision, 412 for the old tag, 204 for
    a no-op; the history replays after each."""
    body = write_patch([SECOND], [FIRST])
    assert "If-Match" in problem(patch(client, body, None), 428)
    assert "names no revision" in problem(patch(client, body, "*"), 428)
    old = etag(client)
    note = "UTF-8'de'" + quote("Übersetzung berichtigt.", safe="")
    made = patch(
        client, body, old, **{"Kgpub-Revision-Kind": "correction", "Kgpub-Editor-Note": note}
    )
    assert made.status_code == 201, made.text
    assert made.headers["location"] == f"{ARTICLE}/revision/4"
    assert made.headers["etag"] == etag(client)
    assert made.headers["etag"].startswith('"r4-')
    history = revisions(client)
    fourth = history[-1]
    assert (fourth.number, fourth.kind, fourth.editor) == (
        4,
        Kind.CORRECTION,
        BASE + "id/hafenfest/desk",
    )
    assert (fourth.note, fourth.note_language) == ("Übersetzung berichtigt.", "de")
    assert fourth.generated > project.revisions[-1].generated
    assert fourth.patch is not None
    assert parse_patch(fourth.patch).added == (SECOND,)
    current = graph_quads(client)
    assert SECOND in current
    assert FIRST not in current
    assert states(current, history)[3] == project.states[2]

    assert "changed since it was read" in problem(patch(client, body, old), 412)
    # A format's tag of the current revision is as good as Turtle's; kind defaults to update.
    again = patch(client, write_patch([THIRD], [SECOND]), etag(client, fmt="nt"))
    assert again.status_code == 201
    assert again.headers["location"] == f"{ARTICLE}/revision/5"
    assert revisions(client)[-1].kind is Kind.UPDATE
    noop = patch(client, "TX .\nTC .\n", etag(client))
    assert noop.status_code == 204
    assert "location" not in noop.headers
    assert noop.headers["etag"] == etag(client)
    assert len(revisions(client)) == 5


def test_bad_patches_are_refused_naming_the_problem(client: TestClient) -> None:
    tag = etag(client)
    absent = en("never said")
    assert "row 1 (D " in problem(patch(client, write_patch([], [absent]), tag), 409)
    syntax = problem(patch(client, "TX .\nA <broken .\nTC .\n", tag), 400)
    assert syntax.startswith("rdf-patch:2:3: ")  # line 2, column 3
    other = f'A <{CLAIM}> <{TEXT.value}> "x" <{BASE}graph/other> .\n'
    assert "names the graph" in problem(patch(client, other, tag), 400)
    assert "blank node" in problem(patch(client, f'A _:b <{TEXT.value}> "x" .\n', tag), 400)
    assert "text/rdf-patch" in problem(
        patch(client, "TX .\nTC .\n", tag, **{"content-type": "text/turtle"}), 415
    )
    assert "Kgpub-Revision-Kind" in problem(
        patch(client, "TX .\nTC .\n", tag, **{"Kgpub-Revision-Kind": "original"}), 400
    )
    assert "RFC 8187" in problem(
        patch(client, "TX .\nTC .\n", tag, **{"Kgpub-Editor-Note": "no language"}), 400
    )
    assert "no graph" in problem(patch(client, "TX .\nTC .\n", tag, graph=BASE + "graph/nope"), 404)
    assert "history graph" in problem(patch(client, "TX .\nTC .\n", tag, graph=HISTORY), 403)
    unauthenticated = client.patch(
        "/graph-store", params={"graph": GRAPH}, content="TX .\nTC .\n", headers=PATCH
    )
    assert unauthenticated.status_code == 401
    assert etag(client) == tag  # nothing was written


def test_a_patch_breaking_a_shape_gets_the_report_and_makes_no_revision(
    client: TestClient,
) -> None:
    before = len(revisions(client))
    status = f"<{CLAIM}> <{BASE}ontology#epistemicStatus>"
    statuses = f"{BASE}ontology/epistemic-status#"
    body = f"D {status} <{statuses}narrated> .\nA {status} <{statuses}rumoured> .\n"
    refused = patch(client, body, etag(client))
    assert problem(refused, 422).startswith("the write would leave")
    paths = {v["resultPath"] for v in refused.json()["violations"]}
    assert f"{BASE}ontology#epistemicStatus" in paths
    position = f"<{ARTICLE}/anchor-1-position> <http://www.w3.org/ns/oa#start>"
    moved = f'A {position} "5"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
    assert "not its quote" in problem(patch(client, moved, etag(client)), 422)
    text = f'D <{ARTICLE}> <https://schema.org/name> "Hafenfest zieht Tausende an"@de .\n'
    text += f'A <{ARTICLE}> <https://schema.org/articleBody> "zweiter Text" .\n'
    assert "kgpub revise" in problem(patch(client, text, etag(client)), 409)
    assert len(revisions(client)) == before


def test_other_writes_to_a_covered_graph_or_the_history_are_refused(client: TestClient) -> None:
    tag = etag(client)
    ttl = {**AUTH, "content-type": "text/turtle"}
    triple = b"<https://kgpub.example/id/x> <https://kgpub.example/p> <https://kgpub.example/o> ."
    for method in ("put", "post"):
        answer = getattr(client, method)(
            "/graph-store", params={"graph": GRAPH}, content=triple, headers=ttl
        )
        assert "PATCH /graph-store" in problem(answer, 409)
    # The tag read by GET is current for a PUT's If-Match too: the refusal says why.
    with_tag = client.put(
        "/graph-store", params={"graph": GRAPH}, content=triple, headers={**ttl, "if-match": tag}
    )
    assert "PATCH /graph-store" in problem(with_tag, 409)
    assert "revision history" in problem(
        client.delete("/graph-store", params={"graph": GRAPH}, headers=AUTH), 409
    )
    update = {**AUTH, "content-type": "application/sparql-update"}
    insert = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:x:a> <urn:x:b> <urn:x:c> }} }}"
    assert f"<{GRAPH}>" in problem(client.post("/sparql", content=insert, headers=update), 409)
    into_history = insert.replace(GRAPH, HISTORY)
    assert "history graph" in problem(
        client.post("/sparql", content=into_history, headers=update), 403
    )
    put_history = client.put("/graph-store", params={"graph": HISTORY}, content=triple, headers=ttl)
    assert "history graph" in problem(put_history, 403)
    assert etag(client) == tag


def test_a_graph_without_history_is_patched_without_a_revision(client: TestClient) -> None:
    graph = BASE + "graph/notes"
    ttl = {**AUTH, "content-type": "text/turtle"}
    made = client.put(
        "/graph-store",
        params={"graph": graph},
        content=b'<urn:x:n> <urn:x:says> "one" .',
        headers=ttl,
    )
    assert made.status_code == 201
    tag = etag(client, graph)
    body = 'D <urn:x:n> <urn:x:says> "one" .\nA <urn:x:n> <urn:x:says> "two" .\n'
    assert patch(client, body, None, graph=graph).status_code == 428
    done = patch(client, body, tag, graph=graph)
    assert done.status_code == 204
    assert "location" not in done.headers
    assert done.headers["etag"] == etag(client, graph)
    assert patch(client, body, tag, graph=graph).status_code == 412


def test_patch_is_described_in_the_openapi_document(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/graph-store"]["patch"]
    assert set(operation["requestBody"]["content"]) == {"text/rdf-patch"}
    assert {"201", "204", "409", "412", "422", "428"} <= set(operation["responses"])
    headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
    assert headers == {"If-Match", "Kgpub-Revision-Kind", "Kgpub-Editor-Note"}


def test_a_read_only_server_has_no_patch(tmp_path: Path) -> None:
    project = revised_project(tmp_path / "ro")
    with TestClient(create_app(Settings(project_dir=project.root, query_workers=1))) as c:
        answer = c.patch(
            "/graph-store", params={"graph": GRAPH}, content="TX .\nTC .\n", headers=PATCH
        )
        assert answer.status_code == 405
        assert "PATCH" not in answer.headers["allow"]


def test_the_default_graph_is_patched_too(client: TestClient) -> None:
    tag = client.head("/graph-store", params={"default": ""}).headers["etag"]
    body = 'A <urn:x:d> <urn:x:says> "in the default graph" .\n'
    sent = {**AUTH, **PATCH, "if-match": tag}
    done = client.patch("/graph-store", params={"default": ""}, content=body, headers=sent)
    assert done.status_code == 204, done.text
    read = client.get("/graph-store", params={"default": "", "format": "nt"})
    assert "in the default graph" in read.text
    assert (
        done.headers["etag"] == client.head("/graph-store", params={"default": ""}).headers["etag"]
    )
    named = f'A <urn:x:d> <urn:x:says> "x" <{GRAPH}> .\n'
    fresh = {**sent, "if-match": done.headers["etag"]}
    refused = client.patch("/graph-store", params={"default": ""}, content=named, headers=fresh)
    assert "the request patches the default graph" in problem(refused, 400)


def test_a_patch_revision_is_served_as_history(tmp_path: Path) -> None:
    """The revision PATCH records is the one the history routes serve: its diff is its
    patch, it heads the article's feed and its TimeMap has a fourth memento."""
    project = revised_project(tmp_path / "served")
    with TestClient(create_app(writable(project, editor=None))) as c:
        note = "UTF-8'de'" + quote("Übersetzung berichtigt.", safe="")
        made = patch(c, write_patch([SECOND], [FIRST]), etag(c), **{"Kgpub-Editor-Note": note})
        assert made.status_code == 201, made.text
        (fourth,) = [r for r in revisions(c) if r.number == 4]
        diff = c.get("/diff/id/hafenfest")
        assert diff.status_code == 200
        assert diff.text == fourth.patch
        feed = c.get("/feed/id/hafenfest")
        assert feed.status_code == 200
        assert feed.text.count("<entry") == 4
        assert "Übersetzung berichtigt." in feed.text
        timemap = c.get("/timemap/id/hafenfest")
        assert timemap.status_code == 200
        stamps = [r.generated.strftime("%Y%m%d%H%M%S") for r in revisions(c)]
        assert len(stamps) == 4
        assert all(f"/memento/{stamp}/id/hafenfest>" in timemap.text for stamp in stamps)
