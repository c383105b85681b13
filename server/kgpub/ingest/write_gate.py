"""The write gate: the validation of the state a write would leave.

From the previous report where it can be and costs less (``kgpub.shacl.incremental``:
only the focus nodes the write can affect, on their neighbourhood), else the
whole staged state in full, as start-up validates it. ``ingest.writes`` calls it
before every commit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from kgpub.config import Settings
from kgpub.rdf.sources import graph_iri, ontology_sources, shapes_sources
from kgpub.shacl.conformance import Conformance
from kgpub.store.changes import Changes
from kgpub.store.oxigraph import Store
from kgpub.store.staged import Staged

# The validator (``shacl.validate``, ``shacl.incremental``: rdflib, pySHACL) is imported
# by the first validated write: a server with writes on starts and answers reads without it.
if TYPE_CHECKING:
    from kgpub.shacl.incremental import Match


def validate_state(store: Store | Staged, settings: Settings) -> Conformance:
    """Validate a whole dataset as the server does at start-up (``validity.check_store``).

    The shapes and vocabulary are the store's own shapes and ontology graphs;
    every other quad is data, the default graph's too (Graph Store Protocol
    writes may put data there, where start-up finds none).
    """
    shape_graphs = {graph_iri(settings, s.path) for s in shapes_sources(settings)}
    ontology_graphs = {graph_iri(settings, s.path) for s in ontology_sources(settings)}
    shapes: list[ox.Quad] = []
    ontology: list[ox.Quad] = []
    data: list[ox.Quad] = []
    for quad in store:
        graph = quad.graph_name
        name = graph.value if isinstance(graph, ox.NamedNode) else None
        if name in shape_graphs:
            shapes.append(quad)
        elif name in ontology_graphs:
            ontology.append(quad)
        else:
            data.append(quad)
    from kgpub.shacl.validate import validate_quads  # noqa: PLC0415 - see the imports

    report = validate_quads(data, shapes, ontology)
    return Conformance(tuple(shapes), tuple(ontology), report)


def data_match(store: Store | Staged, excluded: set[ox.NamedNode]) -> Match:
    """Triples of the store's data (every graph but ``excluded``), each once, by pattern."""

    def match(
        subject: ox.NamedNode | ox.BlankNode | None,
        predicate: ox.NamedNode | None,
        obj: ox.NamedNode | ox.BlankNode | ox.Literal | None,
    ) -> list[ox.Triple]:
        quads = store.match(subject, predicate, obj)
        triples = (q.triple for q in quads if q.graph_name not in excluded)
        return list(dict.fromkeys(triples))

    return match


def cheaper_in_full(changes: Changes, triples_before: int) -> bool:
    """Whether validating the whole staged state costs less than the write gate would.

    The gate looks up each changed triple's neighbourhood, several lookups a
    triple; full validation reads each triple once. Measured on a 200,000-triple
    replacement of a graph no shape targets: the gate 12 s, in full 4.4 s
    (about 35 and 22 µs a triple). So a change of at least half as many
    triples as the store holds after it is validated in full.
    """
    changed = len(changes.removed) + len(changes.added)
    after = triples_before + len(changes.added) - len(changes.removed)
    return 2 * changed >= max(after, 1)


def validate_change(
    previous: Conformance | None,
    staged: Store | Staged,
    changes: Changes,
    settings: Settings,
    triples_before: int,
) -> Conformance:
    """The staged state's validation: from ``previous`` where it can be and costs less,
    else in full. ``triples_before``: the store's distinct triples before the change."""
    schema = {ox.NamedNode(graph_iri(settings, s.path)) for s in shapes_sources(settings)}
    schema |= {ox.NamedNode(graph_iri(settings, s.path)) for s in ontology_sources(settings)}
    if (
        previous is None
        or previous.report is None
        or touches(changes, schema)
        or cheaper_in_full(changes, triples_before)
    ):
        return validate_state(staged, settings)
    from kgpub.shacl.incremental import revalidate  # noqa: PLC0415 - see the imports
    from kgpub.shacl.validate import validator_for  # noqa: PLC0415

    validator = validator_for(previous.shapes, previous.ontology)
    changed = list(dict.fromkeys(q.triple for q in (*changes.removed, *changes.added)))
    report = revalidate(validator, previous.report, changed, data_match(staged, schema))
    if report is None:
        return validate_state(staged, settings)
    return Conformance(previous.shapes, previous.ontology, report)


def touches(changes: Changes, graphs: set[ox.NamedNode]) -> bool:
    """Whether ``changes`` add to, remove from, create or drop any of ``graphs``."""
    if any(g in graphs for g in (*changes.created, *changes.dropped)):
        return True
    return any(q.graph_name in graphs for q in (*changes.removed, *changes.added))
