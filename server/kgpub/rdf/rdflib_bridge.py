"""Bridges pyoxigraph quads to rdflib graphs for the tools that need rdflib.

pySHACL and the Turtle formatter work on rdflib graphs; everything is parsed by
pyoxigraph first (fast, located errors), then handed over as N-Triples, which
both libraries read and write losslessly.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import Graph


def to_rdflib(quads: Iterable[ox.Quad | ox.Triple]) -> Graph:
    """One rdflib graph holding the triples of all the given quads."""
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    graph = Graph(bind_namespaces="none")
    if triples:
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        graph.parse(data=data, format="nt")
    return graph
