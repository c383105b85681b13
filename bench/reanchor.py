"""Re-anchoring precision and recall (issue 17), kgpub beside a Hypothesis-style baseline.

Runs ``kgpub.revisions.reanchor`` and ``bench.reanchor_baseline`` on every
anchor of the edit corpus (``bench.reanchor_corpus``) and writes the section
"Re-anchoring (issue 17)" of ``bench/RESULTS.md`` (replacing an older one).

A located answer (any status but ``orphaned``) is *in the right place* when
its start and its end are each within two code points of the right answer's
(a boundary may fall either side of a space); it *moved to the wrong place*
when the right answer is elsewhere or ``orphaned``. Per status, a hit needs the
right status and, when located, the right place.

    python -m bench.reanchor                 # writes bench/RESULTS.md (a few minutes)
    python -m bench.reanchor --out /tmp/R.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.machine import REPO
from bench.machine import commit as current_commit
from bench.reanchor_baseline import hypothesis_reanchor
from bench.reanchor_corpus import SEED, Case, Revision, corpus
from kgpub.revisions.reanchor import LOCATED, Reanchored, Reanchorer, Status

SECTION = "## Re-anchoring (issue 17)"
TOLERANCE = 2
STATUSES = tuple(Status)


@dataclass
class Tally:
    """What one method answered on the corpus, against the right answers."""

    pairs: Counter[tuple[Status, Status]] = field(default_factory=Counter)
    """(right status, answered status) counts, hits only where located in the right place."""
    answered: Counter[Status] = field(default_factory=Counter)
    right: Counter[Status] = field(default_factory=Counter)
    hits: Counter[Status] = field(default_factory=Counter)
    accepted: int = 0
    wrong_place: int = 0
    elsewhere: int = 0
    """Wrong places that share no character with the right span (or whose span was deleted)."""
    exact_bounds: int = 0
    seconds: float = 0.0
    article: Counter[str] = field(default_factory=Counter)
    """The same counts for the shipped article's revisions alone."""
    wrong: list[str] = field(default_factory=list)

    def add(self, revision: Revision, case: Case, answer: Reanchored) -> None:
        article = revision.base == "article"
        before = (self.accepted, self.wrong_place, self.hits[Status.ORPHANED])
        self._add(revision, case, answer)
        if article:
            after = (self.accepted, self.wrong_place, self.hits[Status.ORPHANED])
            self.article.update(
                {
                    "accepted": after[0] - before[0],
                    "wrong": after[1] - before[1],
                    "orphans found": after[2] - before[2],
                    "deleted": case.status is Status.ORPHANED,
                }
            )

    def _add(self, revision: Revision, case: Case, answer: Reanchored) -> None:
        self.answered[answer.status] += 1
        self.right[case.status] += 1
        self.pairs[case.status, answer.status] += 1
        if answer.status not in LOCATED:
            if case.status is Status.ORPHANED:
                self.hits[Status.ORPHANED] += 1
            return
        self.accepted += 1
        placed = (
            case.start is not None
            and case.end is not None
            and answer.start is not None
            and answer.end is not None
            and abs(answer.start - case.start) <= TOLERANCE
            and abs(answer.end - case.end) <= TOLERANCE
        )
        if not placed:
            self.wrong_place += 1
            self.elsewhere += (
                case.start is None
                or case.end is None
                or answer.start is None
                or answer.end is None
                or answer.end <= case.start
                or case.end <= answer.start
            )
            self.wrong.append(
                f"{revision.name} {case.name}: {answer.status} at {answer.start}-{answer.end},"
                f" right: {case.status} at {case.start}-{case.end}; edits {revision.edits}"
            )
            return
        self.exact_bounds += (answer.start, answer.end) == (case.start, case.end)
        if answer.status is case.status:
            self.hits[case.status] += 1

    @property
    def precision(self) -> float:
        """Share of located answers in the right place."""
        return 1.0 - self.wrong_place / self.accepted if self.accepted else 1.0


def run(
    revisions: Sequence[Revision],
    method: Callable[[Revision], Callable[[Case], Reanchored]],
) -> Tally:
    """Answer every case of every revision with ``method``."""
    tally = Tally()
    began = time.perf_counter()
    for revision in revisions:
        answer = method(revision)
        for case in revision.cases:
            tally.add(revision, case, answer(case))
    tally.seconds = time.perf_counter() - began
    return tally


def kgpub_method(revision: Revision) -> Callable[[Case], Reanchored]:
    """kgpub's re-anchoring: one diff per revision, then each anchor."""
    reanchorer = Reanchorer(revision.old, revision.new)
    return lambda case: reanchorer.reanchor(case.anchor)


def baseline_method(revision: Revision) -> Callable[[Case], Reanchored]:
    """The Hypothesis-style baseline."""
    return lambda case: hypothesis_reanchor(revision.new, case.anchor)


def _ratio(hit: int, total: int) -> str:
    return f"{hit / total:.3f} ({hit}/{total})" if total else "n/a"


