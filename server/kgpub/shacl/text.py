"""A readable rendering of a SHACL report for people at a terminal.

pySHACL's own text lists every field of every result; a modeller wants one
line per problem: severity, focus node, path, constraint and message.
"""

from __future__ import annotations

from rdflib.namespace import SH
from rdflib.term import Node, URIRef

from kgpub.shacl.validate import ValidationReport, ValidationResult


def _short(node: Node | None) -> str:
    if node is None:
        return "-"
    text = str(node)
    if isinstance(node, URIRef) and text.startswith(str(SH)):
        return "sh:" + text[len(str(SH)) :]
    return text


def render_result(result: ValidationResult) -> str:
    severity = _short(result.severity).removeprefix("sh:")
    line = (
        f"{severity}: {_short(result.focus)} path {_short(result.path)} "
        f"[{_short(result.component)}]"
    )
    if result.value is not None:
        line += f" value {_short(result.value)}"
    return f"{line}\n    {result.message}"


def render_report(report: ValidationReport) -> str:
    if not report.results:
        return "Conforms: the data passes every shape."
    lines = [render_result(r) for r in sorted(report.results, key=_sort_key)]
    violations = len(report.violations)
    others = len(report.results) - violations
    head = "Conforms" if report.conforms else "Does not conform"
    lines.append(f"{head}: {violations} violation(s), {others} warning(s)/info(s).")
    return "\n".join(lines)


def _sort_key(result: ValidationResult) -> tuple[str, str, str]:
    return (str(result.severity), str(result.focus), str(result.path))
