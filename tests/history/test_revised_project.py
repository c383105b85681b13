"""The shared revised project (tests/history_fixtures.py) is what the model says a history is."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kgpub.cli.main import main
from kgpub.history.records import AnchorStatus, Kind, Terms, read_revisions
from kgpub.history.replay import states
from kgpub.rdf.sources import data_sources, read_all
from tests.history_fixtures import RevisedProject, revised_project


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> RevisedProject:
    return revised_project(tmp_path_factory.mktemp("revised") / "project")


def test_the_files_read_back_as_three_revisions_whose_states_replay(
    project: RevisedProject,
) -> None:
    settings = project.settings
    quads = read_all(data_sources(settings))
    history = [
        q for q in quads if q.graph_name == ox.NamedNode(settings.base_iri + "graph/history")
    ]
    (revisions,) = read_revisions(history, Terms(settings.base_iri)).values()
    assert tuple(revisions) == project.revisions
    assert [r.kind for r in revisions] == [Kind.ORIGINAL, Kind.UPDATE, Kind.CORRECTION]
    current = [q for q in quads if q.graph_name == ox.NamedNode(project.graph)]
    rebuilt = states(current, revisions)
    assert [rebuilt[n] for n in (1, 2, 3)] == list(project.states)


def test_the_claims_anchor_shifts_then_stays(project: RevisedProject) -> None:
    (_, second, third) = project.revisions
    assert [(a.status, a.start, a.end) for a in second.anchorings] == [
        (AnchorStatus.SHIFTED, *project.span(2))
    ]
    assert [(a.status, a.start, a.end) for a in third.anchorings] == [
        (AnchorStatus.EXACT, *project.span(3))
    ]
    assert project.span(1) != project.span(2) == project.span(3)
    assert (project.root / "articles/hafenfest/hafenfest.de.txt").read_text(
        "utf-8"
    ) == project.texts[2]


@pytest.mark.slow
def test_the_project_validates(project: RevisedProject, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KGPUB_PROJECT_DIR", str(project.root))
    assert main(["validate"]) == 0


def test_the_shipped_story_can_be_added(tmp_path: Path) -> None:
    both = revised_project(tmp_path / "both", with_shipped_story=True)
    slugs = sorted(p.name for p in (both.root / "articles").iterdir())
    assert slugs == ["hafenfest", "musk-trump-zelensky-call"]
