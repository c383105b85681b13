"""Two revisions compared: the numbers ``from``/``to`` name, the patch between, the texts."""

from __future__ import annotations

from dataclasses import replace

import pyoxigraph as ox
import pytest

from kgpub.errors import HistoryError, MalformedRequestError
from kgpub.history.compare import Span, article_text, choose_span, patch_between
from kgpub.history.rdf_patch import parse_patch
from tests.history_fixtures import ARTICLE, RevisedProject, revised_project

DIFF = "https://kgpub.example/diff/id/hafenfest?from=1&to=3"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> RevisedProject:
    return revised_project(tmp_path_factory.mktemp("compare") / "project")


def test_the_defaults_compare_the_latest_revision_with_the_one_before() -> None:
    assert choose_span(3, None, None) == Span(2, 3)
    assert choose_span(3, None, "2") == Span(1, 2)
    assert choose_span(3, "1", None) == Span(1, 3)
    assert choose_span(3, " 1 ", "3") == Span(1, 3)
    assert choose_span(2, None, None).consecutive
    assert not Span(1, 3).consecutive


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("0", None, "from='0' is no revision: give a number from 1 to 3"),
        (None, "4", "to='4' is no revision: give a number from 1 to 3"),
        ("-1", None, "from='-1' is no revision"),
        ("1.5", None, "from='1.5' is no revision"),
        ("²", None, "from='²' is no revision"),
        ("", None, "from='' is no revision"),
        ("2", "2", "from=2 must be before to=2"),
        ("3", "1", "from=3 must be before to=1"),
        (None, "1", "to=1 is the first revision"),
    ],
)
def test_bad_numbers_are_refused_naming_the_parameter(
    start: str | None, end: str | None, message: str
) -> None:
    with pytest.raises(MalformedRequestError, match="^" + message.replace("(", r"\(")):
        choose_span(3, start, end)


def test_an_article_of_one_revision_has_nothing_to_compare() -> None:
    with pytest.raises(MalformedRequestError, match="one revision only"):
        choose_span(1, None, None)


def test_neighbours_get_the_stored_patch_word_for_word(project: RevisedProject) -> None:
    states = dict(enumerate(project.states, start=1))
    for number in (2, 3):
        patch = patch_between(project.revisions, states, Span(number - 1, number), DIFF)
        assert patch == project.revisions[number - 1].patch


def test_a_wider_span_is_composed_exactly_and_headed_with_the_diffs_iri(
    project: RevisedProject,
) -> None:
    states = dict(enumerate(project.states, start=1))
    patch = parse_patch(patch_between(project.revisions, states, Span(1, 3), DIFF))
    assert patch.header_value("id") == ox.NamedNode(DIFF)
    assert patch.header_value("prev") == ox.NamedNode(project.revision_iri(1))
    assert set(patch.added) == project.states[2] - project.states[0]
    assert set(patch.deleted) == project.states[0] - project.states[2]


def test_a_neighbour_without_its_patch_is_a_history_error(project: RevisedProject) -> None:
    broken = (project.revisions[0], replace(project.revisions[1], patch=None))
    with pytest.raises(HistoryError, match="revision/2> has no patch"):
        patch_between(broken, {}, Span(1, 2), DIFF)


def test_each_states_text_is_the_articles_body(project: RevisedProject) -> None:
    for state, text in zip(project.states, project.texts, strict=True):
        assert article_text(state, ARTICLE) == text
    assert article_text(project.states[0], ARTICLE + "/other") == ""
