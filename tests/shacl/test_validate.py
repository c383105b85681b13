"""The fast path (pySHACL on Core, pyoxigraph on SHACL-SPARQL) equals plain pySHACL.

Compared on the shipped data and every fixture in ``tests/fixtures/shapes`` as
multisets of (focus, path, component, severity, source shape, value), and on
the message texts (pySHACL drops the language tags of SPARQL messages, so the
texts are compared without them).
"""

from __future__ import annotations

from collections import Counter

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SH

from kgpub.shacl.report import ValidationReport, ValidationResult
from kgpub.shacl.validate import reference_report, validate_quads, validator_for
from tests.shacl import inputs


def _keys(report: ValidationReport) -> Counter[tuple[str, ...]]:
    return Counter(r.key() for r in report.results)


def _messages(report: ValidationReport) -> Counter[tuple[tuple[str, ...], tuple[str, ...]]]:
    return Counter((r.key(), tuple(sorted(str(m) for m in r.messages))) for r in report.results)


@pytest.mark.slow
@pytest.mark.parametrize("name", [inputs.SHIPPED, *inputs.FIXTURE_NAMES])
def test_fast_path_equals_pyshacl(name: str) -> None:
    data = inputs.data_graph(name)  # one graph for both: the same blank nodes
    validator = validator_for(inputs.shapes_quads(), inputs.ontology_quads())
    fast = validator.validate(data)
    reference = reference_report(data, validator.shapes, validator.ontology)
    assert _keys(fast) == _keys(reference)
    assert _messages(fast) == _messages(reference)


def test_every_sparql_constraint_is_taken_over() -> None:
    compiled = validator_for(inputs.shapes_quads(), inputs.ontology_quads()).compiled
    assert compiled.constraints
    assert compiled.unsupported == []
    assert not list(compiled.core_shapes.triples((None, SH.sparql, None)))


def test_conforms_is_false_with_only_a_warning_and_the_data_accepted() -> None:
    report = validate_quads(
        inputs.data_quads(inputs.SHIPPED), inputs.shapes_quads(), inputs.ontology_quads()
    )
    assert [r.severity for r in report.results] == [SH.Warning]
    assert report.conforms is False
    assert report.accepted is True
    root = report.graph.value(None, RDF.type, SH.ValidationReport, any=False)
    assert report.graph.value(root, SH.conforms) == Literal(False)


def test_message_language_is_chosen_by_the_request() -> None:
    result = ValidationResult(
        focus=URIRef("urn:x"),
        path=None,
        component=SH.MinCountConstraintComponent,
        severity=SH.Violation,
        source_shape=URIRef("urn:s"),
        messages=(Literal("Hallo", lang="de"), Literal("Hello", lang="en")),
    )
    assert result.message_in(("de-AT",)) == "Hallo"
    assert result.message_in(("fr",)) == "Hello"
    assert result.message == "Hello"
