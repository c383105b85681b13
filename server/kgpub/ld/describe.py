"""What a dereferenced IRI answers with: its description, read from the Store.

A Linked Data client that looks an IRI up wants everything *about* it in one
request: the resource's own triples, the blank nodes reached from it (they
have no IRI of their own to look up) and the ``rdfs:label``/``schema:name`` of
everything it links to, so the answer can be shown without further lookups.

A document IRI (``<base>ontology``, ``<base>shapes``) is described together
with its hash terms (``<base>ontology#Term``), because a client looking up a
hash IRI strips the fragment and asks for the document; a version IRI
(``owl:versionIRI``) answers with the document it versions; a named graph's
IRI answers with the graph's contents.

Descriptions are quads: which graph says something (the article's own
statements or background knowledge) is the point of the model, so N-Quads and
TriG keep it and the triple formats merge it. The queries are therefore
SELECTs over ``GRAPH ?g`` (a CONSTRUCT would drop the graph), run on
pyoxigraph through ``kgpub.store.oxigraph.Store``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum

import pyoxigraph as ox

from kgpub.namespaces import DCTERMS, OA, OWL, RDFS, SCHEMA
from kgpub.store.protocol import QueryStore

LABEL_PREDICATES = (RDFS + "label", SCHEMA + "name")
# What a page shows for a resource without a label: a claim's words, a section's heading.
FALLBACK_LABEL_PREDICATES = (
    SCHEMA + "headline",
    SCHEMA + "text",
    SCHEMA + "description",
    DCTERMS + "title",
    OA + "exact",
)

# Blank nodes nested deeper than this (long RDF lists) are not followed further.
_MAX_BLANK_DEPTH = 64


class Kind(Enum):
    RESOURCE = "resource"
    DOCUMENT = "document"
    GRAPH = "graph"


@dataclass(frozen=True)
class Description:
    """The answer for one IRI: the quads describing it and the IRIs it is about."""

    iri: str
    kind: Kind
    roots: tuple[str, ...]
    quads: tuple[ox.Quad, ...] = field(default=())

    def triples(self) -> list[ox.Triple]:
        """The quads' triples, each once, in order (for the triple formats)."""
        seen: dict[ox.Triple, None] = {}
        for quad in self.quads:
            seen.setdefault(quad.triple, None)
        return list(seen)

    def about(self, iri: str) -> list[ox.Quad]:
        """The quads whose subject is ``iri``."""
        return [q for q in self.quads if _iri(q.subject) == iri]


@dataclass(frozen=True)
class Link:
    """A triple pointing at a resource from elsewhere (for incoming links)."""

    subject: str
    predicate: str
    graph: str


def describe(store: QueryStore, iri: str) -> Description | None:
    """The description of ``iri``, or ``None`` if the dataset never mentions it."""
    node = _node(iri)
    if node is None:
        return None
    if iri in store.named_graphs():
        quads = _own_quads(store, [iri]) + _graph_quads(store, node)
        return Description(iri, Kind.GRAPH, (iri,), tuple(_unique(quads)))
    target = _versioned_document(store, node) or iri
    terms = _hash_terms(store, target) if "#" not in target else []
    roots = (target, *terms)
    quads = _own_quads(store, roots)
    quads += _blank_closure(store, roots)
    linked = sorted(
        {
            obj.value
            for q in quads
            if isinstance((obj := q.object), ox.NamedNode) and obj.value not in roots
        }
    )
    quads += label_quads(store, linked)
    if not quads and not _mentioned(store, node):
        return None
    kind = Kind.DOCUMENT if terms or target != iri else Kind.RESOURCE
    return Description(iri, kind, roots, tuple(_unique(quads)))


def label_quads(
    store: QueryStore, iris: Sequence[str], predicates: Sequence[str] = LABEL_PREDICATES
) -> list[ox.Quad]:
    """The ``rdfs:label`` and ``schema:name`` quads (or other ``predicates``) of ``iris``."""
    nodes = [n for n in map(_node, iris) if n is not None]
    if not nodes:
        return []
    values = " ".join(str(n) for n in nodes)
    preds = " ".join(f"<{p}>" for p in predicates)
    return _select_quads(
        store,
        f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {values} }} VALUES ?p {{ {preds} }} "
        "GRAPH ?g { ?s ?p ?o } }",
    )


def labels(
    store: QueryStore, iris: Iterable[str], predicates: Sequence[str] = LABEL_PREDICATES
) -> dict[str, list[tuple[str, str]]]:
    """Each IRI's labels as ``(text, language)`` pairs (language ``""`` if none)."""
    found: dict[str, list[tuple[str, str]]] = {}
    for quad in label_quads(store, sorted(set(iris)), predicates):
        if isinstance(quad.object, ox.Literal):
            pair = (quad.object.value, quad.object.language or "")
            entry = found.setdefault(_iri(quad.subject) or "", [])
            if pair not in entry:
                entry.append(pair)
    return found


