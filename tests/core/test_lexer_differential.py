"""The guards' view of a query agrees with what pyoxigraph parses and runs.

Hypothesis builds queries and updates whose structure is known (how deeply
they nest, whether a SERVICE or LOAD is real or only inside a comment, a
string or an IRI) and pads them with every construct that can hide or reveal
a keyword: comments ended by LF, CR or CR LF, short and long strings with
escapes and line ends, IRIs with ``#`` and escapes, prefixed names with
``\\#`` escapes, keywords glued to a prefixed name. For each one it checks:

- ``kgpub.lexer`` sees exactly the generated structure (keywords, depth);
- pyoxigraph parses it, and fetches from the loopback listener exactly when
  the SERVICE or LOAD is real, so the engine agrees with the structure too;
- the endpoint refuses a real SERVICE over GET, form POST and direct POST
  (400, nothing fetched) and answers the others.

A third test throws unstructured soup at both: whenever pyoxigraph fetches,
the guards must have seen SERVICE. The example counts are bounded for CI.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kgpub.errors import QueryRefusedError
from kgpub.ingest.update_text import refuse_fetching
from kgpub.lexer import lex
from kgpub.sparql.protocol import check_allowed
from tests.sparql_fixtures import EX, app_for, write_project

pytestmark = pytest.mark.fuzz

LINE_ENDS = ["\n", "\r", "\r\n"]
HIDDEN_TEXT = st.sampled_from(
    ["SERVICE", "LOAD", "{", "}", "(", '"', "'", "<", ">", "\\", "#", " ", "x", ":", "FROM"]
)


@dataclass
class Counter:
    """A loopback listener that accepts, counts and closes every connection."""

    url: str
    sock: socket.socket
    count: int = 0

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.count += 1
            conn.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Counter]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    counter = Counter(f"http://127.0.0.1:{sock.getsockname()[1]}/", sock)
    thread = threading.Thread(target=counter.serve, daemon=True)
    thread.start()
    yield counter
    sock.close()


def fetches(listener: Counter, run: object) -> bool:
    """Whether running ``run()`` connected to the listener; engine errors are fine."""
    before = listener.count
    # The listener hangs up, so pyoxigraph reports a failed request; soup is mostly
    # not SPARQL at all.
    with contextlib.suppress(OSError, RuntimeError, SyntaxError):
        run()  # type: ignore[operator]
    return listener.count > before


@st.composite
def padding(draw: st.DrawFn) -> str:
    """Whitespace and comments, each comment ended by one of the grammar's line ends."""
    parts = []
    for _ in range(draw(st.integers(0, 3))):
        if draw(st.booleans()):
            parts.append(draw(st.sampled_from([" ", "\t", "\r", "\n", "\r\n"])))
        else:
            text = "".join(draw(st.lists(HIDDEN_TEXT, max_size=6)))
            parts.append("#" + text + draw(st.sampled_from(LINE_ENDS)))
    return " " + "".join(parts) + " "


@st.composite
def hiding_term(draw: st.DrawFn) -> str:
    """A term that holds keyword-like text without being code: string, IRI or name."""
    text = "".join(draw(st.lists(HIDDEN_TEXT, max_size=6)))
    short = text.replace("\\", "\\\\").replace('"', '\\"')
    long_text = text.replace("\\", "\\\\").replace('"', "'")
    iri_text = "".join(c for c in text if c not in ' {}"<>\\')
    return draw(
        st.sampled_from(
            [
                f'"{short}"',
                f"'{short.replace(chr(39), chr(92) + chr(39))}'",
                f'"""{long_text}\r\n{long_text}"""',
                f"<{EX}{iri_text.replace('#', '%23')}#SERVICE>",
                "ex:SERVICE",
                "ex:a\\#SERVICE",
                "ex:LOAD\\#x",
            ]
        )
    )


@st.composite
def structured_query(draw: st.DrawFn, service_url: str) -> tuple[str, bool, int]:
    """A SELECT with known nesting and a real or hidden SERVICE: (text, real, depth)."""
    depth = draw(st.integers(1, 6))
    real = draw(st.booleans())
    glued = draw(st.booleans())
    service = "SERVICE:sparql { ?s ?p ?o }" if glued else f"SERVICE <{service_url}> {{ ?s ?p ?o }}"
    inner = service if real else "?s ?p ?o"
    hidden = "#" + service + draw(st.sampled_from(LINE_ENDS))
    where = draw(st.integers(1, depth))
    body = ""
    for level in range(depth, 0, -1):
        filter_ = f"FILTER(?o != {draw(hiding_term())})"
        here = (inner if level == where else "") + (hidden if level == 1 else "")
        body = "{" + draw(padding()) + f"?s ?p ?o {filter_}" + draw(padding()) + here + body + "}"
    text = (
        f"PREFIX ex: <{EX}> PREFIX : <{service_url}>" + draw(padding()) + "SELECT * WHERE " + body
    )
    return text, real, depth + 1  # FILTER's parentheses nest one more level


