"""A SHACL report saved to a file and read back exactly as it was.

``kgpub serve --workers`` hands the parent's report to every worker this way,
and the report cache (``shacl.report_cache``) keeps reports between runs.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kgpub.shacl.validate import ValidationReport, ValidationResult


def write_report(report: ValidationReport, path: Path) -> Path:
    """Save ``report`` for ``read_report``: the graph and each result as it is.

    The results are saved term by term rather than read from the graph again,
    so blank node labels and every language of every message survive exactly.
    """
    data = {
        "graph": report.graph.serialize(format="nt", encoding="utf-8").decode("utf-8"),
        "results": [
            {
                "focus": _term(r.focus),
                "path": _term(r.path),
                "component": _term(r.component),
                "severity": _term(r.severity),
                "source_shape": _term(r.source_shape),
                "value": _term(r.value),
                "messages": [_term(m) for m in r.messages],
                "source_constraint": _term(r.source_constraint),
            }
            for r in report.results
        ],
    }
    # A temporary name of its own: several processes (HTTP workers, test workers) may
    # keep the same report at once, and must not write into each other's file.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(path)  # whole or absent: a reader never sees half a report
    finally:
        tmp.unlink(missing_ok=True)
    return path


def read_report(path: Path) -> ValidationReport:
    """The report ``write_report`` saved."""
    data = json.loads(path.read_text(encoding="utf-8"))
    graph = Graph()
    graph.parse(data=str(data["graph"]), format="nt")
    results = tuple(
        ValidationResult(
            focus=_node(r["focus"]),
            path=_optional_node(r["path"]),
            component=URIRef(str(r["component"]["iri"])),
            severity=URIRef(str(r["severity"]["iri"])),
            source_shape=_node(r["source_shape"]),
            value=_optional_node(r["value"]),
            messages=tuple(_literal(m) for m in r["messages"]),
            source_constraint=_optional_node(r["source_constraint"]),
        )
        for r in data["results"]
    )
    return ValidationReport(results, graph)


def _term(node: Node | None) -> dict[str, str | None] | None:
    if node is None:
        return None
    if isinstance(node, Literal):
        datatype = str(node.datatype) if node.datatype is not None else None
        return {"literal": str(node), "language": node.language, "datatype": datatype}
    if isinstance(node, BNode):
        return {"blank": str(node)}
    return {"iri": str(node)}


def _node(term: dict[str, str | None]) -> Node:
    if "literal" in term:
        datatype = term["datatype"]
        return Literal(
            term["literal"],
            lang=term["language"],
            datatype=URIRef(datatype) if datatype is not None else None,
        )
    if "blank" in term:
        return BNode(term["blank"])
    return URIRef(str(term["iri"]))


def _literal(term: dict[str, str | None]) -> Literal:
    node = _node(term)
    if not isinstance(node, Literal):
        raise ValueError(f"a message that is not a literal: {term}")
    return node


def _optional_node(term: dict[str, str | None] | None) -> Node | None:
    return None if term is None else _node(term)
