"""pySHACL kept warm for the write gate: shapes parsed once, the ontology inoculated once.

``pyshacl.validate`` does three things on every call that do not depend on the
data: it parses the shapes graph into ``Shape`` objects (``ShapesGraph``), it
clones the data graph, and it copies the ontology's RDFS/OWL axioms into the
clone (pySHACL's *inoculation*). For a full validation that is noise; for the
write gate, which validates a neighbourhood of a few hundred triples, it was
more than half of every write (about 45 ms of inoculation, 25 ms of shape
parsing and 20 ms of cloning per write on this machine).

So the gate computes the inoculation once per vocabulary (``inoculum``: the
very triples ``pyshacl.rdfutil.inoculate`` adds, blank nodes labelled once),
treats them as part of the data when it gathers a write's neighbourhood (the
neighbourhood then holds the ontology triples a check can read, and only
those), and runs pySHACL in place on that graph, with no ontology to mix in
and with one ``ShapesGraph`` kept across runs (``KeptShapes``). A shape's
targets are read from its graph on every run, so the gate may still rewrite
them between runs; the caller serialises runs.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from kgpub.shacl.report import ValidationResult
from kgpub.shacl.terms import TermBridge
from kgpub.shacl.validate import results_of

_OPTIONS = {"inference": "none", "advanced": True, "inplace": True}


def inoculum(ontology: Graph) -> list[ox.Triple]:
    """The triples pySHACL's inoculation copies from ``ontology`` into any data graph."""
    from pyshacl.rdfutil.inoculate import inoculate  # noqa: PLC0415 - pySHACL is imported late

    into = inoculate(Graph(bind_namespaces="none"), ontology)  # type: ignore[arg-type]
    bridge = TermBridge()
    return [q.triple for q in bridge.quads([into])]


class KeptShapes:
    """pySHACL on one shapes graph, its ``ShapesGraph`` built on the first run and kept."""

    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self._kept: Any = None

    def results(self, data: Graph) -> list[ValidationResult]:
        """pySHACL's results for ``data``, validated in place (``data`` is the caller's own)."""
        from pyshacl import Validator  # noqa: PLC0415 - pySHACL is imported late
        from pyshacl.graph_abstraction import DataGraph  # noqa: PLC0415

        run = Validator(
            DataGraph.from_rdflib(data), shacl_graph=self.shapes, options=dict(_OPTIONS)
        )
        if self._kept is None:
            self._kept = run.shacl_graph
        else:
            run.shacl_graph = self._kept
        _conforms, report, _text = run.run()  # type: ignore[no-untyped-call]
        assert isinstance(report, Graph)
        return results_of(report)
