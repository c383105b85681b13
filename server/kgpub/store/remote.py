"""A remote SPARQL 1.1 endpoint as the store: how a deployment outgrows one machine.

``RemoteStore`` has the shape of ``kgpub.store.oxigraph.Store`` (the protocol
``kgpub.store.protocol.QueryStore``),
so the endpoint, the pages, VoID and the service description run unchanged over
Virtuoso, Fuseki, GraphDB, Neptune or QLever. Queries go out with the SPARQL 1.1
Protocol (POST, form-encoded, ``default-graph-uri``/``named-graph-uri`` for a
dataset the request names) and come back parsed into pyoxigraph terms, so kgpub
writes every format it offers whatever the backend sends.

Where servers differ, and what is done about it (docs/backend.md has more):

- The default graph: kgpub's own store queries the union of its named graphs; a
  query without a dataset here gets the backend's own default graph (all graphs
  on Virtuoso, GraphDB, QLever and Neptune; Fuseki only with ``unionDefaultGraph``).
  Naming every graph in every request would make point lookups grow with the
  number of graphs.
- A request naming only default graphs means no named graphs, and the other way
  round; Virtuoso reads a missing list as "all graphs", so an empty list is sent
  as one graph that no store has.
- Virtuoso answers ASK with a one-row result set and writes blank nodes as
  ``nodeID://…``; both are read as what they mean. Its "anytime" partial answers
  and row-capped results are refused rather than passed on as complete.
- Every answer is read in full and parsed before it is handed on, so a broken
  answer is a 502 here, never half a response.

Failures become ``BackendError`` (502), ``BackendTimeoutError`` (504) or, for a
query the backend calls malformed, ``BackendQueryError`` (400); the backend's
URL is logged, never sent to clients.
"""

from __future__ import annotations

import itertools
import logging
import re
import threading
import time
from collections.abc import Generator, Iterator
from html import unescape
from typing import IO, Any
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from kgpub import __version__, guards
from kgpub.config import Settings
from kgpub.errors import (
    BackendError,
    BackendQueryError,
    BackendTimeoutError,
    KgpubError,
)
from kgpub.store.protocol import UNION, Dataset, QueryResult
from kgpub.store.remote_protocol import ACCEPT, query_form, read_answer, with_base

_EMPTY_GRAPH = "urn:x-kgpub:no-such-graph"
_FORM_TYPE = "application/x-www-form-urlencoded"

_log = logging.getLogger(__name__)


