"""``kgpub revise ARTICLE NEW_TEXT``: commit a revision of an article, or show one (``--dry-run``).

Reads the article's files (its text, its graph files and ``history.ttl``),
re-anchors every claim's evidence into the new text (``kgpub.revisions``) and
prints per claim its status, as a table or as JSON with ``--json`` (one object
per claim: ``claim``, ``status``, the worst of its anchors', ``anchors`` and,
when committing, the ``decision``). With ``--dry-run`` it changes nothing.
Without, it commits the revision (``kgpub.ingest.revision_commit``): refused
(exit 2, the table says which) while a modified or orphaned claim has no
``--decide CLAIM=updated|retracted|kept``; refused with the SHACL report
(exit 1) when the new data breaks a shape; nothing is written in either case.
Exit 2 also for an unreadable text, an unknown article, one without anchored
claims, a no-op (the same text) or a bad option.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kgpub.cli.exit_codes import EXIT_INVALID, EXIT_OK, EXIT_UNREADABLE
from kgpub.config import Settings
from kgpub.errors import DataNotConformingError, KgpubError, UndecidedClaimsError
from kgpub.history import editor_input
from kgpub.history.evidence import ClaimAnchors, claims_json
from kgpub.history.plan import Request
from kgpub.history.records import Kind
from kgpub.ingest import revision_commit


def _read_text(path: Path) -> str:
    """The file's text exactly as it is: no newline translation, UTF-8 or refused."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KgpubError(f"cannot read {path}: {exc.strerror}") from exc
    return editor_input.text(data, str(path))


def _table(claims: list[dict[str, Any]], base: str) -> str:
    head = (
        f"{'claim':<48} {'status':<9} {'score':>5}  {'old':>11}  {'new':>11}  {'decision':<16} note"
    )
    lines = [head]
    for claim in claims:
        name = claim["claim"].removeprefix(f"{base}id/")
        decision = claim.get("decision", "-") or "NEEDED"
        for anchor in claim["anchors"]:
            old = "{}-{}".format(*anchor["old"])
            new = "{}-{}".format(*anchor["new"]) if anchor["new"] else "-"
            score = f"{anchor['score']:.3f}" if anchor["score"] is not None else "-"
            note = ", ".join(anchor["changes"]) or anchor["reason"]
            status = anchor["status"]
            lines.append(
                f"{name:<48} {status:<9} {score:>5}  {old:>11}  {new:>11}  {decision:<16} {note}"
            )
    return "\n".join(lines)


def _request(
    args: argparse.Namespace,
    settings: Settings,
    new: str,
    claims: list[ClaimAnchors],
    language: str,
) -> Request:
    return Request(
        language=language,
        new_text=new,
        kind=editor_input.kind(args.kind),
        editor=editor_input.iri(settings.base_iri, args.editor),
        now=datetime.now(UTC),
        note=args.note,
        decisions=editor_input.decisions(args.decide, claims),
        spans=editor_input.spans(args.span, claims),
    )


def _print(args: argparse.Namespace, settings: Settings, claims: list[dict[str, Any]]) -> None:
    if args.json:
        print(json.dumps(claims, ensure_ascii=False, indent=2))
    else:
        print(_table(claims, settings.base_iri))


def _commit(
    args: argparse.Namespace, settings: Settings, state: revision_commit.ArticleState, new: str
) -> int:
    claims = revision_commit.dry_run(settings, state, new)
    request = _request(args, settings, new, claims, state.article.language)
    _print(args, settings, claims_json(claims, request.decisions))
    try:
        plan = revision_commit.commit(settings, state, request)
    except UndecidedClaimsError as exc:
        print(f"kgpub revise: nothing committed: {exc} (--decide CLAIM=…)", file=sys.stderr)
        return EXIT_UNREADABLE
    except DataNotConformingError as exc:
        print(
            f"kgpub revise: nothing committed, the new data breaks a shape:\n{exc.report_text}",
            file=sys.stderr,
        )
        return EXIT_INVALID
    rev = plan.revision
    print(
        f"kgpub revise: committed revision {rev.number} ({rev.kind}) <{rev.iri}>", file=sys.stderr
    )
    for old, new_claim in plan.successors.items():
        print(f"kgpub revise: <{new_claim}> replaces <{old}>", file=sys.stderr)
    return EXIT_OK


def cmd_revise(args: argparse.Namespace, settings: Settings) -> int:
    """The command: show or commit the revision of an article to a new text."""
    try:
        new = _read_text(args.new_text)
        article = revision_commit.find(settings, args.article)
        state = revision_commit.read_state(settings, article)
        if args.dry_run:
            claims = revision_commit.dry_run(settings, state, new)
            if not claims:
                raise KgpubError(f"no claim of <{article.iri}> has an anchored evidence")
            _print(args, settings, claims_json(claims))
            return EXIT_OK
        return _commit(args, settings, state, new)
    except KgpubError as exc:
        print(f"kgpub revise: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE


def add_command(sub: Any) -> None:
    """Add ``revise`` to the ``kgpub`` command's subparsers."""
    revise = sub.add_parser(
        "revise", help="revise an article's text: re-anchor its claims and record the revision"
    )
    revise.add_argument("article", help="the article: its IRI or its name under <base>id/")
    revise.add_argument("new_text", type=Path, help="the revised text (UTF-8)")
    revise.add_argument(
        "--dry-run", action="store_true", help="show each claim's status, change nothing"
    )
    revise.add_argument("--json", action="store_true", help="one JSON object per claim")
    revise.add_argument(
        "--kind",
        choices=[k.value for k in Kind if k is not Kind.ORIGINAL],
        default=Kind.UPDATE.value,
        help="what the revision does (default update); a correction needs --note",
    )
    revise.add_argument("--note", help="the editor's note for readers (in the article's language)")
    revise.add_argument(
        "--editor",
        default="kgpub-team",
        help="who revises: an IRI or a name under <base>id/ (default kgpub-team)",
    )
    revise.add_argument(
        "--decide",
        action="append",
        default=[],
        metavar="CLAIM=DECISION",
        help="updated, retracted or kept, for a modified or orphaned claim (IRI or local name)",
    )
    revise.add_argument(
        "--span",
        action="append",
        default=[],
        metavar="CLAIM=START-END",
        help="the successor's evidence span in the new text, for a claim decided updated",
    )
    revise.set_defaults(handler=cmd_revise)
