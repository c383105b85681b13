"""``ingest.covered``: which graphs have history, and the writes refused on them."""

from __future__ import annotations

from dataclasses import replace

import pyoxigraph as ox
import pytest

from kgpub.errors import HistoryError, ProtectedGraphError, UnrecordedWriteError
from kgpub.history.records import Terms, revision_quads
from kgpub.ingest.covered import covered_graphs, covering, refuse_unrecorded, touched
from kgpub.store.changes import Changes
from kgpub.store.oxigraph import Store
from tests.history_fixtures import ARTICLE, BASE, GRAPH, RevisedProject, revised_project

TERMS = Terms(BASE)
G = ox.NamedNode(GRAPH)
OTHER = ox.NamedNode(BASE + "graph/other")
QUAD = ox.Quad(ox.NamedNode(BASE + "id/x"), ox.NamedNode(BASE + "p"), ox.Literal("x"), G)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> RevisedProject:
    return revised_project(tmp_path_factory.mktemp("covered") / "project")


@pytest.fixture
def store(project: RevisedProject) -> Store:
    return project.store()


def test_the_article_graph_is_covered_by_its_article(project: RevisedProject, store: Store) -> None:
    covered = covering(store, TERMS, G)
    assert covered is not None
    assert covered.article == ARTICLE
    assert covered.revisions == project.revisions
    assert covered.graphs == (G,)
    assert covered_graphs(store, TERMS) == {G: {ARTICLE}}
    assert covering(store, TERMS, OTHER) is None
    assert covering(store, TERMS, ox.DefaultGraph()) is None


def test_a_graph_two_articles_claim_is_a_history_error(
    project: RevisedProject, store: Store
) -> None:
    other = replace(project.revisions[0], article=BASE + "id/twin")
    store.add_quads(revision_quads(other, TERMS))
    with pytest.raises(HistoryError, match="more than one article"):
        covering(store, TERMS, G)


def test_writes_that_are_not_revisions_are_refused_on_covered_graphs(store: Store) -> None:
    with pytest.raises(UnrecordedWriteError, match=f"<{GRAPH}>, a graph of <{ARTICLE}>"):
        refuse_unrecorded(store, TERMS, Changes(added=(QUAD,)))
    with pytest.raises(UnrecordedWriteError):
        refuse_unrecorded(store, TERMS, Changes(dropped=(G,)))
    with pytest.raises(ProtectedGraphError, match="graph/history"):
        refuse_unrecorded(store, TERMS, Changes(created=(TERMS.history_graph,)))
    elsewhere = ox.Quad(QUAD.subject, QUAD.predicate, QUAD.object, OTHER)
    refuse_unrecorded(store, TERMS, Changes(added=(elsewhere,)))  # no history there: allowed
    assert touched(Changes(added=(elsewhere,), dropped=(G,))) == {OTHER, G}
