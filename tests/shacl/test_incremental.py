"""The incremental write gate gives exactly the report full validation gives.

Writes built from the fixtures, on the shipped data: every fixture in
``tests/fixtures/shapes`` added as a write, and removed again; and random
writes (Hypothesis) that remove some of the shipped triples and add some of a
fixture's. After each, ``revalidate`` from the previous report must equal
``validate_quads`` on the whole new state, as multisets of (focus, path,
component, severity, source shape, value), or decline (``None``) and leave it
to full validation.
"""

from __future__ import annotations

from collections import Counter
from functools import cache, lru_cache

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kgpub.shacl import incremental
from kgpub.shacl.incremental import Match, affected_nodes, revalidate
from kgpub.shacl.report import ValidationReport
from kgpub.shacl.validate import Validator, validate_quads, validator_for
from tests.shacl import inputs


def _validator() -> Validator:
    return validator_for(inputs.shapes_quads(), inputs.ontology_quads())


def _full(triples: set[ox.Triple]) -> ValidationReport:
    return _full_of(frozenset(triples))


@lru_cache(maxsize=2)
def _full_of(triples: frozenset[ox.Triple]) -> ValidationReport:
    """Full validation, the reference; kept for the shipped data, which every case returns to."""
    quads = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
    return validate_quads(quads, inputs.shapes_quads(), inputs.ontology_quads())


def _match(triples: set[ox.Triple]) -> Match:
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)

    def match(
        s: ox.NamedNode | ox.BlankNode | None,
        p: ox.NamedNode | None,
        o: ox.NamedNode | ox.BlankNode | ox.Literal | None,
    ) -> list[ox.Triple]:
        return [q.triple for q in store.quads_for_pattern(s, p, o, None)]

    return match


@cache
def _shipped() -> tuple[frozenset[ox.Triple], ValidationReport]:
    triples = frozenset(q.triple for q in inputs.data_quads(inputs.SHIPPED))
    return triples, _full(set(triples))


def _keys(report: ValidationReport) -> Counter[tuple[str, ...]]:
    return Counter(r.key() for r in report.results)


def _check_write(
    before: set[ox.Triple], previous: ValidationReport, after: set[ox.Triple]
) -> ValidationReport:
    changed = sorted(before ^ after, key=str)
    incremental = revalidate(_validator(), previous, changed, _match(after))
    full = _full(after)
    if incremental is not None:  # None: a change to the class hierarchy, validated in full
        assert _keys(incremental) == _keys(full)
        assert incremental.accepted is full.accepted
    return full


def test_the_shipped_shapes_are_bounded() -> None:
    reach = _validator().reach
    assert reach.depth is not None
    assert not reach.any_predicate


@pytest.mark.slow
@pytest.mark.parametrize("name", inputs.FIXTURE_NAMES)
def test_adding_and_removing_a_fixture_equals_full_validation(name: str) -> None:
    shipped, report = _shipped()
    fixture = {q.triple for q in inputs.data_quads(name)}
    after = set(shipped) | fixture
    added = _check_write(set(shipped), report, after)
    _check_write(after, added, set(shipped))


def _renamed(triples: frozenset[ox.Triple]) -> set[ox.Triple]:
    """A copy of the story with its own IRIs, blank nodes and texts: an unrelated article.

    (Articles that share entities or texts share affected nodes too: the gate
    follows every edge any shape may traverse, shape by shape indistinctly.)
    """

    def rename(
        term: ox.NamedNode | ox.BlankNode | ox.Literal,
    ) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(term, ox.NamedNode) and term.value.startswith(ID):
            return ox.NamedNode(term.value.replace(ID, f"{ID}copy-"))
        if isinstance(term, ox.BlankNode):
            return ox.BlankNode(f"copy{term.value}")
        if isinstance(term, ox.Literal) and term.language:
            return ox.Literal(f"{term.value} (copy)", language=term.language)
        return term

    out = set()
    for t in triples:
        assert not isinstance(t.subject, ox.Triple)
        assert not isinstance(t.object, ox.Triple)
        subject, obj = rename(t.subject), rename(t.object)
        assert not isinstance(subject, ox.Literal)
        out.add(ox.Triple(subject, t.predicate, obj))
    return out


ID = "https://kgpub.example/id/"


def test_a_one_claim_edit_affects_the_same_nodes_beside_another_article() -> None:
    shipped, _report = _shipped()
    text = ox.NamedNode("https://schema.org/text")
    edited = next(t for t in sorted(shipped, key=str) if t.predicate == text)
    alone = set(shipped) - {edited}
    reach = _validator().reach
    foci = affected_nodes(reach, [edited], _match(alone))
    assert foci is not None
    assert edited.subject in foci
    beside = affected_nodes(reach, [edited], _match(alone | _renamed(shipped)))
    assert beside == foci


@pytest.mark.fuzz
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_random_writes_equal_full_validation(data: st.DataObject) -> None:
    shipped, report = _shipped()
    ordered = sorted(shipped, key=str)
    name = data.draw(st.sampled_from(inputs.FIXTURE_NAMES), label="fixture")
    fixture = sorted({q.triple for q in inputs.data_quads(name)}, key=str)
    removed = data.draw(st.sets(st.sampled_from(ordered), max_size=6), label="removed")
    added = data.draw(st.sets(st.sampled_from(fixture), max_size=8), label="added")
    _check_write(set(shipped), report, (set(shipped) - removed) | added)


def _bulk(prefix: str, count: int) -> set[ox.Triple]:
    """``count`` nodes no shape targets, one triple each: a bulk write of plain data."""
    p = ox.NamedNode(f"{ID}{prefix}/p")
    return {
        ox.Triple(ox.NamedNode(f"{ID}{prefix}/s{i}"), p, ox.Literal(f"{prefix} {i}"))
        for i in range(count)
    }


@pytest.mark.parametrize(
    "name", ["Person-name.fail.ttl", "PersonShape.fail.ttl", "ReportedClaim-contradicts.fail.ttl"]
)
def test_a_bulk_write_beside_a_fixture_equals_full_validation(name: str) -> None:
    """Past ``_FILTER_FROM`` affected nodes, the untargeted are dropped before the neighbourhood."""
    shipped, report = _shipped()
    bulk = _bulk("bulk", 2 * incremental._FILTER_FROM)
    fixture = {q.triple for q in inputs.data_quads(name)}
    after = set(shipped) | bulk | fixture
    foci = affected_nodes(_validator().reach, sorted(bulk | fixture, key=str), _match(after))
    assert foci is not None
    assert len(foci) >= incremental._FILTER_FROM
    checked = incremental.targeted(_validator(), foci, _match(after))
    assert checked < foci
    assert not any(t.subject in checked for t in bulk)
    added = _check_write(set(shipped), report, after)
    assert _keys(added) != _keys(report)  # the fixture's results are there
    _check_write(after, added, set(shipped))  # and go again with the bulk