class RemoteStore:
    """A SPARQL 1.1 Query endpoint (and Graph Store Protocol endpoint for loading)."""

    def __init__(
        self,
        endpoint: str,
        *,
        graph_store: str | None = None,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        graph_prefix: str = "",
        refresh: float = 60.0,
        max_depth: int = guards.DEFAULT_MAX_DEPTH,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.graph_store = graph_store or endpoint
        self.timeout = timeout
        self._graph_prefix = graph_prefix
        self._refresh = refresh
        self._max_depth = max_depth
        self._writes = 0
        self._ticks = itertools.count()
        self._graphs: tuple[int, list[str]] | None = None
        self._lock = threading.Lock()
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            auth=ChallengeAuth(user, password or "") if user else None,
            transport=transport,
            headers={"User-Agent": f"kgpub/{__version__}"},
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> RemoteStore:
        assert settings.backend_url is not None
        prefix = settings.backend_graph_prefix
        password = settings.backend_password
        return cls(
            settings.backend_url,
            graph_store=settings.backend_graph_store_url,
            user=settings.backend_user,
            password=password.get_secret_value() if password is not None else None,
            timeout=settings.backend_timeout,
            graph_prefix=settings.base_iri if prefix is None else prefix,
            refresh=settings.backend_refresh,
            max_depth=settings.max_query_depth,
        )

    def close(self) -> None:
        self._client.close()

    @property
    def version(self) -> int:
        """Bumped by every write through this store and every ``refresh`` seconds, since
        the backend's data can change behind kgpub's back; never returns an old value."""
        if self._refresh <= 0:
            return next(self._ticks) + self._writes
        return int(time.monotonic() // self._refresh) + self._writes

    def query(
        self,
        sparql: str,
        *,
        dataset: Dataset = UNION,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a query on the backend over ``dataset``, as ``Store.query`` does.

        ``union_default`` cannot be honoured remotely: without a dataset the backend's
        own default graph is queried (see the module's docstring).
        """
        form = query_form(sparql)
        params = [("query", with_base(sparql, base_iri))]
        if dataset.named_by_protocol:
            params += [("default-graph-uri", g) for g in dataset.default_graphs or [_EMPTY_GRAPH]]
            params += [("named-graph-uri", g) for g in dataset.named_graphs or [_EMPTY_GRAPH]]
        response = self._send(
            "POST",
            self.endpoint,
            content=urlencode(params).encode(),
            headers={"Content-Type": _FORM_TYPE, "Accept": ACCEPT[form]},
            refused=BackendQueryError,
        )
        return read_answer(response, form, self._max_depth)

    def probe(self) -> str:
        """Ask the backend ``ASK {}``; ``BackendError`` unless it answers as a SPARQL
        endpoint. Returns its ``Server`` header: what it says it is."""
        response = self._send(
            "POST",
            self.endpoint,
            content=urlencode([("query", "ASK {}")]).encode(),
            headers={"Content-Type": _FORM_TYPE, "Accept": ACCEPT["ASK"]},
            refused=BackendError,
        )
        read_answer(response, "ASK", self._max_depth)
        return str(response.headers.get("server", ""))

    def select(self, sparql: str) -> list[dict[str, Any]]:
        """A SELECT's rows as ``{variable: term}`` (unbound variables left out)."""
        result = self.query(sparql)
        if not isinstance(result, ox.QuerySolutions):
            # Dropped here: a pyoxigraph result in a traceback could die on another thread.
            del result
            raise BackendError("the SPARQL backend answered a SELECT query with something else")
        names = [v.value for v in result.variables]
        return [{n: row[n] for n in names if row[n] is not None} for row in result]

    def _scope(self, var: str) -> str:
        if not self._graph_prefix:
            return ""
        return f"FILTER(STRSTARTS(STR(?{var}), {ox.Literal(self._graph_prefix)}))"

    def named_graphs(self) -> list[str]:
        """The published graphs: those whose IRI starts with the graph prefix, sorted.

        Read at most once per ``refresh`` seconds: every dereferenced IRI asks.
        """
        epoch = self.version
        with self._lock:
            if self._graphs is not None and self._graphs[0] == epoch:
                return list(self._graphs[1])
        rows = self.select(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._scope('g')} }}"
        )
        graphs = sorted(g.value for row in rows if isinstance(g := row.get("g"), ox.NamedNode))
        with self._lock:
            self._graphs = (epoch, graphs)
        return list(graphs)

    def graph_sizes(self) -> dict[str, int]:
        """The number of triples in each published graph, as the backend counts them."""
        rows = self.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f"{self._scope('g')} }} GROUP BY ?g"
        )
        sizes = {
            g.value: _int(row.get("n"))
            for row in rows
            if isinstance(g := row.get("g"), ox.NamedNode)
        }
        return dict(sorted(sizes.items()))

    def distinct_triples(self) -> int:
        """The number of distinct triples over the published graphs."""
        rows = self.select(
            "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { "
            f"GRAPH ?g {{ ?s ?p ?o }} {self._scope('g')} }} }}"
        )
        return _int(rows[0].get("n")) if rows else 0

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Every quad of the published graphs, or of one graph (read in one request)."""
        if graph is not None:
            where = f"VALUES ?g {{ {ox.NamedNode(graph)} }} GRAPH ?g {{ ?s ?p ?o }}"
        else:
            where = f"GRAPH ?g {{ ?s ?p ?o }} {self._scope('g')}"
        quads = []
        for row in self.select(f"SELECT ?s ?p ?o ?g WHERE {{ {where} }}"):
            s, p, o, g = row.get("s"), row.get("p"), row.get("o"), row.get("g")
            if (
                isinstance(s, ox.NamedNode | ox.BlankNode)
                and isinstance(p, ox.NamedNode)
                and isinstance(o, ox.NamedNode | ox.BlankNode | ox.Literal)
                and isinstance(g, ox.NamedNode)
            ):
                quads.append(ox.Quad(s, p, o, g))
        return iter(quads)

    def dump(
        self,
        output: IO[bytes],
        fmt: ox.RdfFormat,
        *,
        graph: str | None = None,
        prefixes: dict[str, str] | None = None,
    ) -> None:
        """Write the published graphs (quad formats) or one graph to ``output``."""
        quads = self.quads(graph)
        if fmt.supports_datasets:
            ox.serialize(quads, output, fmt, prefixes=prefixes)
        else:
            ox.serialize((q.triple for q in quads), output, fmt, prefixes=prefixes)

    def put_graph(self, graph: str, data: bytes, media_type: str = "text/turtle") -> None:
        """Replace one graph's contents with ``data`` (Graph Store Protocol PUT)."""
        self._send(
            "PUT",
            self.graph_store,
            params={"graph": graph},
            content=data,
            headers={"Content-Type": media_type},
            refused=BackendError,
        )
        self._writes += 1

    def _send(
        self,
        method: str,
        url: str,
        *,
        refused: type[KgpubError],
        params: dict[str, str] | None = None,
        content: bytes = b"",
        headers: dict[str, str],
    ) -> httpx.Response:
        try:
            response = self._client.request(
                method, url, params=params, content=content, headers=headers
            )
        except httpx.TimeoutException as exc:
            _log.warning("SPARQL backend %s timed out: %r", url, exc)
            raise BackendTimeoutError(
                f"the SPARQL backend did not answer within {self.timeout:g} s"
            ) from exc
        except httpx.HTTPError as exc:
            _log.warning("SPARQL backend %s unreachable: %r", url, exc)
            raise BackendError(
                f"the SPARQL backend cannot be reached ({type(exc).__name__}: {exc})"
            ) from exc
        if response.status_code >= 300:
            _log.warning("SPARQL backend %s answered %d", url, response.status_code)
            raise status_error(response, refused)
        return response


