"""RemoteStore against a fake backend: requests, answers, Virtuoso's quirks, every failure.

The fake is an ``httpx.MockTransport`` in this process (what a real server
sends, without one); timeouts and refused connections also go over real
loopback sockets. Tests against a real Virtuoso are in test_remote_virtuoso.py.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator
from urllib.parse import parse_qsl

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from kgpub.config import Settings
from kgpub.errors import (
    BackendError,
    BackendQueryError,
    BackendTimeoutError,
    KgpubError,
    ResultTooLargeError,
)
from kgpub.shacl.conformance import Conformance
from kgpub.store.oxigraph import Store
from kgpub.store.protocol import Dataset, QueryStore
from kgpub.store.remote import RemoteStore
from kgpub.store.remote_protocol import query_form, with_base
from kgpub.web.app import create_app
from kgpub.web.http_errors import status_for

BASE = "https://kgpub.example/"
ENDPOINT = "http://backend.test/sparql"
GSP = "http://backend.test/sparql-graph-crud-auth"
XSD = "http://www.w3.org/2001/XMLSchema#"
JSON_TYPE = "application/sparql-results+json"
Handler = Callable[[httpx.Request], httpx.Response]


def _stores_keep_the_protocol(local: Store, remote: RemoteStore) -> list[QueryStore]:
    # mypy checks that both stores have the shape the server relies on.
    return [local, remote]


def results(variables: list[str], rows: list[dict[str, dict[str, str]]]) -> bytes:
    return json.dumps({"head": {"vars": variables}, "results": {"bindings": rows}}).encode()


def answer(
    body: bytes,
    media_type: str = JSON_TYPE,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Handler:
    return lambda request: httpx.Response(
        status, content=body, headers={"Content-Type": media_type, **(headers or {})}
    )


class Fake:
    """Records each request and answers with ``handler``."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []
        self.headers: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        # An auth flow sends the same request object again with more headers.
        self.headers.append(dict(request.headers))
        return self.handler(request)

    def form(self, index: int = -1) -> list[tuple[str, str]]:
        return parse_qsl(self.requests[index].content.decode())

    def store(self, **options: object) -> RemoteStore:
        return RemoteStore(
            ENDPOINT,
            graph_store=GSP,
            transport=httpx.MockTransport(self),
            graph_prefix=BASE,
            **options,  # type: ignore[arg-type]
        )


@pytest.fixture
def fake() -> Fake:
    return Fake(answer(results(["x"], [])))


@pytest.fixture
def remote(fake: Fake) -> Iterator[RemoteStore]:
    store = fake.store()
    yield store
    store.close()


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
        ("PREFIX ask: <http://x/> # CONSTRUCT\nselect ?ask WHERE { ?s ask:p ?ask }", "SELECT"),
        ('BASE <http://x/> ASK { ?s ?p "SELECT" FILTER EXISTS { SELECT * {} } }', "ASK"),
        ("PREFIX p: <http://describe.example/select> CONSTRUCT WHERE { ?s p:x ?o }", "CONSTRUCT"),
        ("DESCRIBE <http://x/a>", "DESCRIBE"),
        ("# only a comment mentioning SELECT", ""),
        ('SELECT """unterminated', "SELECT"),
    ],
)
def test_query_form_skips_names_strings_iris_and_comments(query: str, form: str) -> None:
    assert query_form(query) == form


def test_base_is_added_only_for_relative_iris() -> None:
    base = "http://kgpub.test/sparql"
    relative = "SELECT * WHERE { <id/x> ?p ?o }"
    assert with_base(relative, base) == f"BASE <{base}> {relative}"
    for unchanged in (
        "SELECT * WHERE { <http://a/x> ?p ?o }",
        'SELECT * WHERE { ?s ?p "<id/x>" }  # <id/y>',
        "BASE <http://a/> SELECT * WHERE { <x> ?p ?o }",
    ):
        assert with_base(unchanged, base) == unchanged
    assert with_base(relative, None) == relative


def test_a_query_is_a_form_post_without_a_dataset(fake: Fake, remote: RemoteStore) -> None:
    remote.query("SELECT * WHERE { ?s ?p ?o }")
    request = fake.requests[-1]
    assert request.method == "POST"
    assert request.url == ENDPOINT
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.headers["accept"].startswith(JSON_TYPE)
    assert fake.form() == [("query", "SELECT * WHERE { ?s ?p ?o }")]


def test_dataset_graphs_are_protocol_parameters(fake: Fake, remote: RemoteStore) -> None:
    remote.query("SELECT * {}", dataset=Dataset(("http://g/1", "http://g/2"), ()))
    sent = fake.form()
    assert [v for k, v in sent if k == "default-graph-uri"] == ["http://g/1", "http://g/2"]
    # An empty list means no graphs, which Virtuoso would read as "all": one that cannot exist.
    assert [v for k, v in sent if k == "named-graph-uri"] == ["urn:x-kgpub:no-such-graph"]


