"""Issue 13's figures, each beside its floor, appended to ``bench/RESULTS.md``.

* **validation** of the shipped story: ``validate_quads`` in-process (imports
  excluded; the first run compiles the shapes), plain pySHACL as it was before,
  and the floor: pyoxigraph parsing the four files. ``kgpub validate`` as a
  command, beside the floor of a Python process that imports pyoxigraph and
  parses them.
* **serve ready**: ``kgpub serve`` until ``/sparql`` answers, with an empty
  report cache (it validates) and again (the cached report), beside the
  minimal FastAPI + pyoxigraph app on the same data (``bench.minimal_app``).
* **one-claim write** with writes on, on the shipped story alone and with 999
  synthetic articles beside it (``bench.corpus``), beside the floor: the same
  change run by pyoxigraph alone. Two kinds: a Graph Store Protocol PUT
  (``Writer.put``: staged as a change set, validated by the incremental gate
  through the live store, committed) and a SPARQL Update (``Writer.update``:
  bounded to the claim it names, so staged on a copy of only its quads).
* **POST /validate**, a small upload sent 30 times in a row through the app
  (each in its own worker process, forked from the validation template), beside
  the floor: ``validate_quads`` on the same upload in-process, warm.

    python -m bench.validation            # appends a dated section to bench/RESULTS.md
    python -m bench.validation --out -    # prints it instead
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from bench import corpus
from bench.machine import REPO, loadavg
from bench.machine import commit as current_commit
from bench.servers import free_port, server, wait_ready
from kgpub.config import Settings
from kgpub.ingest import write_gate
from kgpub.ingest.writes import Writer
from kgpub.rdf.rdflib_bridge import to_rdflib
from kgpub.rdf.sources import (
    data_sources,
    default_sources,
    ontology_sources,
    read_all,
    shapes_sources,
)
from kgpub.shacl.conformance import check_store
from kgpub.shacl.validate import reference_report, validate_quads
from kgpub.store.oxigraph import Store

CLAIM = "https://kgpub.example/id/claim-musk-founded-spacex"
CORRECTIONS = ox.NamedNode("https://kgpub.example/graph/corrections")
EDITS = 5


def _median(run: Callable[[], object], times: int) -> float:
    taken = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        taken.append(time.perf_counter() - started)
    return statistics.median(taken)


def _files(settings: Settings) -> list[Path]:
    sources = [*data_sources(settings), *shapes_sources(settings), *ontology_sources(settings)]
    return [s.path for s in sources]


def validation(settings: Settings, reference: bool) -> dict[str, float]:
    data = read_all(data_sources(settings))
    shapes = read_all(shapes_sources(settings))
    ontology = read_all(ontology_sources(settings))
    started = time.perf_counter()
    validate_quads(data, shapes, ontology)
    out = {"validate_first": time.perf_counter() - started}
    out["validate"] = _median(lambda: validate_quads(data, shapes, ontology), 5)
    files = _files(settings)
    out["parse_floor"] = _median(
        lambda: [list(ox.parse(path=str(f), format=ox.RdfFormat.TURTLE)) for f in files], 5
    )
    if reference:
        graphs = (to_rdflib(data), to_rdflib(shapes), to_rdflib(ontology))
        out["pyshacl"] = _median(lambda: reference_report(*graphs), 1)
    python = sys.executable
    out["cli"] = _median(
        lambda: subprocess.run([python, "-m", "kgpub", "validate"], cwd=REPO, check=False), 3
    )
    parse = "; ".join(f"list(ox.parse(path={str(f)!r}, format=ox.RdfFormat.TURTLE))" for f in files)
    floor = f"import pyoxigraph as ox; {parse}"
    out["cli_floor"] = _median(lambda: subprocess.run([python, "-c", floor], check=True), 3)
    return out


def _ready(name: str, cmd: list[str], port: int, workdir: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    with server(name, cmd, workdir, env) as proc:
        return wait_ready(
            proc, port, "/sparql?query=ASK%7B%7D", name=name, workdir=workdir, started=started
        )


def serve_ready(settings: Settings, workdir: Path) -> dict[str, float]:
    # kgpub's bytecode compiled first, as installing it does (bench.ready says why).
    compileall.compile_dir(REPO / "server" / "kgpub", quiet=1)
    nquads = workdir / "story.nq"
    ox.serialize(read_all(default_sources(settings)), nquads, ox.RdfFormat.N_QUADS)
    out: dict[str, float] = {}
    cache = workdir / "reports"
    env = {**os.environ, "KGPUB_REPORT_CACHE_DIR": str(cache), "KGPUB_QUERY_WORKERS": "1"}
    python = sys.executable
    for label in ("serve_cold", "serve_cached"):
        port = free_port()
        cmd = [python, "-m", "kgpub", "serve", "--port", str(port)]
        out[label] = _ready(label, cmd, port, workdir, env)
    port = free_port()
    minimal = [python, "-m", "bench.minimal_app", "--corpus", str(nquads), "--port", str(port)]
    out["serve_floor"] = _ready("minimal", minimal, port, workdir, dict(os.environ))
    return out


def _update(turn: int) -> str:
    """A one-claim edit: the claim's German description replaced (alternating texts)."""
    return (
        "PREFIX schema: <https://schema.org/>\n"
        f"DELETE {{ <{CLAIM}> schema:description ?d }}\n"
        f"WHERE {{ <{CLAIM}> schema:description ?d }};\n"
        f'INSERT DATA {{ <{CLAIM}> schema:description "Korrektur {turn}"@de }}'
    )


