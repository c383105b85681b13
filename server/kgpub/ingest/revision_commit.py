"""Committing a revision of an article to a project's files: plan, validate, write together.

``kgpub revise`` (and a writable server) revise an article in a project
folder: the planner (``kgpub.history.plan``) computes the new graphs and the
revision's record from the files; the whole project's data with the new graphs
and record is SHACL-validated *before* anything is written, and a Violation
refuses the commit with its report; then the article's text file, its graph
files (canonical ``kgpub fmt`` Turtle) and its ``history.ttl`` are replaced as
one change (``ingest.journal``), so a reader or a crash sees the old revision
or the new one, never half of each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kgpub.config import Settings
from kgpub.errors import DataNotConformingError, HistoryError, RevisionRefusedError
from kgpub.history.evidence import ClaimAnchors, find_evidence, move_all, per_claim
from kgpub.history.plan import Plan, Request, plan_revision
from kgpub.history.records import Revision, Terms, history_of, revision_quads
from kgpub.ingest import journal
from kgpub.namespaces import DCTERMS, OA, PROV, RDF, SCHEMA, XSD
from kgpub.rdf.articles import HISTORY, Article, articles
from kgpub.rdf.formatting import format_graph
from kgpub.rdf.rdflib_bridge import to_rdflib
from kgpub.rdf.sources import (
    Source,
    data_sources,
    ontology_sources,
    parse_quads,
    read_all,
    read_quads,
)
from kgpub.rdf.sources import shapes_sources as shapes_of
from kgpub.shacl.report import ValidationReport
from kgpub.shacl.text import render_report
from kgpub.shacl.validate import validate_quads


@dataclass(frozen=True)
class ArticleState:
    """An article's files as they are: its graphs' quads, its text and its revisions."""

    article: Article
    quads: tuple[ox.Quad, ...]
    history_quads: tuple[ox.Quad, ...]
    revisions: tuple[Revision, ...]
    text: str


def find(settings: Settings, name: str) -> Article:
    """The article an editor names: its IRI, its name under ``<base>id/``, or its slug."""
    iri = name if ":" in name else f"{settings.base_iri}id/{name}"
    for article in articles(settings):
        if name in (article.iri, article.slug) or article.iri == iri:
            return article
    raise RevisionRefusedError(f"the project has no article <{iri}>")


def _graph(settings: Settings, path: Path) -> str:
    return f"{settings.base_iri}graph/{path.stem}"


def read_state(settings: Settings, article: Article) -> ArticleState:
    """Read the article's graph files, text and history."""
    quads = read_all(Source(p, _graph(settings, p)) for p in article.graph_files)
    history: list[ox.Quad] = []
    if article.history_path is not None:
        history = read_quads(Source(article.history_path, _graph(settings, Path(HISTORY))))
    revisions = history_of(history, Terms(settings.base_iri), article.iri)
    return ArticleState(article, tuple(quads), tuple(history), tuple(revisions), article.text())


def dry_run(settings: Settings, state: ArticleState, new_text: str) -> list[ClaimAnchors]:
    """Where each claim's evidence goes in ``new_text``: what a commit would ask about."""
    evidence = find_evidence(state.quads, state.article.iri, Terms(settings.base_iri))
    return per_claim(move_all(state.text, new_text, evidence))


def plan(settings: Settings, state: ArticleState, request: Request) -> Plan:
    """The revision ``request`` asks for (``RevisionRefusedError`` when it cannot be made)."""
    return plan_revision(
        state.quads, state.revisions, state.text, request, Terms(settings.base_iri)
    )


def _history_graph(settings: Settings, state: ArticleState, result: Plan) -> list[ox.Quad]:
    return [*state.history_quads, *revision_quads(result.revision, Terms(settings.base_iri))]


def validate(settings: Settings, state: ArticleState, result: Plan) -> ValidationReport:
    """The project's data as it would be after the revision, against the shapes."""
    replaced = {*state.article.graph_files}
    if state.article.history_path is not None:
        replaced.add(state.article.history_path)
    data: list[ox.Quad] = []
    for source in data_sources(settings):
        if source.path not in replaced:
            data.extend(read_quads(source))
    data.extend(result.graphs)
    data.extend(_history_graph(settings, state, result))
    shapes = read_all(shapes_of(settings))
    return validate_quads(data, shapes, read_all(ontology_sources(settings)))


def _prefixes(settings: Settings, path: Path | None) -> dict[str, str]:
    base = settings.base_iri
    prefixes = {
        "dcterms": DCTERMS,
        "kg": base + "id/",
        "kgpub": base + "ontology#",
        "kind": base + "ontology/revision-kind#",
        "anchor": base + "ontology/anchor-status#",
        "decision": base + "ontology/claim-decision#",
        "oa": OA,
        "prov": PROV,
        "rdf": RDF,
        "schema": SCHEMA,
        "xsd": XSD,
    }
    if path is not None and path.is_file():
        graph = Graph(bind_namespaces="none")
        graph.parse(path, format="turtle")
        prefixes.update({p: str(ns) for p, ns in graph.namespaces() if p})
    return prefixes


def turtle(settings: Settings, quads: Iterable[ox.Quad], path: Path | None) -> bytes:
    """Quads as the canonical Turtle of ``kgpub fmt``, with the file's own prefixes."""
    return format_graph(to_rdflib(quads), _prefixes(settings, path)).encode("utf-8")


def files_of(settings: Settings, state: ArticleState, result: Plan) -> dict[Path, bytes]:
    """Every file the revision replaces, with its new bytes.

    Each graph file is read back before anything is written: it must give
    exactly the planned quads, which the content hash covers (a literal the
    formatter would rewrite would make the history disagree with the files).
    """
    article = state.article
    files = {article.text_path: result_text(result).encode("utf-8")}
    for path in article.graph_files:
        graph = ox.NamedNode(_graph(settings, path))
        planned = {q for q in result.graphs if q.graph_name == graph}
        files[path] = turtle(settings, planned, path)
        read_back = set(parse_quads(files[path], ox.RdfFormat.TURTLE, str(path), graph))
        if read_back != planned:
            changed = sorted(map(str, read_back ^ planned))[:3]
            raise HistoryError(
                f"{path}: the canonical Turtle would not read back as the revision's quads "
                f"({'; '.join(changed)}): run kgpub fmt on the article first"
            )
    history = article.history_path or article.folder / HISTORY
    files[history] = turtle(settings, _history_graph(settings, state, result), history)
    return files


def result_text(result: Plan) -> str:
    """The revision's text, as its article graph says (``schema:articleBody``)."""
    body = SCHEMA + "articleBody"
    subject = ox.NamedNode(result.revision.article)
    for quad in result.graphs:
        if quad.subject == subject and quad.predicate.value == body:
            assert isinstance(quad.object, ox.Literal)
            return quad.object.value
    raise RevisionRefusedError(f"<{result.revision.article}> has no schema:articleBody")


def commit(settings: Settings, state: ArticleState, request: Request) -> Plan:
    """Plan, validate, and write the revision; nothing is written unless it is accepted."""
    result = plan(settings, state, request)
    report = validate(settings, state, result)
    if not report.accepted:
        raise DataNotConformingError(render_report(report))
    files = files_of(settings, state, result)
    journal.write_together(settings.project_dir, files)
    return result
