"""pySHACL, the reference engine for SHACL Core, and pySHACL kept warm.

``pyshacl.validate`` does three things on every call that do not depend on the
data: it parses the shapes graph into ``Shape`` objects (``ShapesGraph``), it
clones the data graph, and it copies the ontology's RDFS/OWL axioms into the
clone (pySHACL's *inoculation*). On a small graph that is most of the time
(about 70 of 110 ms for a shape fixture, more than half of a one-claim
write), so kgpub's own validations run pySHACL warm:

* ``inoculum``: the inoculation computed once per vocabulary (the very
  triples ``pyshacl.rdfutil.inoculate`` adds, blank nodes labelled once). The
  caller puts them into the data graph itself: full validation all of them,
  the write gate those its neighbourhood reaches (``shacl.incremental``).
* ``KeptShapes``: pySHACL run in place on the caller's own graph, with no
  ontology to mix in, and one ``ShapesGraph`` kept across runs. A shape's
  targets are read from its graph on every run, so a run may bring its own
  (``sh:targetNode`` triples found by pyoxigraph: the SPARQL targets in full
  validation, the affected focus nodes in the write gate); runs are
  serialised (one lock per kept shapes graph).

``run_pyshacl`` is plain ``pyshacl.validate``: the reference the warm path is
tested against (``tests/shacl``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kgpub.shacl.report import ValidationResult
from kgpub.shacl.terms import TermBridge

Triple = tuple[Node, Node, Node]
_OPTIONS = {"inference": "none", "advanced": True, "inplace": True}


def results_of(report: Graph) -> list[ValidationResult]:
    """The results in a report graph, each with all its messages."""
    return [
        ValidationResult(
            focus=_one(report, node, SH.focusNode),
            path=report.value(node, SH.resultPath),
            component=URIRef(str(_one(report, node, SH.sourceConstraintComponent))),
            severity=URIRef(str(_one(report, node, SH.resultSeverity))),
            source_shape=_one(report, node, SH.sourceShape),
            value=report.value(node, SH.value),
            messages=sorted_messages(report.objects(node, SH.resultMessage)),
            source_constraint=report.value(node, SH.sourceConstraint),
        )
        for node in report.subjects(RDF.type, SH.ValidationResult)
    ]


def sorted_messages(found: Iterable[Node]) -> tuple[Literal, ...]:
    """A result's messages in one order, whichever order an engine gave them in."""
    literals = (m for m in found if isinstance(m, Literal))
    return tuple(sorted(literals, key=lambda m: (m.language or "", str(m))))


def _one(graph: Graph, subject: Node, predicate: URIRef) -> Node:
    value = graph.value(subject, predicate)
    if value is None:
        raise ValueError(f"validation result without {predicate}")
    return value


class ParameterList(list[Node]):
    """pySHACL's list of constraint parameters, with ``in`` a hash lookup.

    For every shape it evaluates, pySHACL keeps the shape's predicates that are
    constraint parameters: ``p in parameters`` against a plain list of about
    40 IRIs, each comparison a Python-level ``URIRef.__eq__``. On the shipped
    story that is 384,000 comparisons and about 40 % of a validation. The
    same elements in the same order; ``copy`` and ``append`` (all pySHACL
    does with it) keep the lookup set.
    """

    def __init__(self, items: Iterable[Node] = ()) -> None:
        super().__init__(items)
        self._members = set(self)

    def __contains__(self, item: object) -> bool:
        return item in self._members

    def copy(self) -> ParameterList:
        return ParameterList(self)

    def append(self, item: Node) -> None:
        super().append(item)
        self._members.add(item)


def _fast_parameters() -> None:
    """Give pySHACL's shapes the ``ParameterList`` (where its module keeps them as expected)."""
    import pyshacl.shape  # noqa: PLC0415 - pySHACL is imported late
    from pyshacl.constraints import (  # noqa: PLC0415
        ALL_CONSTRAINT_PARAMETERS,
        CONSTRAINT_PARAMETERS_MAP,
    )

    kept = getattr(pyshacl.shape, "CONSTRAINT_PARAMS", None)
    if kept is not None and isinstance(kept[0], ParameterList):
        return
    if kept is None or kept[0] is ALL_CONSTRAINT_PARAMETERS:  # unset, or pySHACL's own
        fast = ParameterList(ALL_CONSTRAINT_PARAMETERS)
        pyshacl.shape.CONSTRAINT_PARAMS = (fast, CONSTRAINT_PARAMETERS_MAP)  # type: ignore[attr-defined]


def run_pyshacl(data: Graph, shapes: Graph, ontology: Graph) -> list[ValidationResult]:
    """pySHACL's results for ``data`` (``ontology`` mixed in) against ``shapes``."""
    # pySHACL (and the rdflib SPARQL engine it loads) costs about 0.1 s and 20 MB
    # to import; a server over a store it does not validate never needs it.
    from pyshacl import validate as shacl_validate  # noqa: PLC0415

    _fast_parameters()
    _conforms, report, _text = shacl_validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True
    )
    assert isinstance(report, Graph)
    return results_of(report)


def inoculum(ontology: Graph) -> list[ox.Triple]:
    """The triples pySHACL's inoculation copies from ``ontology`` into any data graph."""
    from pyshacl.rdfutil.inoculate import inoculate  # noqa: PLC0415 - pySHACL is imported late

    into = inoculate(Graph(bind_namespaces="none"), ontology)  # type: ignore[arg-type]
    bridge = TermBridge()
    return [q.triple for q in bridge.quads([into])]


def without(shapes: Graph, predicates: Iterable[Node]) -> Graph:
    """A copy of ``shapes`` without the triples of ``predicates`` (targets taken out)."""
    dropped = set(predicates)
    out = Graph(bind_namespaces="none")
    for triple in shapes:
        if triple[1] not in dropped:
            out.add(triple)
    return out


class KeptShapes:
    """pySHACL on one shapes graph, its ``ShapesGraph`` built on the first run and kept."""

    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self.lock = threading.Lock()
        self._kept: Any = None

    def results(self, data: Graph, targets: Sequence[Triple] = ()) -> list[ValidationResult]:
        """pySHACL's results for ``data``, validated in place (``data`` is the caller's own).

        ``targets``: target triples (``sh:targetNode``) added to the shapes for
        this run only.
        """
        from pyshacl import Validator  # noqa: PLC0415 - pySHACL is imported late
        from pyshacl.graph_abstraction import DataGraph  # noqa: PLC0415

        _fast_parameters()
        with self.lock:
            added = [t for t in targets if t not in self.shapes]
            for triple in added:
                self.shapes.add(triple)
            try:
                run = Validator(
                    DataGraph.from_rdflib(data), shacl_graph=self.shapes, options=dict(_OPTIONS)
                )
                if self._kept is None:
                    self._kept = run.shacl_graph
                else:
                    run.shacl_graph = self._kept
                _conforms, report, _text = run.run()  # type: ignore[no-untyped-call]
            finally:
                for triple in added:
                    self.shapes.remove(triple)
        assert isinstance(report, Graph)
        return results_of(report)
