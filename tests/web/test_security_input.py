"""Hostile RDF and outbound requests: refused unparsed, and nothing is ever fetched.

A loopback listener (a socket on 127.0.0.1 nobody else knows) stands in for
an attacker's server: every request names it, and afterwards its accept
queue must be empty. All RDF here goes through the app in-process, so a
parser crash (pyoxigraph aborts on entity expansion) would kill the test run.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import html5lib
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from kgpub.cli import exit_codes
from kgpub.cli import main as cli
from kgpub.config import Settings
from kgpub.errors import UnsafeInputError
from kgpub.rdf.sources import Source, read_quads
from kgpub.web.app import create_app
from tests.sparql_fixtures import (
    app_for,
    connections,
    loopback_listener,
    store_of,
    write_project,
)

EX = "http://example.org/"
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>
"""
RDF_XML = "application/rdf+xml"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = write_project(Path(tmp_path_factory.mktemp("input"))).model_copy(
        update={"cache_bytes": 0}
    )
    app = app_for(settings, store_of({f"{EX}g": [(f"{EX}s", f"{EX}p", f"{EX}o")]}))
    with TestClient(app) as c:
        yield c


@pytest.fixture
def listener() -> Iterator[tuple[str, socket.socket]]:
    """A listening socket on 127.0.0.1 and its base URL; nothing should ever connect."""
    with loopback_listener() as found:
        yield found


