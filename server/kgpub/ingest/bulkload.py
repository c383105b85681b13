"""Loading RDF files into a persistent store, all or nothing.

``kgpub load`` must never leave a store half-written: a syntax error in the
last of a hundred files, or data that breaks a shape, leaves the store as it
was. So every file is first bulk-loaded into an in-memory staging store
(pyoxigraph's Rust parser and bulk loader, no Python object per quad); only
when all of it parsed, and validated if asked, is the staging store copied
into the target with the on-disk bulk loader, and the target's graph sizes
are counted once and kept beside it (see ``Store.save_stats``).
"""

from __future__ import annotations

import gzip
import io
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kgpub import guards
from kgpub.config import Settings
from kgpub.errors import RdfSyntaxError, SourceNotFoundError
from kgpub.ingest import store_seal
from kgpub.rdf.sources import (
    file_format,
    graph_iri,
    ontology_sources,
    read_all,
    required_shapes,
    syntax_error,
)
from kgpub.shacl.report import ValidationReport
from kgpub.shacl.validate import validate_quads
from kgpub.store.oxigraph import Store


@dataclass(frozen=True)
class InputFile:
    """One file to load, its syntax, and the graph its triples go into."""

    path: Path
    format: ox.RdfFormat
    graph: ox.NamedNode

    @property
    def gzipped(self) -> bool:
        return self.path.suffix.lower() == ".gz"


@dataclass(frozen=True)
class LoadSummary:
    files: int
    quads: int
    graphs: int
    seconds: float

    @property
    def rate(self) -> float:
        """Quads per second."""
        return self.quads / self.seconds if self.seconds > 0 else 0.0

    def __str__(self) -> str:
        return (
            f"{self.files} files, {self.quads:,} quads, {self.graphs:,} graphs "
            f"in {self.seconds:.2f} s ({self.rate:,.0f} quads/s)"
        )


Progress = Callable[[int, int, int], None]
"""Called with (files done, quads so far, bytes read so far)."""


