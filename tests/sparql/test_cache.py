"""The result cache as plain objects: keys, the byte budget, versions, validators."""

from __future__ import annotations

from typing import Any

import pytest

from kgpub.sparql.cache import CacheKey, ResultCache, make_etag, none_match, normalize_query

JSON = "application/sparql-results+json"


def key(
    query: str = "SELECT * { ?s ?p ?o }",
    version: int = 0,
    *,
    default_graphs: tuple[str, ...] = (),
    named_graphs: tuple[str, ...] = (),
    base_iri: str = "http://testserver/sparql",
    media_type: str = JSON,
    as_of: tuple[tuple[str, int], ...] | None = None,
) -> CacheKey:
    return CacheKey.of(
        query,
        as_of=as_of,
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        base_iri=base_iri,
        media_type=media_type,
        version=version,
    )


def test_a_stored_result_is_found_with_its_headers() -> None:
    cache = ResultCache(1 << 20, max_age=30)
    stored = cache.put(key(), b"{}", JSON)
    found = cache.get(key())
    assert found is stored
    assert found.body == b"{}"
    assert found.headers == {
        "Content-Type": JSON,
        "ETag": make_etag(JSON, b"{}"),
        "Vary": "Accept, Accept-Datetime",
        "Cache-Control": "public, max-age=30",
    }
    assert (b"content-length", b"2") in found.raw_headers
    assert cache.hits == 1


@pytest.mark.parametrize(
    "other",
    [
        {"media_type": "text/csv"},
        {"default_graphs": ("http://example.org/g",)},
        {"named_graphs": ("http://example.org/g",)},
        {"base_iri": "http://elsewhere/sparql"},
        {"query": "SELECT ?s { ?s ?p ?o }"},
        {"as_of": (("http://example.org/a", 1),)},
    ],
)
def test_every_part_of_the_key_separates_entries(other: dict[str, Any]) -> None:
    cache = ResultCache(1 << 20)
    cache.put(key(), b"{}", JSON)
    assert cache.get(key(**other)) is None


def test_a_new_store_version_drops_every_entry() -> None:
    cache = ResultCache(1 << 20)
    cache.put(key(version=1), b"{}", JSON)
    assert cache.get(key(version=2)) is None
    assert len(cache) == 0
    assert cache.size_bytes == 0
    assert cache.get(key(version=1)) is None


def test_a_request_from_before_a_write_neither_finds_nor_stores() -> None:
    cache = ResultCache(1 << 20)
    cache.put(key(version=2), b"{}", JSON)
    cache.put(key("ASK {}", version=1), b"{}", JSON)
    assert cache.get(key("ASK {}", version=1)) is None
    assert len(cache) == 1
    assert cache.get(key(version=2)) is not None


def test_the_byte_budget_evicts_the_least_recently_used() -> None:
    cache = ResultCache(10_000, max_entry_fraction=0.5)
    body = b"x" * 1000
    for name in "abc":
        cache.put(key(f"ASK {{ <urn:{name}> ?p ?o }}"), body, JSON)
    assert cache.get(key("ASK { <urn:a> ?p ?o }")) is not None  # a is now the most recent
    for name in "defgh":
        cache.put(key(f"ASK {{ <urn:{name}> ?p ?o }}"), body, JSON)
    assert cache.size_bytes <= cache.max_bytes
    assert cache.get(key("ASK { <urn:a> ?p ?o }")) is not None
    assert cache.get(key("ASK { <urn:b> ?p ?o }")) is None
    assert cache.get(key("ASK { <urn:h> ?p ?o }")) is not None


def test_an_oversized_result_is_answered_but_not_stored() -> None:
    cache = ResultCache(8000)  # entries up to 1/8 of it: 1000 bytes
    entry = cache.put(key(), b"x" * 2000, JSON)
    assert entry.body == b"x" * 2000
    assert len(cache) == 0
    assert cache.get(key()) is None


def test_a_budget_of_zero_disables_the_cache() -> None:
    cache = ResultCache(0)
    assert not cache.enabled
    assert cache.put(key(), b"{}", JSON).etag == make_etag(JSON, b"{}")
    assert cache.get(key()) is None
    cache.remember(("sig",), key())
    assert cache.recall(("sig",), 0) is None


def test_signatures_recall_their_entry_only_at_the_same_version() -> None:
    cache = ResultCache(1 << 20)
    entry = cache.put(key(), b"{}", JSON)
    cache.remember(("sig",), key())
    assert cache.recall(("sig",), 0) is entry
    assert cache.recall(("other",), 0) is None
    assert cache.recall(("sig",), 1) is None


def test_a_signature_for_a_key_not_stored_is_not_remembered() -> None:
    cache = ResultCache(8000)
    cache.put(key(), b"x" * 2000, JSON)
    cache.remember(("sig",), key())
    assert cache.recall(("sig",), 0) is None


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("  SELECT *\n{ ?s\t?p   ?o }\n", "SELECT * { ?s ?p ?o }"),
        ("ASK { <urn:a> ?p ?o }", "ASK { <urn:a> ?p ?o }"),
        # Quotes or comments: whitespace may be part of a literal or end a comment.
        ('\nASK { ?s ?p "a   b" }  ', 'ASK { ?s ?p "a   b" }'),
        ("ASK { ?s ?p 'a\n b' }", "ASK { ?s ?p 'a\n b' }"),
        ("ASK # c\n{ ?s  ?p ?o }", "ASK # c\n{ ?s  ?p ?o }"),
    ],
)
def test_normalisation_only_changes_what_cannot_matter(text: str, normal: str) -> None:
    assert normalize_query(text) == normal


def test_etags_differ_by_media_type_and_body() -> None:
    assert make_etag("text/csv", b"a\r\n") != make_etag("text/tab-separated-values", b"a\r\n")
    assert make_etag(JSON, b"{}") != make_etag(JSON, b"[]")
    assert make_etag(JSON, b"{}").startswith('"')


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        (None, False),
        ('"abc"', True),
        ('W/"abc"', True),
        ('"x", "abc"', True),
        ('"x",W/"abc" , "y"', True),
        ("*", True),
        ('"abd"', False),
        ('"x", "y"', False),
        ("", False),
    ],
)
def test_if_none_match_uses_weak_comparison(header: str | None, matches: bool) -> None:
    assert none_match(header, '"abc"') is matches