def assert_alive(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert response.status_code == 200


def test_listener_sees_a_real_connection(listener: tuple[str, socket.socket]) -> None:
    """The probe works: a connection that is made is counted."""
    url, sock = listener
    with socket.create_connection(("127.0.0.1", sock.getsockname()[1]), timeout=5):
        pass
    assert url.startswith("http://127.0.0.1:")
    assert connections(sock) == 1


def test_billion_laughs_upload_is_refused(client: TestClient) -> None:
    assert len(BILLION_LAUGHS) < 1024
    response = client.post("/validate", content=BILLION_LAUGHS, headers={"content-type": RDF_XML})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "DOCTYPE or ENTITY declaration is refused" in response.json()["detail"]
    assert_alive(client)


@pytest.mark.parametrize(
    "body",
    [
        b'<!ENTITY x "y"><rdf:RDF/>',
        b"<?xml version='1.0'?>\n<!doctype rdf:RDF SYSTEM 'http://127.0.0.1:9/x.dtd'><rdf:RDF/>",
        "<rdf:RDF/>".encode("utf-16"),
    ],
)
def test_dtd_or_odd_encoding_rdf_xml_is_refused(client: TestClient, body: bytes) -> None:
    response = client.post("/validate", content=body, headers={"content-type": RDF_XML})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "DOCTYPE or ENTITY" in detail or "must be UTF-8" in detail


def test_deep_upload_is_refused(client: TestClient) -> None:
    body = b"<http://e/s> <http://e/p> " + b"[ <http://e/p> " * 5000 + b"1" + b" ]" * 5000 + b" ."
    response = client.post("/validate", content=body, headers={"content-type": "text/turtle"})
    assert response.status_code == 400
    assert "nests brackets more than 64 levels deep" in response.json()["detail"]
    assert_alive(client)


@pytest.mark.parametrize("shape", ["string", "list", "import"])
def test_remote_jsonld_context_is_refused_unfetched(
    client: TestClient, listener: tuple[str, socket.socket], shape: str
) -> None:
    url, sock = listener
    context: object = {
        "string": url + "context.jsonld",
        "list": [{"ex": EX}, url + "context.jsonld"],
        "import": {"@version": 1.1, "@import": url + "context.jsonld"},
    }[shape]
    body = json.dumps({"@context": context, "@id": EX + "s", EX + "p": "o"})
    response = client.post(
        "/validate", content=body, headers={"content-type": "application/ld+json"}
    )
    assert response.status_code == 400
    assert "remote contexts are never fetched" in response.json()["detail"]
    assert connections(sock) == 0


@pytest.mark.parametrize(
    ("body", "key"),
    [
        # json.loads keeps the last key: the remote context came first and went unseen.
        ('{{"@context": "{url}c", "@context": {{"ex": "{ex}"}}, "@id": "{ex}s"}}', "@context"),
        ('{{"@context": {{"ex": "{ex}"}}, "@context": "{url}c", "@id": "{ex}s"}}', "@context"),
        ('{{"@id": "{ex}s", "{ex}p": {{"@id": "{ex}o", "@id": "{ex}x"}}}}', "@id"),
        ('[{{"@id": "{ex}s", "{ex}p": "a", "{ex}p": "b"}}]', "{ex}p"),
    ],
)
def test_duplicate_jsonld_keys_are_refused_unfetched(
    client: TestClient, listener: tuple[str, socket.socket], body: str, key: str
) -> None:
    url, sock = listener
    response = client.post(
        "/validate",
        content=body.format(url=url, ex=EX),
        headers={"content-type": "application/ld+json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == (
        f"request body: a JSON object has the key {key.format(ex=EX)!r} more than once; "
        "JSON-LD readers disagree on which one counts, so duplicate keys are refused"
    )
    assert connections(sock) == 0


def test_embedded_jsonld_context_is_read(client: TestClient) -> None:
    body = '{"@context": {"ex": "http://example.org/"}, "@id": "ex:s", "ex:p": "o"}'
    response = client.post(
        "/validate",
        content=body,
        headers={"content-type": "application/ld+json", "accept": "text/turtle"},
    )
    assert response.status_code == 200


def test_source_files_are_checked_too(tmp_path: Path, listener: tuple[str, socket.socket]) -> None:
    """``kgpub serve``/``load``/``validate`` read files through the same guard."""
    url, sock = listener
    bomb = tmp_path / "bomb.rdf"
    bomb.write_bytes(BILLION_LAUGHS)
    with pytest.raises(UnsafeInputError, match=r"bomb\.rdf: RDF/XML with a DOCTYPE"):
        read_quads(Source(bomb, EX + "g"))
    remote = tmp_path / "remote.jsonld"
    remote.write_text(f'{{"@context": "{url}c", "@id": "{EX}s"}}', encoding="utf-8")
    with pytest.raises(UnsafeInputError, match=r"remote\.jsonld: the JSON-LD @context"):
        read_quads(Source(remote, EX + "g"))
    deep = tmp_path / "deep.ttl"
    deep.write_text("<s> <p> " + "(" * 5000 + ")" * 5000 + " .", encoding="utf-8")
    with pytest.raises(UnsafeInputError, match=r"deep\.ttl: the document nests"):
        read_quads(Source(deep, EX + "g"))
    assert connections(sock) == 0


def test_service_is_refused_unfetched(
    client: TestClient, listener: tuple[str, socket.socket]
) -> None:
    url, sock = listener
    query = f"SELECT * {{ SERVICE <{url}sparql> {{ ?s ?p ?o }} }}"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert "federated queries (SERVICE) are not supported" in response.json()["detail"]
    assert connections(sock) == 0


@pytest.mark.parametrize("direct", [True, False])
def test_load_is_refused_unfetched(
    client: TestClient, listener: tuple[str, socket.socket], direct: bool
) -> None:
    url, sock = listener
    update = f"LOAD <{url}data.ttl> INTO GRAPH <{EX}g2>"
    if direct:
        response = client.post(
            "/sparql", content=update, headers={"content-type": "application/sparql-update"}
        )
    else:
        response = client.post("/sparql", data={"update": update})
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    assert connections(sock) == 0


def test_from_names_a_local_graph_and_fetches_nothing(
    client: TestClient, listener: tuple[str, socket.socket]
) -> None:
    url, sock = listener
    query = f"SELECT * FROM <{url}data.ttl> FROM NAMED <{url}other> {{ ?s ?p ?o }}"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"] == []  # no such local graph: empty
    assert connections(sock) == 0


def test_default_graph_uri_names_a_local_graph_and_fetches_nothing(
    client: TestClient, listener: tuple[str, socket.socket]
) -> None:
    url, sock = listener
    response = client.get(
        "/sparql",
        params={
            "query": "SELECT * { ?s ?p ?o }",
            "default-graph-uri": url + "data.ttl",
            "named-graph-uri": url + "named",
        },
    )
    assert response.status_code == 200
    assert response.json()["results"]["bindings"] == []
    local = client.get(
        "/sparql", params={"query": "SELECT * { ?s ?p ?o }", "default-graph-uri": EX + "g"}
    )
    assert len(local.json()["results"]["bindings"]) == 1
    assert connections(sock) == 0


def test_jsonld_format_alone_never_fetches(listener: tuple[str, socket.socket]) -> None:
    """Below the guard, pyoxigraph itself has no document loader (defence in depth)."""
    url, sock = listener
    data = f'{{"@context": "{url}c", "@id": "{EX}s", "{EX}p": "o"}}'.encode()
    with pytest.raises((SyntaxError, ValueError)):
        list(ox.parse(data, format=ox.RdfFormat.JSON_LD))
    assert connections(sock) == 0


# -- HTML and script in the data: escaped on every page ---------------------------------

BASE = "https://kgpub.example/"
XSS = '</script><script>alert("xss")</script><img src=x onerror=alert("xss")>"\'><b>'
EVIL_IRIS = ("javascript:alert(1)", "data:text/html,%3Cscript%3Ealert(1)%3C/script%3E")


def turtle_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture(scope="module")
def evil_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A project whose every text (labels, comments, shape messages, a query) is hostile HTML."""
    root = Path(tmp_path_factory.mktemp("evil"))
    for folder in ("ontology", "data", "shapes", "queries/competency"):
        (root / folder).mkdir(parents=True)
    evil = turtle_string(XSS)
    prefixes = (
        "PREFIX owl: <http://www.w3.org/2002/07/owl#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "PREFIX schema: <https://schema.org/>\n"
        "PREFIX sh: <http://www.w3.org/ns/shacl#>\n"
    )
    (root / "ontology" / "evil.ttl").write_text(
        f"{prefixes}<{BASE}ontology> a owl:Ontology ; rdfs:label {evil}@en ; "
        f"rdfs:comment {evil}@en .\n"
        f"<{BASE}ontology#Evil> a owl:Class ; rdfs:label {evil}@en ; rdfs:comment {evil}@en ; "
        f"rdfs:isDefinedBy <{BASE}ontology> .\n",
        encoding="utf-8",
    )
    (root / "data" / "evil.ttl").write_text(
        f"{prefixes}<{BASE}id/evil> a schema:Thing, <{BASE}ontology#Evil> ;\n"
        f"  schema:name {evil}@en ; schema:description {evil} ;\n"
        f"  schema:url <{EVIL_IRIS[0]}> ; schema:sameAs <{EVIL_IRIS[1]}> ;\n"
        f"  schema:knows <{BASE}id/other> .\n"
        f"<{BASE}id/other> schema:name {evil} ; schema:knows <{BASE}id/evil> .\n"
        # A (fictional) article whose text is hostile: its display title comes from it.
        f"<{BASE}id/evil-article> a schema:NewsArticle ; schema:articleBody {evil} ;\n"
        f"  schema:creativeWorkStatus {evil} ; schema:mentions <{BASE}id/evil-person> .\n"
        f"<{BASE}id/evil-person> a schema:Person ; schema:name {evil} .\n",
        encoding="utf-8",
    )
    (root / "shapes" / "evil.ttl").write_text(
        f"{prefixes}<{BASE}shapes#Evil> a sh:NodeShape ; sh:targetClass schema:Thing ;\n"
        f"  sh:name {evil} ;\n"
        f"  sh:property [ sh:path schema:url ; sh:maxCount 0 ; sh:severity sh:Warning ;\n"
        f"    sh:name {evil} ; sh:message {evil} ] .\n",
        encoding="utf-8",
    )
    (root / "queries" / "competency" / "evil.rq").write_text(
        f"# title: {XSS}\nSELECT * {{ ?s ?p {turtle_string(XSS)} }}\n", encoding="utf-8"
    )
    # A Warning, so the server starts (it refuses Violations) and the pages list it.
    settings = Settings(project_dir=root, cache_bytes=0, query_workers=1)
    with TestClient(create_app(settings)) as c:
        yield c


def assert_inert(page: str) -> None:
    """No injected element, handler or script link: the hostile text stayed text."""
    document = html5lib.parse(page, namespaceHTMLElements=False)
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), f"<{element.tag} {name}=...>"
            if name.lower().rsplit("}", 1)[-1] in ("href", "src", "action", "formaction"):
                link = value.strip().lower()
                assert not link.startswith(("javascript:", "vbscript:")), value
                # pyLODE's own icons are PNG data; script can hide in any other data: IRI.
                assert not link.startswith("data:") or link.startswith("data:image/png;"), value
        if element.tag == "script":
            assert (element.text or "").strip() != 'alert("xss")', "an injected <script>"
        assert (element.tag, element.get("src")) != ("img", "x"), "an injected <img>"
    assert "alert(" in page, "the hostile text must be shown, not dropped"


HTML_ACCEPT = {"accept": "text/html"}
EVIL_PAGES = [
    "/id/evil",
    "/id/evil?lang=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
    "/id/other",
    "/graph/evil",
    "/shapes",
    "/ontology",
    "/sparql",
    "/",
    "/id/evil-article",
    "/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D",
]


@pytest.mark.parametrize("path", EVIL_PAGES)
def test_hostile_text_is_escaped_on_every_page(evil_client: TestClient, path: str) -> None:
    response = evil_client.get(path, headers=HTML_ACCEPT)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    assert_inert(response.text)


def test_hostile_path_is_escaped_on_the_not_found_page(evil_client: TestClient) -> None:
    path = "/id/%3C/script%3E%3Cscript%3Ealert(%22xss%22)%3C/script%3E%22%3E%3Cimg%20src=x%3E"
    response = evil_client.get(path, headers=HTML_ACCEPT)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert_inert(response.text)


def test_hostile_upload_is_escaped_in_the_validation_report(evil_client: TestClient) -> None:
    evil = turtle_string(XSS)
    body = (
        f"<{BASE}id/x> a <https://schema.org/Thing> ; <https://schema.org/name> {evil} ;\n"
        f"  <https://schema.org/url> <{EVIL_IRIS[0]}> .\n"
    )
    response = evil_client.post(
        "/validate", content=body, headers={"content-type": "text/turtle", **HTML_ACCEPT}
    )
    assert response.status_code == 200
    assert_inert(response.text)
    assert f"{BASE}id/x" in response.text  # the focus node of the Warning


def test_script_iris_are_never_links(evil_client: TestClient) -> None:
    page = evil_client.get("/id/evil", headers=HTML_ACCEPT).text
    for iri in EVIL_IRIS:
        assert iri.replace("&", "&amp;") in page  # shown as text
    assert 'href="javascript:' not in page
    assert 'href="data:' not in page


# -- No request forgery: every way to name a URL or a file, every kind of target --------


@dataclass
class Probes:
    """Everything a forged request could reach: loopback listeners and local files.

    A FIFO stands for a file: opening it to read blocks until a writer comes,
    so a server that tried would still be waiting on it (``fifo_has_reader``)
    and its request would not have been answered.
    """

    v4: socket.socket
    v6: socket.socket | None
    fifo: Path
    secret: Path

    @property
    def port(self) -> int:
        port: int = self.v4.getsockname()[1]
        return port

    def targets(self) -> dict[str, str]:
        found = {
            "http-127.0.0.1": f"http://127.0.0.1:{self.port}/data.ttl",
            "https-127.0.0.1": f"https://127.0.0.1:{self.port}/data.ttl",
            "http-localhost": f"http://localhost:{self.port}/data.ttl",
            "file-fifo": self.fifo.as_uri(),
            "file-secret": self.secret.as_uri(),
        }
        if self.v6 is not None:
            found["http-[::1]"] = f"http://[::1]:{self.port}/data.ttl"
        return found

    def assert_untouched(self, answer: str) -> None:
        for sock in (self.v4, self.v6):
            if sock is not None:
                assert connections(sock) == 0, "a connection was made"
        assert not fifo_has_reader(self.fifo), "the file was opened"
        assert SECRET not in answer, "the file's content was sent"


SECRET = "kgpub-secret-7d1f3c"
WAIT_SECONDS = 10.0
TARGETS = (
    "http-127.0.0.1",
    "https-127.0.0.1",
    "http-localhost",
    "http-[::1]",
    "file-fifo",
    "file-secret",
)


def fifo_has_reader(fifo: Path) -> bool:
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno != errno.ENXIO:  # ENXIO: no process has it open for reading
            raise
        return False
    os.close(fd)  # the reader gets end-of-file and goes on
    return True


@pytest.fixture
def probes(tmp_path: Path) -> Iterator[Probes]:
    fifo = tmp_path / "data.ttl"
    os.mkfifo(fifo)
    secret = tmp_path / "secret.ttl"
    secret.write_text(f'<http://e/s> <http://e/p> "{SECRET}" .\n', encoding="utf-8")
    with socket.socket() as v4:
        v4.bind(("127.0.0.1", 0))
        v4.listen(8)
        v4.setblocking(False)
        v6: socket.socket | None = socket.socket(socket.AF_INET6)
        assert v6 is not None
        try:
            v6.bind(("::1", v4.getsockname()[1]))  # the same port, so "localhost" hits either
            v6.listen(8)
            v6.setblocking(False)
        except OSError:
            v6.close()
            v6 = None
        try:
            yield Probes(v4, v6, fifo, secret)
        finally:
            if v6 is not None:
                v6.close()


@dataclass(frozen=True)
class Vector:
    """One way a request can name a URL: how to send it and the exact answer."""

    name: str
    send: Callable[[TestClient, str], Response]
    status: int
    says: str


def _get(query: str, **params: str) -> Callable[[TestClient, str], Response]:
    def send(client: TestClient, iri: str) -> Response:
        values = {k.replace("_", "-"): v.format(iri=iri) for k, v in params.items()}
        return client.get("/sparql", params={"query": query.format(iri=iri), **values})

    return send


def _post(
    text: str, content_type: str, url: str = "/sparql"
) -> Callable[[TestClient, str], Response]:
    def send(client: TestClient, iri: str) -> Response:
        body = text.replace("{iri}", iri)
        return client.post(url, content=body.encode(), headers={"content-type": content_type})

    return send


def _form(**fields: str) -> Callable[[TestClient, str], Response]:
    def send(client: TestClient, iri: str) -> Response:
        return client.post("/sparql", data={k: v.replace("{iri}", iri) for k, v in fields.items()})

    return send


SPARQL_UPDATE = "application/sparql-update"
REFUSED_SERVICE = "federated queries (SERVICE) are not supported"
REMOTE_CONTEXT = "remote contexts are never fetched"
VECTORS = [
    Vector(
        "service-get", _get("SELECT * {{ SERVICE <{iri}> {{ ?s ?p ?o }} }}"), 400, REFUSED_SERVICE
    ),
    Vector(
        "service-silent-post",
        _post("SELECT * { SERVICE SILENT <{iri}> { ?s ?p ?o } }", "application/sparql-query"),
        400,
        REFUSED_SERVICE,
    ),
    Vector(
        "service-variable-form",
        _form(query="SELECT * { VALUES ?e { <{iri}> } SERVICE ?e { ?s ?p ?o } }"),
        400,
        REFUSED_SERVICE,
    ),
    Vector(
        "service-in-update",
        _post("INSERT { ?s ?p ?o } WHERE { SERVICE <{iri}> { ?s ?p ?o } }", SPARQL_UPDATE),
        403,
        "read-only",
    ),
    Vector("load", _post("LOAD <{iri}>", SPARQL_UPDATE), 403, "read-only"),
    Vector(
        "load-silent-form", _form(update="LOAD SILENT <{iri}> INTO GRAPH <urn:g>"), 403, "read-only"
    ),
    Vector("from", _get("SELECT * FROM <{iri}> {{ ?s ?p ?o }}"), 200, '"bindings":[]'),
    Vector(
        "from-named",
        _get("SELECT * FROM NAMED <{iri}> {{ GRAPH ?g {{ ?s ?p ?o }} }}"),
        200,
        '"bindings":[]',
    ),
    Vector(
        "default-graph-uri",
        _get("SELECT * {{ ?s ?p ?o }}", default_graph_uri="{iri}"),
        200,
        '"bindings":[]',
    ),
    Vector(
        "named-graph-uri",
        _get("SELECT * {{ GRAPH ?g {{ ?s ?p ?o }} }}", named_graph_uri="{iri}"),
        200,
        '"bindings":[]',
    ),
    Vector(
        "using-graph-uri",
        _post(
            "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", SPARQL_UPDATE, "/sparql?using-graph-uri={iri}"
        ),
        403,
        "read-only",
    ),
    Vector("describe", _get("DESCRIBE <{iri}>"), 200, ""),
    Vector(
        "jsonld-context",
        _post('{"@context": "{iri}", "@id": "http://e/s"}', "application/ld+json", "/validate"),
        400,
        REMOTE_CONTEXT,
    ),
    Vector(
        "jsonld-import",
        _post(
            '{"@context": {"@version": 1.1, "@import": "{iri}"}, "@id": "http://e/s"}',
            "application/ld+json",
            "/validate",
        ),
        400,
        REMOTE_CONTEXT,
    ),
    Vector(
        "jsonld-scoped-context",
        _post(
            '{"@context": {"p": {"@id": "http://e/p", "@context": "{iri}"}}, "p": {"q": 1}}',
            "application/ld+json",
            "/validate",
        ),
        400,
        REMOTE_CONTEXT,
    ),
    Vector(
        "rdfxml-dtd",
        _post(
            '<?xml version="1.0"?><!DOCTYPE rdf:RDF SYSTEM "{iri}"><rdf:RDF/>',
            "application/rdf+xml",
            "/validate",
        ),
        400,
        "DOCTYPE or ENTITY declaration is refused",
    ),
    Vector(
        "rdfxml-external-entity",
        _post(
            '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "{iri}">]>'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">&e;</rdf:RDF>',
            "application/rdf+xml",
            "/validate",
        ),
        400,
        "DOCTYPE or ENTITY declaration is refused",
    ),
]


def test_probes_see_a_reader_and_a_connection(probes: Probes) -> None:
    """The probes work: a process opening the file, or connecting, is seen."""
    opened = threading.Thread(target=probes.fifo.read_bytes, daemon=True)
    opened.start()
    for _ in range(500):  # until the reader blocks in open(), at most 5 s
        if fifo_has_reader(probes.fifo):
            break
        opened.join(0.01)
    else:
        pytest.fail("the reader was not seen")
    opened.join(WAIT_SECONDS)
    assert not opened.is_alive()
    family, host = (
        (socket.AF_INET6, "::1") if probes.v6 is not None else (socket.AF_INET, "127.0.0.1")
    )
    with socket.socket(family) as sock:
        sock.settimeout(WAIT_SECONDS)
        sock.connect((host, probes.port))
    with pytest.raises(AssertionError, match="a connection was made"):
        probes.assert_untouched("")


def test_vector_names_are_unique() -> None:
    assert len({v.name for v in VECTORS}) == len(VECTORS)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v.name)
def test_nothing_is_fetched(
    client: TestClient, probes: Probes, vector: Vector, target: str
) -> None:
    iri = probes.targets().get(target)
    if iri is None:
        pytest.skip("no IPv6 loopback on this machine")
    response = vector.send(client, iri)
    assert response.status_code == vector.status, response.text[:300]
    if vector.status >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        assert vector.says in response.json()["detail"]
    else:
        assert vector.says in response.text.replace(" ", "")
    probes.assert_untouched(response.text)


FILE_DOCUMENTS = {
    "jsonld-context.jsonld": '{{"@context": "{iri}", "@id": "http://e/s", "http://e/p": 1}}',
    "rdfxml-dtd.rdf": '<?xml version="1.0"?><!DOCTYPE rdf:RDF SYSTEM "{iri}"><rdf:RDF/>',
}


@pytest.mark.parametrize("command", ["load", "serve", "validate"])
@pytest.mark.parametrize("document", sorted(FILE_DOCUMENTS))
@pytest.mark.parametrize("target", ["http-127.0.0.1", "file-fifo"])
def test_operator_files_fetch_nothing(
    tmp_path: Path,
    probes: Probes,
    *,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    document: str,
    target: str,
) -> None:
    """``kgpub load``, ``serve FILES`` and ``validate FILES`` refuse such files (exit 2)."""
    path = tmp_path / document
    path.write_text(FILE_DOCUMENTS[document].format(iri=probes.targets()[target]), encoding="utf-8")
    write_project(tmp_path / "project")
    monkeypatch.setenv("KGPUB_PROJECT_DIR", str(tmp_path / "project"))
    argv = {
        "load": ["load", str(path), "--store", str(tmp_path / "store")],
        "serve": ["serve", "--port", "1", str(path)],
        "validate": ["validate", str(path)],
    }[command]
    assert cli.main(argv) == exit_codes.EXIT_UNREADABLE
    err = capsys.readouterr().err
    assert "remote contexts are never fetched" in err or "DOCTYPE or ENTITY" in err
    probes.assert_untouched(err)