def collect_inputs(
    settings: Settings, paths: Sequence[Path], graph: str | None = None
) -> list[InputFile]:
    """The RDF files named or found (recursively) in folders, with their graphs.

    With ``graph`` everything goes into that graph; otherwise a file's triples
    go into ``<base>graph/<stem>`` (``article.ttl.gz`` -> ``graph/article``)
    and TriG/N-Quads files keep their own named graphs.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p for p in sorted(path.rglob("*")) if p.is_file() and file_format(p) is not None
            )
        elif path.is_file():
            files.append(path)
        else:
            raise SourceNotFoundError(f"{path}: no such file or folder")
    inputs = []
    for path in files:
        fmt = file_format(path)
        if fmt is None:
            raise SourceNotFoundError(f"{path}: unknown RDF file extension {path.suffix!r}")
        stem = path.with_suffix("") if path.suffix.lower() == ".gz" else path
        target = graph if graph is not None else graph_iri(settings, stem)
        inputs.append(InputFile(path, fmt, ox.NamedNode(target)))
    return inputs


class _CountingReader:
    """A binary file that reports how many bytes were read from it."""

    def __init__(self, raw: IO[bytes], on_read: Callable[[int], None]) -> None:
        self._raw = raw
        self._on_read = on_read

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self._on_read(len(data))
        return data


def open_input(item: InputFile) -> IO[bytes]:
    """The file to read, gunzipped if it is ``.gz``; ``SourceNotFoundError`` if it cannot be."""
    try:
        if item.gzipped:
            return gzip.open(item.path, "rb")  # type: ignore[return-value]
        return item.path.open("rb")
    except OSError as exc:
        raise SourceNotFoundError(f"{item.path}: {exc.strerror or exc}") from exc


def stage(
    inputs: Sequence[InputFile],
    *,
    into_one_graph: bool = False,
    progress: Progress | None = None,
    max_depth: int = guards.DEFAULT_MAX_DEPTH,
) -> Store:
    """Parse every input into a new in-memory store; ``RdfSyntaxError`` on the first fault.

    ``into_one_graph``: also move the named graphs of TriG/N-Quads files into
    the input's graph (``--graph``), which the bulk loader cannot do itself.
    Every input passes the same guards as the server's (``guards.check_rdf``:
    no DTDs in RDF/XML, no remote JSON-LD contexts, no nesting deeper than
    ``max_depth``) before a parser sees it, so ``kgpub load`` cannot be made
    to expand an entity bomb or crash pyoxigraph.
    """
    staging = Store()
    read = 0

    def on_read(n: int) -> None:
        nonlocal read
        read += n
        if progress is not None:
            progress(done, -1, read)

    for done, item in enumerate(inputs):
        with open_input(item) as raw:
            reader: IO[bytes] | _CountingReader = _CountingReader(raw, on_read)
            if item.format in _CHECKED_SYNTAXES:
                # Syntaxes with nesting, DTDs or contexts are checked whole
                # (the staging store holds all of it in memory anyway);
                # line-based N-Triples/N-Quads stream straight through.
                data = reader.read()
                guards.check_rdf(data, item.format, str(item.path), max_depth)
                reader = io.BytesIO(data)
            try:
                if into_one_graph and item.format.supports_datasets:
                    staging.bulk_extend(_regraphed(reader, item))
                else:
                    staging.bulk_load(reader, item.format, item.graph)  # type: ignore[arg-type]
            except SyntaxError as exc:
                raise syntax_error(str(item.path), exc) from exc
            except (ValueError, OSError) as exc:
                raise RdfSyntaxError(str(item.path), str(exc)) from exc
        if progress is not None:
            progress(done + 1, len(staging), read)
    return staging


_CHECKED_SYNTAXES = frozenset(
    {
        ox.RdfFormat.RDF_XML,
        ox.RdfFormat.TURTLE,
        ox.RdfFormat.TRIG,
        ox.RdfFormat.N3,
        ox.RdfFormat.JSON_LD,
    }
)


def _regraphed(reader: IO[bytes] | _CountingReader, item: InputFile) -> Iterator[ox.Quad]:
    for quad in ox.parse(reader, format=item.format):  # type: ignore[arg-type]
        yield ox.Quad(quad.subject, quad.predicate, quad.object, item.graph)


def validate_staged(staging: Store, settings: Settings) -> ValidationReport:
    """The staged data against the project's shapes, with its vocabulary mixed in."""
    return validate_quads(
        staging,
        # Validating against no shapes would accept anything: that is an error.
        read_all(required_shapes(settings)),
        read_all(ontology_sources(settings)),
    )


def commit(staging: Store, target: Store) -> None:
    """Copy the staged quads into ``target`` and count its graphs for fast starts."""
    was_empty = len(target) == 0
    target.bulk_extend(staging)
    # Counting in memory is faster than on disk; when the target was empty it holds the same.
    target.save_stats(counted=staging if was_empty else None)


def load_files(
    inputs: Sequence[InputFile],
    target: Store,
    *,
    into_one_graph: bool = False,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> tuple[LoadSummary, ValidationReport | None]:
    """Stage, validate (when ``settings`` is given) and commit; the target is only
    written when everything parsed and the data conforms.

    Returns the summary and the report; a non-conforming report means nothing
    was written.
    """
    started = time.perf_counter()
    staging = stage(
        inputs,
        into_one_graph=into_one_graph,
        progress=progress,
        max_depth=settings.max_query_depth if settings is not None else guards.DEFAULT_MAX_DEPTH,
    )
    report = None
    if settings is not None:
        report = validate_staged(staging, settings)
        if not report.accepted:
            return LoadSummary(len(inputs), 0, 0, time.perf_counter() - started), report
    quads = len(staging)
    graphs = len(staging.named_graphs())
    commit(staging, target)
    if target.path is not None:
        # The files were validated alone, not with what the store held: unsealed, the next
        # ``serve --store`` validates all of it; without --validate, sealed as not validated.
        if settings is None:
            store_seal.seal_loaded(target, None, None)
        else:
            store_seal.forget(target.path)
    return LoadSummary(len(inputs), quads, graphs, time.perf_counter() - started), report
