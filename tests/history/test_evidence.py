"""history.evidence: an article's anchors found in its quads and grouped per claim.

The article is the fictional Hafenfest of tests/history_fixtures.py (not news).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kgpub.errors import AnchorMismatchError
from kgpub.history.evidence import find_evidence, move_all, per_claim
from kgpub.history.records import AnchorStatus, Terms
from kgpub.namespaces import OA, PROV, XSD
from kgpub.revisions.reanchor import Anchor
from tests.history_fixtures import ARTICLE, BASE, CLAIM, GRAPH, ID, QUOTE, TEXTS, revised_project

TERMS = Terms(BASE)
ANCHOR = ID + "hafenfest/anchor-1"


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> frozenset[ox.Quad]:
    """The article's graph at revision 3, its latest."""
    return revised_project(tmp_path_factory.mktemp("evidence") / "project").states[-1]


def test_the_claims_anchor_is_found_with_its_selectors(state: frozenset[ox.Quad]) -> None:
    (found,) = find_evidence(state, ARTICLE, TERMS)
    start = TEXTS[2].index(QUOTE)
    assert (found.holder, found.anchor, found.is_claim) == (CLAIM, ANCHOR, True)
    assert (found.quote, found.position) == (ANCHOR + "-quote", ANCHOR + "-position")
    assert found.selector == Anchor(QUOTE, start, start + len(QUOTE))


def test_anchors_of_invalidated_claims_or_with_a_state_are_left_alone(
    state: frozenset[ox.Quad],
) -> None:
    graph = ox.NamedNode(GRAPH)
    gone = ox.Literal("2026-02-01T10:00:00+00:00", datatype=ox.NamedNode(XSD + "dateTime"))
    invalidated = {
        *state,
        ox.Quad(ox.NamedNode(CLAIM), ox.NamedNode(PROV + "invalidatedAtTime"), gone, graph),
    }
    assert find_evidence(invalidated, ARTICLE, TERMS) == []
    time_state = ox.NamedNode(ANCHOR + "-state")
    frozen = {
        *state,
        ox.Quad(ox.NamedNode(ANCHOR), ox.NamedNode(OA + "hasState"), time_state, graph),
    }
    assert find_evidence(frozen, ARTICLE, TERMS) == []


def test_a_claims_status_is_its_worst_anchors(state: frozenset[ox.Quad]) -> None:
    evidence = find_evidence(state, ARTICLE, TERMS)
    deleted = TEXTS[2].replace(" Das Fest endete mit einem Feuerwerk über dem Hafen.", "")
    (claim,) = per_claim(move_all(TEXTS[2], deleted, evidence))
    assert (claim.status, claim.needs_decision) == (AnchorStatus.ORPHANED, True)
    (claim,) = per_claim(move_all(TEXTS[2], TEXTS[2], evidence))
    assert (claim.status, claim.needs_decision) == (AnchorStatus.EXACT, False)


def test_an_anchor_that_does_not_fit_its_old_text_is_refused(state: frozenset[ox.Quad]) -> None:
    evidence = find_evidence(state, ARTICLE, TERMS)
    with pytest.raises(AnchorMismatchError):
        move_all(TEXTS[0].replace("Das Fest", "Die Feier"), TEXTS[2], evidence)
