"""``kgpub load``, ``kgpub dump`` and ``kgpub query``: the store from the command line.

Kept apart from ``cli.py`` (the project commands: validate, fmt, serve) so each
stays small. Exit codes are the CLI's: 0 done, 1 data does not conform,
2 input or query could not be read. ``dump`` and ``query`` write the same
formats as the endpoint, through the same code (``sparql.execute`` and the
representations of ``sparql``/``serialization``).
"""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from kgpub.cli.exit_codes import EXIT_INVALID, EXIT_OK, EXIT_UNREADABLE
from kgpub.cli.export import DUMP_FORMATS, dump, run_query
from kgpub.config import Settings
from kgpub.errors import KgpubError
from kgpub.ingest.dataset import served_sources
from kgpub.rdf.sources import read_all, required_shapes, required_sources
from kgpub.search.documents import Scope
from kgpub.search.index import SearchIndex, beside, build_beside
from kgpub.search.sparql_function import FUNCTION_NAME, SparqlSearch, index_file
from kgpub.shacl.text import render_report
from kgpub.store.oxigraph import Store


class ProgressLine:
    """One self-overwriting stderr line: files, quads, MiB read, quads/s."""

    def __init__(self, total_files: int, stream: IO[str]) -> None:
        self._total = total_files
        self._stream = stream
        self._started = time.perf_counter()
        self._shown = 0.0
        self._quads = 0

    def __call__(self, files: int, quads: int, read: int) -> None:
        now = time.perf_counter()
        if quads >= 0:
            self._quads = quads
        elif now - self._shown < 0.2:
            return
        self._shown = now
        elapsed = max(now - self._started, 1e-9)
        self._stream.write(
            f"\rloading {files}/{self._total} files, {self._quads:,} quads, "
            f"{read / 2**20:,.1f} MiB read, {self._quads / elapsed:,.0f} quads/s   "
        )
        self._stream.flush()

    def close(self) -> None:
        self._stream.write("\n")
        self._stream.flush()


def _cmd_load(args: argparse.Namespace, settings: Settings) -> int:
    # Imported by the commands that load, not by every ``kgpub`` run (``serve`` starts faster).
    from kgpub.ingest import bulkload, new_store  # noqa: PLC0415

    if args.backend is not None:
        return _cmd_load_backend(args, settings)
    progress: ProgressLine | None = None
    for leftover in new_store.remove_leftovers(args.store):
        print(f"kgpub load: removed {leftover}, left by an interrupted load", file=sys.stderr)
    try:
        if args.validate:
            # No shapes would accept anything: fail before reading the data.
            required_shapes(settings)
        inputs = bulkload.collect_inputs(settings, args.files, args.graph)
        if args.progress or sys.stderr.isatty():
            progress = ProgressLine(len(inputs), sys.stderr)
        one_graph = args.graph is not None
        checked = settings if args.validate else None
        # An empty store is built beside its folder and moved in, in parallel and without
        # a staging copy; adding to a store stages in memory first (all or nothing).
        if new_store.is_new(args.store):
            summary, report = new_store.build(
                inputs, args.store, into_one_graph=one_graph, settings=checked, progress=progress
            )
        else:
            summary, report = bulkload.load_files(
                inputs,
                Store(args.store),
                into_one_graph=one_graph,
                settings=checked,
                progress=progress,
            )
    except (KgpubError, ValueError) as exc:
        if progress is not None:
            progress.close()
        print(f"kgpub load: {exc}", file=sys.stderr)
        print("kgpub load: nothing was loaded; the store is unchanged", file=sys.stderr)
        return EXIT_UNREADABLE
    if progress is not None:
        progress.close()
    if report is not None and not report.accepted:
        print(render_report(report))
        print(
            "kgpub load: the data does not conform; nothing was loaded, the store is unchanged",
            file=sys.stderr,
        )
        return EXIT_INVALID
    print(f"kgpub load: {summary} into {args.store}", file=sys.stderr)
    _index(args.store, settings)
    return EXIT_OK


def _index(directory: Path, settings: Settings) -> None:
    """Build the search index beside the loaded store; without it the server builds its own."""
    try:
        built = build_beside(Store(directory, read_only=True), settings.base_iri)
    except (sqlite3.Error, OSError, KgpubError) as exc:
        print(f"kgpub load: no search index beside the store ({exc})", file=sys.stderr)
        return
    print(
        f"kgpub load: search index of {built.documents} texts built in {built.seconds:.2f} s",
        file=sys.stderr,
    )


def _cmd_load_backend(args: argparse.Namespace, settings: Settings) -> int:
    """``kgpub load --backend``: the same checks, then one Graph Store PUT per graph."""
    from kgpub.errors import BackendError  # noqa: PLC0415
    from kgpub.ingest import bulkload, remote_load  # noqa: PLC0415 - httpx only when a backend is used
    from kgpub.store.remote import RemoteStore  # noqa: PLC0415

    settings = settings.model_copy(
        update={
            "backend_url": args.backend,
            "backend_graph_store_url": args.graph_store or settings.backend_graph_store_url,
        }
    )
    shown = args.progress or sys.stderr.isatty()
    lines: list[ProgressLine | remote_load.UploadLine] = []

    def upload_line(graphs: int) -> remote_load.UploadLine:
        lines.pop().close()
        line = remote_load.UploadLine(graphs, sys.stderr)
        lines.append(line)
        return line

    def say(*messages: str) -> None:
        if lines:
            lines.pop().close()
        for message in messages:
            print(f"kgpub load: {message}", file=sys.stderr)

    target = RemoteStore.from_settings(settings)
    try:
        if args.validate:
            required_shapes(settings)
        inputs = bulkload.collect_inputs(settings, args.files, args.graph)
        if shown:
            lines.append(ProgressLine(len(inputs), sys.stderr))
        summary, report = remote_load.load_remote(
            inputs,
            target,
            into_one_graph=args.graph is not None,
            settings=settings if args.validate else None,
            progress=lines[0] if lines else None,
            upload_progress=upload_line if shown else None,
        )
    except BackendError as exc:
        say(str(exc))
        return EXIT_UNREADABLE
    except (KgpubError, ValueError) as exc:
        say(str(exc), "nothing was sent; the backend is unchanged")
        return EXIT_UNREADABLE
    finally:
        target.close()
    say()
    if report is not None and not report.accepted:
        print(render_report(report))
        say("the data does not conform; nothing was sent, the backend is unchanged")
        return EXIT_INVALID
    print(f"kgpub load: {summary} into {target.graph_store}", file=sys.stderr)
    return EXIT_OK


