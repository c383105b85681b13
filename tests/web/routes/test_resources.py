"""Dereferencing every minted IRI: formats, headers, pages, 404, HEAD, languages."""

from __future__ import annotations

import html
import json
import re
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from rdflib import BNode, Dataset, Graph, URIRef

from kgpub.config import Settings
from kgpub.rdf.rdflib_bridge import to_rdflib
from kgpub.rdf.sources import default_sources, read_all
from kgpub.web.app import create_app
from kgpub.web.routes import resources
from tests.paths import REPO
from tests.sparql_fixtures import EX
from tests.writes_fixtures import AUTH, PLACES, SCHEMA, writable_project

BASE = "https://kgpub.example/"
RDF_FORMATS = {
    "ttl": ("text/turtle", "turtle"),
    "jsonld": ("application/ld+json", "json-ld"),
    "rdf": ("application/rdf+xml", "xml"),
    "nt": ("application/n-triples", "nt"),
    "nq": ("application/n-quads", "nquads"),
}
_QUADS = read_all(default_sources(Settings()))
_SUBJECTS = sorted(
    {q.subject.value for q in _QUADS if isinstance(q.subject, ox.NamedNode)}
    & {q.subject.value for q in _QUADS if q.subject.value.startswith(BASE)}  # type: ignore[union-attr]
)


def _path(iri: str) -> str:
    return "/" + iri[len(BASE) :].partition("#")[0]


def _parse(data: bytes, rdflib_format: str) -> Graph:
    """A response body as one graph (N-Quads and JSON-LD via a Dataset, merged).

    rdflib 7.6's own quad and JSON-LD parsers use its deprecated
    ConjunctiveGraph internally; that warning is rdflib's, not ours.
    """
    if rdflib_format not in ("nquads", "json-ld"):
        return Graph().parse(data=data, format=rdflib_format)
    dataset = Dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset.parse(data=data, format=rdflib_format)
    merged = Graph()
    for s, p, o, _ in dataset.quads():
        merged.add((s, p, o))
    return merged


def _own_triples(iri: str) -> Graph:
    return to_rdflib(q for q in _QUADS if q.subject == ox.NamedNode(iri))


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(validate_on_start=False))) as c:
        yield c


@pytest.fixture(scope="module")
def parsed_answers(client: TestClient) -> dict[tuple[str, str], Graph]:
    """Answers parsed once per document and format (hash IRIs share their document's)."""
    return {}


def test_every_minted_iri_is_collected() -> None:
    assert f"{BASE}id/elon-musk" in _SUBJECTS
    assert f"{BASE}ontology#ReportedClaim" in _SUBJECTS
    assert f"{BASE}ontology" in _SUBJECTS


def _assert_describedby(response: Response, document: str) -> None:
    """The dereferencing policy (docs/linked-data.md): 200, the describing document
    named by ``Content-Location`` and ``Link: rel="describedby"``."""
    assert response.status_code == 200
    location = response.headers["content-location"]
    assert location.split("&lang=")[0] == document
    assert response.headers["link"].startswith(f'<{location}>; rel="describedby", ')


@pytest.mark.slow
@pytest.mark.parametrize("iri", _SUBJECTS)
def test_every_iri_dereferences_in_every_format(
    client: TestClient, parsed_answers: dict[tuple[str, str], Graph], iri: str
) -> None:
    own = _own_triples(iri)
    assert len(own) > 0
    for name, (media_type, rdflib_format) in RDF_FORMATS.items():
        key = (_path(iri), name)
        if key not in parsed_answers:
            response = client.get(_path(iri), headers={"Accept": media_type})
            assert response.status_code == 200, (iri, name)
            assert response.headers["content-type"].split(";")[0] == media_type
            _assert_describedby(response, f"{_path(iri)}?format={name}")
            parsed_answers[key] = _parse(response.content, rdflib_format)
        parsed = parsed_answers[key]
        for s, p, o in own:
            if isinstance(o, BNode):
                assert any(isinstance(x, BNode) for x in parsed.objects(s, p)), (iri, name, p)
            else:
                assert (s, p, o) in parsed, (iri, name, s, p, o)


