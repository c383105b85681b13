"""The ETags of a Graph Store graph, and whether an ``If-Match`` tag is a current one.

A graph of no article's history is tagged by its bytes (``make_etag`` of one
RDF format's serialisation), as every document kgpub serves. A graph that an
article with history covers (``kgpub.ingest.covered``) is tagged by its
article's latest revision instead: ``"r<n>-<content hash hex>-<format>"``. The
revision names the state a ``PATCH`` is written against, so a tag read from
any graph of the article, in any format, matches while that revision is the
latest, and none does once another revision is made (RFC 9110 §8.8.3: each
format still has a tag of its own, as strong validators must).
"""

from __future__ import annotations

import pyoxigraph as ox

from kgpub.errors import HistoryError
from kgpub.history.content_hash import PREFIX
from kgpub.history.records import Revision, Terms
from kgpub.ingest.covered import covering
from kgpub.ingest.preconditions import Matcher
from kgpub.rdf.formats import RDF_FORMATS
from kgpub.rdf.serialization import serialize
from kgpub.sparql.cache import make_etag
from kgpub.store.oxigraph import Store

GraphName = ox.NamedNode | ox.DefaultGraph


def content_etags(store: Store, graph: GraphName, base_iri: str) -> set[str]:
    """The bytes-derived ETags of a graph, one per RDF format (what GET sends for each)."""
    quads = store.graph_quads(graph)
    return {make_etag(rep.media_type, serialize(quads, rep.name, base_iri)) for rep in RDF_FORMATS}


def _state(revision: Revision) -> str:
    return f"r{revision.number}-{revision.content_hash.removeprefix(PREFIX)}"


def revision_etag(revision: Revision, format_name: str) -> str:
    """The strong ETag of a covered graph in one format while ``revision`` is the latest."""
    return f'"{_state(revision)}-{format_name}"'


def revision_matcher(revision: Revision) -> Matcher:
    """Matches the tag of any format of any graph of the article at ``revision``."""
    prefix = f'"{_state(revision)}-'
    return lambda tag: tag.startswith(prefix) and tag.endswith('"') and len(tag) > len(prefix) + 1


def current_matcher(store: Store, graph: GraphName, base_iri: str) -> Matcher:
    """Whether a tag is one of the graph's current ETags, as GET sends them: its latest
    revision's where an article with history covers it, else its bytes' (computed once,
    on the first tag asked about). A history that cannot be read falls back to the bytes'."""
    try:
        covered = covering(store, Terms(base_iri), graph)
    except HistoryError:
        covered = None
    if covered is not None:
        return revision_matcher(covered.latest)
    current: set[str] = set()

    def matches(tag: str) -> bool:
        if not current:
            current.update(content_etags(store, graph, base_iri))
        return tag in current

    return matches
