"""The dataset of a query is decided once, when the operation is made."""

from __future__ import annotations

import pickle

from kgpub.sparql.operation import QueryOperation
from kgpub.store.protocol import OWN_DEFAULT, UNION, Dataset


def test_without_any_dataset_the_default_graph_is_the_union() -> None:
    assert QueryOperation("SELECT * { ?s ?p ?o }").dataset == UNION


def test_from_in_the_query_makes_it_name_its_own_dataset() -> None:
    assert QueryOperation("SELECT * FROM <urn:g> { ?s ?p ?o }").dataset == OWN_DEFAULT
    assert QueryOperation('SELECT * { ?s ?p "FROM" } # FROM').dataset == UNION


def test_the_protocol_dataset_overrides_from() -> None:
    op = QueryOperation.of("SELECT * FROM <urn:x> { ?s ?p ?o }", ("urn:a",), ("urn:b",))
    assert op.dataset == Dataset(("urn:a",), ("urn:b",), union_default=False)
    assert op.dataset.named_by_protocol


def test_an_operation_travels_to_a_worker_unchanged() -> None:
    op = QueryOperation.of("ASK {}", ("urn:a",), base_iri="http://h/sparql", timeout=2.0)
    assert pickle.loads(pickle.dumps(op)) == op
