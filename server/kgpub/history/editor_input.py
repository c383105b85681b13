"""An editor's revision request as words (command-line options, query parameters) made values.

``kgpub revise`` and ``POST /id/{article}/revisions`` take the same words:
``CLAIM=updated|retracted|kept`` decisions and ``CLAIM=START-END`` spans, a
claim by IRI or local name, a kind by name; one reading of them keeps the two
from drifting apart. A request that cannot be read is a
``RevisionInputError`` naming the word.
"""

from __future__ import annotations

from collections.abc import Sequence

from kgpub.errors import RevisionInputError
from kgpub.history.evidence import ClaimAnchors
from kgpub.history.plan import resolve_claims
from kgpub.history.records import Decision, Kind


def _pairs(values: Sequence[str], what: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, sep, answer = value.rpartition("=")
        if not sep or not name or not answer:
            raise RevisionInputError(f"{what} {value!r}: expected CLAIM=VALUE")
        pairs[name] = answer
    return pairs


def decisions(values: Sequence[str], claims: Sequence[ClaimAnchors]) -> dict[str, Decision]:
    """``CLAIM=DECISION`` words as decisions by claim IRI."""
    asked = _pairs(values, "decide")
    names = resolve_claims(asked, claims)
    try:
        return {names[n]: Decision(a) for n, a in asked.items()}
    except ValueError as exc:
        raise RevisionInputError(f"decide: {exc}; choose updated, retracted or kept") from exc


def spans(values: Sequence[str], claims: Sequence[ClaimAnchors]) -> dict[str, tuple[int, int]]:
    """``CLAIM=START-END`` words as successor spans by claim IRI."""
    asked = _pairs(values, "span")
    names = resolve_claims(asked, claims)
    found = {}
    for name, span in asked.items():
        start, sep, end = span.partition("-")
        if not sep or not start.isdigit() or not end.isdigit():
            raise RevisionInputError(f"span {name}={span}: expected START-END (code points)")
        found[names[name]] = (int(start), int(end))
    return found


def kind(value: str) -> Kind:
    """A revision kind by name; ``original`` is only ever revision 1."""
    try:
        chosen = Kind(value)
    except ValueError:
        chosen = Kind.ORIGINAL
    if chosen is Kind.ORIGINAL:
        names = ", ".join(k.value for k in Kind if k is not Kind.ORIGINAL)
        raise RevisionInputError(f"kind {value!r}: choose {names}")
    return chosen


def iri(base: str, name: str) -> str:
    """An IRI as given, or a name under ``<base>id/`` (an article, an editor)."""
    return name if ":" in name else f"{base}id/{name}"


def text(data: bytes, what: str) -> str:
    """A new text exactly as sent: UTF-8, no newline translation."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RevisionInputError(f"{what} is not UTF-8 (byte {exc.start})") from exc
