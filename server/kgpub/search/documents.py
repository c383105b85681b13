"""What the search index holds, read from the store: articles, claims and names.

Nothing here knows one article: every text is found by querying the store,
so the index covers as many articles as the store holds. Four kinds of
document, each a text with the resource it belongs to and its language:

* ``article``: a passage (one non-blank line) of an article's
  ``schema:articleBody``, with its offsets in the body, so a hit points at
  its place in the text; the language is the literal's tag, else the
  article's ``schema:inLanguage``;
* ``claim``: each ``schema:text`` of a ``kgpub:ReportedClaim`` (what the
  claim says, in German and English);
* ``quote``: the exact words a claim's evidence anchor quotes from the
  article (its ``oa:TextQuoteSelector``), in the article's language;
* ``name``: the names and labels of the resources under ``<base>id/``, in
  any language.

Claims' spans (``oa:TextPositionSelector`` of their evidence anchors) are
read too, so every hit can link to the claim and the span it rests on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import pyoxigraph as ox

from kgpub.namespaces import OA, RDF_TYPE, RDFS, SCHEMA, SKOS
from kgpub.store.oxigraph import Store
from kgpub.store.protocol import QueryStore

NAME_PREDICATES = (
    RDFS + "label",
    SCHEMA + "name",
    SCHEMA + "alternateName",
    SKOS + "prefLabel",
    SKOS + "altLabel",
)
"""What counts as a resource's name for search."""


Kind = Literal["article", "claim", "quote", "name"]
"""What a document is: a passage of an article, a claim's words or quote, a name."""


@dataclass(frozen=True)
class Scope:
    """Where the index looks: kgpub's vocabulary and the IRIs the data mints."""

    kgpub_ns: str
    id_prefix: str

    @classmethod
    def for_base(cls, base_iri: str) -> Scope:
        return cls(base_iri + "ontology#", base_iri + "id/")


@dataclass(frozen=True)
class Document:
    """One searchable text; ``source``/``start``/``end``: where it stands in an article."""

    kind: Kind
    subject: str
    lang: str
    text: str
    source: str | None = None
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Span:
    """A claim's evidence span in an article (code points, end exclusive)."""

    claim: str
    anchor: str
    source: str
    start: int
    end: int


def _prefixes(scope: Scope) -> str:
    return f"PREFIX oa: <{OA}> PREFIX schema: <{SCHEMA}> PREFIX kgpub: <{scope.kgpub_ns}> "


def _values(subjects: Sequence[str] | None) -> str:
    if subjects is None:
        return ""
    return "VALUES ?s { " + " ".join(str(ox.NamedNode(s)) for s in subjects) + " } "


def _rows(store: QueryStore, query: str) -> Iterator[ox.QuerySolution]:
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    yield from result


def _text(term: object) -> str | None:
    return term.value if isinstance(term, ox.Literal) else None


def _int(term: object) -> int | None:
    if not isinstance(term, ox.Literal):
        return None
    try:
        return int(term.value)
    except ValueError:
        return None


def article_documents(
    store: QueryStore, scope: Scope, subjects: Sequence[str] | None = None
) -> Iterator[Document]:
    """Each article's body, passage by passage."""
    query = _prefixes(scope) + (
        f"SELECT ?s ?body ?lang WHERE {{ {_values(subjects)} ?s schema:articleBody ?body . "
        "FILTER(isIRI(?s)) OPTIONAL { ?s schema:inLanguage ?lang } }"
    )
    seen: set[tuple[str, str]] = set()
    for row in _rows(store, query):
        subject, body = row["s"], row["body"]
        if not isinstance(subject, ox.NamedNode) or not isinstance(body, ox.Literal):
            continue
        if (subject.value, body.value) in seen:
            continue
        seen.add((subject.value, body.value))
        lang = body.language or (_text(row["lang"]) or "").lower().split("-")[0]
        yield from passages(subject.value, body.value, lang)


def passages(article: str, body: str, lang: str) -> Iterator[Document]:
    """The non-blank lines of ``body`` as documents, with their offsets in it."""
    start = 0
    for line in body.split("\n"):
        if line.strip():
            yield Document("article", article, lang, line, article, start, start + len(line))
        start += len(line) + 1


