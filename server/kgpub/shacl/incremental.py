"""Re-validating after a write only where the write can change the report.

Every write used to re-validate the whole dataset: seconds per write, and
growing with the archive. A write changes a few triples; a validation result
can change only for a focus node whose shapes reach one of them. So:

1. **Affected nodes**: the subject of each added or removed triple, its
   object when a shape may step backwards over the predicate (or targets its
   objects), and every node that reaches those backwards along the shapes'
   edges, up to the shapes' depth (``shacl.reach``).
2. **Neighbourhood**: the triples within that depth forward from the
   affected nodes (each node's own triples, the backward edges, the triples
   targeting it as an object), plus the data's ``rdfs:subClassOf``.
3. pySHACL (Core) and pyoxigraph (SHACL-SPARQL) on that neighbourhood plus the
   vocabulary; the results for the affected focus nodes replace theirs in the
   previous report, all others are kept.

pySHACL's own ``focus_nodes`` option is not used: it also filters nested
shape evaluations and drops blank-node focus nodes, which is unsound here.
When the analysis cannot bound a change (an unbounded path, a predicate
variable, a change to the class hierarchy or to a node used as a class, a
pattern not connected to ``$this``), ``revalidate`` returns ``None`` and the
caller validates everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pyoxigraph as ox

from kgpub.shacl.reach import Reach
from kgpub.shacl.terms import OxTerm, TermBridge
from kgpub.shacl.validate import ValidationReport, Validator, make_report, run_pyshacl

Subject = ox.NamedNode | ox.BlankNode
# The data after the write: triples matching (subject, predicate, object), None a wildcard.
Match = Callable[[Subject | None, ox.NamedNode | None, OxTerm | None], Iterable[ox.Triple]]
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


def _starts(reach: Reach, changed: Iterable[ox.Triple]) -> set[OxTerm]:
    starts: set[OxTerm] = set()
    for t in changed:
        if isinstance(t.subject, ox.Triple):
            continue  # RDF-star is not validated (``_unbounded`` sends it to a full run)
        starts.add(t.subject)
        stepped_back = (t.predicate.value, False) in reach.edges
        targeted = t.predicate.value in reach.objects_targeted
        if isinstance(t.object, ox.Triple) or t.predicate == _TYPE:
            continue
        if stepped_back or targeted:
            starts.add(t.object)
    return starts


def _step(reach: Reach, node: OxTerm, match: Match, backward: bool) -> set[OxTerm]:
    """The nodes one edge of ``reach`` away from ``node`` (towards focus nodes if ``backward``)."""
    found: set[OxTerm] = set()
    for predicate, forward in reach.edges:
        p = ox.NamedNode(predicate)
        if forward == backward:  # m -p-> node
            for t in match(None, p, node):
                if not isinstance(t.subject, ox.Triple):
                    found.add(t.subject)
        elif not isinstance(node, ox.Literal):  # node -p-> m
            for t in match(node, p, None):
                if not isinstance(t.object, ox.Triple):
                    found.add(t.object)
    return found


def _closure(reach: Reach, starts: set[OxTerm], match: Match, backward: bool) -> set[OxTerm]:
    assert reach.depth is not None
    seen = set(starts)
    frontier = set(starts)
    for _ in range(reach.depth):
        frontier = {m for n in frontier for m in _step(reach, n, match, backward)} - seen
        if not frontier:
            break
        seen |= frontier
    return seen


def affected_nodes(reach: Reach, changed: list[ox.Triple], match: Match) -> set[OxTerm] | None:
    """The focus nodes whose results a change can alter; None: validate everything."""
    if _unbounded(reach, changed, match):
        return None
    return _closure(reach, _starts(reach, changed), match, backward=True)


def neighbourhood(reach: Reach, foci: set[OxTerm], match: Match) -> set[ox.Triple]:
    """Every triple a check on ``foci`` can read, and the data's class hierarchy."""
    nodes = _closure(reach, foci, match, backward=False)
    triples: set[ox.Triple] = set(match(None, _SUBCLASS, None))
    for node in nodes:
        if isinstance(node, ox.Literal):
            continue
        triples.update(match(node, None, None))
        for predicate, forward in reach.edges:
            if not forward:
                triples.update(match(None, ox.NamedNode(predicate), node))
    for node in foci:
        for predicate in reach.objects_targeted:
            triples.update(match(None, ox.NamedNode(predicate), node))
    return triples


def revalidate(
    validator: Validator, previous: ValidationReport, changed: list[ox.Triple], match: Match
) -> ValidationReport | None:
    """The report after a write, from ``previous``; ``None`` when everything must be validated."""
    reach = validator.reach
    foci = affected_nodes(reach, changed, match)
    if foci is None:
        return None
    bridge = TermBridge()
    graph = bridge.graph(neighbourhood(reach, foci, match))
    affected = {bridge.to_rdflib(n) for n in foci}
    fresh = [
        r
        for r in run_pyshacl(graph, validator.compiled.core_shapes, validator.ontology)
        if r.focus in affected
    ]
    fresh += validator.sparql(graph, only=affected, bridge=bridge)
    kept = [r for r in previous.results if r.focus not in affected]
    return make_report([*kept, *fresh], validator.shapes)
