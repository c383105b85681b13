"""SHACL validation of the published data, with the report kept as data.

The shapes are the contract between the modellers and every consumer: data
that breaks a Violation shape is never served. Validation must also be fast
enough to run at start-up and on every write, so it is split by what each
engine does well (``shacl.compiled``): pySHACL, the reference, checks SHACL
Core; pyoxigraph runs the SHACL-SPARQL constraints (``shacl.sparql_constraints``),
one query each instead of one rdflib query per focus node. The results are
merged into one report in pySHACL's form. The shapes are compiled once per
process and kept (``validator_for``).

The report's classes live in ``shacl.report``, importable without rdflib.
``conforms`` is SHACL's (§3.6.1: no result at all);
``accepted`` is kgpub's policy (no Violation: Warnings and Infos are published).
``reference_report`` is plain pySHACL on the whole shapes graph, which the
tests hold the fast path to.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from functools import cached_property

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kgpub.rdf.rdflib_bridge import to_rdflib
from kgpub.shacl.compiled import Compiled, compile_shapes, target_queries
from kgpub.shacl.core_engine import KeptShapes, inoculum, run_pyshacl, sorted_messages, without
from kgpub.shacl.messages import choose
from kgpub.shacl.reach import Reach, reach_of, target_reach_of
from kgpub.shacl.report import ValidationReport, ValidationResult
from kgpub.shacl.sparql_constraints import SparqlResult, focus_nodes, sparql_results
from kgpub.shacl.terms import OxTerm, TermBridge

_KEPT_VALIDATORS = 4


def _copy_description(src: Graph, node: Node, dst: Graph) -> None:
    """Copy a blank node's description (a SHACL path) into the report."""
    if not isinstance(node, BNode) or (node, None, None) in dst:
        return
    for p, o in src.predicate_objects(node):
        dst.add((node, p, o))
        _copy_description(src, o, dst)


def report_graph(results: Iterable[ValidationResult], shapes: Graph) -> Graph:
    """The ``sh:ValidationReport`` graph of ``results``, ``sh:conforms`` as SHACL defines it."""
    graph = Graph(bind_namespaces="none")
    graph.bind("sh", SH)
    root = BNode()
    graph.add((root, RDF.type, SH.ValidationReport))
    count = 0
    for r in results:
        count += 1
        node = BNode()
        graph.add((root, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, r.focus))
        graph.add((node, SH.sourceConstraintComponent, r.component))
        graph.add((node, SH.sourceShape, r.source_shape))
        graph.add((node, SH.resultSeverity, r.severity))
        _copy_description(shapes, r.source_shape, graph)
        for predicate, term in (
            (SH.resultPath, r.path),
            (SH.value, r.value),
            (SH.sourceConstraint, r.source_constraint),
        ):
            if term is not None:
                graph.add((node, predicate, term))
                _copy_description(shapes, term, graph)
        for message in r.messages:
            graph.add((node, SH.resultMessage, message))
    graph.add((root, SH.conforms, Literal(count == 0)))
    return graph


def in_languages(report: ValidationReport, languages: Sequence[str]) -> Graph:
    """The report graph with one ``sh:resultMessage`` per result, in the requested language."""
    graph = Graph(bind_namespaces="none")
    graph.bind("sh", SH)
    for triple in report.graph:
        graph.add(triple)
    for node in report.graph.subjects(RDF.type, SH.ValidationResult):
        found = [m for m in report.graph.objects(node, SH.resultMessage) if isinstance(m, Literal)]
        chosen = choose(found, languages)
        for message in found:
            if message != chosen:
                graph.remove((node, SH.resultMessage, message))
    return graph


def make_report(results: Iterable[ValidationResult], shapes: Graph) -> ValidationReport:
    ordered = tuple(sorted(results, key=ValidationResult.key))
    return ValidationReport(ordered, report_graph(ordered, shapes))


def _from_sparql(r: SparqlResult) -> ValidationResult:
    return ValidationResult(
        focus=r.focus,
        path=r.path,
        component=SH.SPARQLConstraintComponent,
        severity=r.severity,
        source_shape=r.source_shape,
        value=r.value,
        messages=sorted_messages(r.messages),
        source_constraint=r.source_constraint,
    )


