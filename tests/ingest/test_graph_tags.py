"""``ingest.graph_tags``: a graph's ETags, its latest revision's where it has history."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kgpub.ingest.graph_tags import content_etags, current_matcher, revision_etag, revision_matcher
from kgpub.store.changes import Changes
from kgpub.store.oxigraph import Store
from tests.history_fixtures import BASE, GRAPH, RevisedProject, revised_project


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> RevisedProject:
    return revised_project(tmp_path_factory.mktemp("tags") / "project")


@pytest.fixture
def store(project: RevisedProject) -> Store:
    return project.store()


def test_a_revision_tag_names_its_number_hash_and_format(project: RevisedProject) -> None:
    latest = project.revisions[-1]
    tag = revision_etag(latest, "ttl")
    assert tag == f'"r3-{latest.content_hash.removeprefix("sha256:")}-ttl"'
    assert tag != revision_etag(latest, "nt")  # each representation its own strong tag
    matches = revision_matcher(latest)
    assert matches(tag)
    assert matches(revision_etag(latest, "jsonld"))
    assert not matches(revision_etag(project.revisions[1], "ttl"))
    assert not matches(f"W/{tag}")
    assert not matches(tag[:-1])
    assert not matches(revision_etag(latest, "")[:-1])


def test_the_current_tags_are_the_revisions_where_there_is_history(
    project: RevisedProject, store: Store
) -> None:
    covered = current_matcher(store, ox.NamedNode(GRAPH), BASE)
    assert covered(revision_etag(project.revisions[-1], "trig"))
    bytes_tags = content_etags(store, ox.NamedNode(GRAPH), BASE)
    assert not any(covered(tag) for tag in bytes_tags)
    other = ox.NamedNode(BASE + "graph/background")
    plain = current_matcher(store, other, BASE)
    assert all(plain(tag) for tag in content_etags(store, other, BASE))
    assert not plain(revision_etag(project.revisions[-1], "ttl"))


def test_a_broken_history_falls_back_to_the_bytes_tags(
    project: RevisedProject, store: Store
) -> None:
    history = ox.NamedNode(BASE + "graph/history")
    third = ox.NamedNode(project.revision_iri(3))
    number = ox.NamedNode(BASE + "ontology#sequenceNumber")
    gone = [q for q in store.graph_quads(history) if q.subject == third and q.predicate == number]
    assert len(gone) == 1
    store.apply(Changes(removed=tuple(gone)))  # revision 3's record loses its number
    matches = current_matcher(store, ox.NamedNode(GRAPH), BASE)
    assert all(matches(tag) for tag in content_etags(store, ox.NamedNode(GRAPH), BASE))
