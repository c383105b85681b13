"""A readable rendering of a SHACL report for people at a terminal.

pySHACL's own text lists every field of every result; a modeller wants one
line per problem: severity, focus node, path, constraint and message (in the
language asked for), then the verdict: SHACL's ``sh:conforms`` and kgpub's
policy (Warnings and Infos are accepted for publishing, Violations are not).
"""

from __future__ import annotations

from collections.abc import Sequence

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


def render_result(result: ValidationResult, languages: Sequence[str] = ("en",)) -> str:
    severity = _short(result.severity).removeprefix("sh:")
    line = (
        f"{severity}: {_short(result.focus)} path {_short(result.path)} "
        f"[{_short(result.component)}]"
    )
    if result.value is not None:
        line += f" value {_short(result.value)}"
    return f"{line}\n    {result.message_in(languages)}"


def verdict(report: ValidationReport) -> str:
    """One line: SHACL's conformance, the counts and kgpub's decision."""
    if report.conforms:
        return "Conforms: the data passes every shape."
    violations = len(report.violations)
    others = len(report.results) - violations
    counts = f"{violations} violation(s), {others} warning(s)/info(s)"
    if report.accepted:
        return f"Does not conform (sh:conforms false): {counts}; accepted, no violations."
    return f"Does not conform (sh:conforms false): {counts}; rejected."


def render_report(report: ValidationReport, languages: Sequence[str] = ("en",)) -> str:
    lines = [render_result(r, languages) for r in sorted(report.results, key=_sort_key)]
    lines.append(verdict(report))
    return "\n".join(lines)


def _sort_key(result: ValidationResult) -> tuple[str, str, str]:
    return (str(result.severity), str(result.focus), str(result.path))