class Validator:
    """The shapes compiled once; ``validate`` per dataset."""

    def __init__(self, shapes: Graph, ontology: Graph) -> None:
        self.shapes = shapes
        self.ontology = ontology
        self.compiled: Compiled = compile_shapes(shapes)

    @cached_property
    def reach(self) -> Reach:
        """How far the shapes look from a focus node (for the write gate)."""
        return reach_of(self.compiled)

    @cached_property
    def target_reach(self) -> Reach:
        """How far the targets look from a node (for the write gate)."""
        return target_reach_of(self.compiled)

    @cached_property
    def ontology_quads(self) -> list[ox.Quad]:
        """The vocabulary as pyoxigraph quads, converted once."""
        return TermBridge().quads([self.ontology])

    def store_for(self, data: Graph, bridge: TermBridge) -> ox.Store:
        """A pyoxigraph store of ``data`` and the vocabulary (as pySHACL mixes them)."""
        store = ox.Store()
        store.bulk_extend(bridge.quads([data]))
        store.bulk_extend(self.ontology_quads)
        return store

    def store_of(self, data: Iterable[ox.Triple | ox.Quad]) -> ox.Store:
        """``store_for`` from the data's own pyoxigraph terms, none converted back from rdflib."""
        store = ox.Store()
        default = ox.DefaultGraph()
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, default) for t in data)
        store.bulk_extend(self.ontology_quads)
        return store

    def sparql(
        self,
        data: Graph,
        only: Iterable[Node] | None = None,
        bridge: TermBridge | None = None,
        store: ox.Store | None = None,
    ) -> list[ValidationResult]:
        """The SPARQL constraints' results (with ``only``: for those focus nodes alone)."""
        bridge = bridge or TermBridge()
        store = store or self.store_for(data, bridge)
        wanted: set[OxTerm] | None = None
        if only is not None:
            wanted = {bridge.to_ox(n) for n in only}
        return [_from_sparql(r) for r in sparql_results(self.compiled, store, bridge, wanted)]

    @cached_property
    def sparql_targeted(self) -> list[Node] | None:
        """The Core shapes with SPARQL targets (pyoxigraph finds their focus nodes).

        None when a custom target is not a SPARQL one: pySHACL then keeps them all.
        """
        sg = self.compiled.core_shapes
        if any(sg.value(t, SH.select) is None for t in sg.objects(None, SH.target)):
            return None
        return sorted(set(sg.subjects(SH.target, None)), key=str)

    @cached_property
    def warm(self) -> KeptShapes:
        """pySHACL on the Core shapes, kept warm (``shacl.core_engine``).

        Without their SPARQL targets: rdflib parsed and ran those on every run
        (about 40 ms), pyoxigraph finds their focus nodes instead (``core``).
        """
        sg = self.compiled.core_shapes
        if self.sparql_targeted is None:
            return KeptShapes(sg)
        return KeptShapes(without(sg, [SH.target]))

    @cached_property
    def inoculum(self) -> list[ox.Triple]:
        """The vocabulary's triples pySHACL mixes into a data graph (``core_engine.inoculum``)."""
        return inoculum(self.ontology)

    @cached_property
    def mixed_in(self) -> list[tuple[Node, Node, Node]]:
        """``inoculum`` as rdflib triples, converted once."""
        return list(TermBridge().graph(self.inoculum))

    def core(
        self, data: Graph, store: ox.Store, bridge: TermBridge, owned: bool = False
    ) -> list[ValidationResult]:
        """pySHACL's results on the shapes without the constraints pyoxigraph runs.

        ``store``: ``data`` and the vocabulary in pyoxigraph (``bridge`` between
        them), where the SPARQL targets are found. ``owned``: ``data`` is the
        caller's to change (the vocabulary is mixed into it); otherwise a copy.
        """
        graph = data if owned else Graph(bind_namespaces="none")
        if not owned:
            for triple in data:
                graph.add(triple)
        for triple in self.mixed_in:
            graph.add(triple)
        sg = self.compiled.core_shapes
        targets = [
            (shape, SH.targetNode, bridge.to_rdflib(node))
            for shape in self.sparql_targeted or []
            for node in focus_nodes(store, target_queries(sg, shape))
        ]
        return self.warm.results(graph, targets)

    def validate(self, data: Graph, source: Sequence[ox.Quad] | None = None) -> ValidationReport:
        """The report on ``data``.

        ``source``: the quads ``data`` was made from, for pyoxigraph; ``data`` is
        then the caller's no longer (the vocabulary is mixed into it).
        """
        bridge = TermBridge()
        store = self.store_for(data, bridge) if source is None else self.store_of(source)
        results = self.sparql(data, None, bridge, store)
        core = self.core(data, store, bridge, owned=source is not None)
        return make_report([*core, *results], self.shapes)


_validators: OrderedDict[str, Validator] = OrderedDict()


def _quads_key(*parts: Sequence[ox.Quad]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        body = "\n".join(sorted(str(q) for q in part)).encode()
        digest.update(len(body).to_bytes(8, "big") + body)
    return digest.hexdigest()


_last: list[tuple[Sequence[ox.Quad], Sequence[ox.Quad], Validator]] = []


def validator_for(shapes: Sequence[ox.Quad], ontology: Sequence[ox.Quad]) -> Validator:
    """The compiled validator for these shapes and vocabulary, kept for the process.

    The same sequences as last time (the write gate's) skip hashing them again.
    """
    if _last and _last[0][0] is shapes and _last[0][1] is ontology:
        return _last[0][2]
    found = _validator_by_content(shapes, ontology)
    _last[:] = [(shapes, ontology, found)]
    return found


def _validator_by_content(shapes: Sequence[ox.Quad], ontology: Sequence[ox.Quad]) -> Validator:
    key = _quads_key(shapes, ontology)
    found = _validators.get(key)
    if found is None:
        found = Validator(to_rdflib(shapes), to_rdflib(ontology))
        _validators[key] = found
        while len(_validators) > _KEPT_VALIDATORS:
            _validators.popitem(last=False)
    _validators.move_to_end(key)
    return found


def validate_quads(
    data: Iterable[ox.Quad], shapes: Iterable[ox.Quad], ontology: Iterable[ox.Quad]
) -> ValidationReport:
    """Validate quads (their graph names ignored: all data is one graph) against the shapes."""
    validator = validator_for(list(shapes), list(ontology))
    quads = list(data)
    return validator.validate(TermBridge().graph(quads), quads)


def reference_report(data: Graph, shapes: Graph, ontology: Graph | None = None) -> ValidationReport:
    """Plain pySHACL over the whole shapes graph: the reference the fast path must equal."""
    results = run_pyshacl(data, shapes, ontology if ontology is not None else Graph())
    return make_report(results, shapes)
