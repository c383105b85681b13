"""SHACL-SPARQL constraints (SHACL 1.0 §5) evaluated by pyoxigraph, reported as pySHACL does.

rdflib's SPARQL engine made these constraints cost seconds per validation
(17 of 18 s in a profile of ``kgpub validate``). A constraint compiled by
``shacl.compiled`` runs in one of two equivalent ways:

* **join**: when ``$this`` occurs in a triple pattern of the top-level group
  (no sub-SELECT), pre-binding ``$this`` to a focus node yields exactly the
  solutions of the unbound query whose ``?this`` is that node; so the query
  runs once over all the data and its rows are grouped by ``?this`` and kept
  for the shape's focus nodes.
* **substitute**: otherwise, or when only a few focus nodes are asked for (the
  write gate), one query per focus node with pyoxigraph's ``substitutions``:
  the pre-binding the SHACL specification describes.

Results carry the constraint's and the shape's messages with their language
tags (pySHACL drops them on formatted messages), ``{$this}``/``{?var}``
substituted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import Node

from kgpub.shacl.compiled import Compiled, SparqlConstraint
from kgpub.shacl.terms import OxTerm, TermBridge

Row = dict[str, OxTerm]
_THIS = ox.Variable("this")
_MESSAGE_VARIABLE = re.compile(r"\{[?$]([A-Za-z_0-9]+)\}")


@dataclass(frozen=True)
class SparqlResult:
    """A validation result as pySHACL reports it for a SPARQL constraint."""

    focus: Node
    path: Node | None
    value: Node | None
    severity: URIRef
    source_shape: Node
    source_constraint: Node
    messages: tuple[Literal, ...]


def focus_nodes(store: ox.Store, queries: Iterable[str]) -> set[OxTerm]:
    """The union of the ``?this`` bindings of ``queries`` (a shape's targets)."""
    found: set[OxTerm] = set()
    for query in queries:
        solutions = store.query(query)
        assert isinstance(solutions, ox.QuerySolutions)
        for row in solutions:
            this = row["this"]
            if isinstance(this, ox.NamedNode | ox.BlankNode | ox.Literal):
                found.add(this)
    return found


def _solutions(
    store: ox.Store, query: str, substitutions: dict[ox.Variable, OxTerm]
) -> Iterator[Row]:
    solutions = store.query(query, substitutions=substitutions)  # type: ignore[arg-type]
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    for row in solutions:
        yield {
            n: t for n in names if isinstance(t := row[n], ox.NamedNode | ox.BlankNode | ox.Literal)
        }


def _rows(
    store: ox.Store, c: SparqlConstraint, foci: set[OxTerm], join: bool
) -> Iterator[tuple[OxTerm, Row]]:
    """(focus node, bindings) per solution, for the focus nodes in ``foci``."""
    if not foci:
        return
    if join and c.joinable:
        for row in _solutions(store, c.query, {}):
            this = row.get("this")
            if this is not None and this in foci:
                yield this, row
        return
    for focus in sorted(foci, key=str):
        for row in _solutions(store, c.query, {_THIS: focus}):
            yield focus, row


def _format(message: Literal, bindings: dict[str, Node]) -> Literal:
    def value_of(match: re.Match[str]) -> str:
        found = bindings.get(match.group(1))
        return match.group(0) if found is None else str(found)

    text = _MESSAGE_VARIABLE.sub(value_of, str(message))
    return Literal(text, lang=message.language, datatype=message.datatype)


def _results_for(
    c: SparqlConstraint, focus: Node, rows: list[Row], bridge: TermBridge
) -> Iterator[SparqlResult]:
    """pySHACL's ``SPARQLBasedConstraint._evaluate_sparql_constraint`` for one focus node."""
    failed = False
    for row in rows:
        bound = {k: bridge.to_rdflib(v) for k, v in row.items()}
        if "failure" in bound:
            if failed:
                continue
            failed = True
            del bound["failure"]
        this = bound.setdefault("this", focus)
        value = bound.get("value", None if c.path is not None else focus)
        path = bound.get("path", c.path)
        messages = tuple(_format(m, bound) for m in c.messages)
        yield SparqlResult(this, path, value, c.severity, c.shape, c.node, messages)


def evaluate(
    store: ox.Store,
    bridge: TermBridge,
    c: SparqlConstraint,
    contexts: list[set[OxTerm]],
    join: bool = True,
) -> list[SparqlResult]:
    """The results of constraint ``c`` for the focus nodes of each of its shape's contexts.

    A context is the focus nodes of the shape itself or of a node shape that
    has it as ``sh:property``: pySHACL reports once per context, and so does this.
    """
    union: set[OxTerm] = set().union(*contexts) if contexts else set()
    per_focus: dict[OxTerm, list[Row]] = {}
    for focus, row in _rows(store, c, union, join):
        rows = per_focus.setdefault(focus, [])
        if row not in rows:  # pySHACL drops duplicate solutions
            rows.append(row)
    out: list[SparqlResult] = []
    for foci in contexts:
        for focus in sorted(foci & per_focus.keys(), key=str):
            out.extend(_results_for(c, bridge.to_rdflib(focus), per_focus[focus], bridge))
    return out


def sparql_results(
    compiled: Compiled, store: ox.Store, bridge: TermBridge, only: set[OxTerm] | None = None
) -> list[SparqlResult]:
    """Every taken-over SPARQL constraint's results; with ``only``, for those focus nodes alone.

    With ``only`` (a write's few affected nodes) each constraint runs per focus
    node, so its cost follows the write rather than the dataset.
    """
    foci: dict[Node, set[OxTerm]] = {}
    out: list[SparqlResult] = []
    for c in compiled.constraints:
        contexts = []
        for shape in compiled.contexts.get(c.shape, []):
            if shape not in foci:
                found = focus_nodes(store, compiled.targets[shape])
                foci[shape] = found if only is None else found & only
            if foci[shape]:
                contexts.append(foci[shape])
        out.extend(evaluate(store, bridge, c, contexts, join=only is None))
    return out