def test_graph_queries_ask_for_n_triples_and_give_triples(fake: Fake, remote: RemoteStore) -> None:
    nt = b'<http://a/s> <http://a/p> "1"^^<http://www.w3.org/2001/XMLSchema#boolean> .\n'
    fake.handler = answer(nt, "application/n-triples; charset=UTF-8")
    result = remote.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert fake.requests[-1].headers["accept"].startswith("application/n-triples")
    assert not isinstance(result, ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples)
    literal = ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))
    assert list(result) == [
        ox.Triple(ox.NamedNode("http://a/s"), ox.NamedNode("http://a/p"), literal)
    ]


def test_virtuoso_blank_nodes_and_booleans_are_read_as_meant(
    fake: Fake, remote: RemoteStore
) -> None:
    rows = [
        {
            "b": {"type": "bnode", "value": "nodeID://b10000"},
            "t": {"type": "typed-literal", "datatype": XSD + "boolean", "value": "1"},
            "n": {"type": "typed-literal", "datatype": XSD + "integer", "value": "7"},
        }
    ]
    fake.handler = answer(results(["b", "t", "n"], rows))
    result = remote.query("SELECT * {}")
    assert isinstance(result, ox.QuerySolutions)
    (row,) = list(result)
    assert row["b"] == ox.BlankNode("b10000")
    assert row["t"] == ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))
    assert row["n"] == ox.Literal("7", datatype=ox.NamedNode(XSD + "integer"))


def test_xml_results_are_read_with_the_same_fixes(fake: Fake, remote: RemoteStore) -> None:
    xml = (
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="b"/>'
        '<variable name="t"/></head><results><result><binding name="b"><bnode>nodeID://b7'
        f'</bnode></binding><binding name="t"><literal datatype="{XSD}boolean">0</literal>'
        "</binding></result></results></sparql>"
    ).encode()
    fake.handler = answer(xml, "application/sparql-results+xml")
    result = remote.query("SELECT * {}")
    assert isinstance(result, ox.QuerySolutions)
    assert [(r["b"], r["t"]) for r in result] == [
        (ox.BlankNode("b7"), ox.Literal("false", datatype=ox.NamedNode(XSD + "boolean")))
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"head": {}, "boolean": false}', False),
        (results(["__ASK_RETVAL"], [{"__ASK_RETVAL": {"type": "literal", "value": "1"}}]), True),
        (results(["__ASK_RETVAL"], [{"__ASK_RETVAL": {"type": "literal", "value": "0"}}]), False),
        (results(["__ASK_RETVAL"], []), False),
    ],
)
def test_ask_gives_a_boolean_also_from_virtuoso_rows(
    fake: Fake, remote: RemoteStore, body: bytes, expected: bool
) -> None:
    fake.handler = answer(body)
    result = remote.query("ASK { ?s ?p ?o }")
    assert isinstance(result, ox.QueryBoolean)
    assert bool(result) is expected