def claim_documents(
    store: QueryStore, scope: Scope, subjects: Sequence[str] | None = None
) -> Iterator[Document]:
    """What each claim says (``schema:text``) and the words its evidence quotes."""
    texts = _prefixes(scope) + (
        f"SELECT DISTINCT ?s ?text WHERE {{ {_values(subjects)} "
        "?s a kgpub:ReportedClaim ; schema:text ?text . FILTER(isIRI(?s)) }"
    )
    for row in _rows(store, texts):
        subject, text = row["s"], row["text"]
        if isinstance(subject, ox.NamedNode) and isinstance(text, ox.Literal):
            yield Document("claim", subject.value, text.language or "", text.value)
    yield from _quote_documents(store, scope, subjects)


def _quote_documents(
    store: QueryStore, scope: Scope, subjects: Sequence[str] | None
) -> Iterator[Document]:
    """The quoted words; their positions and languages are looked up apart, as OPTIONALs
    over a large store made pyoxigraph read every selector for each subject."""
    quotes = _prefixes(scope) + (
        f"SELECT DISTINCT ?s ?anchor ?source ?exact WHERE {{ {_values(subjects)} "
        "?s a kgpub:ReportedClaim ; kgpub:evidence ?anchor . FILTER(isIRI(?s)) "
        "?anchor oa:hasSource ?source ; oa:hasSelector ?q . "
        "?q a oa:TextQuoteSelector ; oa:exact ?exact . }"
    )
    found = []
    for row in _rows(store, quotes):
        subject, source, exact = row["s"], row["source"], row["exact"]
        if isinstance(subject, ox.NamedNode) and isinstance(exact, ox.Literal):
            where = source.value if isinstance(source, ox.NamedNode) else None
            found.append((subject.value, str(row["anchor"]), where, exact))
    if not found:
        return
    positions = {s.anchor: (s.start, s.end) for s in claim_spans(store, scope, subjects)}
    languages = _languages(store, sorted({f[2] for f in found if f[2] is not None}))
    seen: set[tuple[str, str]] = set()
    for subject, anchor, source, exact in found:
        if (subject, exact.value) in seen:
            continue
        seen.add((subject, exact.value))
        lang = exact.language or languages.get(source or "", "")
        start, end = positions.get(anchor, (None, None))
        yield Document("quote", subject, lang, exact.value, source, start, end)


def _languages(store: QueryStore, sources: Sequence[str]) -> dict[str, str]:
    """Each source's ``schema:inLanguage``, as a primary language subtag."""
    if not sources:
        return {}
    values = " ".join(str(ox.NamedNode(s)) for s in sources)
    query = f"SELECT ?s ?lang WHERE {{ VALUES ?s {{ {values} }} ?s <{SCHEMA}inLanguage> ?lang }}"
    found: dict[str, str] = {}
    for row in _rows(store, query):
        subject, lang = row["s"], _text(row["lang"])
        if isinstance(subject, ox.NamedNode) and lang:
            found.setdefault(subject.value, lang.lower().split("-")[0])
    return found


def name_documents(
    store: QueryStore, scope: Scope, subjects: Sequence[str] | None = None
) -> Iterator[Document]:
    """The names and labels of the data's resources, in every language."""
    predicates = " ".join(f"<{p}>" for p in NAME_PREDICATES)
    # With subjects, their few triples are read and filtered; without, each predicate's.
    pattern = (
        f"VALUES ?p {{ {predicates} }} ?s ?p ?name ."
        if subjects is None
        else f"{_values(subjects)} ?s ?p ?name . FILTER(?p IN ({predicates.replace(' ', ', ')}))"
    )
    query = (
        f"SELECT DISTINCT ?s ?name WHERE {{ {pattern} FILTER(isIRI(?s) && isLiteral(?name) "
        f"&& STRSTARTS(STR(?s), {ox.Literal(scope.id_prefix)})) }}"
    )
    for row in _rows(store, query):
        subject, name = row["s"], row["name"]
        if isinstance(subject, ox.NamedNode) and isinstance(name, ox.Literal):
            yield Document("name", subject.value, name.language or "", name.value)


def documents(
    store: QueryStore, scope: Scope, subjects: Sequence[str] | None = None
) -> Iterator[Document]:
    """Every document of the store, or of ``subjects`` only."""
    yield from article_documents(store, scope, subjects)
    yield from claim_documents(store, scope, subjects)
    yield from name_documents(store, scope, subjects)


