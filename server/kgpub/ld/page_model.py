"""The labelled building blocks of every HTML page: values, sections and the page itself.

A ``Page`` knows the reader's language, the labels of every IRI the page
shows and how to link each one; ``Section`` and ``Value`` are what the
templates render. Kept apart from the pages' assembly (``resource_view``) and
their rendering (``pages``), so each can be read and tested on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from kgpub.ld.page_text import TEXT
from kgpub.ld.term_labels import term_labels
from kgpub.namespaces import OWL, RDF, RDF_TYPE, RDFS, SCHEMA, SH

_ARTICLE_BODY = SCHEMA + "articleBody"

_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
# Quotation marks a value may open with (straight, German, English, guillemets), escaped
# where a reader of the source could mistake them for a comma, a backtick or < >.
_OPENING_QUOTES = "\"'„“\u201a\u2018«»\u2039\u203a("
# More linked values than this are listed on one line, not one row each.
_INLINE_FROM = 3


@dataclass(frozen=True)
class Value:
    text: str
    href: str | None = None
    lang: str = ""
    datatype: str = ""


@dataclass
class Section:
    anchor: str
    title: str
    iri: str
    types: list[Value] = field(default_factory=list)
    properties: list[tuple[Value, list[Value]]] = field(default_factory=list)
    group: str = ""


# How a document page (ontology, shapes) orders and headlines its terms.
_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("classes", (OWL + "Class", RDFS + "Class")),
    (
        "properties",
        (
            OWL + "ObjectProperty",
            OWL + "DatatypeProperty",
            OWL + "AnnotationProperty",
            RDF + "Property",
        ),
    ),
    ("node_shapes", (SH + "NodeShape",)),
    ("property_shapes", (SH + "PropertyShape",)),
)


def iri_terms(iris: Iterable[str]) -> list[str]:
    """``iris`` as SPARQL terms (``<…>``) for a VALUES clause; what is no IRI names nothing."""
    terms = []
    for iri in iris:
        try:
            terms.append(str(ox.NamedNode(iri)))
        except ValueError:
            continue
    return terms


def group(types: Iterable[str]) -> tuple[int, str]:
    found = set(types)
    for rank, (name, members) in enumerate(_GROUPS):
        if found & set(members):
            return rank, name
    return len(_GROUPS), "other_terms"


@dataclass
class Page:
    """Everything a resource page needs, already labelled in the page's language."""

    settings_base: str
    prefixes: dict[str, str]
    lang: str
    lang_from_param: bool
    label_index: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    fallback_index: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def label(self, iri: str) -> str:
        """The label in the page's language, else in English, German, any; else a CURIE.

        The store's labels first, then what the page falls back to, then the
        shipped labels of schema.org terms (``term_labels``)."""
        for index in (self.label_index, self.fallback_index, term_labels()):
            found = index.get(iri, [])
            for wanted in (self.lang, "en", "de", ""):
                for text, lang in found:
                    if lang == wanted:
                        return text
            if found:
                return found[0][0]
        return self.curie(iri)

    def curie(self, iri: str) -> str:
        for name, ns in sorted(self.prefixes.items(), key=lambda kv: -len(kv[1])):
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{name}:{iri[len(ns) :]}"
        return iri

    def href(self, iri: str) -> str | None:
        """Our IRIs as paths on the serving host (keeping ``?lang=``), web IRIs as they are.

        ``None`` (no link) for other schemes: ``javascript:alert(1)`` and
        ``data:text/html,…`` are valid IRIs, and as an ``href`` they run
        script in the reader's browser when clicked.
        """
        if not iri.startswith(self.settings_base):
            return iri if iri.partition(":")[0].lower() in _LINK_SCHEMES else None
        rest = iri[len(self.settings_base) :]
        path, hash_, fragment = rest.partition("#")
        query = f"?lang={self.lang}" if self.lang_from_param else ""
        return f"/{path}{query}{hash_}{fragment}"

    def anchor(self, iri: str) -> str:
        """``href`` where a link must be drawn anyway (graph nodes, claim marks): "#" if none."""
        return self.href(iri) or "#"

    def value(self, term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Value:
        if isinstance(term, ox.NamedNode):
            return Value(self.label(term.value), self.href(term.value))
        if isinstance(term, ox.BlankNode):
            return Value(f"_:{term.value}", f"#b-{term.value}")
        if isinstance(term, ox.Literal):
            datatype = term.datatype.value
            plain = datatype.endswith(("#string", "#langString"))
            return Value(
                term.value, None, term.language or "", "" if plain else self.curie(datatype)
            )
        return Value(str(term))

    def t(self, key: str) -> str:
        return TEXT[self.lang][key]


def section(page: Page, subject: str, quads: Sequence[ox.Quad], anchor: str) -> Section:
    section = Section(anchor, page.label(subject), subject)
    grouped: dict[str, list[Value]] = {}
    for quad in quads:
        predicate = quad.predicate.value
        if predicate == _ARTICLE_BODY:
            continue
        value = page.value(quad.object)
        if predicate == RDF_TYPE:
            if value not in section.types:
                section.types.append(value)
            continue
        values = grouped.setdefault(predicate, [])
        if value not in values:
            values.append(value)
    for predicate in sorted(grouped, key=lambda p: page.label(p).lower()):
        values = sorted(_distinct(grouped[predicate], page.lang), key=_by_text)
        section.properties.append((Value(page.label(predicate), page.href(predicate)), values))
    return section


def _distinct(values: Sequence[Value], lang: str) -> list[Value]:
    """The same words in two languages (a name, ``"Elon Musk"@de`` and ``@en``) once,
    in the reader's language when it is one of them."""
    seen: set[tuple[str, str | None, str]] = set()
    out = []
    for value in sorted(values, key=lambda v: v.lang != lang):
        key = (value.text, value.href, value.datatype)
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out


def _by_text(value: Value) -> tuple[str, str]:
    """A reader scans a list by what it shows: sorted by its words, quotation marks aside."""
    return value.text.lstrip(_OPENING_QUOTES).casefold(), value.lang


def inline(values: Sequence[Value]) -> bool:
    """Whether ``values`` read best as one line ("mentions: A, B, C, …"): several, all links.

    An article mentions dozens of people and places; as a column of rows they
    push the page's other facts out of sight.
    """
    return len(values) > _INLINE_FROM and all(v.href for v in values)
