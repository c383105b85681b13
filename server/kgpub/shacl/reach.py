"""How far, and along which edges, a shape looks from its focus node.

The write gate (``shacl.incremental``) re-validates only the focus nodes a
change can affect: the nodes whose shapes reach a changed triple. That needs,
for the whole shapes graph, the set of *edges* a shape may traverse from a
focus node (a predicate and a direction: forward ``p`` or backward ``^p``) and
the *depth*: the most steps from a focus node to any node a check reads.

* SHACL Core: every ``sh:path`` (sequences add, alternatives take the
  longest, inverses flip direction), nested through ``sh:property``,
  ``sh:node``, ``sh:qualifiedValueShape``, ``sh:not``/``and``/``or``/``xone``,
  plus one step for ``sh:equals``/``sh:disjoint``/``sh:lessThan(OrEquals)``.
* SHACL-SPARQL (constraints and targets): the query's triple patterns, read
  from rdflib's algebra, as a graph around ``$this``/``?this``. An edge on a
  tree branch is traversed away from ``$this``; an edge in a cycle both ways;
  the depth is the size of the pattern graph around ``$this``; a ``BIND``
  ties its variable to those it reads (followed one way only); patterns not
  connected to ``$this`` make their predicates *global* (any change to them
  re-validates everything), as does a predicate variable or a negated path
  unless it only tests a triple between nodes the pattern binds otherwise.

``rdf:type`` and ``rdfs:subClassOf`` are never traversed: a type triple
affects its subject, and a change to the class hierarchy (``rdfs:subClassOf``
in the data, or the description of a node used as a class) re-validates
everything. An unbounded path (``*``, ``+``) over other predicates makes the
depth unbounded, and the gate validates everything too: always sound, only
slower.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from rdflib import Graph, URIRef, Variable
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH
from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
from rdflib.term import Node

from kgpub.shacl.compiled import SHAPE_EXPECTING, SHAPE_LISTS, Compiled, with_prefixes

Edge = tuple[str, bool]  # (predicate IRI, forward)
CLASS_PREDICATES = frozenset({str(RDF.type), str(RDFS.subClassOf)})
_COMPARING = (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals)
_THIS = Variable("this")
SAME = "="  # a BIND: the same node, no data edge


@dataclass
class Reach:
    """The edges any shape may traverse from a focus node, and how many steps at most."""

    edges: set[Edge] = field(default_factory=set)
    depth: int | None = 0  # None: unbounded
    global_predicates: set[str] = field(default_factory=set)
    any_predicate: bool = False
    objects_targeted: set[str] = field(default_factory=set)  # sh:targetObjectsOf

    def deepen(self, depth: int | None) -> None:
        if self.depth is not None:
            self.depth = None if depth is None else max(self.depth, depth)


def _add(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


def path_edges(sg: Graph, path: Node, forward: bool = True) -> tuple[set[Edge], int | None]:
    """The edges a SHACL path traverses from its focus node, and its length (None: unbounded)."""
    if isinstance(path, URIRef):
        return {(str(path), forward)}, 1
    if (path, RDF.first, None) in sg:
        edges: set[Edge] = set()
        length: int | None = 0
        for step in Collection(sg, path):
            found, steps = path_edges(sg, step, forward)
            edges |= found
            length = _add(length, steps)
        return edges, length
    inverse = sg.value(path, SH.inversePath)
    if inverse is not None:
        return path_edges(sg, inverse, not forward)
    optional = sg.value(path, SH.zeroOrOnePath)
    if optional is not None:
        return path_edges(sg, optional, forward)
    alternatives = sg.value(path, SH.alternativePath)
    if alternatives is not None:
        parts = [path_edges(sg, p, forward) for p in Collection(sg, alternatives)]
        lengths = [n for _e, n in parts]
        edges = set().union(*(e for e, _n in parts))
        return edges, None if None in lengths else max(n for n in lengths if n is not None)
    for unbounded in (SH.zeroOrMorePath, SH.oneOrMorePath):
        inner = sg.value(path, unbounded)
        if inner is not None:
            return path_edges(sg, inner, forward)[0], None
    raise ValueError(f"not a SHACL path: {path}")


def _nested(sg: Graph, shape: Node) -> Iterator[Node]:
    yield from sg.objects(shape, SH.property)
    for pred in SHAPE_EXPECTING:
        yield from sg.objects(shape, pred)
    for pred in SHAPE_LISTS:
        for head in sg.objects(shape, pred):
            yield from Collection(sg, head)


def _shape_depth(sg: Graph, shape: Node, reach: Reach, seen: frozenset[Node]) -> int | None:
    """Steps from a focus node of ``shape`` to the farthest node its checks read."""
    if shape in seen:
        return None  # a recursive shape: unbounded
    own: int | None = 0
    path = sg.value(shape, SH.path)
    if path is not None:
        edges, own = path_edges(sg, path)
        reach.edges |= edges
    deepest: int | None = 1 if any(True for p in _COMPARING for _ in sg.objects(shape, p)) else 0
    for pred in _COMPARING:
        reach.edges |= {(str(p), True) for p in sg.objects(shape, pred)}
    for child in _nested(sg, shape):
        child_depth = _shape_depth(sg, child, reach, seen | {shape})
        deepest = None if deepest is None or child_depth is None else max(deepest, child_depth)
    return _add(own, deepest)


def _steps(subject: Node, predicate: object, obj: Node, fresh: Iterator[int]) -> Iterator[Edge3]:
    """A triple pattern as (from, predicate IRI or None for any, to) steps."""
    if isinstance(predicate, URIRef):
        yield subject, str(predicate), obj
    elif isinstance(predicate, InvPath):
        yield from _steps(obj, predicate.arg, subject, fresh)
    elif isinstance(predicate, SequencePath):
        nodes = [subject, *(Variable(f"_step{next(fresh)}") for _ in predicate.args[1:]), obj]
        for i, part in enumerate(predicate.args):
            yield from _steps(nodes[i], part, nodes[i + 1], fresh)
    elif isinstance(predicate, AlternativePath):
        for part in predicate.args:
            yield from _steps(subject, part, obj, fresh)
    elif isinstance(predicate, MulPath):
        for s, p, o in _steps(subject, predicate.path, obj, fresh):
            bounded = predicate.mod == "?" or p in CLASS_PREDICATES
            yield s, p if bounded else f"*{p}", o
    else:  # a variable, a negated path: any predicate
        yield subject, None, obj


Edge3 = tuple[Node, str | None, Node]


def _patterns(node: object) -> Iterator[tuple[Node, object, Node]]:
    """Every triple pattern in rdflib's algebra (translated BGPs and untranslated blocks)."""
    from rdflib.plugins.sparql.parserutils import CompValue  # noqa: PLC0415

    if isinstance(node, CompValue):
        triples = node.get("triples") if node.name in ("BGP", "TriplesBlock") else None
        for block in triples or ():
            flat = list(block)
            for i in range(0, len(flat) - 2, 3):
                yield flat[i], flat[i + 1], flat[i + 2]
        for key in node:
            yield from _patterns(node.get(key))
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _patterns(item)


