"""pySHACL kept warm gives what a fresh ``pyshacl.validate`` with the ontology gives."""

from __future__ import annotations

from collections import Counter

import pytest
from pyshacl.rdfutil.inoculate import inoculate
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import SDO, SH

from kgpub.shacl.core_engine import KeptShapes, ParameterList, inoculum, results_of, run_pyshacl
from kgpub.shacl.report import ValidationResult
from kgpub.shacl.terms import TermBridge
from tests.shacl import inputs

KGSH = "https://kgpub.example/shapes#"


def _ground(graph: Graph) -> set[tuple[object, ...]]:
    """The triples without a blank node (their labels differ from one inoculation to the next)."""
    return {t for t in graph if not any(isinstance(term, BNode) for term in t)}


def test_the_inoculum_is_what_pyshacl_copies_from_the_ontology() -> None:
    expected = inoculate(Graph(), inputs.ontology())  # type: ignore[arg-type]
    got = TermBridge().graph(inoculum(inputs.ontology()))
    assert len(got) == len(expected) > 0
    assert _ground(got) == _ground(expected)


def _key(results: list[ValidationResult]) -> Counter[tuple[object, ...]]:
    return Counter(r.key() for r in results)


def test_kept_shapes_equal_a_fresh_validation_run_after_run() -> None:
    """Kept shapes and in-place runs: each run equals plain pySHACL on the same data."""
    kept = KeptShapes(inputs.shapes())
    mixed_in = TermBridge().graph(inoculum(inputs.ontology()))
    for name in ["Person-name.fail.ttl", "Person-name.pass.ttl", "Person-name.fail.ttl"]:
        data = inputs.data_graph(name)
        expected = run_pyshacl(data, inputs.shapes(), inputs.ontology())
        graph = Graph()
        for triple in (*data, *mixed_in):
            graph.add(triple)
        assert _key(kept.results(graph)) == _key(expected), name
        assert expected or name.endswith(".pass.ttl")


def test_a_target_added_between_runs_is_seen_by_the_kept_shapes() -> None:
    """The write gate rewrites targets between runs: the kept shapes must read them afresh."""
    shapes = Graph()
    for triple in inputs.shapes():
        shapes.add(triple)
    kept = KeptShapes(shapes)
    data = inputs.data_graph("Person-name.fail.ttl")
    unnamed = URIRef("https://kgpub.example/id/nobody")
    assert unnamed not in {r.focus for r in kept.results(data)}
    shapes.add((URIRef(KGSH + "PersonShape"), SH.targetNode, unnamed))
    found = {(r.focus, r.path, r.component) for r in kept.results(data)}
    assert (unnamed, SDO.name, SH.MinCountConstraintComponent) in found


def test_the_parameter_list_is_pyshacls_with_set_membership() -> None:
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS  # noqa: PLC0415

    fast = ParameterList(ALL_CONSTRAINT_PARAMETERS)
    assert list(fast) == ALL_CONSTRAINT_PARAMETERS
    assert all(p in fast for p in ALL_CONSTRAINT_PARAMETERS)
    assert SH.targetNode not in fast
    copied = fast.copy()
    copied.append(SH.targetNode)
    assert SH.targetNode in copied
    assert SH.targetNode not in fast


def test_results_with_the_parameter_list_equal_pyshacls_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same results with pySHACL's own list as with ``ParameterList``."""
    import pyshacl.shape  # noqa: PLC0415
    from pyshacl import validate  # noqa: PLC0415
    from pyshacl.constraints import (  # noqa: PLC0415
        ALL_CONSTRAINT_PARAMETERS,
        CONSTRAINT_PARAMETERS_MAP,
    )

    names = ["Person-name.fail.ttl", "ReportedClaim-contradicts.fail.ttl", "PersonShape.fail.ttl"]
    graphs = [inputs.data_graph(n) for n in names]  # one graph each: the same blank nodes
    fast = [_key(run_pyshacl(g, inputs.shapes(), inputs.ontology())) for g in graphs]
    assert isinstance(pyshacl.shape.CONSTRAINT_PARAMS[0], ParameterList)  # type: ignore[attr-defined]
    own = (ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP)
    monkeypatch.setattr(pyshacl.shape, "CONSTRAINT_PARAMS", own)
    for name, graph, expected in zip(names, graphs, fast, strict=True):
        _c, report, _t = validate(
            graph,
            shacl_graph=inputs.shapes(),
            ont_graph=inputs.ontology(),
            inference="none",
            advanced=True,
        )
        assert isinstance(report, Graph)
        assert _key(results_of(report)) == expected, name
        assert expected
