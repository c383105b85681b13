"""SHACL validation of the published data, with the report kept as data.

The shapes are the contract between the modellers and every consumer: data
that breaks a Violation shape is never served. The report is returned both as
an RDF graph (for the web layer to serialise) and as typed results (for the
CLI and tests, which check focus node, path and constraint component).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kgpub.rdf.rdflib_bridge import to_rdflib


@dataclass(frozen=True)
class ValidationResult:
    """One ``sh:ValidationResult``: what failed, where, and under which constraint."""

    focus: Node
    path: Node | None
    component: URIRef
    severity: URIRef
    source_shape: Node
    message: str
    value: Node | None


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    results: tuple[ValidationResult, ...]
    graph: Graph
    text: str

    @property
    def violations(self) -> tuple[ValidationResult, ...]:
        return tuple(r for r in self.results if r.severity == SH.Violation)


def validate_graphs(data: Graph, shapes: Graph, ontology: Graph | None = None) -> ValidationReport:
    """Validate ``data`` (with ``ontology`` mixed in) against ``shapes``.

    Warnings and Infos are reported but do not break conformance: only a
    Violation means the data must not be published.
    """
    # pySHACL (and the rdflib SPARQL engine it loads) costs about 0.1 s and 20 MB
    # to import; a server over a store it does not validate never needs it.
    from pyshacl import validate as shacl_validate  # noqa: PLC0415

    conforms, report_graph, report_text = shacl_validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        allow_warnings=True,
        allow_infos=True,
        advanced=True,
    )
    return ValidationReport(
        conforms=bool(conforms),
        results=tuple(_results(report_graph)),
        graph=report_graph,
        text=str(report_text),
    )


def validate_quads(
    data: Iterable[ox.Quad], shapes: Iterable[ox.Quad], ontology: Iterable[ox.Quad]
) -> ValidationReport:
    return validate_graphs(to_rdflib(data), to_rdflib(shapes), to_rdflib(ontology))


def _results(report: Graph) -> Iterable[ValidationResult]:
    for node in report.subjects(RDF.type, SH.ValidationResult):
        yield ValidationResult(
            focus=_one(report, node, SH.focusNode),
            path=report.value(node, SH.resultPath),
            component=URIRef(str(_one(report, node, SH.sourceConstraintComponent))),
            severity=URIRef(str(_one(report, node, SH.resultSeverity))),
            source_shape=_one(report, node, SH.sourceShape),
            message=str(report.value(node, SH.resultMessage) or ""),
            value=report.value(node, SH.value),
        )


def _one(graph: Graph, subject: Node, predicate: URIRef) -> Node:
    value = graph.value(subject, predicate)
    if value is None:
        raise ValueError(f"validation result without {predicate}")
    return value
