"""The dataset described in VoID, for crawlers and catalogues (``/.well-known/void``).

RFC 5785 and the VoID note name ``/.well-known/void`` as the place a client
looks for a dataset's description: what it contains (one subset per named
graph, with triple and entity counts), which vocabularies it uses, where to
query it, where to download it (``void:dataDump``) and look an IRI up, under
which licence, when it last changed, which classes and properties it uses how
often (``void:classPartition``, ``void:propertyPartition``), and how it links
to Wikidata. Everything is counted from the store, so the description cannot
drift from the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

import pyoxigraph as ox

from kgpub.ld import sitemap
from kgpub.namespaces import DCTERMS, FOAF, RDF_TYPE, SCHEMA, SD, VOID, WIKIDATA_ENTITY, XSD
from kgpub.store.protocol import QueryStore

RDF_TYPE_NODE = ox.NamedNode(RDF_TYPE)
SAME_AS = SCHEMA + "sameAs"
DEFAULT_LICENSE = "https://creativecommons.org/licenses/by/4.0/"


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(XSD + "integer"))


def _rows(store: QueryStore, sparql: str) -> list[dict[str, ox.NamedNode | ox.Literal]]:
    result = store.query(sparql)
    assert isinstance(result, ox.QuerySolutions)
    out = []
    for row in result:
        values = {}
        for var in result.variables:
            term = row[var]
            if isinstance(term, ox.NamedNode | ox.Literal):
                values[var.value] = term
        out.append(values)
    return out


def _count(store: QueryStore, sparql: str) -> int:
    rows = _rows(store, sparql)
    term = rows[0].get("n") if rows else None
    return int(term.value) if isinstance(term, ox.Literal) else 0


def namespace(iri: str) -> str:
    """An IRI's namespace: up to its last ``#``, else its last ``/``."""
    cut = iri.rfind("#")
    if cut < 0:
        cut = iri.rfind("/")
    return iri[: cut + 1]


def vocabularies(store: QueryStore, graph: str | None = None) -> list[str]:
    """Namespaces of the predicates and classes used (in one graph, or in all published).

    The published graphs are named: a remote backend may hold graphs of its own
    (Virtuoso's system graphs) that are not part of the dataset.
    """
    graphs = [graph] if graph else store.named_graphs()
    scope = "VALUES ?g { " + " ".join(f"<{g}>" for g in graphs) + " } GRAPH ?g"
    rows = _rows(
        store,
        f"SELECT DISTINCT ?t WHERE {{ {{ {scope} {{ ?s ?t ?o }} }} UNION "
        f"{{ {scope} {{ ?s a ?t }} }} FILTER(isIRI(?t)) }}",
    )
    return sorted({namespace(r["t"].value) for r in rows if "t" in r})


def _entities(store: QueryStore, uri_space: str, graph: str | None = None) -> int:
    """Distinct IRI subjects inside ``uri_space``: in ``graph``, or in all published graphs."""
    graphs = [graph] if graph else store.named_graphs()
    scope = "VALUES ?g { " + " ".join(f"<{g}>" for g in graphs) + " } GRAPH ?g"
    prefix = ox.Literal(uri_space)
    return _count(
        store,
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {scope} {{ ?s ?p ?o }} "
        f"FILTER(isIRI(?s) && STRSTARTS(STR(?s), {prefix})) }}",
    )


def _license(store: QueryStore, base_iri: str) -> str:
    rows = _rows(store, f"SELECT ?l WHERE {{ <{base_iri}ontology> <{DCTERMS}license> ?l }} LIMIT 1")
    term = rows[0].get("l") if rows else None
    return term.value if isinstance(term, ox.NamedNode) else DEFAULT_LICENSE


@dataclass(frozen=True)
class Site:
    """Where the dataset is served, and how it stands: what the store cannot say."""

    base_iri: str
    url: str
    """The serving host's root URL, no trailing slash (endpoints and dumps live there)."""
    graph_sizes: dict[str, int]
    total_triples: int
    modified: datetime

    def dump(self, graph: str) -> ox.NamedNode:
        """A named graph's download: the Graph Store's read of it, as N-Triples."""
        return _n(f"{self.url}/graph-store?graph={quote(graph, safe='')}&format=nt")