def _story_store(settings: Settings, articles: int) -> Store:
    store = Store()
    store.add_quads(read_all(default_sources(settings)))
    if articles > 1:
        lines = "\n".join(corpus.generate(articles - 1)).encode()
        store.bulk_extend(ox.parse(lines, format=ox.RdfFormat.N_QUADS))
    return store


def _put(writer: Writer, turn: int) -> None:
    """The same one-claim edit as a Graph Store Protocol PUT of a corrections graph."""
    body = f'<{CLAIM}> <https://schema.org/description> "Korrektur {turn}"@de .\n'
    writer.put(CORRECTIONS, body.encode(), ox.RdfFormat.TURTLE)


def _run_update(writer: Writer, turn: int) -> None:
    writer.update(_update(turn), [], None)


def writes(
    settings: Settings, articles: int, write: Callable[[Writer, int], None] = _run_update
) -> dict[str, float]:
    store = _story_store(settings, articles)
    # As the server does: the writer starts from start-up's validation (not timed here).
    writer = Writer(store, settings, initial=check_store(store, settings))
    gate: list[float] = []
    validate_change = write_gate.validate_change

    def timed(*args: Any) -> Any:
        started = time.perf_counter()
        try:
            return validate_change(*args)
        finally:
            gate.append(time.perf_counter() - started)

    write_gate.validate_change = timed  # type: ignore[assignment]
    try:
        started = time.perf_counter()
        write(writer, 0)  # the first write after start, from start-up's report
        out = {"first": time.perf_counter() - started, "quads": float(len(store))}
        taken = []
        for turn in range(1, EDITS + 1):
            started = time.perf_counter()
            write(writer, turn)
            taken.append(time.perf_counter() - started)
    finally:
        write_gate.validate_change = validate_change
    out["write"] = statistics.median(taken)
    out["gate"] = statistics.median(gate[1:])
    floor = _story_store(settings, articles)
    out["floor"] = _median(lambda: floor._store.update(_update(1)), EDITS)
    return out


UPLOAD = b"<https://kgpub.example/id/x> a <https://schema.org/Person> .\n"
UPLOADS = 30


def uploads(settings: Settings) -> dict[str, float]:
    """Median time of an upload to ``POST /validate`` when they come in a row, and the
    uploads a second that makes; the floor validates the same upload in-process."""
    from fastapi.testclient import TestClient  # noqa: PLC0415 - only this figure needs it

    from kgpub.web.app import create_app  # noqa: PLC0415

    app_settings = settings.model_copy(
        update={"validate_on_start": False, "query_workers": 1, "validate_priority": "normal"}
    )
    headers = {"content-type": "text/turtle", "accept": "text/turtle"}
    taken: list[float] = []
    with TestClient(create_app(app_settings)) as client:
        for _ in range(2):  # the first starts the template
            client.post("/validate", content=UPLOAD, headers=headers)
        started = time.perf_counter()
        for _ in range(UPLOADS):
            began = time.perf_counter()
            assert client.post("/validate", content=UPLOAD, headers=headers).status_code == 200
            taken.append(time.perf_counter() - began)
        rate = UPLOADS / (time.perf_counter() - started)
    data = list(ox.parse(UPLOAD, format=ox.RdfFormat.TURTLE))
    shapes = list(read_all(shapes_sources(settings)))
    ontology = list(read_all(ontology_sources(settings)))
    validate_quads(data, shapes, ontology)
    floor = _median(lambda: validate_quads(data, shapes, ontology), UPLOADS)
    return {"upload": statistics.median(taken), "rate": rate, "floor": floor}


def _s(value: float) -> str:
    if value < 0.001:
        return "< 1 ms"
    return f"{value:.2f} s" if value >= 1 else f"{value * 1000:.0f} ms"


