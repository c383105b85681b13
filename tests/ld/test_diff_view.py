"""A diff between two revisions as the page shows it (shared revised project, 3 revisions)."""

from __future__ import annotations

import pytest

from kgpub.errors import MalformedRequestError, NoHistoryError
from kgpub.history.text_diff import Segment
from kgpub.ld.diff_view import compare, diff_view
from kgpub.ld.page_model import Page
from kgpub.store.oxigraph import Store
from tests.history_fixtures import BASE, RevisedProject, revised_project


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> RevisedProject:
    return revised_project(tmp_path_factory.mktemp("diff-view") / "project")


@pytest.fixture(scope="module")
def store(project: RevisedProject) -> Store:
    return project.store()


def test_compare_names_both_revisions_and_carries_both_texts(
    store: Store, project: RevisedProject
) -> None:
    compared = compare(store, BASE, project.article, "1", None)
    assert (compared.start.number, compared.end.number) == (1, 3)
    assert compared.old_text == project.texts[0]
    assert compared.new_text == project.texts[2]
    assert compared.iri == BASE + "diff/id/hafenfest?from=1&to=3"
    assert compared.unified().startswith(
        f"--- {project.revision_iri(1)}\n+++ {project.revision_iri(3)}\n"
    )


def test_compare_refuses_what_has_no_history_or_no_such_revision(store: Store) -> None:
    with pytest.raises(NoHistoryError):
        compare(store, BASE, BASE + "id/elon-musk", None, None)
    with pytest.raises(MalformedRequestError, match="to='9'"):
        compare(store, BASE, BASE + "id/hafenfest", None, "9")


def test_the_view_marks_the_words_and_labels_the_statements(
    store: Store, project: RevisedProject
) -> None:
    view = diff_view(
        store, Page(BASE, {}, "en", False), compare(store, BASE, project.article, None, None)
    )
    assert view.title == "Hafenfest zieht Tausende an"
    assert (view.start.number, view.end.number) == (2, 3)
    assert view.end.kind.text == "correction"
    assert view.text_changed
    assert [s for s in view.segments if s.op != "equal"] == [
        Segment("delete", "8000"),
        Segment("insert", "9000"),
    ]
    removed = {(s.subject.text, s.predicate.text, s.object.text) for s in view.removed}
    added = {(s.subject.text, s.predicate.text, s.object.text) for s in view.added}
    title = "Hafenfest zieht Tausende an"
    assert removed == {
        (title, "article text", "(the article text, shown above)"),
        (title, "modified", "2026-01-10T12:00:00Z"),
    }
    assert {
        (title, "article text", "(the article text, shown above)"),
        (title, "modified", "2026-01-11T09:30:00Z"),
    } < added
    (correction,) = [s for s in view.added if s.object.href == "/id/hafenfest/revision/3"]
    assert correction.subject.href == "/id/hafenfest"
    assert correction.object.text == "Revision 3 · Hafenfest zieht Tausende an"


def test_an_update_that_only_adds_text_deletes_nothing(
    store: Store, project: RevisedProject
) -> None:
    view = diff_view(
        store, Page(BASE, {}, "de", False), compare(store, BASE, project.article, "1", "2")
    )
    assert [s.op for s in view.segments if s.op != "equal"] == ["insert"]
    (inserted,) = [s.text for s in view.segments if s.op == "insert"]
    assert "Am Nachmittag spielte eine Blaskapelle." in inserted