class ChallengeAuth(httpx.Auth):
    """HTTP Basic or Digest, whichever the server's first 401 asks for.

    Virtuoso guards writes with Digest, Fuseki and GraphDB with Basic; the
    credentials are never sent before a server asks for them.
    """

    def __init__(self, user: str, password: str) -> None:
        self._basic = httpx.BasicAuth(user, password)
        self._digest = httpx.DigestAuth(user, password)
        self._chosen: httpx.Auth | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._chosen is None:
            response = yield request
            if response.status_code != httpx.codes.UNAUTHORIZED:
                return
            scheme = response.headers.get("www-authenticate", "").split(" ", 1)[0].lower()
            self._chosen = self._digest if scheme == "digest" else self._basic
        yield from self._chosen.auth_flow(request)


def status_error(response: httpx.Response, refused: type[KgpubError]) -> KgpubError:
    """The domain error for a backend's 3xx/4xx/5xx answer, with its own message."""
    status = response.status_code
    reason = f"{status} {response.reason_phrase}".strip()
    message = error_text(response)
    said = f": {message}" if message else ""
    if status == httpx.codes.BAD_REQUEST:
        return refused(f"the SPARQL backend refused the request{said}")
    if status in (httpx.codes.UNAUTHORIZED, httpx.codes.FORBIDDEN):
        return BackendError(
            f"the SPARQL backend refused access ({reason}); check KGPUB_BACKEND_USER and "
            f"KGPUB_BACKEND_PASSWORD{said}"
        )
    if status in (httpx.codes.GATEWAY_TIMEOUT, httpx.codes.REQUEST_TIMEOUT):
        return BackendTimeoutError(f"the SPARQL backend timed out ({reason}){said}")
    if status < 400:
        return BackendError(f"the SPARQL backend redirected ({reason}); configure its final URL")
    if status < 500:
        return BackendError(
            f"the SPARQL backend answered {reason}: is the URL a SPARQL 1.1 endpoint "
            f"(or a Graph Store Protocol endpoint, for loading)?{said}"
        )
    return BackendError(f"the SPARQL backend failed ({reason}){said}")


_TAG = re.compile(r"<[^>]*>")


def error_text(response: httpx.Response, limit: int = 300) -> str:
    """The backend's error message as one line of plain text, shortened."""
    text = response.content[: limit * 20].decode("utf-8", "replace")
    if "html" in response.headers.get("content-type", "") or text.lstrip().startswith("<"):
        text = unescape(_TAG.sub(" ", text))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _int(term: object) -> int:
    try:
        return int(term.value) if isinstance(term, ox.Literal) else 0
    except ValueError:
        return 0
