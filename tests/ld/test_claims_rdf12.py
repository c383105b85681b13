"""The RDF 1.2 view of the claims: every statement a reifier, round-tripped, queryable."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kgpub.config import Settings
from kgpub.ld.claims_rdf12 import REIFIES, claims_view, view_of
from kgpub.store.oxigraph import Store

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
KG = "https://kgpub.example/id/"
PREFIXES = (
    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
    "PREFIX kgpub: <https://kgpub.example/ontology#>\n"
    "PREFIX schema: <https://schema.org/>\n"
    "PREFIX kg: <https://kgpub.example/id/>\n"
    "PREFIX kgstatus: <https://kgpub.example/ontology/epistemic-status#>\n"
)


@pytest.fixture(scope="module")
def view(store: Store, settings: Settings) -> list[ox.Triple]:
    return claims_view(store, settings.base_iri)


def _statements_in_sources(store: Store) -> int:
    result = store.query(
        PREFIXES + "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH "
        "<https://kgpub.example/graph/article> { ?c a kgpub:ReportedClaim ; "
        "kgpub:statement ?s . ?s a rdf:Statement } }"
    )
    assert isinstance(result, ox.QuerySolutions)
    rows = list(result)
    term = rows[0]["n"]
    assert isinstance(term, ox.Literal)
    return int(term.value)


def test_every_statement_is_one_reifier_and_no_rdf_statement_remains(
    view: list[ox.Triple], store: Store
) -> None:
    reifiers = [t for t in view if t.predicate == REIFIES]
    assert len(reifiers) == _statements_in_sources(store) == 36
    assert len({t.subject for t in reifiers}) == len(reifiers)
    assert all(isinstance(t.object, ox.Triple) for t in reifiers)
    leftover = {RDF + "subject", RDF + "predicate", RDF + "object"}
    assert not [t for t in view if t.predicate.value in leftover]
    assert not [t for t in view if t.object == ox.NamedNode(RDF + "Statement")]


@pytest.mark.parametrize("name", ["ttl", "nt"])
def test_round_trips_through_rdf_1_2_syntax(view: list[ox.Triple], name: str) -> None:
    fmt = ox.RdfFormat.TURTLE if name == "ttl" else ox.RdfFormat.N_TRIPLES
    text = ox.serialize(view, format=fmt)
    assert text is not None
    assert b"<<(" in text
    assert {q.triple for q in ox.parse(text, format=fmt)} == set(view)


def test_a_triple_term_query_finds_the_contested_claims_and_their_claimants(
    view: list[ox.Triple],
) -> None:
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in view)
    rows = store.query(
        PREFIXES + "SELECT ?claim ?author ?p WHERE {\n"
        "  ?claim kgpub:epistemicStatus kgstatus:contested ; schema:author ?author ;\n"
        "         kgpub:statement ?r .\n"
        "  ?r rdf:reifies <<( kg:elon-musk ?p kg:vladimir-putin )>> }"
    )
    assert isinstance(rows, ox.QuerySolutions)
    got = {(r["claim"].value, r["author"].value, r["p"].value) for r in rows}
    assert got == {
        (
            KG + "claim-wsj-regular-contact",
            KG + "wsj",
            "https://kgpub.example/ontology#inRegularContactWith",
        ),
        (
            KG + "claim-kremlin-single-call",
            KG + "dmitry-peskov",
            "https://kgpub.example/ontology#hadSinglePhoneCallWith",
        ),
    }


def test_the_view_adds_nothing_but_reifiers_to_the_article_graph(
    view: list[ox.Triple], store: Store
) -> None:
    article = {q.triple for q in store.quads(graph="https://kgpub.example/graph/article")}
    assert [t for t in view if t.predicate != REIFIES and t not in article] == []


def test_an_incomplete_statement_keeps_its_triples() -> None:
    base = "https://kgpub.example/"
    claim, statement = ox.NamedNode(KG + "c"), ox.NamedNode(KG + "s")
    triples = [
        ox.Triple(claim, ox.NamedNode(RDF + "type"), ox.NamedNode(base + "ontology#ReportedClaim")),
        ox.Triple(claim, ox.NamedNode(base + "ontology#statement"), statement),
        ox.Triple(statement, ox.NamedNode(RDF + "subject"), ox.NamedNode(KG + "a")),
        ox.Triple(ox.NamedNode(KG + "other"), ox.NamedNode(RDF + "type"), ox.NamedNode(KG + "T")),
    ]
    assert set(view_of(triples, base)) == set(triples[:3])
