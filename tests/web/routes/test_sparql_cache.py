"""The result cache seen through ``/sparql``: hits, keys, invalidation, ETag and 304."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from kgpub.config import Settings
from kgpub.store.oxigraph import Store
from kgpub.web.app import create_app
from kgpub.web.services import app_services
from tests.sparql_fixtures import EX, store_of, write_project

G1, G2 = f"{EX}g1", f"{EX}g2"
COUNT = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
CACHED_HEADERS = ("content-type", "content-length", "etag", "vary", "cache-control")


def fresh_store() -> Store:
    return store_of(
        {
            G1: [(f"{EX}a", f"{EX}p", f"{EX}b")],
            G2: [(f"{EX}c", f"{EX}p", f"{EX}d"), (f"{EX}e", f"{EX}p", f"{EX}f")],
        }
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return write_project(tmp_path)


@pytest.fixture
def store() -> Store:
    return fresh_store()


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store)) as c:
        yield c


def timing(response: Response) -> dict[str, str]:
    """``Server-Timing`` as {metric: its parameters}."""
    metrics = {}
    for metric in response.headers["server-timing"].split(","):
        name, _, params = metric.strip().partition(";")
        metrics[name] = params
    return metrics


def cache_status(response: Response) -> str:
    return timing(response)["cache"].removeprefix("desc=").strip('"')


def count(response: Response) -> str:
    value: str = response.json()["results"]["bindings"][0]["n"]["value"]
    return value


def test_a_repeated_query_is_a_hit_with_identical_bytes_and_headers(client: TestClient) -> None:
    first = client.get("/sparql", params={"query": COUNT})
    second = client.get("/sparql", params={"query": COUNT})
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    for name in CACHED_HEADERS:
        assert second.headers[name] == first.headers[name]
    assert cache_status(first) == "miss"
    assert cache_status(second) == "hit"
    assert timing(second)["engine"].startswith("dur=0.000;")
    assert first.headers["cache-control"] == "public, max-age=60"
    assert first.headers["etag"].startswith('"')


def test_a_post_is_answered_from_the_cache_too(client: TestClient) -> None:
    get = client.get("/sparql", params={"query": COUNT})
    post = client.post(
        "/sparql", content=COUNT, headers={"content-type": "application/sparql-query"}
    )
    assert cache_status(post) == "hit"
    assert post.content == get.content


def test_head_from_the_cache_has_the_headers_and_no_body(client: TestClient) -> None:
    get = client.get("/sparql", params={"query": COUNT})
    client.get("/sparql", params={"query": COUNT})
    head = client.head("/sparql", params={"query": COUNT})
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]
    assert cache_status(head) == "hit"


def test_a_hit_before_routing_still_gets_cors_headers(client: TestClient) -> None:
    client.get("/sparql", params={"query": COUNT})
    origin = {"origin": "https://elsewhere.example"}
    hit = client.get("/sparql", params={"query": COUNT}, headers=origin)
    assert cache_status(hit) == "hit"
    assert hit.headers["access-control-allow-origin"] == "*"
    assert "Server-Timing" in hit.headers["access-control-expose-headers"]


def test_each_negotiated_format_has_its_own_entry(client: TestClient) -> None:
    json = client.get("/sparql", params={"query": COUNT})
    csv = client.get("/sparql", params={"query": COUNT, "format": "csv"})
    by_accept = client.get("/sparql", params={"query": COUNT}, headers={"accept": "text/csv"})
    assert cache_status(csv) == "miss"
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv.headers["etag"] != json.headers["etag"]
    # Another way of asking for the same format shares the entry.
    assert cache_status(by_accept) == "hit"
    assert by_accept.content == csv.content


def test_graph_results_are_keyed_by_their_own_formats(client: TestClient) -> None:
    query = "CONSTRUCT WHERE { ?s ?p ?o }"
    turtle = client.get("/sparql", params={"query": query})
    nt = client.get("/sparql", params={"query": query, "format": "nt"})
    again = client.get("/sparql", params={"query": query}, headers={"accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert nt.headers["content-type"] == "application/n-triples"
    assert cache_status(nt) == "miss"
    assert cache_status(again) == "hit"


def test_the_dataset_parameters_are_part_of_the_key(client: TestClient) -> None:
    one = client.get("/sparql", params={"query": COUNT, "default-graph-uri": G1})
    two = client.get("/sparql", params={"query": COUNT, "default-graph-uri": G2})
    named = client.get("/sparql", params={"query": COUNT, "named-graph-uri": G1})
    assert (count(one), count(two), count(named)) == ("1", "2", "0")
    assert [cache_status(r) for r in (one, two, named)] == ["miss"] * 3


def test_the_base_iri_is_part_of_the_key(client: TestClient) -> None:
    query = "SELECT (<x> AS ?x) {}"
    here = client.get("/sparql", params={"query": query})
    there = client.get("/sparql", params={"query": query}, headers={"host": "elsewhere"})
    assert "http://testserver/x" in here.text
    assert "http://elsewhere/x" in there.text


def test_whitespace_differences_share_an_entry(client: TestClient) -> None:
    client.get("/sparql", params={"query": COUNT})
    spaced = client.get("/sparql", params={"query": "\n" + COUNT.replace(" ", "\n  ") + "\n"})
    assert cache_status(spaced) == "hit"


def test_a_write_to_the_store_invalidates(client: TestClient, store: Store) -> None:
    before = client.get("/sparql", params={"query": COUNT})
    client.get("/sparql", params={"query": COUNT})
    store.add_quads(
        [ox.Quad(ox.NamedNode(f"{EX}x"), ox.NamedNode(f"{EX}p"), ox.NamedNode(f"{EX}y"))]
    )
    after = client.get("/sparql", params={"query": COUNT})
    assert (count(before), count(after)) == ("3", "4")
    assert cache_status(after) == "miss"
    assert after.headers["etag"] != before.headers["etag"]
    assert cache_status(client.get("/sparql", params={"query": COUNT})) == "hit"


@pytest.mark.parametrize("fast", [True, False], ids=["before-routing", "in-the-route"])
@pytest.mark.parametrize(
    "if_none_match",
    ["{etag}", '"nope", {etag}', "*", "W/{etag}"],
    ids=["exact", "list", "star", "weak"],
)
def test_if_none_match_gives_304(client: TestClient, fast: bool, if_none_match: str) -> None:
    first = client.get("/sparql", params={"query": COUNT})
    etag = first.headers["etag"]
    # The same URL and Accept is answered before routing; another Accept that
    # negotiates the same format goes through the route.
    accept = {} if fast else {"accept": "application/sparql-results+json"}
    response = client.get(
        "/sparql",
        params={"query": COUNT},
        headers={**accept, "if-none-match": if_none_match.format(etag=etag)},
    )
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag
    assert response.headers["vary"] == first.headers["vary"]
    assert response.headers["cache-control"] == "public, max-age=60"
    assert "content-type" not in response.headers


def test_a_different_etag_gets_the_result(client: TestClient) -> None:
    client.get("/sparql", params={"query": COUNT})
    response = client.get("/sparql", params={"query": COUNT}, headers={"if-none-match": '"x"'})
    assert response.status_code == 200
    assert count(response) == "3"


@pytest.mark.parametrize(
    ("params", "status"),
    [({"query": "SELECT"}, 400), ({"query": COUNT, "format": "ttl"}, 406)],
)
def test_errors_are_never_cached(client: TestClient, params: dict[str, str], status: int) -> None:
    for _ in range(2):
        response = client.get("/sparql", params=params)
        assert response.status_code == status
        assert "etag" not in response.headers
        assert "cache" not in timing(response)
    assert len(app_services(client.app).cache) == 0


def test_an_oversized_result_is_not_stored(settings: Settings) -> None:
    small = settings.model_copy(update={"cache_bytes": 1000})  # entries up to 125 bytes
    with TestClient(create_app(small, fresh_store())) as c:
        first, second = (
            c.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}) for _ in range(2)
        )
    assert [cache_status(r) for r in (first, second)] == ["miss", "miss"]
    assert second.headers["etag"] == first.headers["etag"]


def test_a_zero_budget_disables_the_cache_but_keeps_validators(settings: Settings) -> None:
    off = settings.model_copy(update={"cache_bytes": 0, "cache_max_age": 5})
    with TestClient(create_app(off, fresh_store())) as c:
        first = c.get("/sparql", params={"query": COUNT})
        second = c.get("/sparql", params={"query": COUNT}, headers={"if-none-match": "*"})
    assert cache_status(first) == "miss"
    assert second.status_code == 304
    assert first.headers["cache-control"] == "public, max-age=5"


def test_the_service_description_has_an_etag(client: TestClient) -> None:
    first = client.get("/sparql", headers={"accept": "text/turtle"})
    etag = first.headers["etag"]
    again = client.get("/sparql", headers={"accept": "text/turtle", "if-none-match": etag})
    other = client.get("/sparql", headers={"accept": "application/n-triples"})
    assert again.status_code == 304
    assert again.content == b""
    assert other.headers["etag"] != etag
