"""A readable rendering of a SHACL report for people at a terminal.

pySHACL's own text lists every field of every result; a modeller wants one
line per problem: severity, focus node, path, constraint and message (in the
language asked for), then the verdict: SHACL's ``sh:conforms`` and kgpub's
policy (Warnings and Infos are accepted for publishing, Violations are not).
"""

from __future__ import annotations

from collections.abc import Sequence

from kgpub.shacl.report import VIOLATION, ResultText, Shown, ValidationReport


def _short(term: Shown | None) -> str:
    return "-" if term is None else term.short()


def render_result(result: ResultText, languages: Sequence[str] = ("en",)) -> str:
    """One result (as ``ValidationReport.texts`` holds it): a line, then its message."""
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
    violations = sum(1 for t in report.texts if t.severity.text == VIOLATION)
    others = len(report.texts) - violations
    counts = f"{violations} violation(s), {others} warning(s)/info(s)"
    if report.accepted:
        return f"Does not conform (sh:conforms false): {counts}; accepted, no violations."
    return f"Does not conform (sh:conforms false): {counts}; rejected."


def render_report(report: ValidationReport, languages: Sequence[str] = ("en",)) -> str:
    lines = [render_result(r, languages) for r in sorted(report.texts, key=_sort_key)]
    lines.append(verdict(report))
    return "\n".join(lines)


def _sort_key(result: ResultText) -> tuple[str, str, str]:
    return (result.severity.text, result.focus.text, str(result.path.text if result.path else None))
