"""What the server publishes, loaded into the query engine and checked first.

The endpoint never serves data that breaks a Violation shape: loading and
validating happen together, before the first request, and a failure stops the
server with the report rather than publishing a broken graph.
"""

from __future__ import annotations

from kgpub.config import Settings
from kgpub.errors import DataNotConformingError
from kgpub.reporting import render_report
from kgpub.sources import (
    Source,
    default_sources,
    ontology_sources,
    read_all,
    shapes_sources,
    sources_for_files,
)
from kgpub.store import Store
from kgpub.validation import validate_quads


def served_sources(settings: Settings) -> list[Source]:
    """The files named in ``settings.files``, or ontology, data and shapes by default."""
    if settings.files:
        return sources_for_files(settings, list(settings.files))
    return default_sources(settings)


def load_dataset(settings: Settings) -> Store:
    """Read every served source into a store, each in its own named graph.

    Raises ``RdfSyntaxError``/``SourceNotFoundError`` for unreadable input and
    ``DataNotConformingError`` (carrying the rendered report) for invalid data.
    """
    sources = served_sources(settings)
    quads = read_all(sources)
    if settings.validate_on_start:
        shapes = {s.path.resolve() for s in shapes_sources(settings)}
        ontology = {s.path.resolve() for s in ontology_sources(settings)}
        data = [s for s in sources if s.path.resolve() not in shapes | ontology]
        report = validate_quads(
            read_all(data), read_all(shapes_sources(settings)), read_all(ontology_sources(settings))
        )
        if not report.conforms:
            raise DataNotConformingError(render_report(report))
    store = Store()
    store.add_quads(quads)
    return store
