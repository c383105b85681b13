"""A SHACL report saved to a file and read back exactly as it was.

``kgpub serve --workers`` hands the parent's report to every worker this way,
and the report cache (``shacl.report_cache``) keeps reports between runs.
Reading one imports no rdflib: the report is deferred (``shacl.report``), its
results known as text at once and built as rdflib terms on first use, so a
server starting on unchanged data does not import rdflib before it answers.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kgpub.shacl.messages import Text
from kgpub.shacl.report import ResultText, Shown, ValidationReport, ValidationResult

if TYPE_CHECKING:
    from rdflib import Graph, Literal
    from rdflib.term import Node

Term = dict[str, str | None]


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
    """The report ``write_report`` saved, deferred: its rdflib form is built on first use."""
    data = json.loads(path.read_text(encoding="utf-8"))
    graph_text = str(data["graph"])
    try:  # an unreadable graph fails now, as before, not when a page first asks for it
        for _ in ox.parse(graph_text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES):
            pass
    except SyntaxError as exc:
        raise ValueError(f"the saved report graph is not N-Triples: {exc}") from exc
    saved: list[dict[str, Any]] = list(data["results"])
    texts = tuple(_text(r) for r in saved)

    def build() -> tuple[tuple[ValidationResult, ...], Graph]:
        return _results(saved), _graph(graph_text)

    return ValidationReport.deferred(texts, build)


def _text(saved: dict[str, Any]) -> ResultText:
    """A saved result as text; a malformed file fails here, when it is read."""
    for field in ("component", "severity"):
        if "iri" not in saved[field]:
            raise ValueError(f"a result's {field} is not an IRI: {saved[field]}")
    for term in (saved["focus"], saved["source_shape"]):
        if term is None:
            raise ValueError("a result without a focus node or source shape")
    messages = []
    for message in saved["messages"]:
        if "literal" not in message:
            raise ValueError(f"a message that is not a literal: {message}")
        messages.append(Text(str(message["literal"]), message["language"]))
    focus = _shown(saved["focus"])
    assert focus is not None
    return ResultText(
        severity=Shown(str(saved["severity"]["iri"]), iri=True),
        focus=focus,
        path=_shown(saved["path"]),
        component=Shown(str(saved["component"]["iri"]), iri=True),
        value=_shown(saved["value"]),
        messages=tuple(messages),
    )


def _shown(term: Term | None) -> Shown | None:
    if term is None:
        return None
    if "literal" in term:
        return Shown(str(term["literal"]))
    if "blank" in term:
        return Shown(str(term["blank"]))
    return Shown(str(term["iri"]), iri=True)


def _graph(text: str) -> Graph:
    from rdflib import Graph  # noqa: PLC0415 - see the module docstring

    graph = Graph()
    graph.parse(data=text, format="nt")
    return graph


def _results(saved: list[dict[str, Any]]) -> tuple[ValidationResult, ...]:
    from rdflib import URIRef  # noqa: PLC0415 - see the module docstring

    return tuple(
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
        for r in saved
    )


def _term(node: Node | None) -> Term | None:
    from rdflib import BNode, Literal  # noqa: PLC0415 - see the module docstring

    if node is None:
        return None
    if isinstance(node, Literal):
        datatype = str(node.datatype) if node.datatype is not None else None
        return {"literal": str(node), "language": node.language, "datatype": datatype}
    if isinstance(node, BNode):
        return {"blank": str(node)}
    return {"iri": str(node)}


def _node(term: Term) -> Node:
    from rdflib import BNode, Literal, URIRef  # noqa: PLC0415 - see the module docstring

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


def _literal(term: Term) -> Literal:
    from rdflib import Literal  # noqa: PLC0415 - see the module docstring

    node = _node(term)
    if not isinstance(node, Literal):
        raise ValueError(f"a message that is not a literal: {term}")
    return node


def _optional_node(term: Term | None) -> Node | None:
    return None if term is None else _node(term)
