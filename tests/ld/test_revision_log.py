"""Which history a page shows, read from the store (shared revised project, 3 revisions)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kgpub.errors import HistoryError
from kgpub.ld.revision_log import Located, article_states, histories, locate
from kgpub.store.oxigraph import Store
from tests.history_fixtures import BASE, RevisedProject, revised_project


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> RevisedProject:
    return revised_project(tmp_path_factory.mktemp("log") / "project", with_shipped_story=True)


@pytest.fixture(scope="module")
def store(project: RevisedProject) -> Store:
    return project.store()


def test_every_articles_revisions_are_read_from_the_history_graph(
    store: Store, project: RevisedProject
) -> None:
    found = histories(store, BASE)
    assert sorted(found) == [BASE + "id/article", project.article]
    assert tuple(found[project.article]) == project.revisions
    assert [r.number for r in found[BASE + "id/article"]] == [1]


def test_the_article_its_revisions_and_its_claims_are_located(
    store: Store, project: RevisedProject
) -> None:
    assert locate(store, BASE, project.article) == Located(project.article, project.revisions)
    assert locate(store, BASE, project.revision_iri(3)) == Located(
        project.article, project.revisions, 3
    )
    assert locate(store, BASE, project.claim) == Located(project.article, project.revisions)
    for elsewhere in (BASE + "id/elon-musk", BASE + "graph/hafenfest", "https://schema.org/Thing"):
        assert locate(store, BASE, elsewhere) is None


def test_states_replay_from_the_current_graphs(store: Store, project: RevisedProject) -> None:
    assert article_states(store, project.revisions) == dict(enumerate(project.states, start=1))


def test_graphs_changed_outside_a_revision_are_a_history_error(
    store: Store, project: RevisedProject
) -> None:
    changed = Store()
    changed.add_quads(store.quads())
    changed.add_quads(
        [
            ox.Quad(
                ox.NamedNode(project.article),
                ox.NamedNode("https://schema.org/keywords"),
                ox.Literal("Hafen"),
                ox.NamedNode(project.graph),
            )
        ]
    )
    with pytest.raises(HistoryError, match="do not match revision 3's content hash"):
        article_states(changed, project.revisions)


def test_a_store_without_a_history_graph_has_no_histories() -> None:
    assert histories(Store(), BASE) == {}
    assert locate(Store(), BASE, BASE + "id/article") is None
