"""SHACL results per resource for the pages, and validation of uploaded RDF.

The served data does not change while the server runs, so it is validated
once when the app starts (``check_store``) and each resource page looks its
own results up; validating per request would cost seconds. ``/validate``
checks someone else's RDF against the same shapes and vocabulary, parsed by
pyoxigraph (located errors, and it never fetches a remote JSON-LD context).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from kgpub import metrics
from kgpub.config import Settings
from kgpub.errors import UnsupportedMediaTypeError
from kgpub.rdf.formats import UPLOAD_FORMATS, by_media_type, media_types, rdf_format
from kgpub.rdf.sources import graph_iri, ontology_sources, parse_quads, shapes_sources
from kgpub.shacl.report import ValidationReport, ValidationResult
from kgpub.shacl.report_cache import validate_cached
from kgpub.store.oxigraph import Store
from kgpub.store.protocol import QueryStore

# rdflib and pySHACL (``shacl.validate``) are imported where they are first needed: a
# server whose report comes from the cache starts and answers without them.


@dataclass(frozen=True)
class Conformance:
    """The served data's validation, and the shapes and vocabulary it used.

    ``report`` is ``None`` when validation was switched off
    (``KGPUB_VALIDATE_ON_START=false``, for stores too large for pySHACL): the
    pages then say the data was not checked, and ``/validate`` still works.
    """

    shapes: tuple[ox.Quad, ...]
    ontology: tuple[ox.Quad, ...]
    report: ValidationReport | None

    @property
    def shapes_loaded(self) -> bool:
        return bool(self.shapes)

    @property
    def validated(self) -> bool:
        return self.report is not None

    def results_for(self, iri: str) -> list[ValidationResult]:
        """The results whose focus node is ``iri`` (blank node foci are not attributed)."""
        if self.report is None:
            return []
        # Matched on the text first, so a resource without results builds no rdflib terms.
        found = [i for i, t in enumerate(self.report.texts) if t.focus.iri and t.focus.text == iri]
        if not found:
            return []
        results = self.report.results
        return [results[i] for i in found]


def _graph_quads(store: QueryStore, graphs: list[str], exclude: bool) -> list[ox.Quad]:
    served = store.named_graphs()
    chosen = [g for g in served if (g in graphs) != exclude]
    if not chosen:
        return []
    if isinstance(store, Store):  # read straight from the graphs: no query, no rows to convert
        return [quad for g in chosen for quad in store.quads(g)]
    values = " ".join(f"<{g}>" for g in chosen)
    result = store.query(
        f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
    )
    assert isinstance(result, ox.QuerySolutions)
    quads = []
    for row in result:
        s, p, o, g = row["s"], row["p"], row["o"], row["g"]
        assert isinstance(s, ox.NamedNode | ox.BlankNode)
        assert isinstance(p, ox.NamedNode)
        assert isinstance(o, ox.NamedNode | ox.BlankNode | ox.Literal)
        assert isinstance(g, ox.NamedNode)
        quads.append(ox.Quad(s, p, o, g))
    return quads


def check_store(store: QueryStore, settings: Settings, *, validate: bool = True) -> Conformance:
    """Validate the served data graphs against the served shapes and vocabulary.

    With ``validate=False`` only the shapes and vocabulary are collected.
    """
    shape_graphs = [graph_iri(settings, s.path) for s in shapes_sources(settings)]
    ontology_graphs = [graph_iri(settings, s.path) for s in ontology_sources(settings)]
    shapes = _graph_quads(store, shape_graphs, exclude=False)
    ontology = _graph_quads(store, ontology_graphs, exclude=False)
    if not validate:
        return Conformance(tuple(shapes), tuple(ontology), None)
    data = _graph_quads(store, shape_graphs + ontology_graphs, exclude=True)
    report = validate_cached(data, shapes, ontology, settings.report_cache_dir, _timed_validate)
    return Conformance(tuple(shapes), tuple(ontology), report)


def _timed_validate(
    data: Iterable[ox.Quad], shapes: Iterable[ox.Quad], ontology: Iterable[ox.Quad]
) -> ValidationReport:
    """``validate_quads``, timed as the served data's validation (a cached report is not)."""
    from kgpub.shacl.validate import validate_quads  # noqa: PLC0415 - see the imports

    with metrics.VALIDATION_SECONDS.labels("startup").time():
        return validate_quads(data, shapes, ontology)


def upload_format(content_type: str | None) -> ox.RdfFormat:
    """The RDF syntax of an upload, or ``UnsupportedMediaTypeError``."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    rep = by_media_type(media_type)
    if rep is None:
        raise UnsupportedMediaTypeError(
            f"Content-Type {media_type or '(none)'!r} is not an RDF syntax read here; use one of "
            + ", ".join(sorted(media_types(UPLOAD_FORMATS)))
        )
    return rdf_format(rep)


def validate_upload(
    data: bytes, content_type: str | None, against: Conformance, *, max_depth: int = 64
) -> ValidationReport:
    """Validate uploaded RDF against the served shapes; ``RdfSyntaxError`` if unreadable.

    ``UnsafeInputError`` for input refused unparsed (``kgpub.guards``).
    """
    from kgpub.shacl.validate import validate_quads  # noqa: PLC0415 - see the imports

    fmt = upload_format(content_type)
    quads = parse_quads(data, fmt, "request body", ox.DefaultGraph(), max_depth=max_depth)
    return validate_quads(quads, against.shapes, against.ontology)


def report_quads(report: ValidationReport, languages: Sequence[str] = ("en",)) -> list[ox.Quad]:
    """A report's graph as pyoxigraph quads (default graph), one message per result."""
    from kgpub.shacl.validate import in_languages  # noqa: PLC0415 - see the imports

    return to_quads(in_languages(report, languages).serialize(format="nt", encoding="utf-8"))


def to_quads(data: bytes) -> list[ox.Quad]:
    """N-Triples as default-graph quads."""
    return [
        ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
        for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
    ]
