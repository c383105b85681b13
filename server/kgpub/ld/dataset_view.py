"""The VoID description as a page a person can read (``/.well-known/void`` in a browser).

The same triples ``kgpub.ld.void`` gives crawlers, grouped by subject: the
dataset itself first (title, description, licence, endpoint, sizes, the
vocabularies it uses), then one row per part (named graph) with its triple
and entity counts, each graph linked to its own page. Built from the triples,
so the page can never say something the VoID does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from kgpub.ld.page_model import Page, Section, Value, section
from kgpub.ld.resource_view import add_labels
from kgpub.namespaces import DCTERMS, SD, VOID
from kgpub.store.protocol import QueryStore

# Shown as the heading, the lead and the tables, so not again in the list.
_SHOWN_APART = (
    VOID + "subset",
    DCTERMS + "title",
    DCTERMS + "description",
    VOID + "classPartition",
    VOID + "propertyPartition",
)
# A partition's term and its count: classes count entities, properties triples.
_PARTITIONS = {
    "classes": (VOID + "classPartition", VOID + "class", VOID + "entities"),
    "properties": (VOID + "propertyPartition", VOID + "property", VOID + "triples"),
}


@dataclass
class DatasetView:
    """What the dataset template shows."""

    title: str
    description: str
    main: Section | None
    parts: list[tuple[Value, str, str]] = field(default_factory=list)
    classes: list[tuple[Value, str]] = field(default_factory=list)
    properties: list[tuple[Value, str]] = field(default_factory=list)


def _literal(triples: Sequence[ox.Triple], subject: ox.NamedNode | ox.BlankNode, iri: str) -> str:
    for t in triples:
        if t.subject == subject and t.predicate.value == iri and isinstance(t.object, ox.Literal):
            return t.object.value
    return ""


def _partitions(
    triples: Sequence[ox.Triple], main: ox.NamedNode | ox.BlankNode, page: Page, kind: str
) -> list[tuple[Value, str]]:
    """Each class (or property) partition as its term, labelled, and its count: largest first.

    The partitions' own IRIs (``…/void#class-3``) mean nothing to a reader."""
    link, term, count = _PARTITIONS[kind]
    found = []
    for t in triples:
        if t.subject != main or t.predicate.value != link:
            continue
        part = t.object
        if not isinstance(part, ox.NamedNode | ox.BlankNode):
            continue
        what = next(
            (x.object for x in triples if x.subject == part and x.predicate.value == term), None
        )
        if isinstance(what, ox.NamedNode):
            found.append((_term(page, what.value), _literal(triples, part, count)))
    return sorted(found, key=lambda row: (-int(row[1] or 0), row[0].text.casefold()))


def _term(page: Page, iri: str) -> Value:
    """A term by its label, its CURIE beside it: ``name (schema:name)`` is not ``sh:name``."""
    label, curie = page.label(iri), page.curie(iri)
    return Value(label if label == curie else f"{label} ({curie})", page.href(iri))


def dataset_view(store: QueryStore, triples: Sequence[ox.Triple], page: Page) -> DatasetView:
    """The dataset (the subject with subsets) and its parts, labelled and linked."""
    add_labels(store, page, {t.object.value for t in triples if isinstance(t.object, ox.NamedNode)})
    subsets = {t.object for t in triples if t.predicate.value == VOID + "subset"}
    parents = [t.subject for t in triples if t.predicate.value == VOID + "subset"]
    subjects = list(dict.fromkeys(t.subject for t in triples))
    main = parents[0] if parents else (subjects[0] if subjects else None)
    if not isinstance(main, ox.NamedNode | ox.BlankNode):
        return DatasetView("VoID", "", None)
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
        for t in triples
        if t.subject == main and t.predicate.value not in _SHOWN_APART
    ]
    parts = []
    for subset in sorted(subsets, key=str):
        if not isinstance(subset, ox.NamedNode | ox.BlankNode):
            continue
        graph = next(
            (t.object for t in triples if t.subject == subset and t.predicate.value == SD + "name"),
            subset,
        )
        name = page.value(graph) if isinstance(graph, ox.NamedNode) else Value(str(graph))
        parts.append(
            (
                name,
                _literal(triples, subset, VOID + "triples"),
                _literal(triples, subset, VOID + "entities"),
            )
        )
    return DatasetView(
        _literal(triples, main, DCTERMS + "title") or "VoID",
        _literal(triples, main, DCTERMS + "description"),
        section(page, main.value, quads, "dataset"),
        parts,
        _partitions(triples, main, page, "classes"),
        _partitions(triples, main, page, "properties"),
    )