def claim_spans(
    store: QueryStore, scope: Scope, subjects: Sequence[str] | None = None
) -> Iterator[Span]:
    """Every claim's evidence spans (of ``subjects`` only, if given)."""
    query = _prefixes(scope) + (
        f"SELECT DISTINCT ?s ?anchor ?source ?start ?end WHERE {{ {_values(subjects)} "
        "?s a kgpub:ReportedClaim ; kgpub:evidence ?anchor . FILTER(isIRI(?s)) "
        "?anchor oa:hasSource ?source ; oa:hasSelector ?sel . "
        "?sel a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end "
        # A frozen anchor (oa:hasState) points into an earlier revision's text.
        "FILTER NOT EXISTS { ?anchor oa:hasState ?state } }"
    )
    for row in _rows(store, query):
        subject, anchor, source = row["s"], row["anchor"], row["source"]
        start, end = _int(row["start"]), _int(row["end"])
        if (
            isinstance(subject, ox.NamedNode)
            and isinstance(source, ox.NamedNode)
            and start is not None
            and end is not None
        ):
            yield Span(subject.value, str(anchor), source.value, start, end)


def affected(store: Store, scope: Scope, changed: Iterable[ox.Quad]) -> list[str]:
    """The IRIs whose documents a change can alter.

    A subject's own documents read only some of its statements (``Reads.own``): a
    change to any other (a bulk of data no document reads) re-indexes nothing. A
    claim's quotes and spans also read its evidence anchor, the anchor's selectors
    and the language of the article it quotes (``Reads.chain``): a change there
    re-indexes the claims reached from the changed node, whether it is an anchor,
    a selector or an article.
    """
    reads = Reads.of(scope)
    found: set[str] = set()
    nodes: set[ox.NamedNode | ox.BlankNode] = set()
    for quad in changed:
        subject = quad.subject
        if isinstance(subject, ox.NamedNode) and reads.own(quad):
            found.add(subject.value)
        if isinstance(subject, ox.NamedNode | ox.BlankNode) and reads.chain(quad):
            nodes.add(subject)
    evidence = ox.NamedNode(scope.kgpub_ns + "evidence")
    anchors = set(nodes)
    for link in (ox.NamedNode(OA + "hasSelector"), ox.NamedNode(OA + "hasSource")):
        for node in nodes:
            anchors.update(_subjects(store, link, node))
    for anchor in anchors:
        found.update(
            s.value for s in _subjects(store, evidence, anchor) if isinstance(s, ox.NamedNode)
        )
    return sorted(found)


@dataclass(frozen=True)
class Reads:
    """The statements the documents read: by predicate, and for ``rdf:type`` by class
    (a claim is a ``kgpub:ReportedClaim``, a selector a text quote or position one)."""

    own_predicates: frozenset[str]
    own_types: frozenset[str]
    chain_predicates: frozenset[str]
    chain_types: frozenset[str]

    @classmethod
    def of(cls, scope: Scope) -> Reads:
        own = [SCHEMA + p for p in ("articleBody", "inLanguage", "text")]
        chain = [OA + p for p in ("hasSource", "hasSelector", "hasState", "exact", "start", "end")]
        return cls(
            own_predicates=frozenset([scope.kgpub_ns + "evidence", *NAME_PREDICATES, *own]),
            own_types=frozenset([scope.kgpub_ns + "ReportedClaim"]),
            chain_predicates=frozenset([SCHEMA + "inLanguage", *chain]),
            chain_types=frozenset([OA + "TextQuoteSelector", OA + "TextPositionSelector"]),
        )

    def own(self, quad: ox.Quad) -> bool:
        """Whether the subject's own documents read ``quad`` (``documents``)."""
        return self._reads(quad, self.own_predicates, self.own_types)

    def chain(self, quad: ox.Quad) -> bool:
        """Whether a claim's quotes or spans may read ``quad`` through its subject
        (``_quote_documents``, ``claim_spans``)."""
        return self._reads(quad, self.chain_predicates, self.chain_types)

    @staticmethod
    def _reads(quad: ox.Quad, predicates: frozenset[str], types: frozenset[str]) -> bool:
        if quad.predicate.value == RDF_TYPE:
            return isinstance(quad.object, ox.NamedNode) and quad.object.value in types
        return quad.predicate.value in predicates


def _subjects(
    store: Store, predicate: ox.NamedNode, obj: ox.NamedNode | ox.BlankNode
) -> set[ox.NamedNode | ox.BlankNode]:
    """The nodes that have ``predicate obj`` (a pattern: blank nodes cannot be named in SPARQL)."""
    return {
        q.subject
        for q in store.match(None, predicate, obj)
        if isinstance(q.subject, ox.NamedNode | ox.BlankNode)
    }