def report(revisions: Sequence[Revision], tallies: dict[str, Tally], commit: str) -> str:
    """The RESULTS.md section."""
    cases = sum(len(r.cases) for r in revisions)
    bases = Counter(r.base for r in revisions)
    right = next(iter(tallies.values())).right
    lines = [
        f"{SECTION}: {dt.date.today()}, commit {commit}",
        "",
        f"Corpus: `bench.reanchor_corpus` (seed {SEED}), {len(revisions)} revisions"
        f" ({', '.join(f'{n} of {b}' for b, n in sorted(bases.items()))}),"
        f" {cases} anchors; right answers: "
        + ", ".join(f"{s} {right[s]}" for s in STATUSES)
        + f". Left out (a span split by a move, no single right answer):"
        f" {sum(r.undefined for r in revisions)}. Baseline: `bench.reanchor_baseline`"
        " (Hypothesis's match-quote scoring, no threshold, no margin).",
        "",
        "| | " + " | ".join(tallies) + " |",
        "|---|" + "---|" * len(tallies),
        "| **precision of located anchors** (in the right place) | "
        + " | ".join(_ratio(t.accepted - t.wrong_place, t.accepted) for t in tallies.values())
        + " |",
        "| anchors moved to the wrong place | "
        + " | ".join(str(t.wrong_place) for t in tallies.values())
        + " |",
        "| of which elsewhere (no character shared with the right span, or it was deleted) | "
        + " | ".join(str(t.elsewhere) for t in tallies.values())
        + " |",
        "| **deleted spans orphaned** (recall of `orphaned`) | "
        + " | ".join(
            _ratio(t.hits[Status.ORPHANED], t.right[Status.ORPHANED]) for t in tallies.values()
        )
        + " |",
        "| needless orphans (right answer located, answered `orphaned`) | "
        + " | ".join(
            str(t.answered[Status.ORPHANED] - t.pairs[Status.ORPHANED, Status.ORPHANED])
            for t in tallies.values()
        )
        + " |",
        "| shipped article only: located in the right place | "
        + " | ".join(
            _ratio(t.article["accepted"] - t.article["wrong"], t.article["accepted"])
            for t in tallies.values()
        )
        + " |",
        "| shipped article only: deleted spans orphaned | "
        + " | ".join(
            _ratio(t.article["orphans found"], t.article["deleted"]) for t in tallies.values()
        )
        + " |",
        "| located with the exact boundaries | "
        + " | ".join(_ratio(t.exact_bounds, t.accepted - t.wrong_place) for t in tallies.values())
        + " |",
        "| time for the corpus (s) | "
        + " | ".join(f"{t.seconds:.1f}" for t in tallies.values())
        + " |",
        "",
        "Per status: precision (answered with this status: right status, right place) and recall",
        "(right answers with this status found so).",
        "",
        "| status | " + " | ".join(f"{n} precision | {n} recall" for n in tallies) + " |",
        "|---|" + "---|---|" * len(tallies),
    ]
    for status in STATUSES:
        cells = []
        for tally in tallies.values():
            cells.append(_ratio(tally.hits[status], tally.answered[status]))
            cells.append(_ratio(tally.hits[status], tally.right[status]))
        lines.append(f"| `{status}` | " + " | ".join(cells) + " |")
    lines += [
        "",
        "kgpub's answers by right status (rows) and answered status (columns):",
        "",
        "| right \\ answered | " + " | ".join(f"`{s}`" for s in STATUSES) + " |",
        "|---|" + "---|" * len(STATUSES),
    ]
    ours = tallies["kgpub"]
    for status in STATUSES:
        lines.append(
            f"| `{status}` | " + " | ".join(str(ours.pairs[status, a]) for a in STATUSES) + " |"
        )
    lines.append("")
    return "\n".join(lines)


def write_section(path: Path, section: str) -> None:
    """Replace the re-anchoring section of ``path`` (or append it)."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# kgpub benchmark results\n"
    at = text.find(SECTION)
    if at != -1:
        following = text.find("\n## ", at + len(SECTION))
        text = text[:at] + (text[following + 1 :] if following != -1 else "")
    path.write_text(text.rstrip("\n") + "\n\n" + section, encoding="utf-8")


def other_seeds(seeds: Sequence[int]) -> str:
    """kgpub alone on smaller corpora of other seeds: is the main seed's result luck?"""
    lines = [
        "",
        "kgpub on other seeds (40 revisions of the article and 10 of each fictional text each):",
        "",
        "| seed | anchors | located | in the wrong place | deleted spans orphaned"
        " | needless orphans |",
        "|---|---|---|---|---|---|",
    ]
    for seed in seeds:
        revisions = corpus(seed=seed, article=40, fictional=10)
        tally = run(revisions, kgpub_method)
        found, deleted = tally.hits[Status.ORPHANED], tally.right[Status.ORPHANED]
        needless = tally.answered[Status.ORPHANED] - found
        lines.append(
            f"| {seed} | {sum(len(r.cases) for r in revisions)} | {tally.accepted}"
            f" | {tally.wrong_place} | {_ratio(found, deleted)} | {needless} |"
        )
    lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reanchor", description=__doc__)
    parser.add_argument("--out", default=str(REPO / "bench" / "RESULTS.md"))
    parser.add_argument("--show-wrong", type=int, default=10, help="list so many wrong places")
    parser.add_argument(
        "--other-seeds",
        type=int,
        default=6,
        metavar="N",
        help="also run kgpub on seeds 1..N at a smaller size (0: none)",
    )
    args = parser.parse_args(argv)
    revisions = corpus()
    tallies = {"kgpub": run(revisions, kgpub_method), "baseline": run(revisions, baseline_method)}
    commit = current_commit()
    section = report(revisions, tallies, commit)
    if args.other_seeds:
        section += other_seeds(range(1, args.other_seeds + 1))
    write_section(Path(args.out), section)
    print(section)
    for name, tally in tallies.items():
        for line in tally.wrong[: args.show_wrong]:
            print(f"{name} wrong: {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
