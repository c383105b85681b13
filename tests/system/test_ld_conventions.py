"""The Linked Data conventions a crawler checks, over real HTTP against ``kgpub serve``.

One server (the shipped data, writes on with a test token) is started as an
operator starts it, and asked what issue 16's curl checklist asked: validators,
``304`` for ``If-None-Match`` and ``If-Modified-Since``, CORS exposing the
headers Linked Data clients read, the dereferencing policy (200 with
``Content-Location`` and ``rel="describedby"``) in every format, robots.txt
and the sitemap, VoID's counts, spaces, dumps, partitions, lookup and alternate
links, the service description with writes on, ``multipart/form-data`` on the
Graph Store and JSON-LD a 1.0 reader accepts. Each item is its own test case.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from pyld import jsonld

from tests.sparql_fixtures import free_port

pytestmark = pytest.mark.slow

TOKEN = "t0ken-for-ld-conventions-0123456789"
BASE = "https://kgpub.example/"
VOID = "http://rdfs.org/ns/void#"
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = ("ttl", "jsonld", "rdf", "nt", "nq", "trig", "html")
MEDIA = {
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "nt": "application/n-triples",
    "nq": "application/n-quads",
    "trig": "application/trig",
    "html": "text/html",
}
# Every kind of document served at a fixed address, each with validators and 304.
DOCUMENTS = (
    "/id/elon-musk",
    "/id/elon-musk?format=html",
    "/id/article?format=jsonld",
    "/graph/article?format=nt",
    "/ontology",
    "/ontology?format=html",
    "/shapes",
    "/.well-known/void",
    "/.well-known/void?format=jsonld",
    "/graph/article/rdf12",
    f"/graph-store?graph={BASE}graph/background",
    "/context.jsonld",
    "/sparql?format=ttl",
    "/robots.txt",
    "/sitemap.xml",
    # The pages for people: home, query editor, results table, search, VoID.
    "/?format=html",
    "/sparql?format=html",
    "/sparql?query=SELECT%20%2A%20WHERE%20%7B%20%3Fs%20a%20%3Fo%20%7D%20LIMIT%205&format=html",
    "/search?q=Starlink&format=html",
    "/search?format=html",
    "/.well-known/void?format=html",
)
# A browser's request headers, and what each page's answer depends on (``Vary``).
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8", "Accept-Language": "de-DE,de"}
PAGES = {
    "/": {"accept", "accept-language"},
    "/sparql": {"accept"},
    "/sparql?query=ASK%20%7B%7D": {"accept", "accept-language"},
    "/search?q=Starlink": {"accept", "accept-language"},
    "/.well-known/void": {"accept", "accept-language"},
    "/id/elon-musk": {"accept", "accept-language"},
}
RESOURCES = ("/id/elon-musk", "/id/article", "/id/source-call", "/graph/background")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``kgpub serve`` on the shipped data, writes on; yields its root URL."""
    port = free_port()
    scratch = Path(tempfile.mkdtemp(prefix="kgpub-ld"))
    log_path = tmp_path_factory.mktemp("ld") / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KGPUB_")}
    env.update(
        TMPDIR=str(scratch),
        KGPUB_WRITES_ENABLED="true",
        KGPUB_WRITE_TOKEN=TOKEN,
        KGPUB_QUERY_WORKERS="1",
    )
    with log_path.open("w+b") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "kgpub", "serve", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(process, url, log_path)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)
    for leftover in scratch.iterdir():
        leftover.unlink()
    scratch.rmdir()