@pytest.mark.slow
@pytest.mark.parametrize("iri", _SUBJECTS)
def test_every_iri_has_a_page_with_its_label(client: TestClient, iri: str) -> None:
    response = client.get(_path(iri), headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    _assert_describedby(response, f"{_path(iri)}?format=html")
    own = _own_triples(iri)
    names = [
        str(o)
        for p in (
            URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
            URIRef("https://schema.org/name"),
        )
        for o in own.objects(URIRef(iri), p)
    ]
    text = html.unescape(response.text)
    assert (not names and iri in text) or any(n in text for n in names)


def test_format_parameter_overrides_accept(client: TestClient) -> None:
    response = client.get("/id/elon-musk?format=nt", headers={"Accept": "text/html"})
    assert response.headers["content-type"] == "application/n-triples"


def test_headers_name_the_representation_and_its_alternates(client: TestClient) -> None:
    response = client.get("/id/elon-musk", headers={"Accept": "text/turtle"})
    assert response.headers["vary"].startswith("Accept, Accept-Language")
    assert response.headers["content-location"] == "/id/elon-musk?format=ttl"
    links = response.headers["link"]
    for media_type in (
        "application/ld+json",
        "application/rdf+xml",
        "application/n-triples",
        "application/n-quads",
        "text/html",
    ):
        assert f'rel="alternate"; type="{media_type}"' in links
    assert "</id/elon-musk?format=jsonld>" in links


def test_curl_default_gets_turtle_and_browsers_get_html(client: TestClient) -> None:
    assert (
        client.get("/id/elon-musk", headers={"Accept": "*/*"})
        .headers["content-type"]
        .startswith("text/turtle")
    )
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert (
        client.get("/id/elon-musk", headers={"Accept": browser})
        .headers["content-type"]
        .startswith("text/html")
    )


def test_head_has_headers_and_no_body(client: TestClient) -> None:
    get = client.get("/id/elon-musk", headers={"Accept": "text/turtle"})
    head = client.head("/id/elon-musk", headers={"Accept": "text/turtle"})
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(get.content))
    assert head.headers["content-location"] == get.headers["content-location"]