EXAMPLES = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@EXAMPLES
@given(data=st.data())
def test_the_guards_see_the_structure_the_engine_runs(
    listener: Counter, data: st.DataObject
) -> None:
    text, real, depth = data.draw(structured_query(listener.url))
    lexed = lex(text)
    assert ("SERVICE" in lexed.keywords) is real
    assert lexed.depth == depth
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(f"{EX}s"), ox.NamedNode(f"{EX}p"), ox.NamedNode(f"{EX}o")))
    assert fetches(listener, lambda: list(store.query(text))) is real  # type: ignore[arg-type]


@st.composite
def structured_update(draw: st.DrawFn, url: str) -> tuple[str, bool, int]:
    """An update with a real or hidden LOAD and nested collections: (text, real, depth)."""
    real = draw(st.booleans())
    load = draw(
        st.sampled_from([f"LOAD <{url}>", "LOAD:data", f"LOAD SILENT <{url}> INTO GRAPH ex:g"])
    )
    depth = draw(st.integers(1, 6))
    items = "(" * (depth - 1) + draw(hiding_term()) + ")" * (depth - 1)
    insert = "INSERT DATA {" + draw(padding()) + f"ex:a ex:b {items}" + draw(padding()) + "}"
    hidden = "#" + load + draw(st.sampled_from(LINE_ENDS))
    operations = (load + " ;" + draw(padding()) if real else hidden) + insert
    text = f"PREFIX ex: <{EX}> PREFIX : <{url}>" + draw(padding()) + operations
    return text, real, depth


@EXAMPLES
@given(data=st.data())
def test_the_update_guards_see_the_loads_the_engine_runs(
    listener: Counter, data: st.DataObject
) -> None:
    text, real, depth = data.draw(structured_update(listener.url))
    assert lex(text).depth == depth
    refused = True
    try:
        refuse_fetching(text)
        refused = False
    except QueryRefusedError:
        pass
    assert refused is real
    assert fetches(listener, lambda: ox.Store().update(text)) is real


SOUP = st.lists(
    st.sampled_from(
        [
            "SERVICE",
            "SERVICE:x",
            ":x",
            " ",
            "\r",
            "\n",
            "#",
            '"',
            "'",
            '"""',
            "<",
            ">",
            "\\",
            "{",
            "}",
            "?s ?p ?o",
            ".",
            "ex:a",
            "<{url}>",
        ]
    ),
    max_size=14,
)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(soup=SOUP)
def test_whenever_the_engine_fetches_the_guards_saw_service(soup: list[str]) -> None:
    """Unstructured text: a fetch the guards did not foresee is a request-forgery hole."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        sock.settimeout(0.01)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/"
        body = "".join(soup).replace("{url}", url)
        text = f"PREFIX : <{url}> PREFIX ex: <{EX}> SELECT * WHERE {{ {body} }}"
        counter = Counter(url, sock)
        thread = threading.Thread(target=counter.serve, daemon=True)
        thread.start()
        store = ox.Store()
        triple = (ox.NamedNode(f"{EX}s"), ox.NamedNode(f"{EX}p"), ox.NamedNode(f"{EX}o"))
        store.add(ox.Quad(*triple))
        fetched = fetches(counter, lambda: list(store.query(text)))  # type: ignore[arg-type]
        sock.close()
        thread.join()
    if fetched:
        assert "SERVICE" in lex(text).keywords, text
        with pytest.raises(QueryRefusedError):
            check_allowed(text)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    project = write_project(Path(tmp_path_factory.mktemp("differential")))
    app = app_for(project.model_copy(update={"cache_bytes": 0}))
    with TestClient(app) as c:
        yield c


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data(), how=st.sampled_from(["get", "form", "direct"]))
def test_the_endpoint_refuses_exactly_the_real_services(
    client: TestClient, listener: Counter, data: st.DataObject, how: str
) -> None:
    text, real, _ = data.draw(structured_query(listener.url))
    before = listener.count
    if how == "get":
        response = client.get("/sparql", params={"query": text})
    elif how == "form":
        response = client.post("/sparql", data={"query": text})
    else:
        headers = {"content-type": "application/sparql-query"}
        response = client.post("/sparql", content=text.encode(), headers=headers)
    assert response.status_code == (400 if real else 200), response.text
    if real:
        assert "SERVICE" in response.json()["detail"]
    assert listener.count == before