def describe_dataset(store: QueryStore, site: Site) -> list[ox.Triple]:
    """The VoID description of everything the store publishes.

    Every IRI kgpub mints (``id/``, ``ontology``, ``shapes``, ``graph/``) is under
    the base IRI, the one ``void:uriSpace``; ``void:entities`` counts the
    distinct subjects inside it, alike in the dataset and in each subset.
    """
    base_iri = site.base_iri
    doc = f"{base_iri}.well-known/void"
    dataset = _n(doc + "#dataset")
    modified = ox.Literal(
        site.modified.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        datatype=_n(XSD + "dateTime"),
    )
    triples = [
        ox.Triple(dataset, RDF_TYPE_NODE, _n(VOID + "Dataset")),
        ox.Triple(dataset, _n(DCTERMS + "title"), ox.Literal("kgpub", language="en")),
        ox.Triple(dataset, _n(DCTERMS + "description"), ox.Literal(_DESCRIPTION, language="en")),
        ox.Triple(dataset, _n(DCTERMS + "license"), _n(_license(store, base_iri))),
        ox.Triple(dataset, _n(DCTERMS + "modified"), modified),
        ox.Triple(dataset, _n(VOID + "sparqlEndpoint"), _n(site.url + "/sparql")),
        ox.Triple(dataset, _n(VOID + "uriLookupEndpoint"), _n(site.url + "/lookup?uri=")),
        ox.Triple(dataset, _n(VOID + "uriSpace"), ox.Literal(base_iri)),
        ox.Triple(dataset, _n(VOID + "triples"), _int(site.total_triples)),
        ox.Triple(dataset, _n(VOID + "entities"), _int(_entities(store, base_iri))),
    ]
    triples += [
        ox.Triple(dataset, _n(VOID + "rootResource"), _n(iri))
        for iri in sitemap.published_articles(store, base_iri)
    ]
    triples += [ox.Triple(dataset, _n(VOID + "vocabulary"), _n(ns)) for ns in vocabularies(store)]
    triples += [ox.Triple(dataset, _n(VOID + "dataDump"), site.dump(g)) for g in site.graph_sizes]
    for graph, size in site.graph_sizes.items():
        subset = _n(f"{doc}#graph-{graph.rstrip('/').rsplit('/', 1)[-1]}")
        triples += [
            ox.Triple(dataset, _n(VOID + "subset"), subset),
            ox.Triple(subset, RDF_TYPE_NODE, _n(VOID + "Dataset")),
            ox.Triple(subset, _n(SD + "name"), _n(graph)),
            ox.Triple(subset, _n(VOID + "uriSpace"), ox.Literal(base_iri)),
            ox.Triple(subset, _n(VOID + "triples"), _int(size)),
            ox.Triple(subset, _n(VOID + "entities"), _int(_entities(store, base_iri, graph))),
            ox.Triple(subset, _n(VOID + "dataDump"), site.dump(graph)),
        ]
        triples += [
            ox.Triple(subset, _n(VOID + "vocabulary"), _n(ns)) for ns in vocabularies(store, graph)
        ]
    triples += partitions(store, doc, dataset)
    triples += _wikidata_linkset(store, doc, dataset)
    return triples


_DESCRIPTION = (
    "News articles published as Linked Data: their claims with provenance down to "
    "the text span, background knowledge, vocabulary and shapes."
)


def partitions(store: QueryStore, doc: str, dataset: ox.NamedNode) -> list[ox.Triple]:
    """``void:classPartition`` (instances per class) and ``void:propertyPartition``
    (distinct triples per predicate) over the published graphs, with the totals."""
    scope = "VALUES ?g { " + " ".join(f"<{g}>" for g in store.named_graphs()) + " } GRAPH ?g"
    classes = _rows(
        store,
        f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {scope} {{ ?s a ?c }} "
        "FILTER(isIRI(?c)) } GROUP BY ?c ORDER BY STR(?c)",
    )
    properties = _rows(
        store,
        f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ {scope} "
        "{ ?s ?p ?o } } } GROUP BY ?p ORDER BY STR(?p)",
    )
    triples = [
        ox.Triple(dataset, _n(VOID + "classes"), _int(len(classes))),
        ox.Triple(dataset, _n(VOID + "properties"), _int(len(properties))),
    ]
    for kind, rows, key, count in (
        ("class", classes, "c", "entities"),
        ("property", properties, "p", "triples"),
    ):
        for index, row in enumerate(rows):
            part = _n(f"{doc}#{kind}-{index}")
            triples += [
                ox.Triple(dataset, _n(VOID + kind + "Partition"), part),
                ox.Triple(part, _n(VOID + kind), row[key]),
                ox.Triple(part, _n(VOID + count), _int(int(row["n"].value))),
            ]
    return triples


def _wikidata_linkset(store: QueryStore, doc: str, dataset: ox.NamedNode) -> list[ox.Triple]:
    linkset = _n(doc + "#wikidata-links")
    wikidata = _n(doc + "#wikidata")
    links = _count(
        store,
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?o WHERE { GRAPH ?g { "
        f"?s <{SAME_AS}> ?o }} FILTER(STRSTARTS(STR(?o), {ox.Literal(WIKIDATA_ENTITY)})) }} }}",
    )
    return [
        ox.Triple(dataset, _n(VOID + "subset"), linkset),
        ox.Triple(linkset, RDF_TYPE_NODE, _n(VOID + "Linkset")),
        ox.Triple(linkset, _n(VOID + "linkPredicate"), _n(SAME_AS)),
        ox.Triple(linkset, _n(VOID + "subjectsTarget"), dataset),
        ox.Triple(linkset, _n(VOID + "objectsTarget"), wikidata),
        ox.Triple(linkset, _n(VOID + "triples"), _int(links)),
        ox.Triple(wikidata, RDF_TYPE_NODE, _n(VOID + "Dataset")),
        ox.Triple(wikidata, _n(DCTERMS + "title"), ox.Literal("Wikidata", language="en")),
        ox.Triple(wikidata, _n(FOAF + "homepage"), _n("https://www.wikidata.org/")),
        ox.Triple(wikidata, _n(VOID + "uriSpace"), ox.Literal(WIKIDATA_ENTITY)),
        ox.Triple(wikidata, _n(VOID + "sparqlEndpoint"), _n("https://query.wikidata.org/sparql")),
    ]
