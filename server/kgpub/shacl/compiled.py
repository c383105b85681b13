"""The shapes compiled once: SHACL-SPARQL constraints for pyoxigraph, the rest for pySHACL.

pySHACL evaluates each ``sh:SPARQLConstraint`` once per focus node, re-parsing
its query with pyparsing every time and running it in rdflib's pure-Python
engine: seconds on the shipped story. Here each constraint is compiled once per
process (prefixes from ``sh:prefixes``/``sh:declare`` written in, ``$PATH``
substituted, as pySHACL's ``SPARQLQueryHelper`` does) for
``shacl.sparql_constraints`` to run in pyoxigraph, and the shapes graph without
those ``sh:sparql`` triples (``core_shapes``) is what pySHACL still checks.

Only shapes whose SPARQL constraints are reached through targets and
``sh:property`` are taken over (their results name the shape as
``sh:sourceShape``, as pySHACL's do). A shape with SPARQL constraints that is
used inside ``sh:node``/``sh:not``/``sh:and``/``sh:or``/``sh:xone``/
``sh:qualifiedValueShape`` or under a property shape keeps its constraints in
pySHACL (``unsupported``), so the conformance checks inside those never change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

SHAPE_EXPECTING = (SH.node, SH["not"], SH.qualifiedValueShape)
SHAPE_LISTS = (SH["and"], SH["or"], SH.xone)
_PATH_VARIABLE = re.compile(r"([\s{}()/|^])[$?]PATH\b")


@dataclass(frozen=True)
class SparqlConstraint:
    """One ``sh:sparql`` value of one shape, compiled for pyoxigraph."""

    shape: Node
    node: Node  # the sh:SPARQLConstraint node (sh:sourceConstraint)
    query: str
    path: Node | None  # the property shape's sh:path (sh:resultPath); None for node shapes
    severity: URIRef
    messages: tuple[Literal, ...]  # the constraint's sh:message values, then the shape's
    joinable: bool


@dataclass
class Compiled:
    """The shapes graph split: pyoxigraph's part and pySHACL's part."""

    shapes: Graph
    constraints: list[SparqlConstraint]
    # for each taken-over shape, the shapes whose targets give its focus nodes
    contexts: dict[Node, list[Node]]
    core_shapes: Graph
    unsupported: list[Node] = field(default_factory=list)
    targets: dict[Node, list[str]] = field(default_factory=dict)  # shape -> SELECT ?this


def prefixes(sg: Graph, node: Node) -> dict[str, str]:
    """pySHACL's ``collect_prefixes``: sh:prefixes → sh:declare, plus the ontologies' declares."""
    declares: set[Node] = set()
    ontologies = set(sg.subjects(RDF.type, OWL.Ontology))
    global_declares = {d for o in ontologies for d in sg.objects(o, SH.declare)}
    for pv in sg.objects(node, SH.prefixes):
        own = set(sg.objects(pv, SH.declare))
        declares |= own if (own and pv in ontologies) else (global_declares | own)
    out: dict[str, str] = {}
    for d in declares:
        prefix = sg.value(d, SH.prefix)
        namespace = sg.value(d, SH.namespace)
        if prefix is None or namespace is None:
            raise ValueError(f"sh:declare {d} needs one sh:prefix and one sh:namespace")
        out[str(prefix)] = str(namespace)
    return out


def with_prefixes(sg: Graph, node: Node, text: str) -> str:
    declared = prefixes(sg, node)
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(declared.items())) + text


def sparql_path(sg: Graph, path: Node) -> str:
    """A SHACL property path as a SPARQL property path (for ``$PATH``)."""
    if isinstance(path, URIRef):
        return f"<{path}>"
    if (path, RDF.first, None) in sg:
        return "(" + "/".join(sparql_path(sg, p) for p in Collection(sg, path)) + ")"
    for pred, fmt in (
        (SH.inversePath, "^({})"),
        (SH.zeroOrMorePath, "({})*"),
        (SH.oneOrMorePath, "({})+"),
        (SH.zeroOrOnePath, "({})?"),
    ):
        inner = sg.value(path, pred)
        if inner is not None:
            return fmt.format(sparql_path(sg, inner))
    alternatives = sg.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(sparql_path(sg, p) for p in Collection(sg, alternatives)) + ")"
    raise ValueError(f"not a SHACL path: {path}")


_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n\r]*)
      | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                   |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<var>[?$][A-Za-z_0-9\u00B7-\uFFFF]+)
      | (?P<word>[A-Za-z_][A-Za-z_0-9-]*)
      | (?P<punct>[{}()])
      | (?P<other>\S)
      | \s+""",
    re.VERBOSE,
)


def this_bound_at_top_level(select: str) -> bool:
    """Whether ``$this`` is in a triple pattern of the WHERE clause's top-level group.

    Then every solution binds ``?this`` from the data before any OPTIONAL,
    FILTER (NOT) EXISTS or nested group sees it, so evaluating the query unbound
    and keeping the rows whose ``?this`` is the focus node equals pre-binding it
    (SHACL §5.3.1). Conservative: any sub-SELECT, or ``$this`` only inside nested
    groups or expressions, says no.
    """
    depth = {"{": 0, "(": 0}
    seen_where = found = False
    for m in _TOKEN.finditer(select):
        kind, text = m.lastgroup, m.group()
        if kind == "punct":
            opening = "{" if text in "{}" else "("
            depth[opening] += 1 if text in "{(" else -1
            seen_where = seen_where or text == "{"
        elif kind == "word" and text.upper() == "SELECT" and depth["{"] > 0:
            return False  # a sub-SELECT: leave to substitution
        elif kind == "var" and text[1:] == "this" and seen_where:
            found = found or (depth["{"] == 1 and depth["("] == 0)
    return found