@pytest.mark.parametrize(
    ("handler", "error", "words"),
    [
        (
            answer(b"Virtuoso 37000 Error SP030: syntax error", "text/plain", 400),
            BackendQueryError,
            "SP030",
        ),
        (
            answer(b"<html><xmp>SR171: Transaction timed out</xmp></html>", "text/html", 500),
            BackendError,
            "SR171",
        ),
        (answer(b"", "text/plain", 401), BackendError, "KGPUB_BACKEND_PASSWORD"),
        (answer(b"nothing here", "text/plain", 404), BackendError, "SPARQL 1.1 endpoint"),
        (
            answer(b"", "text/plain", 302, {"Location": "http://elsewhere/"}),
            BackendError,
            "redirected",
        ),
        (answer(b"", "text/plain", 504), BackendTimeoutError, "timed out"),
        (
            answer(b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": '),
            BackendError,
            "not valid",
        ),
        (
            answer(results(["x"], [{"x": {"type": "nonsense", "value": "1"}}])),
            BackendError,
            "not valid",
        ),
        (answer(b"<html>a query form</html>", "text/html"), BackendError, "text/html"),
        (
            answer(b"<http://a> <http://b> <http://c> .", "application/n-triples"),
            BackendError,
            "SELECT",
        ),
        (
            answer(results(["x"], []), headers={"X-SQL-State": "S1TAT"}),
            BackendTimeoutError,
            "incomplete",
        ),
    ],
)
def test_failures_become_domain_errors(
    fake: Fake, remote: RemoteStore, handler: Handler, error: type[KgpubError], words: str
) -> None:
    fake.handler = handler
    with pytest.raises(error, match=words):
        remote.query("SELECT * WHERE { ?s ?p ?o }")


def test_a_result_cut_at_virtuosos_row_limit_is_refused(fake: Fake, remote: RemoteStore) -> None:
    row = {"x": {"type": "literal", "value": "a"}}
    fake.handler = answer(results(["x"], [row, row]), headers={"X-SPARQL-MaxRows": "2"})
    with pytest.raises(ResultTooLargeError, match="cut the result at 2 rows"):
        remote.query("SELECT * WHERE { ?s ?p ?x }")
    fake.handler = answer(results(["x"], [row]), headers={"X-SPARQL-MaxRows": "2"})
    result = remote.query("SELECT * WHERE { ?s ?p ?x }")
    assert isinstance(result, ox.QuerySolutions)
    assert len(list(result)) == 1


def test_statuses_of_backend_errors() -> None:
    assert status_for(BackendError("x")) == 502
    assert status_for(BackendTimeoutError("x")) == 504
    assert status_for(BackendQueryError("x")) == 400


def test_a_backend_that_never_answers_times_out_at_the_setting() -> None:
    # A listening socket nobody accepts from: connecting works, no answer ever comes.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        store = RemoteStore(f"http://127.0.0.1:{silent.getsockname()[1]}/sparql", timeout=0.3)
        started = time.perf_counter()
        with pytest.raises(BackendTimeoutError, match=r"within 0\.3 s"):
            store.query("ASK {}")
        waited = time.perf_counter() - started
        store.close()
    assert waited < 5  # the setting, not some default of the client or the system


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_a_backend_that_is_down_is_a_502_error() -> None:
    store = RemoteStore(f"http://127.0.0.1:{closed_port()}/sparql", timeout=2)
    try:
        with pytest.raises(BackendError, match="cannot be reached"):
            store.named_graphs()
    finally:
        store.close()


def _graph_listing(request: httpx.Request) -> httpx.Response:
    """Answers the start-up queries (graphs, sizes); a query saying FAIL gets ``FAIL``'s status."""
    query = dict(parse_qsl(request.content.decode())).get("query", "")
    if "FAIL" in query:
        status = int(query.split("FAIL", 1)[1][:3])
        return httpx.Response(status, text="Virtuoso 37000 Error SP030: syntax error")
    if "COUNT" in query and "?g" in query.split("WHERE")[0]:
        rows = [
            {
                "g": {"type": "uri", "value": BASE + "graph/a"},
                "n": {"type": "literal", "value": "3"},
            }
        ]
        return httpx.Response(
            200, content=results(["g", "n"], rows), headers={"Content-Type": JSON_TYPE}
        )
    if "COUNT" in query:
        rows = [{"n": {"type": "literal", "value": "3"}}]
        return httpx.Response(
            200, content=results(["n"], rows), headers={"Content-Type": JSON_TYPE}
        )
    rows = [{"g": {"type": "uri", "value": BASE + "graph/a"}}]
    return httpx.Response(200, content=results(["g"], rows), headers={"Content-Type": JSON_TYPE})


@pytest.mark.parametrize(("status", "expected"), [(400, 400), (500, 502), (503, 502), (504, 504)])
def test_the_endpoint_answers_backend_failures_with_problem_json(
    status: int, expected: int
) -> None:
    fake = Fake(_graph_listing)
    store = fake.store()
    app = create_app(Settings(), store=store, conformance=Conformance((), (), None))
    with TestClient(app) as client:
        response = client.get("/sparql", params={"query": f"SELECT * {{ }} # FAIL{status}"})
    store.close()
    assert response.status_code == expected
    assert response.headers["content-type"] == "application/problem+json"
    assert "SPARQL backend" in response.json()["detail"]
    assert "backend.test" not in response.text


def test_graphs_are_listed_once_per_refresh_and_writes_change_the_version(fake: Fake) -> None:
    fake.handler = _graph_listing
    store = fake.store(refresh=3600)
    version = store.version
    assert store.named_graphs() == [BASE + "graph/a"]
    assert store.named_graphs() == [BASE + "graph/a"]
    assert len(fake.requests) == 1
    assert "STRSTARTS" in fake.form()[0][1]
    fake.handler = answer(b"", "text/plain", 201)
    store.put_graph(BASE + "graph/a", b"<http://a> <http://b> <http://c> .\n")
    assert store.version != version
    put = fake.requests[-1]
    assert (put.method, put.url.params["graph"], put.content) == (
        "PUT",
        BASE + "graph/a",
        b"<http://a> <http://b> <http://c> .\n",
    )
    store.close()


@pytest.mark.parametrize("scheme", ["Basic", "Digest"])
def test_credentials_go_only_where_asked_in_the_scheme_asked(fake: Fake, scheme: str) -> None:
    challenge = 'Digest realm="SPARQL", nonce="abc", qop="auth"' if scheme == "Digest" else "Basic"

    def guarded(request: httpx.Request) -> httpx.Response:
        if request.headers.get("authorization", "").startswith(scheme):
            return httpx.Response(201)
        return httpx.Response(401, headers={"WWW-Authenticate": challenge})

    fake.handler = guarded
    store = fake.store(user="dba", password="secret")
    store.put_graph(BASE + "graph/a", b"")
    store.close()
    assert "authorization" not in fake.headers[0]
    assert fake.headers[-1]["authorization"].startswith(scheme)