def report(results: dict[str, dict[str, float]], commit: str, load: str) -> str:
    v, s = results["validation"], results["serve"]
    w1, w1000 = results["write_1"], results["write_1000"]
    p1, p1000 = results["put_1"], results["put_1000"]
    before = f"{_s(v['pyshacl'])}" if "pyshacl" in v else "not run"
    rows = [
        ("validate_quads, shipped story (warm)", _s(v["validate"]), _s(v["parse_floor"])),
        ("validate_quads, first run (compiles the shapes)", _s(v["validate_first"]), ""),
        ("plain pySHACL (before issue 13)", before, _s(v["parse_floor"])),
        ("`kgpub validate` (with interpreter start)", _s(v["cli"]), _s(v["cli_floor"])),
        ("`kgpub serve` ready, empty report cache", _s(s["serve_cold"]), _s(s["serve_floor"])),
        ("`kgpub serve` ready, cached report", _s(s["serve_cached"]), _s(s["serve_floor"])),
        (
            f"one-claim GSP PUT, 1 article ({p1['quads']:.0f} quads)",
            _s(p1["write"]),
            _s(p1["floor"]),
        ),
        (
            f"one-claim GSP PUT, 1,000 articles ({p1000['quads']:.0f} quads)",
            _s(p1000["write"]),
            _s(p1000["floor"]),
        ),
        ("of which the SHACL gate, 1 article", _s(p1["gate"]), ""),
        ("of which the SHACL gate, 1,000 articles", _s(p1000["gate"]), ""),
        (
            f"one-claim SPARQL Update, 1 article ({w1['quads']:.0f} quads)",
            _s(w1["write"]),
            _s(w1["floor"]),
        ),
        (
            f"one-claim SPARQL Update, 1,000 articles ({w1000['quads']:.0f} quads)",
            _s(w1000["write"]),
            _s(w1000["floor"]),
        ),
        ("of which the SHACL gate, 1 article", _s(w1["gate"]), ""),
        ("of which the SHACL gate, 1,000 articles", _s(w1000["gate"]), ""),
        ("first write after start, 1 article (start-up's report)", _s(w1["first"]), ""),
        ("first write after start, 1,000 articles (start-up's report)", _s(w1000["first"]), ""),
    ]
    if "uploads" in results:
        u = results["uploads"]
        rows += [
            (
                f"`POST /validate`, a small upload, {UPLOADS} in a row",
                _s(u["upload"]),
                _s(u["floor"]),
            ),
            ("`POST /validate`, uploads a second", f"{u['rate']:.1f}", f"{1 / u['floor']:.1f}"),
        ]
    lines = [
        f"## Validation, start-up and writes (issue 13): {dt.date.today()}, commit {commit}",
        "",
        f"Load average before: {load}. Medians; the floor is what the engine alone",
        "takes: pyoxigraph parsing the project's four files, a Python process doing only that,",
        "the minimal FastAPI + pyoxigraph app (`bench.minimal_app`) on the same quads, and",
        "pyoxigraph running the write's SPARQL Update on its own. Writes: on an in-memory",
        "store (stage, incremental SHACL gate, commit), a claim's German `schema:description`",
        "replaced: by `Writer.put` (a GSP PUT of a corrections graph holding it) and by",
        "`Writer.update` (DELETE/INSERT); 1,000 articles = the story + 999 `bench.corpus`",
        "articles. A PUT is staged as a change set read through the live store",
        "(`Store.staged`); the update names its subject, so it runs on a copy of only that",
        "IRI's quads (`ingest.update_scope`). Neither copies nor recounts the store.",
        "",
        "| what | kgpub | floor |",
        "|---|---|---|",
        *(f"| {a} | {b} | {c} |" for a, b, c in rows),
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.validation", description=__doc__)
    parser.add_argument("--out", default=str(REPO / "bench" / "RESULTS.md"))
    parser.add_argument("--no-pyshacl", action="store_true", help="skip plain pySHACL (slow)")
    args = parser.parse_args(argv)
    settings = Settings()
    commit = current_commit()
    results: dict[str, dict[str, float]] = {}
    load = loadavg()
    results["validation"] = validation(settings, not args.no_pyshacl)
    with tempfile.TemporaryDirectory(prefix="kgpub-bench-") as tmp:
        results["serve"] = serve_ready(settings, Path(tmp))
    results["put_1"] = writes(settings, 1, _put)
    results["put_1000"] = writes(settings, 1000, _put)
    results["write_1"] = writes(settings, 1)
    results["write_1000"] = writes(settings, 1000)
    results["uploads"] = uploads(settings)
    text = report(results, commit, load)
    if args.out == "-":
        print(text)
    else:
        with Path(args.out).open("a", encoding="utf-8") as out:
            out.write("\n" + text)
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
