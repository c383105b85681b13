"""One settings object for the whole program.

Every tunable comes from here, read from the environment with the prefix
``KGPUB_`` (for example ``KGPUB_BASE_IRI``), so that no other module touches
``os.environ`` and tests can build an app from an explicit ``Settings``.
"""

from __future__ import annotations

import json
import os
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# The repository root when kgpub runs from a checkout (``pip install -e .``):
# server/kgpub/config.py -> parents[2].
_CHECKOUT_ROOT = Path(__file__).resolve().parents[2]
# Where a built wheel keeps the shipped story (setup.py copies it there).
_PACKAGED_STORY = Path(__file__).resolve().parent / "story"
PROJECT_FOLDERS = ("data", "articles", "ontology", "shapes")
"""The folders that make a folder a kgpub project (any one of them does)."""


def shipped_story() -> Path:
    """The story kgpub ships: in the package when installed from a wheel, else the checkout."""
    return _PACKAGED_STORY if _PACKAGED_STORY.is_dir() else _CHECKOUT_ROOT


def holds_project(folder: Path) -> bool:
    """Whether ``folder`` is a kgpub project: it has one of ``PROJECT_FOLDERS``."""
    return any((folder / name).is_dir() for name in PROJECT_FOLDERS)


def discover_project() -> Path:
    """The project folder when none is named: the current folder when it holds a kgpub
    project, else the shipped story (``kgpub serve`` in an empty folder serves it)."""
    here = Path.cwd()
    return here if holds_project(here) else shipped_story()


def _physical_memory() -> int:
    """The machine's memory in bytes (0 where the system does not say)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return 0


def _user_cache() -> Path:
    """The user's cache folder for kgpub (``$XDG_CACHE_HOME/kgpub``, else ``~/.cache/kgpub``)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kgpub"