def _distances(steps: list[Edge3], skip: frozenset[Node] = frozenset()) -> dict[Node, int]:
    """Breadth-first distances from ``$this`` over the pattern graph.

    ``skip``: the two ends of edges left out (all of them: alternatives are parallel edges).
    """
    distance: dict[Node, int] = {_THIS: 0}
    frontier: list[Node] = [_THIS]
    while frontier:
        following = []
        for node in frontier:
            for s, p, o in steps:
                if {s, o} == skip or node not in (s, o) or (p == SAME and node != o):
                    continue  # a BIND is followed from what it reads to what it binds
                other = o if node == s else s
                if other not in distance:
                    distance[other] = distance[node] + 1
                    following.append(other)
        frontier = following
    return distance


def _binds(node: object) -> Iterator[Edge3]:
    """``BIND(expr AS ?v)``: ``?v`` tied to each variable of ``expr`` (no data edge)."""
    from rdflib.plugins.sparql.parserutils import CompValue  # noqa: PLC0415

    if isinstance(node, CompValue):
        if node.name in ("Extend", "Bind"):
            var = node.get("var")
            for used in _variables(node.get("expr")):
                yield var, SAME, used
        for key in node:
            yield from _binds(node.get(key))
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _binds(item)


def _variables(node: object) -> Iterator[Variable]:
    from rdflib.plugins.sparql.parserutils import CompValue  # noqa: PLC0415

    if isinstance(node, Variable):
        yield node
    elif isinstance(node, CompValue):
        for key in node:
            yield from _variables(node.get(key))
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _variables(item)


