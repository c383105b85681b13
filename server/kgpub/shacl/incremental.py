"""Re-validating after a write only where the write can change the report.

Every write used to re-validate the whole dataset: seconds per write, and
growing with the archive. A write changes a few triples; a validation result
can change only for a focus node whose shapes reach one of them. So:

1. **Affected nodes**: the subject of each added or removed triple, and the
   nodes that reach it backwards along the shapes' edges within the position
   at which a shape traverses the triple's predicate (``shacl.reach``); the
   same from the object where a shape steps backwards over the predicate (or
   targets its objects); and for a ``?s ?p ?o`` test, the nodes reaching the
   subject the way the query does.
2. **Targeted**: of those, the nodes some shape targets (``targeted``): no
   result is about any other node. **Neighbourhood**: the triples within
   that depth forward from the targeted nodes (each node's own triples, the
   backward edges, the triples targeting it as an object), plus the data's
   ``rdfs:subClassOf``.
3. pySHACL (Core, its targets rewritten to the affected focus nodes:
   ``focus_targets``; kept warm by ``shacl.core_engine``, whose inoculation
   of the vocabulary counts as data in steps 1 and 2) and pyoxigraph
   (SHACL-SPARQL, per affected focus node, on the neighbourhood plus the
   vocabulary); the results for the affected focus nodes replace theirs in
   the previous report, all others are kept.

pySHACL's own ``focus_nodes`` option is not used: it also filters nested
shape evaluations and drops blank-node focus nodes, which is unsound here.
When the analysis cannot bound a change (an unbounded path, a predicate
variable, a change to the class hierarchy or to a node used as a class, a
pattern not connected to ``$this``), ``revalidate`` returns ``None`` and the
caller validates everything.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from kgpub.shacl.compiled import target_queries
from kgpub.shacl.core_engine import KeptShapes, run_pyshacl, without
from kgpub.shacl.reach import Edge, Reach
from kgpub.shacl.report import ValidationReport, ValidationResult
from kgpub.shacl.sparql_constraints import focus_nodes
from kgpub.shacl.terms import OxTerm, TermBridge
from kgpub.shacl.validate import Validator, make_report

Subject = ox.NamedNode | ox.BlankNode
# The data after the write: triples matching (subject, predicate, object), None a wildcard.
Match = Callable[[Subject | None, ox.NamedNode | None, OxTerm | None], Iterable[ox.Triple]]
_ONE_BY_ONE = 8  # up to this many predicates are matched one by one, else all at once
_FILTER_FROM = 256  # affected nodes from which the untargeted are dropped before the neighbourhood
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_SUBCLASS = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")


def _unbounded(reach: Reach, changed: Iterable[ox.Triple], match: Match) -> bool:
    """Whether a change is one the analysis cannot bound to a few focus nodes."""
    if reach.depth is None or reach.any_predicate:
        return True
    for t in changed:
        if t.predicate == _SUBCLASS or t.predicate.value in reach.global_predicates:
            return True
        if isinstance(t.subject, ox.Triple):
            return True
        if any(True for _ in match(None, _TYPE, t.subject)):  # the node is used as a class
            return True
    return False


def _step(reach: Reach, node: OxTerm, match: Match, edges: Iterable[Edge]) -> set[OxTerm]:
    """The nodes one step back along ``edges`` from ``node``: where a focus node came from."""
    into = {p for p, forward in edges if forward}  # m -p-> node
    out_of = {p for p, forward in edges if not forward}  # node -p-> m
    found: set[OxTerm] = set()
    for t in _around(node, into, match, incoming=True):
        if not isinstance(t.subject, ox.Triple):
            found.add(t.subject)
    if not isinstance(node, ox.Literal):
        for t in _around(node, out_of, match, incoming=False):
            if not isinstance(t.object, ox.Triple):
                found.add(t.object)
    return found


def _around(
    node: OxTerm, predicates: set[str], match: Match, incoming: bool
) -> Iterator[ox.Triple]:
    """The triples into (or out of) ``node`` with one of ``predicates``: one match, or one each."""
    if not predicates:
        return
    if incoming:
        wanted: list[ox.NamedNode | None] = [None]
        if len(predicates) <= _ONE_BY_ONE:
            wanted = [ox.NamedNode(p) for p in predicates]
        for p in wanted:
            yield from (t for t in match(None, p, node) if t.predicate.value in predicates)
        return
    assert not isinstance(node, ox.Literal)
    wanted = [None] if len(predicates) > _ONE_BY_ONE else [ox.NamedNode(p) for p in predicates]
    for p in wanted:
        yield from (t for t in match(node, p, None) if t.predicate.value in predicates)


def _forward(reach: Reach, node: OxTerm, match: Match) -> set[OxTerm]:
    """The nodes one step along the shapes' edges from ``node``: what a check there reads."""
    flipped = [(p, not forward) for p, forward in reach.positions]
    return _step(reach, node, match, flipped)


