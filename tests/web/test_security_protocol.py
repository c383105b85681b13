"""Bad requests to ``/sparql`` and ``/validate``, each with the exact answer.

Every case names the status, the media type (always
``application/problem+json``) and words of the problem detail that say what
is wrong, and is followed by an ordinary query to show the server still
answers. The queries that chain thousands of operators are the ones that
kill pyoxigraph (a stack overflow, measured on 0.5.13: about 10,000 ``!``,
7,000 ``+``, 3,000 ``OPTIONAL``, a 5,000-item collection, each well under the
size limit); they must be refused before any parser sees them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kgpub.errors import UnsafeInputError
from kgpub.guards import DEFAULT_MAX_OPERATORS, check_query
from kgpub.lexer import lex
from tests.sparql_fixtures import app_for, store_of, write_project

EX = "http://example.org/"
PROBLEM = "application/problem+json"
DIRECT = {"content-type": "application/sparql-query"}
UPDATE = {"content-type": "application/sparql-update"}
FORM = {"content-type": "application/x-www-form-urlencoded"}
TURTLE = {"content-type": "text/turtle"}
NOT_UTF8_ESCAPES = "the URL's query string has percent-escapes that are not UTF-8"
TRIPLE = "<http://a/> <http://b/> <http://c/> ."


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = write_project(Path(tmp_path_factory.mktemp("protocol"))).model_copy(
        update={"cache_bytes": 0, "query_workers": 2}
    )
    app = app_for(settings, store_of({f"{EX}g": [(f"{EX}s", f"{EX}p", f"{EX}o")]}))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@dataclass(frozen=True)
class Bad:
    name: str
    method: str
    path: str
    status: int
    detail: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def chains(name: str, query: str, what: str = "the query") -> Bad:
    return Bad(
        name,
        "POST",
        "/sparql",
        400,
        f"{what} chains more than {DEFAULT_MAX_OPERATORS} operators",
        query.encode(),
        UPDATE if what == "the update" else DIRECT,
    )


BIG_ACCEPT = "application/x-nothing;q=0.5, " * 4000
CASES = [
    # Huge LIMIT/OFFSET: past 2^64 they are not numbers the engine has; the parser says so.
    Bad(
        "limit-past-u64",
        "GET",
        "/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%2099999999999999999999",
        400,
        "The query limit should be a non negative integer",
    ),
    Bad(
        "offset-past-u64",
        "GET",
        "/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D%20OFFSET%2099999999999999999999",
        400,
        "The query offset should be a non negative integer",
    ),
    Bad(
        "negative-limit",
        "GET",
        "/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%20-1",
        400,
        "error at 1:",
    ),
    # Invalid UTF-8 in the body and in GET parameters.
    Bad(
        "body-invalid-utf8",
        "POST",
        "/sparql",
        400,
        "the request body is not valid UTF-8 (byte 6)",
        b"ASK { \xff }",
        DIRECT,
    ),
    Bad(
        "update-body-invalid-utf8",
        "POST",
        "/sparql",
        400,
        "the request body is not valid UTF-8 (byte 0)",
        b"\xc3\x28CLEAR ALL",
        UPDATE,
    ),
    Bad(
        "form-raw-invalid-utf8",
        "POST",
        "/sparql",
        400,
        "the form body is not valid UTF-8 (byte 9)",
        b"query=ASK\xff",
        FORM,
    ),
    Bad(
        "form-escaped-invalid-utf8",
        "POST",
        "/sparql",
        400,
        "the form body has percent-escapes that are not UTF-8",
        b"query=ASK%FF%7B%7D",
        FORM,
    ),
    Bad("get-query-ff", "GET", "/sparql?query=ASK%FF%7B%7D", 400, NOT_UTF8_ESCAPES),
    Bad("get-query-overlong", "GET", "/sparql?query=ASK%C0%AF", 400, NOT_UTF8_ESCAPES),
    Bad("get-query-surrogate", "GET", "/sparql?query=ASK%ED%A0%80", 400, NOT_UTF8_ESCAPES),
    Bad("get-query-truncated", "GET", "/sparql?query=ASK%E2%82", 400, NOT_UTF8_ESCAPES),
    Bad(
        "get-graph-invalid-utf8",
        "GET",
        "/sparql?query=ASK%7B%7D&default-graph-uri=http%3A%2F%2Fa%2F%C3%28",
        400,
        NOT_UTF8_ESCAPES,
    ),
    Bad(
        "get-format-invalid-utf8",
        "GET",
        "/sparql?query=ASK%7B%7D&format=%FF",
        400,
        NOT_UTF8_ESCAPES,
    ),
    Bad("get-update-invalid-utf8", "POST", "/sparql?update=%FF", 400, NOT_UTF8_ESCAPES, b"", FORM),
    # UTF-16 bodies: with a BOM they are not UTF-8; without one ASCII text is
    # valid UTF-8 full of NULs, and the NUL check names the likely cause.
    Bad(
        "utf16-bom",
        "POST",
        "/sparql",
        400,
        "the request body is not valid UTF-8 (byte 0)",
        "ASK {}".encode("utf-16"),
        DIRECT,
    ),
    Bad(
        "utf16-bom-declared",
        "POST",
        "/sparql",
        400,
        "the request body is not valid UTF-8 (byte 0)",
        "ASK {}".encode("utf-16"),
        {"content-type": "application/sparql-query; charset=UTF-16"},
    ),
    Bad(
        "utf16le-no-bom",
        "POST",
        "/sparql",
        400,
        "the query contains a NUL character (U+0000) at character 1",
        "ASK {}".encode("utf-16-le"),
        DIRECT,
    ),
    Bad(
        "utf16be-no-bom",
        "POST",
        "/sparql",
        400,
        "the query contains a NUL character (U+0000) at character 0",
        "ASK {}".encode("utf-16-be"),
        DIRECT,
    ),
    Bad(
        "utf16le-update",
        "POST",
        "/sparql",
        400,
        "the update contains a NUL character (U+0000) at character 1",
        "CLEAR ALL".encode("utf-16-le"),
        UPDATE,
    ),
    Bad(
        "utf16-form",
        "POST",
        "/sparql",
        400,
        "the form body is not valid UTF-8 (byte 0)",
        "query=ASK%7B%7D".encode("utf-16"),
        FORM,
    ),
    Bad(
        "utf8-bom-body",
        "POST",
        "/sparql",
        400,
        "the query starts with a byte order mark (U+FEFF)",
        "ASK {}".encode("utf-8-sig"),
        DIRECT,
    ),
    Bad(
        "utf8-bom-get",
        "GET",
        "/sparql?query=%EF%BB%BFASK%7B%7D",
        400,
        "the query starts with a byte order mark (U+FEFF)",
    ),
    Bad(
        "nul-get", "GET", "/sparql?query=ASK%7B%7D%00", 400, "NUL character (U+0000) at character 5"
    ),
    # Missing or wrong Content-Type.
    Bad("no-content-type", "POST", "/sparql", 415, "the request has none", b"ASK {}"),
    Bad(
        "text-plain",
        "POST",
        "/sparql",
        415,
        "needs Content-Type application/sparql-query or application/x-www-form-urlencoded, "
        "not text/plain",
        b"ASK {}",
        {"content-type": "text/plain"},
    ),
    Bad(
        "json",
        "POST",
        "/sparql",
        415,
        "not application/json",
        b'{"query": "ASK {}"}',
        {"content-type": "application/json"},
    ),
    Bad(
        "multipart",
        "POST",
        "/sparql",
        415,
        "not multipart/form-data",
        b"--x\r\n\r\nASK {}\r\n--x--",
        {"content-type": "multipart/form-data; boundary=x"},
    ),
    Bad(
        "content-type-garbage",
        "POST",
        "/sparql",
        415,
        "needs Content-Type application/sparql-query",
        b"ASK {}",
        {"content-type": ";;=="},
    ),
    Bad(
        "latin1-charset",
        "POST",
        "/sparql",
        415,
        "must be UTF-8 encoded, not charset=latin-1",
        b"ASK {}",
        {"content-type": "application/sparql-query; charset=latin-1"},
    ),
    # Repeated query, query with update, update on the read-only endpoint.
    Bad(
        "two-queries-get",
        "GET",
        "/sparql?query=ASK%7B%7D&query=ASK%7B%7D",
        400,
        "more than one query",
    ),
    Bad(
        "two-queries-form",
        "POST",
        "/sparql",
        400,
        "more than one query",
        b"query=ASK%7B%7D&query=ASK%7B%7D",
        FORM,
    ),
    Bad(
        "query-in-url-and-form",
        "POST",
        "/sparql?query=ASK%7B%7D",
        400,
        "more than one query",
        b"query=ASK%7B%7D",
        FORM,
    ),
    Bad(
        "query-in-url-and-direct-body",
        "POST",
        "/sparql?query=ASK%7B%7D",
        400,
        "the URL must not have a query or update parameter too",
        b"ASK {}",
        DIRECT,
    ),
    Bad(
        "query-and-update-get",
        "GET",
        "/sparql?query=ASK%7B%7D&update=CLEAR%20ALL",
        400,
        "both a query and an update",
    ),
    Bad(
        "query-and-update-form",
        "POST",
        "/sparql",
        400,
        "both a query and an update",
        b"query=ASK%7B%7D&update=CLEAR%20ALL",
        FORM,
    ),
    Bad(
        "update-in-url-query-in-body",
        "POST",
        "/sparql?update=CLEAR%20ALL",
        400,
        "the URL must not have a query or update parameter too",
        b"ASK {}",
        DIRECT,
    ),
    Bad("two-updates", "POST", "/sparql", 400, "more than one update", b"update=a&update=b", FORM),
    Bad(
        "update-by-get", "GET", "/sparql?update=CLEAR%20ALL", 400, "updates must be sent with POST"
    ),
    Bad("update-direct", "POST", "/sparql", 403, "read-only", b"CLEAR ALL", UPDATE),
    Bad("update-form", "POST", "/sparql", 403, "read-only", b"update=DROP%20ALL", FORM),
    Bad(
        "update-load",
        "POST",
        "/sparql",
        403,
        "read-only",
        b"LOAD <http://127.0.0.1:9/x.ttl>",
        UPDATE,
    ),
    # Over the size limits.
    Bad(
        "query-over-size",
        "POST",
        "/sparql",
        413,
        "the query is 70015 bytes, over the limit of 65536 bytes (KGPUB_MAX_QUERY_BYTES)",
        b"ASK {} #" + b"x" * 70_007,
        DIRECT,
    ),
    Bad(
        "update-over-size",
        "POST",
        "/sparql",
        413,
        "the update is 70018 bytes, over the limit of 65536 bytes",
        b"CLEAR ALL #" + b"x" * 70_007,
        UPDATE,
    ),
    Bad(
        "body-over-size",
        "POST",
        "/sparql",
        413,
        "the request body is over the limit of 1048576 bytes",
        b"#" * 1_048_577,
        DIRECT,
    ),
    Bad(
        "content-length-over-size",
        "POST",
        "/sparql",
        413,
        "the request body is over the limit of 1048576 bytes",
        b"ASK {}",
        {**DIRECT, "content-length": "99999999999999999999"},
    ),
    # Nesting: refused before any parser (pyoxigraph dies at ~5,000 levels).
    Bad(
        "deep-query",
        "POST",
        "/sparql",
        400,
        "the query nests brackets more than 64 levels deep (KGPUB_MAX_QUERY_DEPTH)",
        b"SELECT * " + b"{" * 5000 + b"}" * 5000,
        DIRECT,
    ),
    Bad(
        "deep-expression",
        "GET",
        "/sparql?query=ASK%7BFILTER" + "%28" * 5000 + "1" + "%29" * 5000 + "%7D",
        400,
        "the query nests brackets more than 64 levels deep",
    ),
    Bad(
        "deep-update",
        "POST",
        "/sparql",
        400,
        "the update nests brackets more than 64 levels deep",
        b"INSERT DATA " + b"{" * 5000 + b"}" * 5000,
        UPDATE,
    ),
    # Long operator chains: no nesting, yet each of these kills pyoxigraph.
    chains("not-chain", "ASK { FILTER(" + "!" * 10_000 + "true) }"),
    chains("plus-chain", "ASK { FILTER(1" + " + 1" * 7000 + ") }"),
    chains("or-path-chain", "ASK { ?s " + "|".join(["<http://e/p>"] * 2000) + " ?o }"),
    chains("optional-chain", "ASK { " + "OPTIONAL{?s ?p ?o}" * 3000 + "}"),
    chains("union-chain", "ASK { " + " UNION ".join(["{?s ?p ?o}"] * 3000) + " }"),
    chains("update-chain", "DELETE WHERE { ?s ?p ?o FILTER(1" + "+1" * 7000 + ") }", "the update"),
    Bad(
        "collection",
        "POST",
        "/sparql",
        400,
        "the query has a collection ( ... ) of 5000 items, over the limit of 1000",
        ("ASK { ?s <http://e/p> (" + " 1" * 5000 + " ) }").encode(),
        DIRECT,
    ),
    # Very large headers and parameters are not echoed back whole.
    Bad(
        "huge-accept",
        "GET",
        "/sparql?query=ASK%7B%7D",
        406,
        f"none of the offered media types is acceptable (Accept: {BIG_ACCEPT[:200]}... "
        f"({len(BIG_ACCEPT)} characters))",
        headers={"accept": BIG_ACCEPT},
    ),
    Bad(
        "huge-format",
        "GET",
        "/sparql?query=ASK%7B%7D&format=" + "x" * 20_000,
        406,
        "characters) is not offered here",
    ),
    # The per-request deadline must be a positive number of seconds.
    Bad("timeout-word", "GET", "/sparql?query=ASK%7B%7D&timeout=soon", 400, "timeout must be"),
    Bad("timeout-nan", "GET", "/sparql?query=ASK%7B%7D&timeout=nan", 400, "timeout must be"),
    Bad("timeout-negative", "GET", "/sparql?query=ASK%7B%7D&timeout=-1", 400, "timeout must be"),
    Bad(
        "timeout-twice",
        "GET",
        "/sparql?query=ASK%7B%7D&timeout=1&timeout=2",
        400,
        "more than one timeout",
    ),
    # /validate: the same rules for RDF uploads.
    Bad("validate-no-type", "POST", "/validate", 415, "Content-Type '(none)' is not an RDF", b"x"),
    Bad(
        "validate-wrong-type",
        "POST",
        "/validate",
        415,
        "Content-Type 'text/plain' is not an RDF syntax",
        TRIPLE.encode(),
        {"content-type": "text/plain"},
    ),
    Bad(
        "validate-utf16-turtle",
        "POST",
        "/validate",
        400,
        "request body: the document is not UTF-8 (byte 0)",
        TRIPLE.encode("utf-16"),
        TURTLE,
    ),
    Bad(
        "validate-utf16le-turtle",
        "POST",
        "/validate",
        400,
        "request body:1:1: Invalid IRI code point '\x00'",
        TRIPLE.encode("utf-16-le"),
        TURTLE,
    ),
    Bad(
        "validate-invalid-utf8-turtle",
        "POST",
        "/validate",
        400,
        "request body: the document is not UTF-8 (byte 25)",
        b'<http://a/> <http://b/> "\xff" .',
        TURTLE,
    ),
    Bad(
        "validate-invalid-utf8-ntriples",
        "POST",
        "/validate",
        400,
        "request body:1:26: Invalid UTF-8",
        b'<http://a/> <http://b/> "\xff" .',
        {"content-type": "application/n-triples"},
    ),
    Bad(
        "validate-utf16-jsonld",
        "POST",
        "/validate",
        400,
        "request body: the document is not UTF-8 (byte 0)",
        '{"@id": "http://a/"}'.encode("utf-16"),
        {"content-type": "application/ld+json"},
    ),
    Bad(
        "validate-over-size",
        "POST",
        "/validate",
        413,
        "the request body is over the limit of 1048576 bytes",
        b"#" * 1_048_577,
        TURTLE,
    ),
    Bad(
        "validate-deep-jsonld",
        "POST",
        "/validate",
        400,
        "request body: the document nests brackets more than 64 levels deep",
        b"[" * 5000 + b"]" * 5000,
        {"content-type": "application/ld+json"},
    ),
]


def test_case_names_are_unique() -> None:
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_request_gets_the_exact_answer(client: TestClient, case: Bad) -> None:
    response = client.request(case.method, case.path, content=case.body, headers=case.headers)
    assert response.status_code == case.status, response.text[:300]
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == case.status
    assert case.detail in problem["detail"]
    assert len(problem["detail"]) < 1000  # never an echo of the whole input
    alive = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert alive.status_code == 200
    assert alive.json()["boolean"] is True


def test_chunked_body_over_the_limit_is_cut_off(client: TestClient) -> None:
    """No Content-Length: the limit is enforced on the bytes as they stream in."""
    chunks = iter([b"#" * 400_000] * 3)
    response = client.post("/sparql", content=chunks, headers=DIRECT)
    assert response.status_code == 413
    assert "over the limit of 1048576 bytes" in response.json()["detail"]


@pytest.mark.parametrize(
    ("clause", "rows"),
    [
        ("LIMIT 18446744073709551615", 1),
        ("LIMIT 18446744073709551615 OFFSET 18446744073709551615", 0),
        ("OFFSET 9223372036854775808", 0),
    ],
)
def test_largest_limit_and_offset_are_just_numbers(
    client: TestClient, clause: str, rows: int
) -> None:
    response = client.get("/sparql", params={"query": f"SELECT * {{ ?s ?p ?o }} {clause}"})
    assert response.status_code == 200
    assert len(response.json()["results"]["bindings"]) == rows


def test_a_chain_at_the_limit_still_runs(client: TestClient) -> None:
    """FILTER and 999 negations: exactly the limit, answered; one more is refused."""
    query = "ASK { FILTER(" + "!" * (DEFAULT_MAX_OPERATORS - 1) + "true) }"
    assert (lex(query).operators, lex(query).collection) == (DEFAULT_MAX_OPERATORS, 1)
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200
    assert response.json()["boolean"] is False  # an odd number of negations of true
    over = client.get("/sparql", params={"query": query.replace("!", "!!", 1)})
    assert over.status_code == 400


def test_large_values_and_in_lists_are_not_chains(client: TestClient) -> None:
    """Long VALUES blocks, IN lists and typed literals are data, not operators."""
    values = " ".join(f'"{n}"^^xsd:int' for n in range(2000))
    members = ", ".join(str(n) for n in range(2000))
    query = (
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
        f"SELECT ?x {{ VALUES ?x {{ {values} }} FILTER(?x IN ({members})) }}"
    )
    assert len(query.encode()) < 65_536
    response = client.post("/sparql", content=query.encode(), headers=DIRECT)
    assert response.status_code == 200
    assert len(response.json()["results"]["bindings"]) == 2000


@pytest.mark.parametrize(
    ("text", "operators", "collection"),
    [
        ("SELECT * { ?s ?p ?o }", 1, 0),  # the * of SELECT *
        ('ASK { ?s ?p "a+b-c!d" . ?s ?p """x+y\n!!""" . ?s ?p <http://x/a+b> } # + + +', 0, 0),
        ("ASK { ?s ex:a-b/ex:c|^ex:d ?o FILTER(?o != -1 && !BOUND(?x)) }", 8, 3),
        ('ASK { ?s ?p "1"^^xsd:int, "a"@en-GB, 1.5e-3 }', 0, 0),
        ("ASK { ?s ?p (1 2 3) OPTIONAL { ?s ?p (4 5) } }", 1, 3),
        ("SELECT * { VALUES (?a ?b) { (1 2) (3 4) } FILTER(CONCAT(?a, ?b, ?c, ?d)) }", 3, 2),
        ('ASK { ?s ?p "unterminated + + + \n + }', 1, 0),
    ],
)
def test_operator_chain_counts_operators_outside_terms(
    text: str, operators: int, collection: int
) -> None:
    assert (lex(text).operators, lex(text).collection) == (operators, collection)


def test_check_query_names_each_refusal() -> None:
    limits = {"max_bytes": 65_536, "max_depth": 64, "max_operators": 10}
    check_query("ASK { FILTER(1+1+1) }", what="the query", **limits)
    with pytest.raises(UnsafeInputError, match="chains more than 10 operators"):
        check_query("ASK { FILTER(" + "!" * 11 + "true) }", what="the query", **limits)
    with pytest.raises(UnsafeInputError, match=r"collection \( \.\.\. \) of 11 items"):
        check_query("ASK { ?s ?p (" + " 1" * 11 + ") }", what="the query", **limits)
