"""The "History" block as data, on the shared revised project (fictional Hafenfest, 3 revisions)."""

from __future__ import annotations

from dataclasses import replace

import pyoxigraph as ox
import pytest

from kgpub.history.records import Anchoring, AnchorStatus, Decision
from kgpub.ld.history_view import ClaimAt, history_view, link, wanted_iris
from kgpub.ld.page_model import Page
from kgpub.ld.resource_view import add_labels
from kgpub.ld.revision_log import Located, locate
from kgpub.namespaces import DCTERMS, PROV, XSD
from kgpub.store.oxigraph import Store
from tests.history_fixtures import BASE, NOTES, QUOTE, RevisedProject, revised_project

KGPUB = BASE + "ontology#"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> RevisedProject:
    return revised_project(tmp_path_factory.mktemp("history-view") / "project")


@pytest.fixture(scope="module")
def store(project: RevisedProject) -> Store:
    return project.store()


def _page(lang: str = "en", *, from_param: bool = False) -> Page:
    return Page(BASE, {}, lang, from_param)


def _view(store: Store, iri: str, lang: str = "en", located: Located | None = None):  # type: ignore[no-untyped-def]
    page = _page(lang)
    located = located or locate(store, BASE, iri)
    add_labels(store, page, wanted_iris(store, BASE, iri, located))
    return history_view(store, page, iri, located), page


def test_an_articles_history_lists_its_revisions_with_their_links(
    store: Store, project: RevisedProject
) -> None:
    view, _ = _view(store, project.article)
    assert view is not None
    assert not view.is_claim
    assert view.feed_href == "/feed/id/hafenfest"
    assert view.article.text == "Hafenfest zieht Tausende an"
    rows = view.rows
    assert [(r.number, r.kind_key, r.kind.text, r.time) for r in rows] == [
        (1, "original", "original", "2026-01-10T08:00:00Z"),
        (2, "update", "update", "2026-01-10T12:00:00Z"),
        (3, "correction", "correction", "2026-01-11T09:30:00Z"),
    ]
    assert [r.note for r in rows] == list(NOTES)
    assert [r.note_lang for r in rows] == ["", "de", "de"]
    assert [r.href for r in rows] == [f"/id/hafenfest/revision/{n}" for n in (1, 2, 3)]
    assert [r.diff_href for r in rows] == [
        None,
        "/diff/id/hafenfest?from=1&to=2",
        "/diff/id/hafenfest?from=2&to=3",
    ]
    assert rows[2].memento_href == "/memento/20260111093000/id/hafenfest"
    assert not any(r.current for r in rows)
    assert all(r.claim is None for r in rows)


def test_labels_follow_the_readers_language(store: Store, project: RevisedProject) -> None:
    view, _ = _view(store, project.article, "de")
    assert view is not None
    assert [r.kind.text for r in view.rows] == [
        "Erstveröffentlichung",
        "Aktualisierung",
        "Korrektur",
    ]


def test_a_revisions_page_marks_it_and_names_its_record(
    store: Store, project: RevisedProject
) -> None:
    view, page = _view(store, project.revision_iri(2))
    assert view is not None
    assert [r.current for r in view.rows] == [False, True, False]
    assert page.label(project.revision_iri(2)) == "Revision 2 · Hafenfest zieht Tausende an"
    _, german = _view(store, project.revision_iri(2), "de")
    assert german.label(project.revision_iri(2)) == "Fassung 2 · Hafenfest zieht Tausende an"
    anchoring = project.revision_iri(2) + "#claim-1"
    assert (
        page.label(anchoring)
        == "Anchoring in revision 2 · The harbour festival ended with fireworks."
    )
    assert page.label(project.revision_iri(3) + "#claim-1").startswith("Anchoring in revision 3 · ")


def test_a_claims_history_has_its_status_and_words_in_each_revision(
    store: Store, project: RevisedProject
) -> None:
    view, _ = _view(store, project.claim)
    assert view is not None
    assert view.is_claim
    claims = [r.claim for r in view.rows]
    assert claims[0] == ClaimAt(True, span=QUOTE)  # the original records no anchoring
    assert [(c.status.text if c and c.status else None) for c in claims] == [
        None,
        "shifted",
        "exact",
    ]
    assert all(c is not None and c.span == QUOTE for c in claims)
    assert view.invalidated_at is None
    assert view.replaced_by == []


