"""``/diff/<A>``, ``/feed`` and ``/feed/<A>`` on the shared revised project (3 revisions).

The article is the fictional Hafenfest of tests/history_fixtures.py, served
together with the shipped story (one revision), so the site feed holds both.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from lxml import etree
from pydantic import SecretStr

from kgpub.cli.main import main
from kgpub.config import Settings
from kgpub.history.atom import ATOM_NS
from kgpub.history.rdf_patch import parse_patch, write_patch
from kgpub.web.app import create_app
from tests.history_fixtures import BASE, NOTES, TIMES, RevisedProject, revised_project
from tests.paths import FIXTURES
from tests.writes_fixtures import AUTH, TOKEN

ATOM = etree.RelaxNG(etree.parse(str(FIXTURES / "atom" / "atom.rng")))
NS = {"a": ATOM_NS}
DIFF = "/diff/id/hafenfest"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> RevisedProject:
    root = tmp_path_factory.mktemp("history-routes") / "project"
    return revised_project(root, with_shipped_story=True)


@pytest.fixture(scope="module")
def client(project: RevisedProject) -> Iterator[TestClient]:
    settings = Settings(project_dir=project.root, validate_on_start=False)
    with TestClient(create_app(settings)) as c:
        yield c


def _apply(state: frozenset[ox.Quad], patch: str) -> frozenset[ox.Quad]:
    parsed = parse_patch(patch)
    return (state - set(parsed.deleted)) | set(parsed.added)


# ------------------------------------------------------------------------------------ diffs


def test_a_diff_is_rdf_patch_by_default_the_stored_patch_of_the_latest_revision(
    client: TestClient, project: RevisedProject
) -> None:
    r = client.get(DIFF)
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/rdf-patch; charset=utf-8"
    assert r.text == project.revisions[2].patch
    assert "Accept" in r.headers["vary"]
    assert (
        f'<{DIFF}?from=2&to=3&format=diff>; rel="alternate"; type="text/x-diff"'
        in (r.headers["link"])
    )
    assert _apply(project.states[1], r.text) == project.states[2]
    again = client.get(DIFF, headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304


def test_a_diff_over_two_revisions_is_composed_and_replays(
    client: TestClient, project: RevisedProject
) -> None:
    r = client.get(DIFF, params={"from": 1, "to": 3}, headers={"Accept": "text/rdf-patch"})
    assert r.status_code == 200
    patch = parse_patch(r.text)
    assert patch.header_value("id") == ox.NamedNode(BASE + "diff/id/hafenfest?from=1&to=3")
    assert patch.header_value("prev") == ox.NamedNode(project.revision_iri(1))
    assert _apply(project.states[0], r.text) == project.states[2]
    one_step = client.get(DIFF, params={"to": 2}).text
    assert one_step == project.revisions[1].patch  # from defaults to to - 1


def test_a_diff_as_a_unified_text_diff(client: TestClient, project: RevisedProject) -> None:
    r = client.get(DIFF, params={"from": 2, "to": 3}, headers={"Accept": "text/x-diff"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/x-diff; charset=utf-8"
    lines = r.text.splitlines()
    assert lines[:2] == [f"--- {project.revision_iri(2)}", f"+++ {project.revision_iri(3)}"]
    assert "-" + project.texts[1].splitlines()[1] in lines
    assert "+" + project.texts[2].splitlines()[1] in lines
    both = client.get(DIFF, params={"format": "diff", "from": 1, "to": 3}).text.splitlines()
    assert [x for x in both[2:] if x.startswith("+")] == ["+" + project.texts[2].splitlines()[1]]


@pytest.mark.skipif(shutil.which("patch") is None, reason="GNU patch applies the diff")
def test_gnu_patch_turns_revision_one_into_revision_three(
    client: TestClient, project: RevisedProject, tmp_path: Path
) -> None:
    text = tmp_path / "text.txt"
    text.write_bytes(project.texts[0].encode())
    diff = client.get(DIFF, params={"from": 1, "to": 3, "format": "diff"}).content
    subprocess.run(["patch", "--quiet", str(text)], input=diff, check=True)
    assert text.read_bytes().decode() == project.texts[2]


def test_a_diff_page_marks_the_text_and_lists_the_statements(client: TestClient) -> None:
    r = client.get(DIFF, headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    page = r.text
    assert re.search(r'<del class="diff"[^>]*>8000</del><ins class="diff"[^>]*>9000</ins>', page)
    assert "Hafenfest zieht Tausende an" in page
    removed = page[page.index('id="removed"') : page.index('id="added"')]
    added = page[page.index('id="added"') :]
    assert "(the article text, shown above)" in removed
    assert "(the article text, shown above)" in added
    assert "2026-01-10T12:00:00Z" in removed  # dateModified of revision 2 …
    assert "2026-01-11T09:30:00Z" in added  # … replaced by revision 3's
    assert NOTES[2] in page
    assert 'href="/id/hafenfest/revision/3"' in page
    german = client.get(DIFF, params={"lang": "de"}, headers={"Accept": "text/html"})
    assert "Änderungen" in german.text
    assert german.headers["content-language"] == "de"


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"from": "0"}, "from='0'"),
        ({"to": "4"}, "to='4'"),
        ({"from": "zwei"}, "from='zwei'"),
        ({"from": "3", "to": "2"}, "from=3 must be before to=2"),
        ({"from": "3"}, "from=3 must be before to=3"),
        ({"to": "1"}, "to=1 is the first revision"),
    ],
)
def test_bad_revision_numbers_are_a_400_naming_them(
    client: TestClient, params: dict[str, str], named: str
) -> None:
    r = client.get(DIFF, params=params)
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"
    assert named in r.json()["detail"]


def test_a_diff_of_an_article_with_one_revision_is_a_400_saying_so(client: TestClient) -> None:
    r = client.get("/diff/id/article")
    assert r.status_code == 400
    assert "one revision only" in r.json()["detail"]


def test_an_iri_without_history_is_a_404_and_an_unknown_format_a_406(client: TestClient) -> None:
    r = client.get("/diff/id/hafenfest/claim-1")
    assert r.status_code == 404
    assert r.json()["detail"] == (
        f"<{BASE}id/hafenfest/claim-1> has no recorded revisions (no article history names it)"
    )
    assert client.get("/feed/id/nowhere").status_code == 404
    assert client.get(DIFF, headers={"Accept": "application/json"}).status_code == 406


# ------------------------------------------------------------------------------------ feeds


def _feed(client: TestClient, path: str) -> etree._Element:
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/atom+xml"
    root = etree.fromstring(r.content)
    ATOM.assertValid(root)
    return root


def test_an_articles_feed_has_every_revision_newest_first(
    client: TestClient, project: RevisedProject
) -> None:
    root = _feed(client, "/feed/id/hafenfest")
    assert root.xpath("string(a:id)", namespaces=NS) == BASE + "feed/id/hafenfest"
    assert root.xpath("a:link[@rel='self']/@href", namespaces=NS) == [BASE + "feed/id/hafenfest"]
    assert root.xpath("string(a:updated)", namespaces=NS) == "2026-01-11T09:30:00Z"
    entries = root.xpath("a:entry", namespaces=NS)
    assert [e.xpath("string(a:updated)", namespaces=NS) for e in entries] == [
        t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in reversed(TIMES)
    ]
    assert [e.xpath("string(a:title)", namespaces=NS) for e in entries] == [
        "Correction: Hafenfest zieht Tausende an",
        "Update: Hafenfest zieht Tausende an",
        "Original: Hafenfest zieht Tausende an",
    ]
    assert [e.xpath("string(a:id)", namespaces=NS) for e in entries] == [
        "tag:kgpub.example,2026-01-11:id/hafenfest/revision/3",
        "tag:kgpub.example,2026-01-10:id/hafenfest/revision/2",
        "tag:kgpub.example,2026-01-10:id/hafenfest/revision/1",
    ]
    correction = entries[0]
    assert correction.xpath("a:category/@term", namespaces=NS) == ["correction"]
    assert correction.xpath("a:category/@scheme", namespaces=NS) == [
        BASE + "ontology/revision-kind"
    ]
    assert correction.xpath("string(a:content)", namespaces=NS) == NOTES[2]
    assert correction.get("{http://www.w3.org/XML/1998/namespace}lang") == "de"
    assert correction.xpath("a:link[@rel='alternate']/@href", namespaces=NS) == [
        project.revision_iri(3)
    ]
    assert correction.xpath("a:link[@rel='related']/@href", namespaces=NS) == [
        BASE + "diff/id/hafenfest?from=2&to=3"
    ]
    assert correction.xpath("a:link[@rel='memento']/@href", namespaces=NS) == [
        BASE + "memento/20260111093000/id/hafenfest"
    ]
    original = entries[2]
    assert original.xpath("a:content | a:link[@rel='related']", namespaces=NS) == []


def test_the_site_feed_holds_every_article_and_speaks_german_when_asked(
    client: TestClient,
) -> None:
    root = _feed(client, "/feed")
    assert root.xpath("string(a:id)", namespaces=NS) == BASE + "feed"
    alternates = root.xpath("a:entry/a:link[@rel='alternate']/@href", namespaces=NS)
    assert alternates == [
        BASE + "id/article/revision/1",  # 2026-11-25: the shipped story, first published
        BASE + "id/hafenfest/revision/3",
        BASE + "id/hafenfest/revision/2",
        BASE + "id/hafenfest/revision/1",
    ]
    german = etree.fromstring(client.get("/feed", headers={"Accept-Language": "de"}).content)
    assert german.xpath("string(a:title)", namespaces=NS) == "kgpub: jede Revision jedes Artikels"
    assert german.xpath("string(a:entry[2]/a:title)", namespaces=NS) == (
        "Korrektur: Hafenfest zieht Tausende an"
    )


# ------------------------------------------------------------------------- pages, sitemap


def test_the_home_page_and_the_article_page_link_their_feeds(client: TestClient) -> None:
    home = client.get("/", headers={"Accept": "text/html"}).text
    assert '<link rel="alternate" type="application/atom+xml" href="/feed"' in home
    article = client.get("/id/hafenfest", headers={"Accept": "text/html"}).text
    assert '<link rel="alternate" type="application/atom+xml" href="/feed/id/hafenfest"' in article


def test_the_sitemap_lists_the_feeds(client: TestClient) -> None:
    sitemap = client.get("/sitemap.xml").text
    for path in ("/feed", "/feed/id/article", "/feed/id/hafenfest"):
        assert f"<loc>http://testserver{path}</loc>" in sitemap


def _history_block(page: str) -> str:
    found = re.search(r'<section id="history".*?</section>', page, re.S)
    assert found is not None, "the page has no history block"
    return found.group(0)


def test_the_article_page_lists_its_revisions(client: TestClient) -> None:
    block = _history_block(client.get("/id/hafenfest", headers={"Accept": "text/html"}).text)
    rows = re.findall(r"<tr[ >].*?</tr>", block, re.S)[1:]
    assert len(rows) == 3
    assert 'href="/id/hafenfest/revision/1"' in rows[0]
    assert 'href="/memento/20260110080000/id/hafenfest"' in rows[0]
    assert "/diff/" not in rows[0]
    assert 'href="/diff/id/hafenfest?from=2&amp;to=3"' in rows[2]
    assert f'<span lang="de">{NOTES[2]}</span>' in rows[2]
    assert ">correction</a>" in rows[2]
    for link in re.findall(r'href="(/(?:memento|diff)/[^"]+)"', block):
        followed = client.get(link.replace("&amp;", "&"), headers={"Accept": "text/html"})
        assert followed.status_code == 200, link


def test_a_claim_page_shows_its_status_and_words_per_revision(client: TestClient) -> None:
    block = _history_block(
        client.get("/id/hafenfest/claim-1", headers={"Accept": "text/html"}).text
    )
    rows = re.findall(r"<tr[ >].*?</tr>", block, re.S)[1:]
    assert [re.findall(r"anchor-status#(\w+)", row) for row in rows] == [[], ["shifted"], ["exact"]]
    assert "as published" in rows[0]
    for row in rows:
        assert '<q lang="de">Das Fest endete mit einem Feuerwerk</q>' in row


def test_a_revision_is_described_from_the_history_graph(
    client: TestClient, project: RevisedProject
) -> None:
    page = client.get("/id/hafenfest/revision/2", headers={"Accept": "text/html"}).text
    assert "<h1>Revision 2 · Hafenfest zieht Tausende an</h1>" in page
    block = _history_block(page)
    assert '<tr class="current">' in block
    assert '<span aria-current="page">2</span>' in block
    turtle = client.get("/id/hafenfest/revision/2", headers={"Accept": "application/n-quads"})
    quads = set(ox.parse(turtle.content, format=ox.RdfFormat.N_QUADS))
    history = ox.NamedNode(BASE + "graph/history")
    record = ox.NamedNode(project.revision_iri(2))
    assert {q.predicate.value.rsplit("#", 1)[-1] for q in quads if q.subject == record} >= {
        "type",
        "revisionOf",
        "sequenceNumber",
        "contentHash",
        "patch",
        "editorNote",
        "anchoring",
    }
    assert all(q.graph_name == history for q in quads if q.subject == record)


def test_pages_outside_the_history_have_no_history_block(client: TestClient) -> None:
    for path in ("/id/elon-musk", "/ontology", "/graph/hafenfest"):
        page = client.get(path, headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert 'id="history"' not in page.text
        assert "application/atom+xml" not in page.text


# ------------------------------------------------------- after kgpub revise (end to end)

_R4 = (
    "Hafenfest zieht Tausende an\nDas Hafenfest in Beispielstadt zog am Samstag rund 9000 "
    "Besucher an. Am Nachmittag spielte eine Blaskapelle. Am Abend tanzten die Gäste. "
    "Das Fest endete mit einem Feuerwerk über dem Hafen.\n"
)
_R5 = _R4.replace("mit einem Feuerwerk", "mit keinem Feuerwerk")
_R6 = _R5.replace(" Das Fest endete mit keinem Feuerwerk über dem Hafen.", "")


def test_a_claim_updated_by_a_committed_correction_shows_its_fate_and_its_successor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/revisions.md's walkthrough (revisions 4 to 6), committed by ``kgpub revise`` and
    then served: the old claim is invalidated and replaced, the new one replaces it and is
    retracted in turn."""
    project = revised_project(tmp_path / "project")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r4.txt").write_bytes(_R4.encode())
    (tmp_path / "r5.txt").write_bytes(_R5.encode())
    (tmp_path / "r6.txt").write_bytes(_R6.encode())
    common = ["--project", str(project.root), "revise", "hafenfest"]
    assert main([*common, "r4.txt", "--note", "Abendprogramm ergänzt."]) == 0
    correction = ["--kind", "correction", "--note", "Korrigiert: Es gab kein Feuerwerk."]
    assert main([*common, "r5.txt", *correction, "--decide", "claim-1=updated"]) == 0
    retract = ["--note", "Satz zum Feuerwerk gestrichen.", "--decide", "claim-1-r5=retracted"]
    assert main([*common, "r6.txt", *retract]) == 0
    settings = Settings(project_dir=project.root, validate_on_start=False)
    with TestClient(create_app(settings)) as c:
        old = c.get("/id/hafenfest/claim-1", headers={"Accept": "text/html"})
        assert old.status_code == 200, old.text
        block = _history_block(old.text)
        assert "This claim is no longer current: invalidated on" in block
        assert 'href="/id/hafenfest/revision/5"' in block
        assert re.search(r'Replaced by: <a href="/id/hafenfest/claim-1-r5">', block)
        rows = re.findall(r"<tr[ >].*?</tr>", block, re.S)[1:]
        assert len(rows) == 6
        assert "anchor-status#modified" in rows[4]
        assert "claim-decision#updated" in rows[4]
        assert '<q lang="de">Das Fest endete mit keinem Feuerwerk</q>' in rows[4]
        assert "no longer current: invalidated by an earlier revision" in rows[5]
        assert "<q" not in rows[5]  # its frozen selectors point into an older text
        new = _history_block(
            c.get("/id/hafenfest/claim-1-r5", headers={"Accept": "text/html"}).text
        )
        assert re.search(r'Replaces: <a href="/id/hafenfest/claim-1">', new)
        new_rows = re.findall(r"<tr[ >].*?</tr>", new, re.S)[1:]
        assert ["not yet in this revision" in row for row in new_rows] == [True] * 4 + [False] * 2
        assert "anchor-status#orphaned" in new_rows[5]
        assert "claim-decision#retracted" in new_rows[5]
        assert "no span: the evidence was not found in this text" in new_rows[5]
        diff = c.get(DIFF, params={"to": 5}, headers={"Accept": "text/html"}).text
        assert re.search(
            r'<del class="diff"[^>]*>einem</del><ins class="diff"[^>]*>keinem</ins>', diff
        )
        feed = etree.fromstring(c.get("/feed/id/hafenfest").content)
        ATOM.assertValid(feed)
        assert feed.xpath("a:entry/a:category/@term", namespaces=NS) == [
            "update",
            "correction",
            "update",
            "correction",
            "update",
            "original",
        ]