def _open(args: argparse.Namespace, settings: Settings) -> Store:
    """The store named by ``--store``, or the default dataset in memory."""
    if args.store is not None:
        if not args.store.is_dir():
            raise KgpubError(f"{args.store}: no such store (create it with kgpub load)")
        return Store(args.store, read_only=True)
    store = Store()
    if not settings.files:
        required_sources(settings)  # a project without data or shapes: exit 2, not 0 rows
    store.add_quads(read_all(served_sources(settings)))
    return store


def _output(path: Path | None) -> Any:
    return path.open("wb") if path is not None else sys.stdout.buffer


def _cmd_dump(args: argparse.Namespace, settings: Settings) -> int:
    try:
        store = _open(args, settings)
        out = _output(args.output)
        try:
            dump(store, out, args.format, args.graph, settings.base_iri)
        finally:
            if args.output is not None:
                out.close()
    except (KgpubError, ValueError, OSError) as exc:
        print(f"kgpub dump: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    return EXIT_OK


def _cmd_query(args: argparse.Namespace, settings: Settings) -> int:
    try:
        text = args.file.read_text(encoding="utf-8") if args.file is not None else args.query
        if not text:
            raise KgpubError("give a query or -f FILE")
        store = _open(args, settings)
        with _searchable(store, settings, text):
            body = run_query(store, text, args.format)
    except (KgpubError, OSError, sqlite3.Error) as exc:
        print(f"kgpub query: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    if not body.endswith(b"\n"):
        body += b"\n"  # a shell prompt never starts on the last line of the results
    out = _output(args.output)
    out.write(body)
    if args.output is not None:
        out.close()
    return EXIT_OK


@contextlib.contextmanager
def _searchable(store: Store, settings: Settings, query: str) -> Iterator[None]:
    """``kgpub:search`` for a query that may call it: from the index ``kgpub load`` left
    beside the store, else from one built for this query and removed after."""
    if FUNCTION_NAME not in query:
        yield
        return
    prebuilt = beside(store)
    if prebuilt is not None:
        index = SearchIndex(prebuilt, Scope.for_base(settings.base_iri))
        store.use_functions(SparqlSearch(index_file(index), store.version).functions())
        yield
        return
    built, _ = SearchIndex.served(store, settings.base_iri)
    try:
        store.use_functions(SparqlSearch(index_file(built), store.version).functions())
        yield
    finally:
        built.remove()


def add_commands(sub: Any) -> None:
    """Register ``load``, ``dump`` and ``query`` on the CLI's subparsers."""
    load = sub.add_parser("load", help="load RDF files into a persistent store")
    load.add_argument(
        "files", nargs="+", type=Path, help="RDF files or folders (searched recursively); .gz too"
    )
    into = load.add_mutually_exclusive_group(required=True)
    into.add_argument("--store", type=Path, help="store directory (created)")
    into.add_argument(
        "--backend",
        metavar="URL",
        help="a remote store's SPARQL endpoint: send each graph with the Graph Store Protocol",
    )
    load.add_argument(
        "--graph-store",
        metavar="URL",
        help="the backend's Graph Store Protocol endpoint (default: KGPUB_BACKEND_GRAPH_STORE_URL, "
        "else --backend; Virtuoso: …/sparql-graph-crud-auth)",
    )
    load.add_argument(
        "--graph", help="put everything into this graph (default: one graph per file)"
    )
    load.add_argument(
        "--validate",
        action="store_true",
        help="validate with the project's shapes first; load nothing if it does not conform",
    )
    load.add_argument(
        "--progress", action="store_true", help="show progress even when stderr is no terminal"
    )
    load.set_defaults(handler=_cmd_load)

    dump_cmd = sub.add_parser("dump", help="write a store or the default dataset as RDF")
    dump_cmd.add_argument("--store", type=Path, help="store directory (default: the project)")
    dump_cmd.add_argument("--graph", help="only this named graph")
    dump_cmd.add_argument("--format", default="nq", choices=DUMP_FORMATS, help="default: nq")
    dump_cmd.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    dump_cmd.set_defaults(handler=_cmd_dump)

    query = sub.add_parser("query", help="run a SPARQL query on a store or the default dataset")
    query.add_argument("query", nargs="?", help="the SPARQL query")
    query.add_argument("-f", "--file", type=Path, help="read the query from this file")
    query.add_argument("--store", type=Path, help="store directory (default: the project)")
    query.add_argument(
        "--format",
        help="json, xml, csv, tsv (SELECT/ASK); ttl, nt, jsonld, rdf, trig, nq "
        "(CONSTRUCT/DESCRIBE); default json or ttl",
    )
    query.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    query.set_defaults(handler=_cmd_query)
