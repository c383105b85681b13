"""The one registry of representations: every format kgpub reads, writes or negotiates.

Each format is defined once, with everything any part of kgpub needs to know
about it: its media type and the aliases a client may send, the short names
``?format=`` accepts (SPARQLWrapper's too), the file suffixes it is read from,
and the pyoxigraph format that writes it. Routes negotiate from the tuples
below, so a token means the same format on every route that offers it: before
there was one registry, ``?format=turtle`` was Turtle on ``/sparql`` and a 406
on ``/id/…``.

``json`` and ``xml`` are the one exception, by necessity: SPARQLWrapper sends
them for both kinds of answer, so for a SELECT or ASK they mean the SPARQL
results formats and for a graph JSON-LD and RDF/XML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox


@dataclass(frozen=True)
class Representation:
    """A format the server can produce or read: media type, aliases, names and engines."""

    media_type: str
    name: str
    aliases: tuple[str, ...] = ()
    """Other media types that mean this format (matched by name, never by wildcard)."""
    charset: bool = False
    """Textual: sent with ``; charset=utf-8``."""
    synonyms: tuple[str, ...] = ()
    """Other ``format`` values that select this representation (SPARQLWrapper's names)."""
    suffixes: tuple[str, ...] = ()
    """File suffixes this format is read from."""
    rdf_format: ox.RdfFormat | None = None
    results_format: ox.QueryResultsFormat | None = None
    w3c_name: str | None = None
    """Its name under ``http://www.w3.org/ns/formats/`` (service description)."""

    def named(self, value: str) -> bool:
        """Whether ``format=value`` selects this representation; media types work too."""
        value = value.strip().lower()
        return value in (self.name, self.media_type, *self.synonyms)

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` to send, with ``charset`` for textual formats."""
        return f"{self.media_type}; charset=utf-8" if self.charset else self.media_type

    def __reduce__(self) -> str | tuple[object, ...]:
        """Pickled by its key in the registry: query workers receive representations, and
        pyoxigraph's format objects cannot be pickled."""
        return (_registered, (self.media_type, self.name))

    @property
    def has_graphs(self) -> bool:
        """A quad format (TriG, N-Quads): named graphs survive; the others merge them."""
        return self.rdf_format in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS)


HTML = Representation("text/html", "html", ("application/xhtml+xml",), charset=True)
JSON = Representation("application/json", "json")
"""Plain JSON (not RDF, not SPARQL results): the search answer for scripts."""

TURTLE = Representation(
    "text/turtle",
    "ttl",
    ("application/x-turtle",),
    charset=True,
    # Turtle is valid N3, so format=n3 gets Turtle.
    synonyms=("turtle", "n3", "text/n3"),
    suffixes=(".ttl",),
    rdf_format=ox.RdfFormat.TURTLE,
    w3c_name="Turtle",
)
JSON_LD = Representation(
    "application/ld+json",
    "jsonld",
    synonyms=("json-ld", "json"),
    suffixes=(".jsonld",),
    rdf_format=ox.RdfFormat.JSON_LD,
    w3c_name="JSON-LD",
)
RDF_XML = Representation(
    "application/rdf+xml",
    "rdf",
    ("application/xml", "text/xml"),
    synonyms=("rdf+xml", "rdfxml", "xml"),
    suffixes=(".rdf", ".owl", ".xml"),
    rdf_format=ox.RdfFormat.RDF_XML,
    w3c_name="RDF_XML",
)
N_TRIPLES = Representation(
    "application/n-triples",
    "nt",
    synonyms=("ntriples", "n-triples"),
    suffixes=(".nt",),
    rdf_format=ox.RdfFormat.N_TRIPLES,
    w3c_name="N-Triples",
)
N_QUADS = Representation(
    "application/n-quads",
    "nq",
    synonyms=("nquads", "n-quads"),
    suffixes=(".nq",),
    rdf_format=ox.RdfFormat.N_QUADS,
    w3c_name="N-Quads",
)
TRIG = Representation(
    "application/trig",
    "trig",
    suffixes=(".trig",),
    rdf_format=ox.RdfFormat.TRIG,
    w3c_name="TriG",
)
N3 = Representation("text/n3", "n3", suffixes=(".n3",), rdf_format=ox.RdfFormat.N3)
"""Read from source files only; answers that ask for N3 get Turtle."""

RDF_FORMATS: tuple[Representation, ...] = (TURTLE, N_TRIPLES, JSON_LD, RDF_XML, TRIG, N_QUADS)
"""Every RDF answer (descriptions, graphs, VoID, CONSTRUCT and DESCRIBE), in the server's
order of preference: ``*/*`` (curl) gets Turtle, ``application/*`` N-Triples."""

SOURCE_FORMATS: tuple[Representation, ...] = (*RDF_FORMATS, N3)
"""Formats project files and ``kgpub load`` inputs are read in, by suffix."""

UPLOAD_FORMATS: tuple[Representation, ...] = (TURTLE, JSON_LD, N_TRIPLES, RDF_XML)
"""Formats of one graph sent in a request body (``/validate``, the Graph Store)."""

SPARQL_JSON = Representation(
    "application/sparql-results+json",
    "json",
    ("application/json",),
    results_format=ox.QueryResultsFormat.JSON,
    w3c_name="SPARQL_Results_JSON",
)
SPARQL_XML = Representation(
    "application/sparql-results+xml",
    "xml",
    ("application/xml", "text/xml"),
    results_format=ox.QueryResultsFormat.XML,
    w3c_name="SPARQL_Results_XML",
)
CSV = Representation(
    "text/csv",
    "csv",
    charset=True,
    results_format=ox.QueryResultsFormat.CSV,
    w3c_name="SPARQL_Results_CSV",
)
TSV = Representation(
    "text/tab-separated-values",
    "tsv",
    charset=True,
    results_format=ox.QueryResultsFormat.TSV,
    w3c_name="SPARQL_Results_TSV",
)

RESULT_FORMATS: tuple[Representation, ...] = (SPARQL_JSON, SPARQL_XML, CSV, TSV)
"""SELECT and ASK answers, in the server's order of preference."""

SEARCH_FORMATS: tuple[Representation, ...] = (JSON, HTML)
"""``/search`` answers: JSON for scripts (``*/*`` too), HTML for browsers that ask for it."""


RDF_PATCH = Representation("text/rdf-patch", "rdf-patch", charset=True, suffixes=(".rdfp",))
"""A graph change as RDF Patch (Apache Jena's format; ``kgpub.history.rdf_patch``)."""
LINK_FORMAT = Representation("application/link-format", "link-format")
"""A Memento TimeMap (RFC 7089 over RFC 6690, UTF-8 by definition; ``kgpub.history.memento``)."""
ATOM = Representation("application/atom+xml", "atom")
"""An Atom feed of revisions (RFC 4287; ``kgpub.history.atom``)."""

X_DIFF = Representation("text/x-diff", "diff", ("text/x-patch",), charset=True)
"""An article's text change between revisions, a unified diff (``kgpub.history.text_diff``)."""

HISTORY_FORMATS: tuple[Representation, ...] = (RDF_PATCH, LINK_FORMAT, ATOM, X_DIFF)
"""What a revision's history is published in besides RDF: changes, TimeMaps, feeds."""

TIMEMAP_FORMATS: tuple[Representation, ...] = (LINK_FORMAT, JSON, TURTLE, JSON_LD)
"""A Memento TimeMap (``/timemap/…``): link-format first (RFC 7089's normative format, and
what ``*/*`` gets), the Memento guide's JSON, and PROV-O as Turtle or JSON-LD."""
DIFF_FORMATS: tuple[Representation, ...] = (RDF_PATCH, X_DIFF, HTML)
"""``/diff/…`` answers, in the server's order of preference: the graph change as RDF Patch
(``*/*`` too), the text change as a unified diff, a page showing both."""


def _registered(media_type: str, name: str) -> Representation:
    for rep in (*SOURCE_FORMATS, *RESULT_FORMATS, *HISTORY_FORMATS, HTML, JSON):
        if rep.media_type == media_type and rep.name == name:
            return rep
    raise KeyError(f"{media_type} ({name}) is not in the format registry")


def named(name: str, offers: Sequence[Representation] = RDF_FORMATS) -> Representation:
    """The representation ``name`` selects among ``offers``; ``KeyError`` if none."""
    for rep in offers:
        if rep.named(name):
            return rep
    raise KeyError(name)


def media_types(offers: Sequence[Representation]) -> list[str]:
    """Every media type ``offers`` are read from or sent as, aliases included."""
    return [m for rep in offers for m in (rep.media_type, *rep.aliases)]


def by_suffix(path: Path) -> Representation | None:
    """The format a file is read in, from its last suffix (``None`` if unknown)."""
    suffix = path.suffix.lower()
    return next((rep for rep in SOURCE_FORMATS if suffix in rep.suffixes), None)


def by_media_type(
    media_type: str, offers: Sequence[Representation] = UPLOAD_FORMATS
) -> Representation | None:
    """The format of a request body, by its media type or an alias (``None`` if unknown)."""
    media_type = media_type.strip().lower()
    return next(
        (rep for rep in offers if media_type == rep.media_type or media_type in rep.aliases), None
    )


def rdf_format(rep: Representation) -> ox.RdfFormat:
    """The pyoxigraph format writing ``rep``; a registry entry without one is a bug."""
    if rep.rdf_format is None:
        raise ValueError(f"{rep.media_type} is not an RDF format")
    return rep.rdf_format


def results_format(rep: Representation) -> ox.QueryResultsFormat:
    """The pyoxigraph results format writing ``rep``."""
    if rep.results_format is None:
        raise ValueError(f"{rep.media_type} is not a SPARQL results format")
    return rep.results_format