def test_a_claim_that_a_revision_invalidated_says_so_and_links_its_successor(
    store: Store, project: RevisedProject
) -> None:
    """The fate of a claim is read as stored; here it is added in a graph of its own, so
    the article's states (passed as they are) still match their hashes."""
    successor = BASE + "id/hafenfest/claim-2"
    extra = ox.NamedNode(BASE + "graph/fate")
    claim = ox.NamedNode(project.claim)
    fate = [
        ox.Quad(
            claim,
            ox.NamedNode(PROV + "invalidatedAtTime"),
            ox.Literal("2026-01-11T09:30:00Z", datatype=ox.NamedNode(XSD + "dateTime")),
            extra,
        ),
        ox.Quad(
            claim,
            ox.NamedNode(KGPUB + "invalidatedBy"),
            ox.NamedNode(project.revision_iri(3)),
            extra,
        ),
        ox.Quad(claim, ox.NamedNode(DCTERMS + "isReplacedBy"), ox.NamedNode(successor), extra),
    ]
    scratch = Store()
    scratch.add_quads([*store.quads(), *fate])
    located = locate(scratch, BASE, project.claim)
    assert located is not None
    # the record of revision 3 as an editor would have left it: orphaned, decided "updated"
    third = replace(
        located.revisions[2],
        anchorings=(Anchoring(project.claim, AnchorStatus.ORPHANED, decision=Decision.UPDATED),),
    )
    changed = Located(located.article, (*located.revisions[:2], third))
    page = _page()
    add_labels(scratch, page, wanted_iris(scratch, BASE, project.claim, changed))
    view = history_view(
        scratch, page, project.claim, changed, states=dict(enumerate(project.states, start=1))
    )
    assert view is not None
    assert view.invalidated_at == "2026-01-11T09:30:00Z"
    assert view.invalidated_by is not None
    assert view.invalidated_by.href == "/id/hafenfest/revision/3"
    assert [v.href for v in view.replaced_by] == ["/id/hafenfest/claim-2"]
    last = view.rows[2].claim
    assert last is not None
    assert last.status is not None
    assert last.status.text == "orphaned"
    assert last.decision is not None
    assert last.decision.text == "updated"
    assert last.span is None


def test_a_claim_added_by_a_later_revision_is_absent_from_the_earlier_ones(
    store: Store, project: RevisedProject
) -> None:
    located = locate(store, BASE, project.claim)
    assert located is not None
    states = dict(enumerate(project.states, start=1))
    claim = ox.NamedNode(project.claim)
    states[1] = frozenset(q for q in states[1] if q.subject != claim)
    page = _page()
    add_labels(store, page, wanted_iris(store, BASE, project.claim, located))
    view = history_view(store, page, project.claim, located, states=states)
    assert view is not None
    assert view.rows[0].claim == ClaimAt(present=False)


def test_pages_outside_any_history_get_no_view(store: Store) -> None:
    for iri in (BASE + "id/elon-musk", BASE + "ontology", BASE + "id/nothing-here"):
        assert locate(store, BASE, iri) is None
        assert history_view(store, _page(), iri, None) is None
    assert wanted_iris(store, BASE, BASE + "id/elon-musk", None) == set()


def test_links_keep_the_language_parameter_and_the_query() -> None:
    page = _page("de", from_param=True)
    assert link(page, BASE + "diff/id/hafenfest?from=1&to=2") == (
        "/diff/id/hafenfest?lang=de&from=1&to=2"
    )
    assert link(_page(), BASE + "id/hafenfest") == "/id/hafenfest"


def test_a_claim_invalidated_earlier_has_no_span_in_later_revisions(
    store: Store, project: RevisedProject
) -> None:
    """Revision 3 records no anchoring for a claim invalidated before it; the claim's frozen
    selectors point into an older text, so no words are read from revision 3's."""
    located = locate(store, BASE, project.claim)
    assert located is not None
    third = replace(located.revisions[2], anchorings=())
    changed = Located(located.article, (*located.revisions[:2], third))
    states = dict(enumerate(project.states, start=1))
    invalidated = ox.Quad(
        ox.NamedNode(project.claim),
        ox.NamedNode(PROV + "invalidatedAtTime"),
        ox.Literal("2026-01-10T12:00:00Z", datatype=ox.NamedNode(XSD + "dateTime")),
        ox.NamedNode(project.graph),
    )
    states[3] = states[3] | {invalidated}
    page = _page()
    add_labels(store, page, wanted_iris(store, BASE, project.claim, changed))
    view = history_view(store, page, project.claim, changed, states=states)
    assert view is not None
    assert view.rows[2].claim == ClaimAt(present=True, invalidated=True)
    assert view.rows[0].claim == ClaimAt(True, span=QUOTE)