def incoming(store: QueryStore, iri: str, limit: int = 500) -> list[Link]:
    """Triples elsewhere whose object is ``iri`` (subject IRIs only), sorted."""
    node = _node(iri)
    if node is None:
        return []
    result = store.query(
        f"SELECT DISTINCT ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p {node} }} FILTER(isIRI(?s)) }} "
        f"ORDER BY ?s ?p ?g LIMIT {int(limit)}"
    )
    assert isinstance(result, ox.QuerySolutions)
    links = []
    for row in result:
        s, p, g = row["s"], row["p"], row["g"]
        if isinstance(s, ox.NamedNode) and isinstance(p, ox.NamedNode):
            links.append(Link(s.value, p.value, g.value if isinstance(g, ox.NamedNode) else ""))
    return links


def graph_subjects(store: QueryStore, graph: str, limit: int = 2000) -> list[str]:
    """The IRIs a named graph says something about, sorted."""
    node = _node(graph)
    if node is None:
        return []
    result = store.query(
        f"SELECT DISTINCT ?s WHERE {{ GRAPH {node} {{ ?s ?p ?o }} FILTER(isIRI(?s)) }} "
        f"ORDER BY ?s LIMIT {int(limit)}"
    )
    assert isinstance(result, ox.QuerySolutions)
    return [row["s"].value for row in result if isinstance(row["s"], ox.NamedNode)]


def _node(iri: str) -> ox.NamedNode | None:
    """``iri`` as a validated IRI (safe to splice into a query), or ``None``."""
    try:
        return ox.NamedNode(iri)
    except ValueError:
        return None


def _iri(term: object) -> str | None:
    return term.value if isinstance(term, ox.NamedNode) else None


def _graph_quads(store: QueryStore, graph: ox.NamedNode) -> list[ox.Quad]:
    return _select_quads(
        store, f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} VALUES ?g {{ {graph} }} }}"
    )


def _versioned_document(store: QueryStore, node: ox.NamedNode) -> str | None:
    """The document whose ``owl:versionIRI`` is ``node``, if any."""
    result = store.query(f"SELECT ?d WHERE {{ ?d <{OWL}versionIRI> {node} }} LIMIT 1")
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        if isinstance(row["d"], ox.NamedNode):
            return row["d"].value
    return None


def _hash_terms(store: QueryStore, document: str) -> list[str]:
    """IRIs ``<document>#…`` that are the subject of some triple, sorted."""
    prefix = ox.Literal(document + "#")
    result = store.query(
        "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER(isIRI(?s) && STRSTARTS(STR(?s), {prefix})) }} ORDER BY ?s"
    )
    assert isinstance(result, ox.QuerySolutions)
    return [row["s"].value for row in result if isinstance(row["s"], ox.NamedNode)]


def _values(roots: Sequence[str]) -> str:
    return " ".join(str(n) for n in map(_node, roots) if n is not None)


def _own_quads(store: QueryStore, roots: Sequence[str]) -> list[ox.Quad]:
    return _select_quads(
        store,
        f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {_values(roots)} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        " ORDER BY ?s ?p ?o ?g",
    )


def _blank_closure(store: QueryStore, roots: Sequence[str]) -> list[ox.Quad]:
    """The triples of blank nodes reached from the roots through blank nodes only."""
    quads: list[ox.Quad] = []
    for depth in range(1, _MAX_BLANK_DEPTH + 1):
        chain = " ".join(
            f"?b{i - 1} ?p{i} ?b{i} . FILTER(isBlank(?b{i}))" for i in range(1, depth + 1)
        )
        level = _select_quads(
            store,
            f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?b0 {{ {_values(roots)} }} {chain} "
            f"BIND(?b{depth} AS ?s) GRAPH ?g {{ ?s ?p ?o }} }}",
        )
        if not level:
            break
        quads.extend(level)
    return quads


def _mentioned(store: QueryStore, node: ox.NamedNode) -> bool:
    result = store.query(
        f"ASK {{ {{ GRAPH ?g {{ ?s ?p {node} }} }} UNION {{ GRAPH ?g {{ ?s {node} ?o }} }} }}"
    )
    assert isinstance(result, ox.QueryBoolean)
    return bool(result)


def _select_quads(store: QueryStore, sparql: str) -> list[ox.Quad]:
    result = store.query(sparql)
    assert isinstance(result, ox.QuerySolutions)
    quads = []
    for row in result:
        s, p, o, g = row["s"], row["p"], row["o"], row["g"]
        if isinstance(s, ox.NamedNode | ox.BlankNode) and isinstance(p, ox.NamedNode):
            assert isinstance(o, ox.NamedNode | ox.BlankNode | ox.Literal)
            graph = g if isinstance(g, ox.NamedNode) else ox.DefaultGraph()
            quads.append(ox.Quad(s, p, o, graph))
    return quads


def _unique(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    return list(dict.fromkeys(quads))