def _back(reach: Reach, starts: set[OxTerm], match: Match, steps: int) -> set[OxTerm]:
    """``starts`` and the nodes up to ``steps`` steps back from them."""
    seen = set(starts)
    frontier = set(starts)
    for _ in range(steps):
        frontier = {m for n in frontier for m in _step(reach, n, match, reach.positions)} - seen
        if not frontier:
            break
        seen |= frontier
    return seen


def _affected_by(reach: Reach, t: ox.Triple, match: Match) -> set[OxTerm] | None:
    """The focus nodes one changed triple can affect; None: unbounded."""
    subject, predicate, obj = t.subject, t.predicate.value, t.object
    assert not isinstance(subject, ox.Triple)
    assert not isinstance(obj, ox.Triple)
    found: set[OxTerm] = {subject}  # its targets, its own properties
    for budget, start in (
        (reach.positions.get((predicate, True), -1), subject),
        (reach.any_position, subject),
        (reach.positions.get((predicate, False), -1) if predicate != _TYPE.value else -1, obj),
    ):
        if budget is None:
            return None
        if budget >= 0:
            found |= _back(reach, {start}, match, budget)
    if predicate in reach.objects_targeted:
        found.add(obj)
    for edges, budget in reach.wildcards:
        if budget is None:
            return None
        found |= _back(reach, _step(reach, subject, match, edges), match, budget)
    return found


def affected_nodes(reach: Reach, changed: list[ox.Triple], match: Match) -> set[OxTerm] | None:
    """The focus nodes whose results a change can alter; None: validate everything."""
    if _unbounded(reach, changed, match):
        return None
    affected: set[OxTerm] = set()
    for t in changed:
        found = _affected_by(reach, t, match)
        if found is None:
            return None
        affected |= found
    return affected


def neighbourhood(reach: Reach, foci: set[OxTerm], match: Match) -> set[ox.Triple]:
    """Every triple a check on ``foci`` can read, and the data's class hierarchy."""
    assert reach.depth is not None
    nodes = set(foci)
    frontier = set(foci)
    for _ in range(reach.depth):
        frontier = {m for n in frontier for m in _forward(reach, n, match)} - nodes
        nodes |= frontier
    triples: set[ox.Triple] = set(match(None, _SUBCLASS, None))
    for node in nodes:
        if isinstance(node, ox.Literal):
            continue
        triples.update(match(node, None, None))
        for predicate, forward in reach.positions:
            if not forward:
                triples.update(match(None, ox.NamedNode(predicate), node))
    for node in foci:
        for predicate in reach.objects_targeted:
            triples.update(match(None, ox.NamedNode(predicate), node))
    return triples


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


@dataclass(frozen=True)
class _Gate:
    """What the gate keeps per validator: untargeted shapes, warm pySHACL, the inoculation."""

    validator: Validator
    shapes: KeptShapes | None  # None: the shapes' targets cannot be rewritten
    inoculum: ox.Store
    inoculated: frozenset[ox.Triple]
    subjects: frozenset[OxTerm]  # of the inoculated triples
    objects: frozenset[OxTerm]


_gates: dict[int, _Gate] = {}
_lock = threading.Lock()


def _gate(validator: Validator) -> _Gate:
    """The gate's state for ``validator``, made on its first write."""
    kept = _gates.get(id(validator))
    if kept is not None and kept.validator is validator:
        return kept
    triples = validator.inoculum
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    subjects = frozenset(t.subject for t in triples if not isinstance(t.subject, ox.Triple))
    objects = frozenset(t.object for t in triples if not isinstance(t.object, ox.Triple))
    shapes = _untargeted_shapes(validator)
    gate = _Gate(validator, shapes, store, frozenset(triples), subjects, objects)
    _gates.clear()
    _gates[id(validator)] = gate
    return gate


def _untargeted_shapes(validator: Validator) -> KeptShapes | None:
    """The Core shapes without their targets; None if not rewritable."""
    sg = validator.compiled.core_shapes
    if any((s, RDF.type, RDFS.Class) in sg for s in sg.subjects(RDF.type, SH.NodeShape)):
        return None  # implicit class targets cannot be taken away
    return KeptShapes(without(sg, _TARGETS))