def test_unknown_iri_is_404_page_for_browsers_and_problem_for_machines(client: TestClient) -> None:
    page = client.get("/id/no-such-thing", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "https://kgpub.example/id/no-such-thing" in page.text
    problem = client.get("/id/no-such-thing", headers={"Accept": "text/turtle"})
    assert problem.status_code == 404
    assert problem.headers["content-type"] == "application/problem+json"
    assert client.get("/graph/nope").status_code == 404


def test_unacceptable_format_is_406(client: TestClient) -> None:
    assert client.get("/id/elon-musk", headers={"Accept": "image/png"}).status_code == 406


def test_description_carries_labels_of_linked_resources(client: TestClient) -> None:
    body = client.get("/id/claim-musk-joined-call?format=nt").text
    assert '<https://kgpub.example/id/cnn> <https://schema.org/name> "CNN"' in body


def test_nquads_keep_the_named_graph(client: TestClient) -> None:
    body = client.get("/id/claim-musk-joined-call?format=nq").text
    assert "<https://kgpub.example/graph/article> ." in body


def test_hash_terms_and_version_iri_answer_with_the_document(client: TestClient) -> None:
    current = Graph().parse(data=client.get("/ontology?format=ttl").content, format="turtle")
    version = Graph().parse(data=client.get("/ontology/0.1.0?format=ttl").content, format="turtle")
    assert len(current) == len(version) > 100
    page = client.get("/ontology", headers={"Accept": "text/html"}).text
    assert 'id="ReportedClaim"' in page


def test_named_graph_iri_answers_with_its_contents(client: TestClient) -> None:
    body = client.get("/graph/background?format=nq").text
    assert body.strip()
    assert all(
        line.endswith("<https://kgpub.example/graph/background> .") for line in body.splitlines()
    )
    page = client.get("/graph/background", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert 'href="/id/' in page.text


def test_base_iri_is_independent_of_host(client: TestClient) -> None:
    response = client.get("http://other-host:9999/id/elon-musk?format=nt")
    assert "<https://kgpub.example/id/elon-musk>" in response.text


def test_accept_language_and_lang_parameter_choose_the_labels(client: TestClient) -> None:
    german = client.get(
        "/id/russia", headers={"Accept": "text/html", "Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
    )
    assert german.headers["content-language"] == "de"
    assert '<html lang="de">' in german.text
    english = client.get(
        "/id/russia?lang=en", headers={"Accept": "text/html", "Accept-Language": "de"}
    )
    assert english.headers["content-language"] == "en"
    assert re.search(r'<a href="\?lang=de"', english.text)


def test_page_embeds_its_description_as_jsonld(client: TestClient) -> None:
    page = client.get("/id/elon-musk", headers={"Accept": "text/html"}).text
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert match is not None
    graph = _parse(match.group(1).encode(), "json-ld")
    assert (URIRef(f"{BASE}id/elon-musk"), None, None) in graph


def test_context_document_is_the_repository_file(client: TestClient) -> None:
    served = client.get("/context.jsonld")
    assert served.headers["content-type"] == "application/ld+json"
    shipped = REPO / "server/kgpub/jsonld/context.jsonld"
    assert served.json() == json.loads(shipped.read_text())


def test_jsonld_uses_the_published_context(client: TestClient) -> None:
    doc = client.get("/id/claim-musk-joined-call?format=jsonld").json()
    assert doc["@context"] == client.get("/context.jsonld").json()["@context"]
    nodes = doc.get("@graph", [doc])
    claim = next(n for n in nodes if n.get("id") == "kg:claim-musk-joined-call")
    assert claim["author"] == "kg:source-call"
    assert claim["text"]["en"].startswith("Elon Musk took part")


BROWSER = {"Accept": "text/html", "Accept-Language": "de"}


def test_a_page_served_twice_has_one_strong_etag_and_is_rendered_once(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = client.get("/id/elon-musk", headers=BROWSER)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)  # strong: no W/
    turtle = client.get("/id/elon-musk", headers={"Accept": "text/turtle"})
    assert turtle.headers["etag"] != etag
    renders: list[str] = []

    def counted(name: str) -> Callable[..., None]:
        return lambda *_args, **_kwargs: renders.append(name)

    monkeypatch.setattr(resources, "_page", counted("page"))
    monkeypatch.setattr(resources, "describe", counted("describe"))
    again = client.get("/id/elon-musk", headers=BROWSER)
    assert again.status_code == 200
    assert again.headers["etag"] == etag
    assert again.content == first.content
    assert again.headers["content-language"] == first.headers["content-language"] == "de"
    assert renders == []  # from the cache: neither described nor rendered again


def test_if_none_match_with_the_etag_gets_304(client: TestClient) -> None:
    page = client.get("/id/elon-musk", headers=BROWSER)
    etag = page.headers["etag"]
    for held in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        not_modified = client.get("/id/elon-musk", headers={**BROWSER, "If-None-Match": held})
        assert not_modified.status_code == 304
        assert not_modified.content == b""
        assert not_modified.headers["etag"] == etag
        assert not_modified.headers["vary"] == page.headers["vary"]
        assert not_modified.headers["content-location"] == page.headers["content-location"]
    head = client.head("/id/elon-musk", headers={**BROWSER, "If-None-Match": etag})
    assert head.status_code == 304
    changed = client.get("/id/elon-musk", headers={**BROWSER, "If-None-Match": '"other"'})
    assert changed.status_code == 200
    assert changed.content == page.content
    english = client.get(
        "/id/elon-musk", headers={**BROWSER, "Accept-Language": "en", "If-None-Match": etag}
    )
    assert english.status_code == 200  # another representation, another ETag
    assert english.headers["etag"] != etag


def test_a_write_gives_the_page_a_new_etag(tmp_path: Path) -> None:
    settings = writable_project(tmp_path)
    with TestClient(create_app(settings)) as writable:
        before = writable.get("/graph/places", headers=BROWSER)
        assert before.status_code == 200
        assert "Odesa" not in before.text
        assert (
            writable.get("/graph/places", headers=BROWSER).headers["etag"] == before.headers["etag"]
        )
        put = writable.post(
            "/graph-store",
            params={"graph": PLACES},
            content=f'<{EX}odesa> a <{SCHEMA}City> ; <{SCHEMA}name> "Odesa"@en .\n',
            headers={**AUTH, "content-type": "text/turtle"},
        )
        assert put.status_code == 204
        after = writable.get(
            "/graph/places", headers={**BROWSER, "If-None-Match": before.headers["etag"]}
        )
        assert after.status_code == 200
        assert "Odesa" in after.text
        assert after.headers["etag"] != before.headers["etag"]
        assert (
            writable.get(
                "/graph/places", headers={**BROWSER, "If-None-Match": after.headers["etag"]}
            ).status_code
            == 304
        )
