"""``kgpub revise ARTICLE NEW_TEXT --dry-run``: what a revision would do to each claim's evidence.

Reads the project's data (``data/*.ttl`` and every article's graphs), takes the article's text
(``schema:articleBody``) and the anchors of its claims' evidence, and
re-anchors each into the new text (``kgpub.revisions.reanchor``), printing per
claim its status as a table, or as JSON with ``--json`` (one object per claim:
``claim``, ``status``, the worst of its anchors', and ``anchors``). It changes
nothing: revisions are not stored yet (issue 17), so without ``--dry-run`` the
command refuses (exit 2). Exit 2 also for an unreadable text, an article the
data lacks, or one without anchored claims.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kgpub.cli.exit_codes import EXIT_OK, EXIT_UNREADABLE
from kgpub.config import Settings
from kgpub.errors import KgpubError
from kgpub.namespaces import OA, SCHEMA
from kgpub.rdf.sources import data_sources, read_all
from kgpub.revisions.reanchor import Anchor, Reanchored, Reanchorer, Status

_WORST_FIRST = (Status.ORPHANED, Status.MODIFIED, Status.FUZZY, Status.SHIFTED, Status.EXACT)


@dataclass(frozen=True)
class Evidence:
    """One claim's evidence anchor in the article's current text."""

    claim: str
    anchor: str
    selector: Anchor


def _query(settings: Settings, article: str) -> tuple[str | None, list[Evidence]]:
    store = ox.Store()
    store.extend(read_all(data_sources(settings)))
    kgpub = f"{settings.base_iri}ontology#"
    result = store.query(
        f"PREFIX oa: <{OA}> PREFIX schema: <{SCHEMA}> PREFIX kgpub: <{kgpub}> "
        "SELECT ?body ?claim ?anchor ?exact ?prefix ?suffix ?start ?end WHERE { "
        f"VALUES ?article {{ {ox.NamedNode(article)} }} ?article schema:articleBody ?body . "
        "OPTIONAL { ?claim a kgpub:ReportedClaim ; kgpub:evidence ?anchor . "
        "?anchor oa:hasSource ?article ; oa:hasSelector ?q , ?p . "
        "?q a oa:TextQuoteSelector ; oa:exact ?exact . "
        "OPTIONAL { ?q oa:prefix ?prefix } OPTIONAL { ?q oa:suffix ?suffix } "
        "?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end . } "
        "} ORDER BY ?start ?claim",
        use_default_graph_as_union=True,
    )
    assert isinstance(result, ox.QuerySolutions)
    body: str | None = None
    evidence = []
    for row in result:
        body = row["body"].value if row["body"] is not None else body
        if row["claim"] is None or row["anchor"] is None:
            continue
        text = {
            name: (row[name].value if row[name] is not None else "")
            for name in ("exact", "prefix", "suffix", "start", "end")
        }
        selector = Anchor(
            text["exact"], int(text["start"]), int(text["end"]), text["prefix"], text["suffix"]
        )
        evidence.append(Evidence(row["claim"].value, str(row["anchor"].value), selector))
    return body, evidence


def _article_iri(settings: Settings, name: str) -> str:
    return name if ":" in name else f"{settings.base_iri}id/{name}"


def _read_text(path: Path) -> str:
    """The file's text exactly as it is: no newline translation, UTF-8 or refused."""
    try:
        return path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise KgpubError(f"cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise KgpubError(f"{path} is not UTF-8 (byte {exc.start})") from exc


def _answer(evidence: Evidence, answer: Reanchored) -> dict[str, Any]:
    return {
        "anchor": evidence.anchor,
        "status": str(answer.status),
        "old": [evidence.selector.start, evidence.selector.end],
        "new": None if answer.start is None else [answer.start, answer.end],
        "score": answer.score,
        "changes": list(answer.changes),
        "reason": answer.reason,
        "exact": answer.exact,
        "prefix": answer.prefix,
        "suffix": answer.suffix,
    }


def _per_claim(answers: list[tuple[Evidence, Reanchored]]) -> list[dict[str, Any]]:
    claims: dict[str, list[tuple[Evidence, Reanchored]]] = {}
    for evidence, answer in answers:
        claims.setdefault(evidence.claim, []).append((evidence, answer))
    out = []
    for claim, pairs in claims.items():
        worst = min((a.status for _, a in pairs), key=_WORST_FIRST.index)
        out.append(
            {"claim": claim, "status": str(worst), "anchors": [_answer(e, a) for e, a in pairs]}
        )
    return out


def _table(claims: list[dict[str, Any]], base: str) -> str:
    lines = [f"{'claim':<48} {'status':<9} {'score':>5}  {'old':>11}  {'new':>11}  note"]
    for claim in claims:
        name = claim["claim"].removeprefix(f"{base}id/")
        for anchor in claim["anchors"]:
            old = "{}-{}".format(*anchor["old"])
            new = "{}-{}".format(*anchor["new"]) if anchor["new"] else "-"
            score = f"{anchor['score']:.3f}" if anchor["score"] is not None else "-"
            note = ", ".join(anchor["changes"]) or anchor["reason"]
            status = anchor["status"]
            lines.append(f"{name:<48} {status:<9} {score:>5}  {old:>11}  {new:>11}  {note}")
    return "\n".join(lines)


def cmd_revise(args: argparse.Namespace, settings: Settings) -> int:
    """The command: re-anchor every claim's evidence into the new text and print it."""
    if not args.dry_run:
        print(
            "kgpub revise: only --dry-run exists yet: revisions are not stored (issue 17)",
            file=sys.stderr,
        )
        return EXIT_UNREADABLE
    article = _article_iri(settings, args.article)
    try:
        new = _read_text(args.new_text)
        old, evidence = _query(settings, article)
    except KgpubError as exc:
        print(f"kgpub revise: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    if old is None:
        print(f"kgpub revise: the data has no article <{article}> with a text", file=sys.stderr)
        return EXIT_UNREADABLE
    if not evidence:
        print(f"kgpub revise: no claim of <{article}> has an anchored evidence", file=sys.stderr)
        return EXIT_UNREADABLE
    reanchorer = Reanchorer(old, new)
    try:
        answers = [(e, reanchorer.reanchor(e.selector)) for e in evidence]
    except KgpubError as exc:
        print(f"kgpub revise: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    claims = _per_claim(answers)
    if args.json:
        print(json.dumps(claims, ensure_ascii=False, indent=2))
    else:
        print(_table(claims, settings.base_iri))
    return EXIT_OK


def add_command(sub: Any) -> None:
    """Add ``revise`` to the ``kgpub`` command's subparsers."""
    revise = sub.add_parser(
        "revise", help="re-anchor each claim's evidence into a revised text (--dry-run)"
    )
    revise.add_argument("article", help="the article: its IRI or its name under <base>id/")
    revise.add_argument("new_text", type=Path, help="the revised text (UTF-8)")
    revise.add_argument(
        "--dry-run", action="store_true", help="show each claim's status, change nothing"
    )
    revise.add_argument("--json", action="store_true", help="one JSON object per claim")
    revise.set_defaults(handler=cmd_revise)