def _wait_until_up(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"kgpub serve exited: {log.read_text(encoding='utf-8')}")
        try:
            if httpx.get(url + "/robots.txt", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail("kgpub serve did not answer within 120 s")


@pytest.fixture(scope="module")
def http(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=60) as client:
        yield client


def _select(http: httpx.Client, query: str) -> list[dict[str, str]]:
    response = http.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    return [{k: v["value"] for k, v in row.items()} for row in rows]


def _links(response: httpx.Response) -> dict[str, list[str]]:
    """``Link`` targets by relation."""
    out: dict[str, list[str]] = {}
    for link in response.headers.get("link", "").split(", <"):
        target, _, params = link.partition(">")
        rel = params.split('rel="', 1)[1].split('"', 1)[0] if 'rel="' in params else ""
        out.setdefault(rel, []).append(target.lstrip("<"))
    return out


# -- validators and 304 on every document -------------------------------------------


@pytest.mark.parametrize("path", DOCUMENTS)
def test_validators_on_every_document(http: httpx.Client, path: str) -> None:
    response = http.get(path)
    assert response.status_code == 200, response.text
    etag = response.headers["etag"]
    assert etag.startswith('"')
    assert not etag.startswith("W/")
    assert parsedate_to_datetime(response.headers["last-modified"]).tzinfo is not None
    assert "max-age=" in response.headers["cache-control"]
    head = http.head(path)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == etag
    assert int(head.headers["content-length"]) == len(response.content)


@pytest.mark.parametrize("path", DOCUMENTS)
def test_if_none_match_is_304(http: httpx.Client, path: str) -> None:
    first = http.get(path)
    again = http.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["last-modified"] == first.headers["last-modified"]
    other = http.get(path, headers={"If-None-Match": '"not-this-one"'})
    assert other.status_code == 200


@pytest.mark.parametrize("path", DOCUMENTS)
def test_if_modified_since_is_304_unless_older(http: httpx.Client, path: str) -> None:
    first = http.get(path)
    modified = first.headers["last-modified"]
    assert http.get(path, headers={"If-Modified-Since": modified}).status_code == 304
    earlier = parsedate_to_datetime(modified) - timedelta(days=1)
    older = format_datetime(earlier, usegmt=True)
    assert http.get(path, headers={"If-Modified-Since": older}).status_code == 200
    # If-None-Match decides when both are sent (RFC 9110 13.2.2).
    both = {"If-None-Match": '"stale"', "If-Modified-Since": modified}
    assert http.get(path, headers=both).status_code == 200


@pytest.mark.parametrize("path", PAGES)
def test_pages_for_browsers_vary_on_what_chose_them_and_answer_304(
    http: httpx.Client, path: str
) -> None:
    page = http.get(path, headers=BROWSER)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    vary = {name.strip().lower() for name in page.headers["vary"].split(",")}
    assert PAGES[path] <= vary
    assert "max-age=" in page.headers["cache-control"]
    again = http.get(path, headers={**BROWSER, "If-None-Match": page.headers["etag"]})
    assert again.status_code == 304
    since = {**BROWSER, "If-Modified-Since": page.headers["last-modified"]}
    assert http.get(path, headers=since).status_code == 304
    if "accept-language" in PAGES[path]:
        english = http.get(path, headers={**BROWSER, "Accept-Language": "en"})
        assert english.headers["content-language"] == "en"
        assert english.headers["etag"] != page.headers["etag"]


# -- CORS ------------------------------------------------------------------------------


def test_cors_exposes_what_linked_data_clients_read(http: httpx.Client) -> None:
    response = http.get("/id/elon-musk", headers={"Origin": "https://reader.example"})
    exposed = {
        h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")
    }
    assert {"link", "content-location", "etag", "location", "last-modified"} <= exposed
    preflight = http.options(
        "/id/elon-musk",
        headers={
            "Origin": "https://reader.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert preflight.status_code == 200
    assert "if-none-match" in preflight.headers["access-control-allow-headers"].lower()


# -- dereferencing policy: 200, Content-Location, describedby -----------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("path", RESOURCES)
def test_every_resource_answer_names_its_describing_document(
    http: httpx.Client, path: str, fmt: str
) -> None:
    response = http.get(path, headers={"Accept": MEDIA[fmt]}, follow_redirects=False)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(MEDIA[fmt])
    location = response.headers["content-location"]
    assert location.split("&")[0] == f"{path}?format={fmt}"
    links = _links(response)
    assert links["describedby"] == [location]
    assert {t.split("?format=")[1] for t in links["alternate"]} == set(FORMATS) - {fmt}
    head = http.head(path, headers={"Accept": MEDIA[fmt]})
    assert head.headers["content-location"] == location
    assert head.headers["link"]


def test_a_304_keeps_the_describedby_link(http: httpx.Client) -> None:
    first = http.get("/id/elon-musk")
    again = http.get("/id/elon-musk", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert _links(again)["describedby"] == [first.headers["content-location"]]


# -- robots.txt and the sitemap --------------------------------------------------------


def test_robots_txt_names_the_sitemap(http: httpx.Client, server: str) -> None:
    response = http.get("/robots.txt")
    assert response.headers["content-type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {server}/sitemap.xml" in lines
    assert "Disallow: /sparql?" in lines


def _sitemap(http: httpx.Client) -> dict[str, str]:
    response = http.get("/sitemap.xml")
    assert response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    return {
        url.findtext("sm:loc", namespaces=ns) or "": url.findtext("sm:lastmod", namespaces=ns) or ""
        for url in root.findall("sm:url", ns)
    }


def test_sitemap_lists_every_article_and_named_entity(http: httpx.Client, server: str) -> None:
    urls = _sitemap(http)
    articles = _select(
        http,
        "SELECT DISTINCT ?a WHERE { ?a a <https://schema.org/NewsArticle> "
        f'FILTER(STRSTARTS(STR(?a), "{BASE}id/")) }}',
    )
    assert len(articles) >= 3
    for row in articles:
        assert server + "/" + row["a"].removeprefix(BASE) in urls
    named = _select(
        http,
        "SELECT DISTINCT ?s WHERE { ?s <https://schema.org/name> ?n "
        f'FILTER(STRSTARTS(STR(?s), "{BASE}id/")) }}',
    )
    assert {server + "/" + r["s"].removeprefix(BASE) for r in named} <= set(urls)
    assert not any("/id/anchor-" in url for url in urls)


def test_sitemap_lastmod_is_when_the_data_changed_and_every_page_answers(
    http: httpx.Client, server: str
) -> None:
    urls = _sitemap(http)
    modified = parsedate_to_datetime(http.get("/sitemap.xml").headers["last-modified"])
    assert set(urls.values()) == {modified.date().isoformat()}
    feeds = [url for url in urls if url.startswith(server + "/feed")]
    # The Atom feeds of articles with revisions (issue 17): the site's and the story's.
    assert feeds == [server + "/feed", server + "/feed/id/article"]
    for url in urls:
        feed = url in feeds
        assert feed or url.startswith(server + "/id/")
        accept = "application/atom+xml" if feed else "text/turtle"
        answer = http.head(url.removeprefix(server), headers={"Accept": accept})
        assert answer.status_code == 200, url


# -- VoID ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def void(http: httpx.Client) -> ox.Store:
    store = ox.Store()
    response = http.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    store.load(response.content, format=ox.RdfFormat.N_TRIPLES)
    return store


def _objects(void: ox.Store, subject: str | None, predicate: str) -> list[str]:
    node = None if subject is None else ox.NamedNode(subject)
    return [
        q.object.value
        for q in void.quads_for_pattern(node, ox.NamedNode(predicate), None)
        if not isinstance(q.object, ox.Triple)
    ]


DATASET = BASE + ".well-known/void#dataset"


def test_void_sends_alternate_links(http: httpx.Client) -> None:
    response = http.get("/.well-known/void", headers={"Accept": "text/turtle"})
    alternates = _links(response)["alternate"]
    # Every other representation, the page for people (text/html) among them.
    others = {"jsonld", "rdf", "nt", "nq", "trig", "html"}
    assert {t.split("?format=")[1] for t in alternates} == others


def test_void_uri_space_holds_every_minted_subject(http: httpx.Client, void: ox.Store) -> None:
    spaces = _objects(void, None, VOID + "uriSpace")
    minted = _select(
        http,
        f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{BASE}")) }}',
    )
    outside = [r["s"] for r in minted if not any(r["s"].startswith(s) for s in spaces)]
    assert outside == []


def test_void_entities_agree_between_dataset_and_subsets(
    http: httpx.Client, void: ox.Store
) -> None:
    parent = int(_objects(void, DATASET, VOID + "entities")[0])
    subsets = _objects(void, DATASET, VOID + "subset")
    counts = []
    for subset in subsets:
        if _objects(void, subset, SD + "name"):
            counts.append(int(_objects(void, subset, VOID + "entities")[0]))
    assert max(counts) <= parent <= sum(counts)
    rows = _select(
        http,
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{BASE}")) }}',
    )
    assert parent == int(rows[0]["n"])


def test_void_dumps_partitions_lookup_and_modified(
    http: httpx.Client, void: ox.Store, server: str
) -> None:
    dumps = _objects(void, DATASET, VOID + "dataDump")
    assert dumps
    assert all(d.startswith(server + "/graph-store?graph=") for d in dumps)
    assert http.get(dumps[0]).status_code == 200
    assert _objects(void, DATASET, VOID + "classPartition")
    assert _objects(void, DATASET, VOID + "propertyPartition")
    lookup = _objects(void, DATASET, VOID + "uriLookupEndpoint")[0]
    found = http.get(lookup + BASE + "id/elon-musk", follow_redirects=False)
    assert found.status_code == 303
    assert found.headers["location"] == "/id/elon-musk"
    assert _objects(void, DATASET, "http://purl.org/dc/terms/modified")
    assert _objects(void, DATASET, VOID + "rootResource") == [BASE + "id/article"]


# -- JSON-LD that a 1.0 reader accepts ---------------------------------------------


@pytest.mark.parametrize("path", ["/id/elon-musk", "/id/article", "/.well-known/void"])
def test_json_ld_reads_in_json_ld_1_0_mode(http: httpx.Client, path: str) -> None:
    document = http.get(path, headers={"Accept": "application/ld+json"}).json()
    assert "@version" not in json.dumps(document)
    options = {"processingMode": "json-ld-1.0", "format": "application/n-quads"}
    nquads = jsonld.to_rdf(document, options)
    read = {q.triple for q in ox.parse(nquads.encode(), format=ox.RdfFormat.N_QUADS)}
    turtle = http.get(path, headers={"Accept": "application/n-triples"}).content
    expected = {q.triple for q in ox.parse(turtle, format=ox.RdfFormat.N_TRIPLES)}
    assert len(read) == len(expected)
    assert {t for t in read if not isinstance(t.subject, ox.BlankNode)} == {
        t for t in expected if not isinstance(t.subject, ox.BlankNode)
    }


JENA = Path(os.environ.get("KGPUB_JENA_DIR", Path.home() / ".cache" / "kgpub" / "jena"))


@pytest.mark.external
def test_jena_reads_the_json_ld_as_json_ld_1_0(http: httpx.Client, tmp_path: Path) -> None:
    """Jena RIOT's JSON-LD 1.0 reader (jsonld-java) refuses ``"@version": 1.1``."""
    if shutil.which("java") is None or not (JENA / "classpath.txt").is_file():
        pytest.skip("Jena is not set up: run scripts/setup-jena")
    overlay = JENA / "jena-debian-xerces-resources.jar"
    classpath = f"{overlay}:{(JENA / 'classpath.txt').read_text(encoding='utf-8').strip()}"
    for path in ("/id/elon-musk", "/id/article"):
        document = tmp_path / "answer.jsonld"
        document.write_bytes(http.get(path, headers={"Accept": "application/ld+json"}).content)
        riot = subprocess.run(
            ["java", "-cp", classpath, "riotcmd.riot", "--syntax=JSONLD10", str(document)],
            capture_output=True,
            check=False,
            timeout=120,
        )
        assert riot.returncode == 0, riot.stderr.decode()
        assert b"ERROR" not in riot.stderr, riot.stderr.decode()
        read = list(ox.parse(riot.stdout, format=ox.RdfFormat.N_TRIPLES))
        expected = http.get(path, headers={"Accept": "application/n-triples"}).content
        assert len(read) == len(list(ox.parse(expected, format=ox.RdfFormat.N_TRIPLES)))


# -- the service description with writes on -------------------------------------------


def test_service_description_is_truthful_with_writes_on(http: httpx.Client) -> None:
    store = ox.Store()
    response = http.get("/sparql", headers={"Accept": "application/n-triples"})
    store.load(response.content, format=ox.RdfFormat.N_TRIPLES)
    languages = _objects(store, None, SD + "supportedLanguage")
    assert set(languages) == {SD + "SPARQL11Query", SD + "SPARQL11Update"}
    inputs = set(_objects(store, None, SD + "inputFormat"))
    assert {
        "http://www.w3.org/ns/formats/Turtle",
        "http://www.w3.org/ns/formats/N-Triples",
        "http://www.w3.org/ns/formats/JSON-LD",
        "http://www.w3.org/ns/formats/RDF_XML",
    } == inputs


# -- multipart/form-data on the Graph Store (last: it writes) ------------------------

AUTH = {"Authorization": f"Bearer {TOKEN}"}
TEST_GRAPH = BASE + "graph/ld-conventions-test"
TURTLE_PART = (
    "@prefix schema: <https://schema.org/> .\n"
    "<https://example.org/fictional/a> schema:description "
    '"A fictional test resource, not part of the story."@en .\n'
)
NT_PART = (
    "<https://example.org/fictional/b> <https://schema.org/description> "
    '"Another fictional test resource."@en .\n'
)


def test_multipart_post_merges_every_part_and_changes_validators(http: httpx.Client) -> None:
    before = http.get("/.well-known/void", headers={"Accept": "text/turtle"})
    time.sleep(1.1)  # Last-Modified has one-second resolution
    files = [
        ("first", ("a.ttl", TURTLE_PART, "text/turtle")),
        ("second", ("b.nt", NT_PART, "application/n-triples")),
    ]
    response = http.post("/graph-store", params={"graph": TEST_GRAPH}, files=files, headers=AUTH)
    assert response.status_code == 201, response.text
    graph = http.get("/graph-store", params={"graph": TEST_GRAPH, "format": "nt"})
    subjects = {t.subject.value for t in ox.parse(graph.content, format=ox.RdfFormat.N_TRIPLES)}
    assert subjects == {"https://example.org/fictional/a", "https://example.org/fictional/b"}
    after = http.get(
        "/.well-known/void",
        headers={"Accept": "text/turtle", "If-None-Match": before.headers["etag"]},
    )
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert parsedate_to_datetime(after.headers["last-modified"]) > parsedate_to_datetime(
        before.headers["last-modified"]
    )


def test_multipart_bad_parts_are_415_or_400_and_a_violation_422(http: httpx.Client) -> None:
    params = {"graph": TEST_GRAPH}
    wrong = [("x", ("a.txt", "hello", "text/plain"))]
    response = http.post("/graph-store", params=params, files=wrong, headers=AUTH)
    assert response.status_code == 415
    assert "part 1" in response.json()["detail"]
    broken = [("x", ("a.ttl", "<a> <b> .", "text/turtle"))]
    response = http.post("/graph-store", params=params, files=broken, headers=AUTH)
    assert response.status_code == 400
    assert "part 1" in response.json()["detail"]
    framing = {"Content-Type": "multipart/form-data; boundary=xyz", **AUTH}
    response = http.post("/graph-store", params=params, content=b"no parts here", headers=framing)
    assert response.status_code == 400
    violation = (
        f"<https://example.org/fictional/c> <https://schema.org/about> <{BASE}id/source-call> .\n"
    )
    parts = [
        ("ok", ("a.ttl", TURTLE_PART, "text/turtle")),
        ("bad", ("c.nt", violation, "application/n-triples")),
    ]
    response = http.post("/graph-store", params=params, files=parts, headers=AUTH)
    assert response.status_code == 422
