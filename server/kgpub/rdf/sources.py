"""Which files make up the published dataset, and how each is read.

Each source file becomes one named graph, ``<base>graph/<file stem>``, so a
consumer can always tell an article's own statements (``graph/article``, one
graph per article file, see ``kgpub.rdf.articles``) from shared background
knowledge (``graph/background``), the vocabulary
(``graph/kgpub``) and the shapes (``graph/shapes``). Parsing goes through
pyoxigraph: it is fast and reports line and column on a syntax error.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kgpub import guards
from kgpub.config import Settings
from kgpub.errors import NothingFoundError, RdfSyntaxError, SourceNotFoundError
from kgpub.rdf import representable
from kgpub.rdf.articles import Article, articles
from kgpub.rdf.formats import by_suffix, rdf_format

# Every file read is logged here at INFO: the CLI shows these lines on stderr, so a
# command always says which files it read.
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Source:
    """One RDF file and the named graph it is published in."""

    path: Path
    graph: str

    @property
    def format(self) -> ox.RdfFormat:
        rep = by_suffix(self.path)
        if rep is None:
            raise SourceNotFoundError(
                f"{self.path}: unknown RDF file extension {self.path.suffix!r}"
            )
        return rdf_format(rep)


def file_format(path: Path) -> ox.RdfFormat | None:
    """The syntax a file name says, looking through a ``.gz`` suffix; ``None`` if unknown."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    rep = by_suffix(Path("x" + suffixes[-1])) if suffixes else None
    return None if rep is None else rep.rdf_format


def syntax_error(name: str, exc: SyntaxError) -> RdfSyntaxError:
    """pyoxigraph's parse error as a located ``RdfSyntaxError``."""
    line, column = _location(exc)
    return RdfSyntaxError(name, _strip_location(str(exc.msg)), line, column)


def graph_iri(settings: Settings, path: Path) -> str:
    """The named graph a file is published in: ``<base>graph/<stem>``."""
    return f"{settings.base_iri}graph/{path.stem}"


def data_files(settings: Settings) -> list[Path]:
    """The instance data's files: the shared graphs in ``data/``, then every article's.

    An article's ``history.ttl`` comes last among its files; its stem makes it
    ``<base>graph/history``, the one graph of every article's revision records.
    """
    shared = sorted(settings.data_dir.glob("*.ttl"))
    return shared + [p for a in articles(settings) for p in _article_files(a)]


def _article_files(article: Article) -> list[Path]:
    history = [] if article.history_path is None else [article.history_path]
    return [*article.graph_files, *history]


def data_sources(settings: Settings) -> list[Source]:
    """The instance data: the shared background graphs and every article's graphs."""
    return [Source(p, graph_iri(settings, p)) for p in data_files(settings)]


def ontology_sources(settings: Settings) -> list[Source]:
    return [Source(p, graph_iri(settings, p)) for p in sorted(settings.ontology_dir.glob("*.ttl"))]


def shapes_sources(settings: Settings) -> list[Source]:
    return [Source(p, graph_iri(settings, p)) for p in sorted(settings.shapes_dir.glob("*.ttl"))]


def default_sources(settings: Settings) -> list[Source]:
    """Everything published by default: vocabulary, data and shapes."""
    return ontology_sources(settings) + data_sources(settings) + shapes_sources(settings)


def required_data(settings: Settings) -> list[Source]:
    """``data_sources``, or ``NothingFoundError`` naming the folder when there are none."""
    return _required(
        data_sources(settings),
        "data",
        f"{settings.data_dir} and {settings.articles_dir}",
        settings,
    )


def required_shapes(settings: Settings) -> list[Source]:
    """``shapes_sources``, or ``NothingFoundError`` naming the folder when there are none."""
    return _required(shapes_sources(settings), "shapes", f"{settings.shapes_dir}", settings)


def required_sources(settings: Settings) -> list[Source]:
    """``default_sources`` of a project with data and shapes, else ``NothingFoundError``."""
    required_data(settings)
    required_shapes(settings)
    return default_sources(settings)


def _required(found: list[Source], what: str, where: str, settings: Settings) -> list[Source]:
    if not found:
        raise NothingFoundError(
            f"no {what}: no Turtle (*.ttl) file in {where} "
            f"(project folder {settings.project_dir}; name another with --project DIR)"
        )
    return found


def sources_for_files(settings: Settings, files: Sequence[Path]) -> list[Source]:
    return [Source(p, graph_iri(settings, p)) for p in files]


def read_quads(source: Source) -> list[ox.Quad]:
    """Parse one source into quads of its named graph, or raise a located error."""
    try:
        data = source.path.read_bytes()
    except OSError as exc:
        raise SourceNotFoundError(f"{source.path}: {exc.strerror or exc}") from exc
    quads = parse_quads(data, source.format, str(source.path), ox.NamedNode(source.graph))
    logger.info("read %s (%d triples)", source.path, len(quads))
    return quads


def parse_quads(
    data: bytes,
    fmt: ox.RdfFormat,
    name: str,
    graph: ox.NamedNode | ox.DefaultGraph,
    *,
    max_depth: int = guards.DEFAULT_MAX_DEPTH,
) -> list[ox.Quad]:
    # Before the parser: DTDs, deep nesting and remote JSON-LD contexts (kgpub.guards).
    guards.check_rdf(data, fmt, name, max_depth)
    try:
        if fmt.supports_datasets:
            # A TriG or N-Quads file names its own graphs; only its default
            # graph goes into the file's graph.
            quads = [
                q
                if not isinstance(q.graph_name, ox.DefaultGraph)
                else ox.Quad(q.subject, q.predicate, q.object, graph)
                for q in ox.parse(data, format=fmt, base_iri=None)
            ]
        else:
            quads = [
                ox.Quad(t.subject, t.predicate, t.object, graph)
                for t in ox.parse(data, format=fmt, base_iri=None)
            ]
    except SyntaxError as exc:
        raise syntax_error(name, exc) from exc
    except ValueError as exc:
        raise RdfSyntaxError(name, str(exc)) from exc
    # Only data every served format can carry (no U+0000 and the like: XML cannot).
    representable.check_quads(quads, name)
    return quads


def read_all(sources: Iterable[Source]) -> list[ox.Quad]:
    quads: list[ox.Quad] = []
    for source in sources:
        quads.extend(read_quads(source))
    return quads


def _location(exc: SyntaxError) -> tuple[int | None, int | None]:
    return exc.lineno, exc.offset


def _strip_location(message: str) -> str:
    # pyoxigraph prefixes "Parser error at line L between columns A and B: ";
    # the location is reported separately, so keep only the reason.
    head, sep, rest = message.partition(": ")
    return rest if sep and head.startswith("Parser error") else message