def test_a_revision_written_by_patch_is_in_the_feed_and_its_diff_is_the_patch(
    tmp_path: Path,
) -> None:
    """``PATCH /graph-store`` (writes speak revisions) makes revision 4: the served feed and
    diff follow the store at once, with no restart."""
    project = revised_project(tmp_path / "project")
    settings = Settings(
        project_dir=project.root,
        validate_on_start=False,
        writes_enabled=True,
        write_token=SecretStr(TOKEN),
        write_editor=BASE + "id/hafenfest/desk",
        query_workers=1,
    )
    graph = ox.NamedNode(project.graph)
    claim, text = ox.NamedNode(project.claim), ox.NamedNode("https://schema.org/text")
    old = ox.Quad(
        claim, text, ox.Literal("The harbour festival ended with fireworks.", language="en"), graph
    )
    new = ox.Quad(
        claim, text, ox.Literal("The harbour festival closed with fireworks.", language="en"), graph
    )
    with TestClient(create_app(settings)) as c:
        assert (
            len(
                etree.fromstring(c.get("/feed/id/hafenfest").content).xpath(
                    "a:entry", namespaces=NS
                )
            )
            == 3
        )
        tag = c.head("/graph-store", params={"graph": project.graph}).headers["etag"]
        made = c.patch(
            "/graph-store",
            params={"graph": project.graph},
            content=write_patch([new], [old]),
            headers={**AUTH, "content-type": "text/rdf-patch", "if-match": tag},
        )
        assert made.status_code == 201, made.text
        feed = etree.fromstring(c.get("/feed/id/hafenfest").content)
        ATOM.assertValid(feed)
        assert feed.xpath("a:entry[1]/a:link[@rel='alternate']/@href", namespaces=NS) == [
            project.revision_iri(4)
        ]
        diff = parse_patch(c.get(DIFF).text)
        assert (diff.added, diff.deleted) == ((new,), (old,))
        page = c.get("/id/hafenfest/claim-1", headers={"Accept": "text/html"}).text
        assert 'href="/diff/id/hafenfest?from=3&amp;to=4"' in _history_block(page)
