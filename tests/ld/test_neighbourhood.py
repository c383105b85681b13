"""The neighbourhood picture: an inline SVG on every resource page, escaped and linked."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from kgpub.config import Settings
from kgpub.ld import neighbourhood
from kgpub.ld.describe import describe, incoming
from kgpub.ld.resource_view import fold
from kgpub.namespaces import RDF_TYPE
from kgpub.store.oxigraph import Store
from kgpub.web.app import create_app

BASE = "https://kgpub.example/"
HTML = {"Accept": "text/html"}
EVIL = "<script>alert(1)</script>"
PARTS = ("evidence", "statement")


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(validate_on_start=False))) as c:
        yield c


def _svg(page: str) -> str:
    found = re.search(r'<section id="neighbourhood">.*?(<svg\b.*?</svg>)', page, re.S)
    assert found is not None, "no neighbourhood picture"
    return found.group(1)


def _neighbours(store: Store, iri: str) -> set[str]:
    description = describe(store, iri)
    assert description is not None
    out = {
        q.object.value
        for q in description.about(iri)
        if isinstance(q.object, ox.NamedNode)
        # its types, its own evidence (the text shows it) and statements are not drawn
        and q.predicate.value not in (RDF_TYPE, *(BASE + "ontology#" + p for p in PARTS))
    }
    # Statements and evidence anchors are drawn as the claim that holds them.
    folded = fold(store, incoming(store, iri), BASE + "ontology#")
    return (out | {link.subject for link in folded}) - {iri}


def _page_of(iri: str) -> str:
    return "/" + iri[len(BASE) :] if iri.startswith(BASE) else iri


@pytest.mark.parametrize("slug", ["elon-musk", "claim-musk-founded-spacex", "article"])
def test_resource_pages_draw_a_node_per_neighbour(
    client: TestClient, store: Store, slug: str
) -> None:
    iri = BASE + "id/" + slug
    svg = _svg(client.get(f"/id/{slug}", headers=HTML).text)
    neighbours = _neighbours(store, iri)
    links = re.findall(r'<a href="([^"]*)" class="node">', svg)
    assert len(links) == min(len(neighbours), neighbourhood.CAP)
    assert len(set(links)) == len(links)
    assert {html.unescape(h) for h in links} <= {_page_of(n) for n in neighbours}
    assert f'<a href="/id/{slug}" class="centre">' in svg
    more = len(neighbours) - neighbourhood.CAP
    assert (f"+{more} more" in svg) is (more > 0)


def test_edges_are_labelled_in_the_page_language(client: TestClient) -> None:
    english = _svg(client.get("/id/claim-musk-founded-spacex?lang=en", headers=HTML).text)
    german = _svg(client.get("/id/claim-musk-founded-spacex?lang=de", headers=HTML).text)
    edge_labels = re.compile(r'<text class="prop"[^>]*>([^<]*)</text>')
    assert set(edge_labels.findall(english)) != set(edge_labels.findall(german))
    assert "Nachbarschaft im Graphen" in german


def test_claim_links_to_who_claims_it(client: TestClient) -> None:
    # "der SpaceX-Gründer" is the article's own description (issue 14): its narrator claims it.
    svg = _svg(client.get("/id/claim-musk-founded-spacex", headers=HTML).text)
    assert (
        '<a href="/id/article-narrator" class="node"><title>the article (its own narration) — '
        in svg
    )


@pytest.fixture(scope="module")
def evil_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    project = tmp_path_factory.mktemp("evil-neighbours")
    for folder in ("ontology", "data", "shapes"):
        (project / folder).mkdir()
    (project / "data" / "evil.ttl").write_text(
        "PREFIX schema: <https://schema.org/>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        f'<{BASE}id/centre> schema:name "Centre" ; schema:about <{BASE}id/evil> .\n'
        f'<{BASE}id/evil> schema:name "{EVIL}" .\n'
        f'<{BASE}id/fan> schema:name "A & B" ; schema:mentions <{BASE}id/centre> .\n'
        f'schema:about rdfs:label "{EVIL}"@en .\n',
        encoding="utf-8",
    )
    settings = Settings(project_dir=Path(project), validate_on_start=False)
    with TestClient(create_app(settings)) as c:
        yield c


def test_labels_in_the_picture_are_escaped(evil_client: TestClient) -> None:
    svg = _svg(evil_client.get("/id/centre", headers=HTML).text)
    assert "<script" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg  # the full label, as the tooltip
    assert "A &amp; B" in svg
    assert '<a href="/id/evil" class="node">' in svg
    assert '<a href="/id/fan" class="node">' in svg


def _node(i: int) -> neighbourhood.Node:
    return neighbourhood.Node(f"{BASE}id/n{i}", f"n{i}", f"/id/n{i}", "p", True, False)


def test_cap_and_note_and_same_picture_every_time() -> None:
    nodes = [_node(i) for i in range(30)]

    def draw() -> str:
        return str(neighbourhood.svg("c", "/id/c", nodes, title="t", more=lambda n: f"+{n} more"))

    first = draw()
    assert first == draw()
    assert first.count('class="node"') == neighbourhood.CAP
    assert "+6 more" in first
    assert 'href="/id/n24"' not in first


def test_nodes_group_edges_and_order_outgoing_first() -> None:
    edges = [
        neighbourhood.Edge("urn:x:c", "urn:p:cites", outgoing=False),
        neighbourhood.Edge("urn:x:b", "urn:p:knows", outgoing=False),
        neighbourhood.Edge("urn:x:a", "urn:p:likes", outgoing=True),
        neighbourhood.Edge("urn:x:b", "urn:p:likes", outgoing=True),
    ]
    nodes = neighbourhood.nodes(edges, lambda i: i.rsplit(":", 1)[1], lambda i: i)
    assert [(n.iri, n.edge_label, n.outgoing, n.incoming) for n in nodes] == [
        ("urn:x:b", "knows, likes", True, True),
        ("urn:x:a", "likes", True, False),
        ("urn:x:c", "cites", False, True),
    ]
