"""The ``kgpub`` command line.

Exit codes of ``validate`` (and of ``load --validate``, ``serve``): 0 the data
is accepted (it conforms, or its only results are Warnings or Infos, which
kgpub's policy publishes; the report then says ``sh:conforms false``),
1 Violations, 2 input could not be read, so scripts and CI can tell a
modelling mistake from a broken file (docs/validation.md).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from kgpub import __version__
from kgpub.cli import project
from kgpub.cli.exit_codes import EXIT_INVALID, EXIT_OK, EXIT_UNREADABLE
from kgpub.config import Settings
from kgpub.errors import (
    DataNotConformingError,
    KgpubError,
    StoreUnverifiedError,
)
from kgpub.ingest.dataset import load_dataset
from kgpub.ingest.writes import check_settings
from kgpub.rdf.serialization import serialize
from kgpub.rdf.sources import (
    data_files,
    ontology_sources,
    read_all,
    required_data,
    required_shapes,
    required_sources,
    sources_for_files,
)
from kgpub.shacl.messages import requested_languages
from kgpub.shacl.text import render_report, verdict


def _cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    # rdflib and pySHACL only for the commands that validate: ``serve`` on unchanged data
    # answers without them (its report comes from the cache).
    from kgpub.cli import authoring  # noqa: PLC0415
    from kgpub.shacl.conformance import to_quads  # noqa: PLC0415
    from kgpub.shacl.validate import in_languages, validate_quads  # noqa: PLC0415

    files: list[Path] = args.files
    try:
        data = sources_for_files(settings, files) if files else required_data(settings)
        data_quads = read_all(data)
        shapes = (
            sources_for_files(settings, [args.shapes]) if args.shapes else required_shapes(settings)
        )
        report = validate_quads(data_quads, read_all(shapes), read_all(ontology_sources(settings)))
        hints, text_differs = authoring.validation_hints(settings, data_quads, project=not files)
    except KgpubError as exc:
        print(f"kgpub validate: cannot read input: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    languages = requested_languages(args.lang, None, settings.message_language)
    if args.format == "text":
        lines = render_report(report, languages).splitlines()
        print("\n".join([*lines[:-1], *hints, lines[-1]]))
        if text_differs:
            return EXIT_INVALID
    else:
        graph = in_languages(report, languages)
        quads = to_quads(graph.serialize(format="nt", encoding="utf-8"))
        sys.stdout.write(serialize(quads, args.format, settings.base_iri).decode("utf-8"))
        print("\n".join([*hints, verdict(report)]), file=sys.stderr)
    return EXIT_OK if report.accepted and not text_differs else EXIT_INVALID


def _project_turtle(settings: Settings) -> list[Path]:
    """The project's Turtle files: ontology, shapes, shared data and every article's."""
    return sorted(
        [
            *(p for d in (settings.ontology_dir, settings.shapes_dir) for p in d.glob("*.ttl")),
            *data_files(settings),
        ]
    )


def _cmd_fmt(args: argparse.Namespace, settings: Settings) -> int:
    try:
        if not args.files:
            # A project without data or shapes is an error, not "all formatted".
            required_sources(settings)
        files: list[Path] = args.files or _project_turtle(settings)
    except KgpubError as exc:
        print(f"kgpub fmt: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    from kgpub.rdf.formatting import format_file  # noqa: PLC0415 - rdflib, for fmt alone

    unformatted = []
    for path in files:
        try:
            formatted = format_file(path)
        except KgpubError as exc:
            print(f"kgpub fmt: {exc}", file=sys.stderr)
            return EXIT_UNREADABLE
        if path.read_text(encoding="utf-8") != formatted:
            unformatted.append(path)
            if not args.check:
                path.write_text(formatted, encoding="utf-8")
    for path in unformatted:
        print(f"{'would reformat' if args.check else 'reformatted'} {path}")
    return EXIT_INVALID if args.check and unformatted else EXIT_OK


def _start_query_forkserver(settings: Settings) -> None:
    """When this process will run query workers (one HTTP process, an embedded store),
    their forkserver starts now and imports on another core while this one loads the
    data and imports the web stack (``sparql.processes.start_forkserver``)."""
    from kgpub.cli import http_workers  # noqa: PLC0415 - see _cmd_serve

    if http_workers.worker_count(settings) == 1 and settings.backend_url is None:
        from kgpub.sparql.processes import start_forkserver  # noqa: PLC0415

        start_forkserver()


def _cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    # The web stack costs most of a second to import; only serving needs it,
    # so validate, fmt, load and query start fast.
    from kgpub.cli import http_workers  # noqa: PLC0415
    from kgpub.cli.serving import check_port_free  # noqa: PLC0415

    files: list[Path] = args.files
    settings = settings.model_copy(
        update={
            "host": args.host or settings.host,
            "port": args.port or settings.port,
            "files": tuple(files) or settings.files,
            "store_dir": args.store or settings.store_dir,
            "http_workers": args.workers or settings.http_workers,
            "backend_url": args.backend or settings.backend_url,
        }
    )
    try:
        check_settings(settings)
        # A taken port fails now, not after seconds of loading and validating.
        check_port_free(settings.host, settings.port)
        if not (settings.files or settings.store_dir or settings.backend_url):
            required_sources(settings)  # nothing to serve is an error, not an empty endpoint
    except KgpubError as exc:
        print(f"kgpub serve: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    _start_query_forkserver(settings)
    try:
        dataset = load_dataset(settings)
    except DataNotConformingError as exc:
        print(exc.report_text, file=sys.stderr)
        print("kgpub serve: refusing to serve data that does not conform", file=sys.stderr)
        return EXIT_INVALID
    except StoreUnverifiedError as exc:
        print(f"kgpub serve: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except KgpubError as exc:
        print(f"kgpub serve: cannot read input: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    report = dataset.conformance.report
    languages = requested_languages(None, None, settings.message_language)
    # Accepted Warnings and Infos are named, one line each, then the verdict.
    checked = ["not validated"]
    if report is not None:
        checked = render_report(report, languages).splitlines()
    for line in checked:
        print(f"kgpub serve: {line}", file=sys.stderr)
    for notice in (dataset.notice or "").splitlines():
        print(f"kgpub serve: {notice}", file=sys.stderr)
    workers = http_workers.worker_count(settings)
    if workers > 1:
        del dataset  # every worker process opens the data itself
        return http_workers.serve(settings, report, workers)
    # Only a single process imports FastAPI here: worker processes import it themselves,
    # and the sooner the parent starts them the sooner the server answers.
    import uvicorn  # noqa: PLC0415

    from kgpub.cli.serving import exit_normally_on_sigterm, uvicorn_options  # noqa: PLC0415
    from kgpub.web.app import create_app  # noqa: PLC0415

    app = create_app(settings, dataset.store, dataset.conformance)
    exit_normally_on_sigterm()
    uvicorn.run(app, **uvicorn_options(settings))
    return EXIT_OK


def _positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def build_parser(running: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; given the command about to run (``running``), when it is one of
    this module's own, only their parsers (``_command_of``)."""
    parser = argparse.ArgumentParser(
        prog="kgpub", description="Publish news articles as Linked Data."
    )
    parser.add_argument("--version", action="version", version=f"kgpub {__version__}")
    parser.add_argument("--project", type=Path, metavar="DIR", help=_PROJECT_HELP)
    sub = parser.add_subparsers(dest="command", required=True)

    validate = sub.add_parser(
        "validate", help="validate data and ontology against the SHACL shapes"
    )
    validate.add_argument(
        "files", nargs="*", type=Path, help="data files (default: data/*.ttl, articles/*/*.ttl)"
    )
    validate.add_argument("--shapes", type=Path, help="shapes file (default: shapes/*.ttl)")
    validate.add_argument(
        "--format",
        choices=("text", "turtle", "jsonld"),
        default="text",
        type=lambda t: "jsonld" if t == "json-ld" else t,
        help="the report as text (default), Turtle or JSON-LD (json-ld)",
    )
    validate.add_argument(
        "--lang", help="language of the messages (default: KGPUB_MESSAGE_LANGUAGE, en)"
    )
    validate.set_defaults(handler=_cmd_validate)

    fmt = sub.add_parser("fmt", help="format the project's Turtle files")
    fmt.add_argument("files", nargs="*", type=Path)
    fmt.add_argument("--check", action="store_true", help="only report, exit 1 if unformatted")
    fmt.set_defaults(handler=_cmd_fmt)

    serve = sub.add_parser("serve", help="serve the graph with a SPARQL 1.1 endpoint")
    serve.add_argument(
        "files",
        nargs="*",
        type=Path,
        help="RDF files, each served in its own named graph <base>graph/<stem> "
        "(default: ontology/*.ttl, data/*.ttl, articles/*/*.ttl, shapes/*.ttl)",
    )
    source = serve.add_mutually_exclusive_group()
    source.add_argument(
        "--store", type=Path, help="serve this store (made by kgpub load) instead of files"
    )
    source.add_argument(
        "--backend",
        metavar="URL",
        help="serve a remote SPARQL 1.1 endpoint's data instead of files (docs/backend.md)",
    )
    serve.add_argument("--host", help="interface to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default: 8000)")
    serve.add_argument(
        "--workers",
        type=_positive,
        metavar="N",
        help="HTTP worker processes (default: half the cores with --store, else 1)",
    )
    serve.set_defaults(handler=_cmd_serve)

    if running not in _OWN_COMMANDS:
        # The other commands' modules import what they run (the re-anchoring's fuzzy
        # matching, the bulk loader): not needed to start a server, so not imported for it.
        from kgpub.cli import authoring, revise, store_commands  # noqa: PLC0415

        store_commands.add_commands(sub)
        authoring.add_commands(sub)
        revise.add_command(sub)
    # --project before or after the command's name; after it, it wins.
    for command in sub.choices.values():
        command.add_argument(
            "--project", type=Path, metavar="DIR", default=argparse.SUPPRESS, help=_PROJECT_HELP
        )
    return parser


_PROJECT_HELP = (
    "the project folder (default: KGPUB_PROJECT_DIR, else the current folder when it "
    "holds data/, articles/, ontology/ or shapes/, else the story shipped with kgpub)"
)


_OWN_COMMANDS = frozenset({"validate", "fmt", "serve"})


def _command_of(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names: its first argument that is not an option of the
    top-level parser (``--project DIR``, also abbreviated, ``--version``, ``--help``)."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg.startswith("-"):
            name = arg.split("=", 1)[0]
            skip = "=" not in arg and len(name) > 2 and "--project".startswith(name)
        else:
            return arg
    return None


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(_command_of(arguments)).parse_args(arguments)
    settings = project.settings_for(args.project)
    try:
        project.announce(args.command, settings, named=args.project is not None)
    except KgpubError as exc:
        print(f"kgpub {args.command}: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    code: int = args.handler(args, settings)
    return code


if __name__ == "__main__":
    sys.exit(main())
