"""The dataset described in VoID, for crawlers and catalogues (``/.well-known/void``).

RFC 5785 and the VoID note name ``/.well-known/void`` as the place a client
looks for a dataset's description: what it contains (one subset per named
graph, with triple and entity counts), which vocabularies it uses, where to
query it, under which licence, and how it links to Wikidata. Everything is
counted from the store, so the description cannot drift from the data.
"""

from __future__ import annotations

import pyoxigraph as ox

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
    scope = f"GRAPH <{graph}>" if graph else "GRAPH ?g"
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


def articles_in(store: QueryStore, base_iri: str) -> list[str]:
    """Every article the store publishes, in IRI order: a ``schema:NewsArticle`` minted under
    the base with its text (the reports it cites have none); each is a root of the dataset,
    from which its claims are reached."""
    rows = _rows(
        store,
        f"SELECT DISTINCT ?a WHERE {{ GRAPH ?g {{ ?a a <{SCHEMA}NewsArticle> ; "
        f"<{SCHEMA}articleBody> ?body }} "
        f"FILTER(isIRI(?a) && STRSTARTS(STR(?a), {ox.Literal(base_iri)})) }} ORDER BY ?a",
    )
    return [r["a"].value for r in rows if "a" in r]


def _example(store: QueryStore, uri_space: str) -> list[str]:
    """An example entity: Elon Musk in the shipped story, else none claimed."""
    example = uri_space + "elon-musk"
    result = store.query(f"ASK {{ GRAPH ?g {{ <{example}> ?p ?o }} }}")
    return [example] if isinstance(result, ox.QueryBoolean) and bool(result) else []


def describe_dataset(
    store: QueryStore, base_iri: str, graph_sizes: dict[str, int], total_triples: int, endpoint: str
) -> list[ox.Triple]:
    """The VoID description of everything the store publishes."""
    doc = f"{base_iri}.well-known/void"
    dataset = _n(doc + "#dataset")
    uri_space = base_iri + "id/"
    triples = [
        ox.Triple(dataset, RDF_TYPE_NODE, _n(VOID + "Dataset")),
        ox.Triple(dataset, _n(DCTERMS + "title"), ox.Literal("kgpub", language="en")),
        ox.Triple(
            dataset,
            _n(DCTERMS + "description"),
            ox.Literal(
                "News articles published as Linked Data: their claims with provenance down to "
                "the text span, background knowledge, vocabulary and shapes.",
                language="en",
            ),
        ),
        ox.Triple(dataset, _n(DCTERMS + "license"), _n(_license(store, base_iri))),
        ox.Triple(dataset, _n(VOID + "sparqlEndpoint"), _n(endpoint)),
        ox.Triple(dataset, _n(VOID + "uriSpace"), ox.Literal(uri_space)),
        ox.Triple(dataset, _n(VOID + "triples"), _int(total_triples)),
        ox.Triple(dataset, _n(VOID + "entities"), _int(_entities(store, uri_space))),
    ]
    triples += [
        ox.Triple(dataset, _n(VOID + "rootResource"), _n(a)) for a in articles_in(store, base_iri)
    ]
    triples += [
        ox.Triple(dataset, _n(VOID + "exampleResource"), _n(e)) for e in _example(store, uri_space)
    ]
    triples += [ox.Triple(dataset, _n(VOID + "vocabulary"), _n(ns)) for ns in vocabularies(store)]
    for graph, size in graph_sizes.items():
        subset = _n(f"{doc}#graph-{graph.rstrip('/').rsplit('/', 1)[-1]}")
        triples += [
            ox.Triple(dataset, _n(VOID + "subset"), subset),
            ox.Triple(subset, RDF_TYPE_NODE, _n(VOID + "Dataset")),
            ox.Triple(subset, _n(SD + "name"), _n(graph)),
            ox.Triple(subset, _n(VOID + "triples"), _int(size)),
            ox.Triple(subset, _n(VOID + "entities"), _int(_entities(store, base_iri, graph))),
        ]
        triples += [
            ox.Triple(subset, _n(VOID + "vocabulary"), _n(ns)) for ns in vocabularies(store, graph)
        ]
    triples += _wikidata_linkset(store, doc, dataset)
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
