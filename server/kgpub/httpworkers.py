"""``kgpub serve --workers N``: several uvicorn worker processes serving one dataset.

One Python process parses HTTP and answers cache hits on one core at most; uvicorn's
worker processes share the listening socket, so every core does. uvicorn starts
them with multiprocessing's *spawn*: each is a fresh interpreter that receives
only its environment and an import string. So the parent exports its
``Settings`` as ``KGPUB_`` variables (``config.export_to_environment``) and every
worker builds its app with ``create_worker_app``, the factory uvicorn calls.

Each worker opens the data itself (an on-disk store opens in a fraction of a
second; an in-memory dataset is parsed again), but SHACL validation runs once,
in the parent, before any worker starts: pySHACL takes seconds, and invalid
data must be refused before anything is served. Its report reaches the workers
as a file in a private temporary folder (``Settings.shacl_report_file``), so
every worker's pages show the same results without validating again.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import uvicorn
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node
from uvicorn.config import STARTUP_FAILURE

from kgpub.config import Settings, export_to_environment
from kgpub.dataset import load_dataset
from kgpub.errors import KgpubError
from kgpub.serving import worker_uvicorn_options
from kgpub.validation import ValidationReport, ValidationResult

if TYPE_CHECKING:
    from fastapi import FastAPI

FACTORY = f"{__name__}:create_worker_app"
_REPORT_FILE = "shacl-report.json"
_logger = logging.getLogger("uvicorn.error")


def worker_count(settings: Settings) -> int:
    """``settings.http_workers``, or when it is 0: one per core for an on-disk store served
    read-only, else one (writes are committed by the one process holding the store).

    Workers over an on-disk store share it (and the operating system's page
    cache); over an in-memory dataset each would hold a copy, so more than one
    must be asked for.
    """
    if settings.http_workers > 0:
        return settings.http_workers
    if settings.store_dir is not None and not settings.writes_enabled:
        return os.cpu_count() or 1
    return 1


def query_workers_each(settings: Settings, workers: int) -> int:
    """Query worker processes for each of ``workers`` HTTP workers.

    The configured ``query_workers`` when it was set; by default the cores
    plus one are shared out among the HTTP workers, at least two each (so a
    runaway query never leaves an HTTP worker's lookups without a worker).
    Every HTTP worker taking cores + 1 of its own would start more processes
    than the cores can run, each holding its own view of the store.
    """
    if "query_workers" in settings.model_fields_set:
        return settings.query_workers
    cores = os.cpu_count() or 1
    return max(2, -(-(cores + 1) // workers))


def write_report(report: ValidationReport, folder: Path) -> Path:
    """Save ``report`` for ``read_report``: verdict, text, graph and each result as it is.

    The results are saved term by term rather than read from the graph again:
    a result may carry its message in several languages, and which one the
    graph yields first is not fixed, while every worker must show the same.
    """
    path = folder / _REPORT_FILE
    data = {
        "conforms": report.conforms,
        "text": report.text,
        "graph": report.graph.serialize(format="nt", encoding="utf-8").decode("utf-8"),
        "results": [
            {
                "focus": _term(r.focus),
                "path": _term(r.path),
                "component": _term(r.component),
                "severity": _term(r.severity),
                "source_shape": _term(r.source_shape),
                "message": r.message,
                "value": _term(r.value),
            }
            for r in report.results
        ],
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def read_report(path: Path) -> ValidationReport:
    """The report ``write_report`` saved."""
    data = json.loads(path.read_text(encoding="utf-8"))
    graph = Graph()
    graph.parse(data=str(data["graph"]), format="nt")
    results = tuple(
        ValidationResult(
            focus=_node(r["focus"]),
            path=_optional_node(r["path"]),
            component=URIRef(str(r["component"]["iri"])),
            severity=URIRef(str(r["severity"]["iri"])),
            source_shape=_node(r["source_shape"]),
            message=str(r["message"]),
            value=_optional_node(r["value"]),
        )
        for r in data["results"]
    )
    return ValidationReport(bool(data["conforms"]), results, graph, str(data["text"]))


def _term(node: Node | None) -> dict[str, str | None] | None:
    if node is None:
        return None
    if isinstance(node, Literal):
        datatype = str(node.datatype) if node.datatype is not None else None
        return {"literal": str(node), "language": node.language, "datatype": datatype}
    if isinstance(node, BNode):
        return {"blank": str(node)}
    return {"iri": str(node)}


def _node(term: dict[str, str | None]) -> Node:
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


def _optional_node(term: dict[str, str | None] | None) -> Node | None:
    return None if term is None else _node(term)


def serve(settings: Settings, report: ValidationReport | None, workers: int) -> None:
    """Run ``workers`` worker processes until the server is stopped (Ctrl-C, SIGTERM).

    ``report``: the served data's SHACL report, already computed (None when
    the data was not validated).
    """
    with tempfile.TemporaryDirectory(prefix="kgpub-serve-") as folder:
        handed = settings.model_copy(
            update={
                "http_workers": workers,
                "query_workers": query_workers_each(settings, workers),
                "shacl_report_file": (
                    write_report(report, Path(folder)) if report is not None else None
                ),
            }
        )
        export_to_environment(handed)
        uvicorn.run(FACTORY, **worker_uvicorn_options(handed, workers))


def create_worker_app() -> FastAPI:
    """The app of one worker process, from the settings its parent exported."""
    # Imported here, in the worker: the parent, which only starts workers, never needs it.
    from kgpub.app import create_app  # noqa: PLC0415

    settings = Settings()
    try:
        if settings.shacl_report_file is None:
            dataset = load_dataset(settings)
            conformance = dataset.conformance
        else:
            dataset = load_dataset(settings.model_copy(update={"validate_on_start": False}))
            conformance = replace(
                dataset.conformance, report=read_report(settings.shacl_report_file)
            )
    except (KgpubError, OSError, ValueError) as exc:
        # Exiting with uvicorn's start-up failure code stops the parent instead
        # of having it start the same failing worker again and again.
        _logger.error("kgpub worker %s cannot start: %s", os.getpid(), exc)
        raise SystemExit(STARTUP_FAILURE) from exc
    return create_app(settings, dataset.store, conformance)
