"""pySHACL kept warm gives what a fresh ``pyshacl.validate`` with the ontology gives."""

from __future__ import annotations

from collections import Counter

from pyshacl.rdfutil.inoculate import inoculate
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import SDO, SH

from kgpub.shacl.core_engine import KeptShapes, inoculum, run_pyshacl
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
