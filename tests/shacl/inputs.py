"""The inputs the SHACL engines are compared on: the shipped data and every shape fixture.

Each fixture is read as its data alone (the ``kgsh-test:`` expectations taken
out, as ``tests/project/test_shapes.py`` does); the shapes and vocabulary are
the shipped ones.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kgpub.config import Settings
from kgpub.rdf.rdflib_bridge import to_rdflib
from kgpub.rdf.sources import data_sources, ontology_sources, read_all, shapes_sources
from tests.paths import FIXTURES

TEST_NS = "https://kgpub.example/shapes-test#"
SHIPPED = "shipped data"
FIXTURE_NAMES = sorted(p.name for p in (FIXTURES / "shapes").glob("*.ttl"))


@cache
def shapes_quads() -> tuple[ox.Quad, ...]:
    return tuple(read_all(shapes_sources(Settings())))


@cache
def ontology_quads() -> tuple[ox.Quad, ...]:
    return tuple(read_all(ontology_sources(Settings())))


def shapes() -> Graph:
    return to_rdflib(shapes_quads())


def ontology() -> Graph:
    return to_rdflib(ontology_quads())


def _is_expectation(quad: ox.Quad) -> bool:
    terms = (quad.subject, quad.predicate, quad.object)
    return any(isinstance(t, ox.NamedNode) and t.value.startswith(TEST_NS) for t in terms)


def data_quads(name: str) -> list[ox.Quad]:
    """The quads of the shipped data, or of a fixture without its expectations."""
    if name == SHIPPED:
        return list(read_all(data_sources(Settings())))
    quads = list(ox.parse(path=Path(FIXTURES / "shapes" / name), format=ox.RdfFormat.TURTLE))
    expectations = {q.subject for q in quads if _is_expectation(q)}
    return [q for q in quads if q.subject not in expectations]


def data_graph(name: str) -> Graph:
    return to_rdflib(data_quads(name))
