"""Where a SHACL-SPARQL query looks from ``$this``: its part of the write gate's ``Reach``.

The query's triple patterns (read from rdflib's algebra, property paths split
into steps, ``BIND`` variables tied to those they read) form a small graph
around ``$this``. An edge on a tree branch is traversed away from ``$this``,
an edge in a cycle either way; its position is the longest simple path from
``$this`` to its nearer end (``$this`` has no other way to reach it). A
``?s ?p ?o`` between nodes the pattern binds otherwise only tests a triple
whose subject the focus node reaches by one of ``?s``'s other edges: a
*wildcard* entry. Patterns not connected to ``$this`` make their predicates
global, and a predicate variable that is not such a test makes every change
global (``Reach.any_predicate``): the gate then validates everything.
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import URIRef, Variable
from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
from rdflib.term import Node

from kgpub.rdflib_grammar import GRAMMAR_LOCK
from kgpub.shacl.reach import CLASS_PREDICATES, TYPE, Edge, Position, Reach

Step = tuple[Node, str | None, Node]  # (from, predicate IRI, "*"-marked if unbounded, or None, to)
SAME = "="  # a BIND: the same node, no data edge
_THIS = Variable("this")
_SEARCH_LIMIT = 100_000


def _steps(subject: Node, predicate: object, obj: Node, fresh: Iterator[int]) -> Iterator[Step]:
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


def _distances(steps: list[Step], skip: frozenset[Node] = frozenset()) -> dict[Node, int]:
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


def _binds(node: object) -> Iterator[Step]:
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


def _longest(steps: list[Step]) -> dict[Node, int] | None:
    """The longest simple path from ``$this`` to each node (None: too many to search)."""
    neighbours: dict[Node, list[Node]] = {}
    for s, p, o in steps:
        neighbours.setdefault(o, []).append(s)
        if p != SAME:
            neighbours.setdefault(s, []).append(o)
    longest: dict[Node, int] = {_THIS: 0}
    budget = [_SEARCH_LIMIT]

    def walk(node: Node, length: int, seen: frozenset[Node]) -> bool:
        budget[0] -= 1
        if budget[0] < 0:
            return False
        longest[node] = max(longest.get(node, 0), length)
        return all(
            walk(n, length + 1, seen | {n}) for n in neighbours.get(node, []) if n not in seen
        )

    return longest if walk(_THIS, 0, frozenset({_THIS})) else None


def _entries(
    s: Node, wildcard: int, steps: list[Step], longest: dict[Node, int]
) -> tuple[frozenset[Edge], Position] | None:
    """How a focus node reaches ``?s`` of a ?s ?p ?o test: the edges into it and the budget."""
    edges: set[Edge] = set()
    budget = 0
    for index, (a, p, b) in enumerate(steps):
        if index == wildcard or s not in (a, b):
            continue
        if p is None or p == SAME or p.startswith("*"):
            return None
        other = a if b == s else b
        edges.add((p, b == s))  # a -p-> ?s: a forward step into ?s; ?s -p-> b: backward
        budget = max(budget, longest.get(other, 0))
    return frozenset(edges), budget


def _record(
    reach: Reach, index: int, steps: list[Step], around: dict[Node, int], longest: dict[Node, int]
) -> None:
    s, marked, o = steps[index]
    without = _distances(steps, skip=frozenset((s, o)))
    in_cycle = s in without and o in without
    if marked == SAME:
        return
    if marked is None:
        entry = _entries(s, index, steps, longest) if in_cycle else None
        if entry is None:
            reach.any_predicate = True
        else:
            reach.wildcards.append(entry)
        return
    p = marked.removeprefix("*")
    unbounded = p != marked
    if in_cycle:
        position: Position = None if unbounded else max(longest[s], longest[o])
        reach.record((p, True), position)
        reach.record((p, False), position)
    else:  # a bridge: traversed away from $this
        near = s if around[s] <= around[o] else o
        reach.record((p, near == s), None if unbounded else longest[near])


def sparql_reach(query: str, reach: Reach) -> None:
    """Add a SHACL-SPARQL query's edges, positions and global predicates to ``reach``."""
    with GRAMMAR_LOCK:  # rdflib's grammar is not thread-safe (kgpub.rdflib_grammar)
        from rdflib.plugins.sparql import prepareQuery  # noqa: PLC0415

        algebra = prepareQuery(query).algebra
    fresh = iter(range(1_000_000))
    every = [step for s, p, o in _patterns(algebra) for step in _steps(s, p, o, fresh)]
    steps = [step for step in every if step[1] not in CLASS_PREDICATES]
    steps += list(_binds(algebra))
    around = _distances(steps)
    longest = _longest(steps)
    if longest is None:
        reach.depth = None
        return
    for index, step in enumerate(steps):
        if step[0] in around:
            _record(reach, index, steps, around, longest)
        elif step[1] is None:
            reach.any_predicate = True
        elif step[1] != SAME:
            reach.global_predicates.add(step[1].removeprefix("*"))
    for s, p, _o in every:
        if p == TYPE and s in longest:  # a type read where the pattern reaches its subject
            reach.record((TYPE, True), longest[s])
