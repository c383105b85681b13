"""How far, and along which edges, a shape looks from its focus node.

The write gate (``shacl.incremental``) re-validates only the focus nodes a
change can affect: the nodes whose shapes reach a changed triple. That needs,
for the whole shapes graph, the *edges* a shape may traverse from a focus node (a predicate and a
direction: forward ``p`` or backward ``^p``), each with its *position* (the
most steps from a focus node before the edge is traversed), and the *depth*:
the most steps from a focus node to any node a check reads. A change to an
edge at position k can only affect focus nodes within k steps of it.

* SHACL Core: every ``sh:path`` (sequences add, alternatives take the
  longest, inverses flip direction), nested through ``sh:property``,
  ``sh:node``, ``sh:qualifiedValueShape``, ``sh:not``/``and``/``or``/``xone``,
  plus one step for ``sh:equals``/``sh:disjoint``/``sh:lessThan(OrEquals)``.
* SHACL-SPARQL (constraints and targets, ``shacl.sparql_reach``): the query's
  triple patterns, read from rdflib's algebra, as a graph around ``$this``. An edge on a
  tree branch is traversed away from ``$this``; an edge in a cycle both ways;
  the depth is the size of the pattern graph around ``$this``; a ``BIND``
  ties its variable to those it reads (followed one way only); patterns not
  connected to ``$this`` make their predicates *global* (any change to them
  re-validates everything), as does a predicate variable or a negated path
  unless it only tests a triple between nodes the pattern binds otherwise.

``rdf:type`` and ``rdfs:subClassOf`` are never traversed: a type triple is
read where ``sh:class`` or a pattern reads it (its position), and a change to
the class hierarchy (``rdfs:subClassOf`` in the data, or the description of a
node used as a class) re-validates everything. An unbounded path (``*``,
``+``) over other predicates makes the depth unbounded, and the gate
validates everything too: always sound, only slower.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from kgpub.shacl.compiled import SHAPE_EXPECTING, SHAPE_LISTS, Compiled, with_prefixes

Edge = tuple[str, bool]  # (predicate IRI, forward)
Position = int | None  # steps from a focus node; None: unbounded
CLASS_PREDICATES = frozenset({str(RDF.type), str(RDFS.subClassOf)})
TYPE = str(RDF.type)
_COMPARING = (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals)


@dataclass
class Reach:
    """The edges any shape may traverse from a focus node, where, and how deep at most."""

    positions: dict[Edge, Position] = field(default_factory=dict)
    depth: Position = 0
    global_predicates: set[str] = field(default_factory=set)
    any_predicate: bool = False
    # Any predicate read at this position (sh:closed; a ?s ?p ?o test): -1 none.
    any_position: Position = -1
    # ?s ?p ?o tests between otherwise bound nodes: the edges the focus node reaches
    # ?s by (a first backward step from a changed subject), then at most ``budget`` steps.
    wildcards: list[tuple[frozenset[Edge], Position]] = field(default_factory=list)
    objects_targeted: set[str] = field(default_factory=set)  # sh:targetObjectsOf

    @property
    def edges(self) -> set[Edge]:
        return set(self.positions)

    def record(self, edge: Edge, position: Position) -> None:
        """``edge`` is traversed ``position`` steps from a focus node (keeps the farthest)."""
        if edge in self.positions and self.positions[edge] is None:
            return
        old = self.positions.get(edge, -1)
        self.positions[edge] = None if position is None else max(old or 0, position)
        self.deepen(None if position is None else position + 1)

    def deepen(self, depth: Position) -> None:
        if self.depth is not None:
            self.depth = None if depth is None else max(self.depth, depth)


def add(a: Position, b: Position) -> Position:
    return None if a is None or b is None else a + b


def _alternatives(sg: Graph, head: Node, offset: Position, forward: bool, reach: Reach) -> Position:
    lengths = [_path(sg, p, offset, forward, reach) for p in Collection(sg, head)]
    return None if None in lengths else max((n for n in lengths if n is not None), default=0)


def _path(sg: Graph, path: Node, offset: Position, forward: bool, reach: Reach) -> Position:
    """Record a SHACL path's edges from ``offset`` on; its length (None: unbounded)."""
    if isinstance(path, URIRef):
        reach.record((str(path), forward), offset)
        return 1
    if (path, RDF.first, None) in sg:
        length: Position = 0
        for step in Collection(sg, path):
            length = add(length, _path(sg, step, add(offset, length), forward, reach))
        return length
    inverse = sg.value(path, SH.inversePath)
    if inverse is not None:
        return _path(sg, inverse, offset, not forward, reach)
    optional = sg.value(path, SH.zeroOrOnePath)
    if optional is not None:
        return _path(sg, optional, offset, forward, reach)
    alternatives = sg.value(path, SH.alternativePath)
    if alternatives is not None:
        return _alternatives(sg, alternatives, offset, forward, reach)
    for unbounded in (SH.zeroOrMorePath, SH.oneOrMorePath):
        inner = sg.value(path, unbounded)
        if inner is not None:
            _path(sg, inner, None, forward, reach)
            return None
    raise ValueError(f"not a SHACL path: {path}")


