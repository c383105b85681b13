"""Helpers for the endpoint tests: small datasets, an in-process client, a live server.

Real SPARQL clients (SPARQLWrapper, rdflib's SPARQLStore) speak HTTP through
urllib, so ``live_server`` runs uvicorn on 127.0.0.1 on a free port in a
thread and stops it afterwards.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import pyoxigraph as ox
import uvicorn
from fastapi import FastAPI

from kgpub.config import Settings
from kgpub.sparql.executor import QueryPool
from kgpub.store.oxigraph import Store
from kgpub.web.app import create_app
from kgpub.web.services import app_services

EX = "http://example.org/"
PEOPLE_TTL = """\
@prefix ex: <http://example.org/> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:anna a schema:Person ; schema:name "Anna"@de, "Anna"@en ;
  schema:birthDate "1990-05-01"^^xsd:date .
ex:bob a schema:Person ; schema:name "Bob \\"the builder\\"\\tTab, comma" ; schema:knows ex:anna .
ex:carl a schema:Person ; schema:name "Carl\\nNewline" ; schema:knows [ schema:name "Anon" ] .
"""
PLACES_TTL = """\
@prefix ex: <http://example.org/> .
@prefix schema: <https://schema.org/> .

ex:kyiv a schema:City ; schema:name "Kyiv"@en, "Київ"@uk ; schema:population 2952301 .
ex:anna schema:homeLocation ex:kyiv .
"""


def write_project(root: Path) -> Settings:
    """A project folder with two data files and no shapes, so everything conforms."""
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "data" / "people.ttl").write_text(PEOPLE_TTL, encoding="utf-8")
    (root / "data" / "places.ttl").write_text(PLACES_TTL, encoding="utf-8")
    return Settings(project_dir=root)


SHAPES_TTL = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix schema: <https://schema.org/> .
<urn:shape:Person> a sh:NodeShape ; sh:targetClass schema:Person ;
  sh:property [ sh:path schema:name ; sh:minCount 1 ] .
"""


def write_served_project(root: Path) -> Settings:
    """``write_project`` with a shapes file the data passes: ``kgpub serve`` refuses a
    project without shapes (exit 2), so tests that run the command use this one."""
    settings = write_project(root)
    (root / "shapes").mkdir(exist_ok=True)
    (root / "shapes" / "shapes.ttl").write_text(SHAPES_TTL, encoding="utf-8")
    return settings


def store_of(graphs: Mapping[str, Sequence[tuple[str, str, str | ox.Literal]]]) -> Store:
    """A store from ``{graph IRI: [(s, p, o), ...]}``; string objects are IRIs."""
    store = Store()
    quads = []
    for graph, triples in graphs.items():
        for s, p, o in triples:
            obj = o if isinstance(o, ox.Literal) else ox.NamedNode(o)
            quads.append(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), obj, ox.NamedNode(graph)))
    store.add_quads(quads)
    return store


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 in a thread; yields the base URL (no trailing slash)."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    ready = threading.Event()
    while not ready.wait(0.02):
        if server.started:
            ready.set()
        elif not thread.is_alive():
            raise RuntimeError("the test server did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()


def app_for(settings: Settings, store: Store | None = None) -> FastAPI:
    return create_app(settings, store)


@contextmanager
def loopback_listener() -> Iterator[tuple[str, socket.socket]]:
    """A listening socket on 127.0.0.1 and its URL; nothing should ever connect to it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        sock.setblocking(False)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/", sock


def connections(sock: socket.socket) -> int:
    """How many connections wait in the listener's queue."""
    count = 0
    for _ in range(8):
        try:
            conn, _ = sock.accept()
        except BlockingIOError:
            break
        conn.close()
        count += 1
    return count


def query_pool(app: object) -> QueryPool:
    """The app's pool of query worker processes (not the in-process runner)."""
    pool = app_services(app).pool
    assert isinstance(pool, QueryPool)
    return pool


def lookup_latencies(
    http: httpx.Client, base: str, seconds: float, subject: Callable[[int], str]
) -> list[float]:
    """Distinct point lookups (each misses the cache) for ``seconds``; their latencies, sorted.

    ``subject(n)`` is the IRI the n-th lookup asks about. Every answer must be 200.
    """
    latencies = []
    ends = time.monotonic() + seconds
    number = 0
    while time.monotonic() < ends:
        number += 1
        text = f"SELECT ?o {{ <{subject(number)}> ?p ?o }} # {number}"
        started = time.perf_counter()
        response = http.get(f"{base}/sparql", params={"query": text})
        latencies.append(time.perf_counter() - started)
        assert response.status_code == 200
    return sorted(latencies)


def p99(latencies: Sequence[float]) -> float:
    """The 99th percentile of sorted latencies."""
    return latencies[int(len(latencies) * 0.99) - 1]
