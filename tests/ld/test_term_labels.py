"""The shipped labels of vocabulary terms: complete for the data, read by every page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kgpub.config import Settings
from kgpub.ld.page_model import Page
from kgpub.ld.term_labels import term_labels
from kgpub.namespaces import SCHEMA
from kgpub.web.app import create_app

USED = (
    "SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?s a ?t } "
    'FILTER(STRSTARTS(STR(?t), "https://schema.org/")) }'
)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(validate_on_start=False, query_workers=1))) as c:
        yield c


def test_every_term_has_one_english_and_one_german_label() -> None:
    labels = term_labels()
    assert len(labels) > 50
    for term, found in labels.items():
        assert term.startswith(
            (
                SCHEMA,
                "http://rdfs.org/ns/void#",
                "http://purl.org/dc/terms/",
                "http://xmlns.com/foaf/",
                # The provenance of revisions, shown on claim and revision pages.
                "http://www.w3.org/ns/prov#",
            )
        )
        assert sorted(lang for _, lang in found) == ["de", "en"], term
    assert ("invalidated at", "en") in labels["http://www.w3.org/ns/prov#invalidatedAtTime"]


def test_every_schema_org_term_the_shipped_data_uses_is_labelled(client: TestClient) -> None:
    answer = client.get(
        "/sparql", params={"query": USED}, headers={"Accept": "application/sparql-results+json"}
    )
    used = {row["t"]["value"] for row in answer.json()["results"]["bindings"]}
    assert SCHEMA + "mentions" in used
    assert sorted(used - set(term_labels())) == []


def test_a_page_reads_the_term_in_its_language_and_the_store_wins() -> None:
    german = Page("https://kgpub.example/", {"schema": SCHEMA}, "de", False)
    assert german.label(SCHEMA + "mentions") == "erwähnt"
    assert Page("https://kgpub.example/", {}, "en", False).label(SCHEMA + "Person") == "Person"
    german.label_index[SCHEMA + "mentions"] = [("nennt", "de")]
    assert german.label(SCHEMA + "mentions") == "nennt"
    assert german.label(SCHEMA + "notLabelled") == "schema:notLabelled"