def _record(reach: Reach, step: Edge3, steps: list[Edge3], around: dict[Node, int]) -> None:
    s, marked, o = step
    without = _distances(steps, skip=frozenset((s, o)))
    in_cycle = s in without and o in without
    if marked is None:
        # ?s ?p ?o between nodes bound some other way only tests a triple whose
        # subject (always a start of the gate's search) the focus node reaches anyway.
        reach.any_predicate = reach.any_predicate or not in_cycle
        return
    if marked == SAME:
        return
    p = marked.removeprefix("*")
    if p != marked:
        reach.deepen(None)
    if in_cycle:
        reach.edges |= {(p, True), (p, False)}
    else:  # a bridge: traversed away from $this
        reach.edges.add((p, around[s] <= around[o]))


def sparql_reach(query: str, reach: Reach) -> None:
    """Add a SHACL-SPARQL query's edges, depth and global predicates to ``reach``."""
    from rdflib.plugins.sparql import prepareQuery  # noqa: PLC0415

    algebra = prepareQuery(query).algebra
    fresh = iter(range(1_000_000))
    steps = [
        step
        for s, p, o in _patterns(algebra)
        for step in _steps(s, p, o, fresh)
        if step[1] not in CLASS_PREDICATES
    ]
    steps += list(_binds(algebra))
    around = _distances(steps)
    for step in steps:
        if step[0] in around:
            _record(reach, step, steps, around)
        elif step[1] is None:
            reach.any_predicate = True
        elif step[1] != SAME:
            reach.global_predicates.add(step[1].removeprefix("*"))
    reach.deepen(max(len(around) - 1, 0))


def reach_of(compiled: Compiled) -> Reach:
    """The reach of every shape in the compiled shapes graph."""
    sg = compiled.shapes
    reach = Reach(objects_targeted={str(p) for p in sg.objects(None, SH.targetObjectsOf)})
    shapes = {s for kind in (SH.NodeShape, SH.PropertyShape) for s in sg.subjects(RDF.type, kind)}
    shapes |= set(sg.subjects(SH.path, None))
    core: int | None = 0
    for shape in shapes:
        depth = _shape_depth(sg, shape, reach, frozenset())
        core = None if core is None or depth is None else max(core, depth)
    queries = [c.query for c in compiled.constraints]
    for owner, node in sg.subject_objects(SH.sparql):
        if owner in compiled.unsupported:
            select = sg.value(node, SH.select)
            queries.append(with_prefixes(sg, node, str(select)))
    for node in sg.objects(None, SH.target):
        select = sg.value(node, SH.select)
        if select is not None:
            queries.append(with_prefixes(sg, node, str(select)))
    sparql = Reach()
    for query in queries:
        sparql_reach(query, sparql)
    reach.edges |= sparql.edges
    reach.global_predicates |= sparql.global_predicates
    reach.any_predicate = sparql.any_predicate
    # SPARQL constraints nested in Core shapes add to their depth; top-level ones do not.
    reach.depth = _add(core, sparql.depth) if compiled.unsupported else core
    if not compiled.unsupported:
        reach.deepen(sparql.depth)
    return reach
