"""Render the runner's measurements as ``bench/RESULTS.md``.

The tables are in ``bench.tables``, the targets and their reasons in
``bench.targets``; every figure comes from the one run being reported.
"""

from __future__ import annotations

from typing import Any

from bench.engine_targets import engine_targets_section
from bench.tables import (
    corpus_section,
    latency_section,
    load_memory_section,
    machine_section,
    method_section,
    queries_section,
    throughput_section,
    versions_section,
)
from bench.targets import targets_section

APPENDED = (
    "<!-- Below: sections appended by bench.validation, bench.ready and bench.reanchor, "
    "each dated; bench.run keeps them when it writes the report above. -->"
)


def keep_appended(report: str, previous: str | None) -> str:
    """``report`` followed by the sections other benchmarks appended to ``previous``."""
    if previous is None or APPENDED not in previous:
        return report
    return report.rstrip("\n") + "\n\n" + APPENDED + previous.split(APPENDED, 1)[1]


def render(results: dict[str, Any], soak: str | None = None) -> str:
    """The report; ``soak`` is ``bench/SOAK.md`` (the last long soak run), appended as it is."""
    meta = results["meta"]
    out = [
        "# kgpub benchmark results\n",
        f"Written by `python -m bench.run --articles {meta['articles']}` on {meta['date']}; "
        "the raw numbers are in `RESULTS.json` beside this file. Every number below comes "
        "from this one run.\n",
    ]
    for section in (
        machine_section(results),
        versions_section(results),
        corpus_section(results),
        method_section(results),
        queries_section(),
        latency_section(results),
        throughput_section(results),
        load_memory_section(results),
        targets_section(results),
        engine_targets_section(results),
    ):
        out += section
    out += [
        "## Not measured here\n",
        "- `kgpub serve FILES` (the in-memory default for the article) on the corpus, and "
        "serving with validation at start: a corpus this size is loaded with `kgpub load` and "
        "served with `--store`;",
        "- `kgpub serve --backend URL` (a remote SPARQL store), and the Linked Data pages: the "
        "benchmark queries only the SPARQL endpoint.",
    ]
    if soak is not None:
        out += ["", *soak_section(soak)]
    return "\n".join(out) + "\n"


def soak_section(soak: str) -> list[str]:
    """``SOAK.md`` one heading level down, introduced as the separate run it is."""
    lines = soak.strip().splitlines()
    body = [f"#{line}" if line.startswith("#") else line for line in lines[1:]]
    return [
        "## Soak under load (`bench/SOAK.md`)\n",
        "A separate run of `python -m bench.soak --minutes 10 --markdown bench/SOAK.md`, "
        "copied here as it is; its own commit and machine are given at its end.",
        *body,
    ]