def _nested(sg: Graph, shape: Node) -> Iterator[Node]:
    yield from sg.objects(shape, SH.property)
    for pred in SHAPE_EXPECTING:
        yield from sg.objects(shape, pred)
    for pred in SHAPE_LISTS:
        for head in sg.objects(shape, pred):
            yield from Collection(sg, head)


def _visit(sg: Graph, shape: Node, offset: Position, reach: Reach, stack: frozenset[Node]) -> None:
    """Record what ``shape`` reads when its focus node is ``offset`` steps from the top one."""
    if shape in stack or offset is None:  # a recursive shape, or beyond an unbounded path
        reach.depth = None
        return
    path = sg.value(shape, SH.path)
    values = offset if path is None else add(offset, _path(sg, path, offset, True, reach))
    reach.deepen(values)
    for pred in _COMPARING:
        for compared in sg.objects(shape, pred):
            reach.record((str(compared), True), offset)
    if (shape, SH["class"], None) in sg:
        reach.record((TYPE, True), values)
    closed = sg.value(shape, SH.closed)
    if isinstance(closed, Literal) and closed.toPython() is True:
        reach.any_position = None if reach.any_position is None else max(reach.any_position, offset)
    for child in _nested(sg, shape):
        _visit(sg, child, values, reach, stack | {shape})


def reach_of(compiled: Compiled) -> Reach:
    """The reach of every shape in the compiled shapes graph."""
    sg = compiled.shapes
    reach = Reach(objects_targeted={str(p) for p in sg.objects(None, SH.targetObjectsOf)})
    shapes = {s for kind in (SH.NodeShape, SH.PropertyShape) for s in sg.subjects(RDF.type, kind)}
    shapes |= set(sg.subjects(SH.path, None))
    for shape in shapes:
        _visit(sg, shape, 0, reach, frozenset())
    queries = [c.query for c in compiled.constraints]
    for owner, node in sg.subject_objects(SH.sparql):
        if owner in compiled.unsupported:
            select = sg.value(node, SH.select)
            queries.append(with_prefixes(sg, node, str(select)))
    for node in sg.objects(None, SH.target):
        select = sg.value(node, SH.select)
        if select is not None:
            queries.append(with_prefixes(sg, node, str(select)))
    # sparql_reach builds on this module's Reach: imported here, not at the top.
    from kgpub.shacl.sparql_reach import sparql_reach  # noqa: PLC0415

    for query in queries:
        sparql_reach(query, reach)
    if compiled.unsupported:  # SPARQL constraints nested in Core shapes: not bounded here
        reach.depth = None
    return reach


def target_reach_of(compiled: Compiled) -> Reach:
    """How far the shapes' *targets* look from a node: what deciding whether it is a focus reads.

    Class targets read the node's own ``rdf:type`` (and the class hierarchy),
    ``sh:targetSubjectsOf`` its own triples, ``sh:targetObjectsOf`` the triples
    into it; a SPARQL target reads what its pattern reaches from ``$this``.
    """
    sg = compiled.shapes
    reach = Reach(objects_targeted={str(p) for p in sg.objects(None, SH.targetObjectsOf)})
    from kgpub.shacl.sparql_reach import sparql_reach  # noqa: PLC0415 - see reach_of

    for node in sg.objects(None, SH.target):
        select = sg.value(node, SH.select)
        if select is None:
            reach.depth = None  # a custom target this cannot read
            return reach
        sparql_reach(with_prefixes(sg, node, str(select)), reach)
    return reach