class Settings(BaseSettings):
    """Runtime configuration; every field can be set as ``KGPUB_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="KGPUB_", frozen=True)

    project_dir: Path = Field(default_factory=discover_project)
    """Folder holding ``ontology/``, ``data/`` (shared graphs), ``articles/`` and ``shapes/``
    (``kgpub --project DIR``). Unset: the current folder when it holds one of them, else
    the story kgpub ships."""

    base_iri: str = "https://kgpub.example/"
    """Canonical base of every IRI the data mints; independent of the serving host."""

    host: str = "127.0.0.1"
    port: int = 8000

    files: tuple[Path, ...] = ()
    """Files to serve, each in its own named graph; empty means ontology, data and shapes."""

    store_dir: Path | None = None
    """An on-disk store (``kgpub load --store``) to serve as it is instead of ``files``:
    opened read-only, not parsed nor validated again (``kgpub load --validate`` did that)."""

    http_workers: int = 0
    """HTTP worker processes of ``kgpub serve`` (``--workers``). 0 chooses: half the cores
    (at least one) when serving an on-disk store (``store_dir``), the other half being the
    queries'; else one, since every worker holds its own copy of an in-memory store.
    Connection limits (``max_connections``) apply to each worker."""

    shacl_report_file: Path | None = None
    """Set by ``kgpub serve`` for its worker processes, not by operators: the SHACL report of
    the served data, computed once by the parent, so workers show it without validating."""

    max_body_bytes: int = 1_048_576
    """Largest request body the SPARQL endpoint reads; bigger bodies get 413."""

    cors_origins: tuple[str, ...] = ("*",)
    """Origins a browser may query the endpoint from; SPARQL data is public by design."""

    cache_bytes: int = 64 * 1024 * 1024
    """Memory budget of the SPARQL result cache; 0 turns the cache off."""

    cache_max_age: int = 60
    """Seconds a client or proxy may reuse a GET result (``Cache-Control: max-age``)."""

    validate_on_start: bool = True
    """Refuse to start when the served data breaks a Violation shape."""

    unverified_store: Literal["validate", "refuse"] = "validate"
    """What ``kgpub serve --store`` does with a store whose data is not the data kgpub last
    validated (written by another tool, by an older kgpub, or under other shapes): validate
    it before serving (``validate``), or refuse to serve it, exit 2 (``refuse``);
    ``kgpub.ingest.store_seal``."""

    message_language: str = "en"
    """Language of SHACL messages when a request names none (``?lang=``, Accept-Language,
    ``kgpub validate --lang``); then its primary subtag, English, untagged
    (``kgpub.shacl.messages``)."""

    report_cache_dir: Path | None = Field(default_factory=lambda: _user_cache() / "reports")
    """Where SHACL reports are kept between runs, keyed by a hash of the data, shapes,
    vocabulary and validator (``kgpub.shacl.report_cache``): unchanged data starts without
    validating again. None: always validate."""

    # Limits against hostile input and clients; SECURITY.md explains each.
    max_query_bytes: int = 65_536
    """Largest SPARQL query or update text (GET or POST); bigger ones get 413."""

    # Upper bounds keep both limits below where pyoxigraph's recursive parser
    # overflows its stack (about 3,000 chained operators, a few thousand braces).
    max_query_depth: int = Field(default=64, ge=1, le=1000)
    """Deepest nesting of ``{ ( [`` in a query, update or RDF document (XML: elements); 400."""

    max_query_operators: int = Field(default=1000, ge=1, le=2000)
    """Most operators and pattern keywords (OPTIONAL, UNION, ``!``, ``/``...) a query or
    update may chain, and items one ``( ... )`` collection may hold; 400."""

    max_header_bytes: int = 32_768
    """Largest request line plus headers uvicorn buffers; bigger requests get 400."""

    header_timeout: float = 10.0
    """Seconds a client has to send a complete request line and headers."""

    body_timeout: float = 30.0
    """Seconds a client has to send a complete request body once its headers are in; 408."""

    keep_alive_timeout: float = 5.0
    """Seconds an idle keep-alive connection stays open."""

    max_connections: int = 200
    """Concurrent connections and tasks before uvicorn answers 503."""

    query_timeout: float = 10.0
    """Seconds a query may run (a client's ``timeout=`` can only lower it); then its
    worker process is killed and the client gets 503 with Retry-After."""

    query_workers: int = Field(default_factory=lambda: (os.cpu_count() or 1) + 1)
    """Query worker processes: one more than the cores, so a runaway query pinning one
    core never leaves point lookups waiting. With several HTTP workers (``kgpub serve
    --workers``) and this unset, each gets its share of them, at least two."""

    query_memory_bytes: int = Field(default_factory=lambda: _physical_memory() // 4, ge=0)
    """Memory the query engine may take for an in-memory copy of the store, which the query
    workers share and answer from several times faster than from disk (loaded in the
    background while the store answers from disk), and, with ``query_isolation`` =
    ``processes``, for what each worker makes its own of it as it reads (more than its
    share and it is replaced by a fresh one). A store too large for it is answered from
    disk. Default: a quarter of the machine's memory; 0: always from disk."""

    query_isolation: Literal["threads", "processes"] = "threads"
    """How the query workers answering from the in-memory copy run. ``threads``: as
    threads of the one process holding the copy, so it is in memory once and read at
    the engine's speed; a query past its deadline is stopped by killing that process,
    whose other queries are then answered from disk, as every query is until the copy
    has loaded again (seconds for a million quads). ``processes``: each a fork of that
    process, killed on its own at a deadline; but each makes the parts of the copy it
    reads its own, so memory grows with the workers (bounded by
    ``query_memory_bytes``) and a fresh worker is slow until it has. Workers answering
    from disk are always processes."""

    query_memory_socket: Path | None = None
    """Set by ``kgpub serve --workers N`` for its HTTP workers only: the socket of the
    in-memory copy of the store they share (``sparql.image_handle.SharedImage``)."""

    validate_timeout: float = 20.0
    """Seconds a ``POST /validate`` may take, waiting for a free validation worker
    included; then its worker process is killed and the client gets 503 with Retry-After."""

    validate_workers: int = 1
    """Validations that may run at once, each in a process of its own at low CPU
    priority; more wait (within ``validate_timeout``)."""

    validate_priority: Literal["idle", "normal"] = "idle"
    """CPU priority of ``POST /validate``'s workers. ``idle`` (Linux SCHED_IDLE, else
    niceness 19): a validation runs only when nothing else on the machine wants the CPU,
    so it never makes a query wait. ``normal``: it shares the CPU like any program, for a
    machine always busy with other work, where an idle validation would wait until its
    deadline (the test suite, with a test worker on every core, is one)."""

    search_max_chars: int = Field(default=200, ge=1, le=10_000)
    """Longest ``/search`` query (``q``) in characters; longer gets 400."""

    validate_max_bytes: int = 1_048_576
    """Largest ``POST /validate`` upload (``max_body_bytes`` applies too); bigger gets 413."""

    validate_max_triples: int = 50_000
    """Most triples a ``POST /validate`` upload may hold; more gets 422."""

    validate_memory_bytes: int = 2 * 1024 * 1024 * 1024
    """Address space (RLIMIT_AS) of a validation worker; past it the validation stops
    with 422. At least 1 GiB: the interpreter, pySHACL and a deep stack need it."""

    max_result_rows: int = 1_000_000
    """Most rows (solutions or triples) a query result may have; more gets 422. 0: no limit."""

    max_result_bytes: int = 256 * 1024 * 1024
    """Largest serialised query result; larger gets 422. 0: no limit."""

    forwarded_allow_ips: str = "127.0.0.1"
    """Proxies whose X-Forwarded-For/-Proto headers are trusted (comma-separated, or *)."""

    # Writes (docs/writes.md): off unless switched on, and then only with the token.
    writes_enabled: bool = False
    """Accept Graph Store Protocol PUT/POST/DELETE on ``/graph-store`` and SPARQL Update on
    ``/sparql``, each validated against the shapes and committed atomically."""

    write_token: SecretStr | None = None
    """The bearer token every write must carry (``Authorization: Bearer …``), at least 16
    characters; only from the environment. Writes enabled without one refuse to start."""

    write_editor: str | None = None
    """The agent (an IRI) a revision made over HTTP (``PATCH /graph-store``) is attributed to
    (``prov:wasAttributedTo``): the token names no person. Default ``<base>id/kgpub-team``."""

    # Operations (docs/operations.md): /healthz, /readyz and /metrics.
    metrics_enabled: bool = True
    """Serve Prometheus metrics at ``/metrics`` (requests, query latency, cache, workers
    killed, validation and write times); off: ``/metrics`` is 404 and requests are not
    counted (the other series cost a few in-memory additions and are never shown)."""

    operations_in_openapi: bool = False
    """List ``/healthz``, ``/readyz`` and ``/metrics`` in the public OpenAPI document; they
    are for orchestrators and operators, not for the API's users."""

    # A remote SPARQL backend instead of the embedded store (docs/backend.md).
    backend_url: str | None = None
    """SPARQL 1.1 Query endpoint to serve from (``kgpub serve --backend``); None: embedded."""

    backend_graph_store_url: str | None = None
    """Graph Store Protocol endpoint ``kgpub load --backend`` writes to; None: ``backend_url``,
    or on Virtuoso its ``/sparql-graph-crud-auth`` (Fuseki: the dataset's ``/data``)."""

    backend_user: str | None = None
    """User for a backend that asks for authentication (HTTP Basic or Digest, as it asks)."""

    backend_password: SecretStr | None = None
    """That user's password; only from the environment, never on a command line."""

    backend_timeout: float = 30.0
    """Seconds to wait for the backend to connect or answer; then 504."""

    backend_graph_prefix: str | None = None
    """Only named graphs whose IRI starts with this are listed as the dataset's (service
    description, VoID, dumps); None: the base IRI; "": every graph the backend has."""

    backend_refresh: float = 60.0
    """Seconds kgpub trusts what it read from the backend (its graph list, cached results);
    data loaded into the backend by other means shows after at most this long."""

    @cached_property
    def ontology_dir(self) -> Path:
        return self.project_dir / "ontology"

    @cached_property
    def data_dir(self) -> Path:
        return self.project_dir / "data"

    @cached_property
    def shapes_dir(self) -> Path:
        return self.project_dir / "shapes"

    @cached_property
    def articles_dir(self) -> Path:
        """One folder per article: its text, its graphs, its sidecar (``kgpub.rdf.articles``)."""
        return self.project_dir / "articles"

    @cached_property
    def queries_dir(self) -> Path:
        return self.project_dir / "queries" / "competency"


def to_environment(settings: Settings) -> dict[str, str | None]:
    """``settings`` as ``KGPUB_`` variables from which ``Settings()`` reads the same values.

    ``None`` means the variable must be unset. Strings, numbers and paths are
    written plainly; tuples, lists and dicts as JSON, which is how
    pydantic-settings reads them back; secrets in clear (they only go to
    child processes' environments, like the operator's own variables).
    """
    variables: dict[str, str | None] = {}
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if value is None:
            text = None
        elif isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, str | int | float | Path):
            text = str(value)
        else:
            text = json.dumps(settings.model_dump(mode="json", include={name})[name])
        variables[f"KGPUB_{name.upper()}"] = text
    return variables


def export_to_environment(settings: Settings) -> None:
    """Make ``settings`` this process's ``KGPUB_`` environment, for the child processes it
    starts (``kgpub serve --workers``): they build equal ``Settings()`` from it."""
    for key, text in to_environment(settings).items():
        if text is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = text
