"""An article's claims as RDF 1.2: each statement a reifier of a triple term.

The Turtle sources model what a claim states as an RDF 1.1 ``rdf:Statement``
(``rdf:subject``/``rdf:predicate``/``rdf:object``), because rdflib and pySHACL,
which read them, do not read RDF 1.2. RDF 1.2 says the same thing directly: the
statement node *reifies* a triple term, ``kg:s-1 rdf:reifies <<( s p o )>>``,
and a query matches the triple itself (``?r rdf:reifies <<( ?s ?p ?o )>>``)
instead of three properties. The triple term is not asserted: a contested or
hedged statement stays as unasserted as in the sources.

So the view is derived, never edited: from the quads of an article's graph
(``graph/article`` for the shipped story, ``graph/<slug>`` for others), each
``kgpub:ReportedClaim`` with all its triples, and each of its statements with
its qualifiers (time, status, ``kgpub:during``, ...), the three ``rdf:`` properties
and the ``rdf:Statement`` type replaced by one ``rdf:reifies`` triple. It is
computed on request from whatever store serves the data (``claims_view``), so
it cannot drift from the sources; ``view_of`` is the pure function under it.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from kgpub.namespaces import RDF, RDF_TYPE
from kgpub.store.protocol import QueryStore

REIFIES = ox.NamedNode(RDF + "reifies")
_TYPE = ox.NamedNode(RDF_TYPE)
_STATEMENT = ox.NamedNode(RDF + "Statement")
_PARTS = {ox.NamedNode(RDF + part): part for part in ("subject", "predicate", "object")}

PATH = "/graph/{name}/rdf12"
"""Where the view of ``graph/<name>`` is served: a document, not a named graph of the
SPARQL endpoint (``/graph/article/rdf12`` for the shipped story)."""


def path_of(name: str) -> str:
    """The view's path for the graph ``<base>graph/<name>``."""
    return PATH.format(name=name)


def claims_view(store: QueryStore, base_iri: str, name: str = "article") -> list[ox.Triple]:
    """The RDF 1.2 view of the claims in the served ``graph/<name>`` (none if no such graph).

    A name that makes no IRI (a control character, say) names no graph: no claims.
    """
    graph = f"{base_iri}graph/{name}"
    try:
        ox.NamedNode(graph)
    except ValueError:
        return []
    return view_of((q.triple for q in store.quads(graph)), base_iri)


def view_of(triples: Iterable[ox.Triple], base_iri: str) -> list[ox.Triple]:
    """The claims of ``triples`` and their statements as reifiers, sorted (a stable document)."""
    by_subject: dict[object, list[ox.Triple]] = {}
    for triple in triples:
        by_subject.setdefault(triple.subject, []).append(triple)
    claim_class = ox.NamedNode(base_iri + "ontology#ReportedClaim")
    statement_property = ox.NamedNode(base_iri + "ontology#statement")
    out: list[ox.Triple] = []
    for described in by_subject.values():
        if not any(t.predicate == _TYPE and t.object == claim_class for t in described):
            continue
        out.extend(described)
        for triple in described:
            if triple.predicate == statement_property:
                out.extend(_reifier(triple.object, by_subject.get(triple.object, [])))
    return sorted(set(out), key=str)


def _reifier(node: object, described: list[ox.Triple]) -> list[ox.Triple]:
    """A statement's triples with its ``rdf:Statement`` form replaced by ``rdf:reifies``.

    A node that is not a complete ``rdf:Statement`` (the shapes forbid it) keeps
    its triples as they are, so the view never loses what the sources say.
    """
    parts = {_PARTS[t.predicate]: t.object for t in described if t.predicate in _PARTS}
    subject, predicate, obj = parts.get("subject"), parts.get("predicate"), parts.get("object")
    if not (
        isinstance(node, ox.NamedNode | ox.BlankNode)
        and isinstance(subject, ox.NamedNode | ox.BlankNode)
        and isinstance(predicate, ox.NamedNode)
        and obj is not None
        and len(parts) == len([t for t in described if t.predicate in _PARTS])
    ):
        return described
    rest = [
        t
        for t in described
        if t.predicate not in _PARTS and not (t.predicate == _TYPE and t.object == _STATEMENT)
    ]
    return [*rest, ox.Triple(node, REIFIES, ox.Triple(subject, predicate, obj))]