def focus_targets(
    validator: Validator, store: ox.Store, bridge: TermBridge, foci: set[OxTerm]
) -> list[tuple[Node, Node, Node]] | None:
    """``sh:targetNode`` triples putting each shape's affected focus nodes in place of its targets.

    pySHACL then checks the affected focus nodes only, each exactly as under its
    original target; nested shapes are untouched. None when a shape targets in a
    way this cannot rewrite (a non-SPARQL custom target).
    """
    sg = validator.compiled.core_shapes
    out: list[tuple[Node, Node, Node]] = []
    for shape in {s for p in _TARGETS for s in sg.subjects(p, None)}:
        try:
            targeted = focus_nodes(store, target_queries(sg, shape)) & foci
        except NotImplementedError:
            return None
        out += [(shape, SH.targetNode, bridge.to_rdflib(node)) for node in targeted]
    return out


def _core(
    gate: _Gate, graph: Graph, store: ox.Store, bridge: TermBridge, foci: set[OxTerm]
) -> list[ValidationResult]:
    """pySHACL's Core results for ``foci`` on ``graph`` (which already holds the inoculation)."""
    validator, shapes = gate.validator, gate.shapes
    targets = focus_targets(validator, store, bridge, foci) if shapes is not None else None
    if shapes is None or targets is None:
        return run_pyshacl(graph, validator.compiled.core_shapes, Graph())
    return shapes.results(graph, targets)


def _with(match: Match, gate: _Gate) -> Match:
    """``match`` over the data and the inoculation: the graph pySHACL reads."""
    inoculum, subjects, objects = gate.inoculum, gate.subjects, gate.objects

    def both(s: Subject | None, p: ox.NamedNode | None, o: OxTerm | None) -> list[ox.Triple]:
        found = list(match(s, p, o))
        if (s is not None and s not in subjects) or (o is not None and o not in objects):
            return found  # no inoculated triple has it: most lookups of a write's nodes
        extra = [q.triple for q in inoculum.quads_for_pattern(s, p, o)]
        if not extra:
            return found
        return list(dict.fromkeys([*found, *extra]))

    return both


def targeted(validator: Validator, foci: set[OxTerm], match: Match) -> set[OxTerm]:
    """The nodes of ``foci`` that some shape targets: the only ones a result can be about.

    Every result is about a focus node of a targeted shape (nested shapes report
    at the focus node that reached them), so an untargeted node needs no
    neighbourhood and no check; its old results, if any, just go. Decided on
    what the targets read (``Validator.target_reach``); all of ``foci`` where
    that cannot be bounded, and for a few: deciding costs a one-claim write
    more than it saves (``_core`` checks only the targeted ones anyway).
    """
    reach = validator.target_reach
    if len(foci) < _FILTER_FROM or reach.depth is None:
        return foci
    if reach.any_predicate or reach.global_predicates:
        return foci
    store = validator.store_of(neighbourhood(reach, foci, match))
    sg = validator.compiled.shapes
    found: set[OxTerm] = set()
    for shape in {s for p in _TARGETS for s in sg.subjects(p, None)}:
        try:
            found |= focus_nodes(store, target_queries(sg, shape)) & foci
        except NotImplementedError:
            return foci
    return found


def revalidate(
    validator: Validator, previous: ValidationReport, changed: list[ox.Triple], match: Match
) -> ValidationReport | None:
    """The report after a write, from ``previous``; ``None`` when everything must be validated."""
    reach = validator.reach
    with _lock:  # one write at a time: the gate's state is made once
        gate = _gate(validator)
        match = _with(match, gate)
        foci = affected_nodes(reach, changed, match)
        if foci is None:
            return None
        checked = targeted(validator, foci, match)
        triples = neighbourhood(reach, checked, match)
        data = [t for t in triples if t not in gate.inoculated]
        bridge = TermBridge()
        graph = bridge.graph(triples)
        affected = {bridge.to_rdflib(n) for n in checked}
        store = validator.store_of(data)
        fresh = [r for r in _core(gate, graph, store, bridge, checked) if r.focus in affected]
    fresh += validator.sparql(graph, only=affected, bridge=bridge, store=store)
    gone = affected | {bridge.to_rdflib(n) for n in foci - checked}
    kept = [r for r in previous.results if r.focus not in gone]
    return make_report([*kept, *fresh], validator.shapes)