def _messages(sg: Graph, node: Node) -> tuple[Literal, ...]:
    found = (m for m in sg.objects(node, SH.message) if isinstance(m, Literal))
    return tuple(sorted(found, key=lambda m: (m.language or "", str(m))))


def is_true(sg: Graph, node: Node, pred: URIRef) -> bool:
    value = sg.value(node, pred)
    return isinstance(value, Literal) and value.toPython() is True


def _nested_uses(sg: Graph) -> set[Node]:
    """Shapes used where their results are not reported but only checked."""
    used: set[Node] = set()
    for pred in SHAPE_EXPECTING:
        used.update(sg.objects(None, pred))
    for pred in SHAPE_LISTS:
        for head in sg.objects(None, pred):
            used.update(Collection(sg, head))
    for parent, child in sg.subject_objects(SH.property):
        if sg.value(parent, SH.path) is not None:  # focus nodes are a path's value nodes
            used.add(child)
    return used


def _constraint(sg: Graph, shape: Node, node: Node) -> SparqlConstraint:
    selects = list(sg.objects(node, SH.select))
    if len(selects) != 1:
        raise ValueError(f"{node}: a SPARQL constraint needs exactly one sh:select")
    text = str(selects[0])
    path = sg.value(shape, SH.path)
    if _PATH_VARIABLE.search(text):
        if path is None:
            raise ValueError(f"{node}: $PATH in a node shape")
        replacement = sparql_path(sg, path)
        text = _PATH_VARIABLE.sub(lambda m: m.group(1) + replacement, text)
    severity = sg.value(shape, SH.severity)
    return SparqlConstraint(
        shape=shape,
        node=node,
        query=with_prefixes(sg, node, text),
        path=path,
        severity=severity if isinstance(severity, URIRef) else SH.Violation,
        messages=_messages(sg, node) + _messages(sg, shape),
        joinable=this_bound_at_top_level(text),
    )


def compile_shapes(sg: Graph) -> Compiled:
    """Split ``sg``: the SPARQL constraints pyoxigraph runs, and the rest for pySHACL."""
    nested = _nested_uses(sg)
    compiled = Compiled(sg, [], {}, Graph(bind_namespaces="none"))
    removed: set[tuple[Node, Node, Node]] = set()
    for shape in sorted(set(sg.subjects(SH.sparql, None)), key=str):
        referrers = sorted(set(sg.subjects(SH.property, shape)), key=str)
        if shape in nested or any(r in nested for r in referrers):
            compiled.unsupported.append(shape)
            continue
        active = not is_true(sg, shape, SH.deactivated)
        compiled.contexts[shape] = (
            [shape, *(r for r in referrers if not is_true(sg, r, SH.deactivated))] if active else []
        )
        for node in sorted(sg.objects(shape, SH.sparql), key=str):
            removed.add((shape, SH.sparql, node))
            if not is_true(sg, node, SH.deactivated):
                compiled.constraints.append(_constraint(sg, shape, node))
    for prefix, namespace in sg.namespace_manager.namespaces():
        compiled.core_shapes.bind(prefix, namespace)
    for triple in sg:
        if triple not in removed:
            compiled.core_shapes.add(triple)
    for shapes in compiled.contexts.values():
        for s in shapes:
            compiled.targets.setdefault(s, target_queries(sg, s))
    return compiled


def target_queries(sg: Graph, shape: Node) -> list[str]:
    """SELECT ?this queries whose union is the shape's focus nodes (SHACL §2.1.3, SHACL-AF)."""
    out = [
        f"SELECT ?this WHERE {{ VALUES ?this {{ {_sparql_term(n)} }} }}"
        for n in sg.objects(shape, SH.targetNode)
    ]
    classes = set(sg.objects(shape, SH.targetClass))
    if (shape, RDF.type, RDFS.Class) in sg:
        classes.add(shape)
    out += [
        f"SELECT DISTINCT ?this WHERE {{ ?this <{RDF.type}>/<{RDFS.subClassOf}>* "
        f"{_sparql_term(c)} }}"
        for c in classes
    ]
    out += [
        f"SELECT DISTINCT ?this WHERE {{ ?this {_sparql_term(p)} ?o }}"
        for p in sg.objects(shape, SH.targetSubjectsOf)
    ]
    out += [
        f"SELECT DISTINCT ?this WHERE {{ ?s {_sparql_term(p)} ?this }}"
        for p in sg.objects(shape, SH.targetObjectsOf)
    ]
    for target in sg.objects(shape, SH.target):
        select = sg.value(target, SH.select)
        if select is None:
            raise NotImplementedError(f"{shape}: only sh:SPARQLTarget custom targets are read")
        out.append(with_prefixes(sg, target, str(select)))
    return out


def _sparql_term(node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    raise ValueError(f"cannot use {node!r} as a target in SPARQL")
