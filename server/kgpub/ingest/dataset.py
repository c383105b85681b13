"""What the server publishes, loaded into the query engine and checked first.

The endpoint never serves data that breaks a Violation shape: loading and
validating happen together, before the first request, and a failure stops the
server with the report rather than publishing a broken graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from kgpub.config import Settings
from kgpub.errors import DataNotConformingError, SourceNotFoundError
from kgpub.ingest import journal, store_seal
from kgpub.rdf.sources import Source, default_sources, read_all, sources_for_files
from kgpub.shacl.conformance import Conformance, check_store
from kgpub.shacl.text import render_report
from kgpub.store.files import is_disk_full
from kgpub.store.oxigraph import Store
from kgpub.store.protocol import QueryStore


@dataclass(frozen=True)
class LoadedDataset:
    """The served store and its SHACL result (``report`` is None when not validated)."""

    store: QueryStore
    conformance: Conformance
    notice: str | None = None
    """Lines for the operator about how the data is served (a full disk: read-only;
    a store validated again, or loaded without validation)."""


def served_sources(settings: Settings) -> list[Source]:
    """The files named in ``settings.files``, or ontology, data and shapes by default."""
    if settings.files:
        return sources_for_files(settings, list(settings.files))
    return default_sources(settings)


def load_dataset(settings: Settings) -> LoadedDataset:
    """Read every served source into a store, each in its own named graph.

    Raises ``RdfSyntaxError``/``SourceNotFoundError`` for unreadable input and
    ``DataNotConformingError`` (carrying the rendered report) for invalid data.
    The validation result is returned so the app need not validate again:
    pySHACL takes seconds, and start-up should pay for it once.
    """
    if settings.backend_url is not None:
        return open_backend(settings)
    if settings.store_dir is not None:
        return open_store(settings)
    if settings.project_dir.is_dir():
        # A revision a crash interrupted is finished (or undone) before the files are read.
        journal.recover(settings.project_dir)
    store = Store()
    store.add_quads(read_all(served_sources(settings)))
    conformance = check_store(store, settings, validate=settings.validate_on_start)
    if conformance.report is not None and not conformance.report.accepted:
        raise DataNotConformingError(render_report(conformance.report))
    return LoadedDataset(store, conformance)


def open_store(settings: Settings) -> LoadedDataset:
    """The on-disk store of ``settings.store_dir``; opened read-only unless writes
    are enabled (``KGPUB_WRITES_ENABLED``).

    Its data was parsed (and validated, with ``--validate``) when it was loaded,
    and every kgpub write sealed it (``store_seal``): a store that is the data
    its seal describes is served with the sealed report at once; any other is
    validated first, or refused (``KGPUB_UNVERIFIED_STORE``). A worker process
    of ``kgpub serve --workers`` skips the check: its parent made it.
    """
    assert settings.store_dir is not None
    if not settings.store_dir.is_dir():
        raise SourceNotFoundError(
            f"{settings.store_dir}: no such store (create it with kgpub load)"
        )
    # Before opening: a writable open rewrites some of the store's files (not its data).
    files = store_seal.files_key(settings.store_dir)
    # Read-only unless writes are enabled: then this process holds the store's lock.
    notice = None
    try:
        store = Store(settings.store_dir, read_only=not settings.writes_enabled)
    except OSError as exc:
        # Opening for writing writes (a new log and manifest); reading needs no space.
        if not (settings.writes_enabled and is_disk_full(exc)):
            raise
        store = Store(settings.store_dir, read_only=True)
        notice = (
            f"the disk holding {settings.store_dir} is full: serving the store read-only, "
            "writes get 507 until a restart with free space"
        )
    if settings.shacl_report_file is not None:
        return LoadedDataset(store, check_store(store, settings, validate=False), notice)
    conformance, checked = store_seal.check(store, settings, files)
    notes = [n for n in (notice, checked) if n is not None]
    return LoadedDataset(store, conformance, "\n".join(notes) or None)


def open_backend(settings: Settings) -> LoadedDataset:
    """The remote SPARQL endpoint of ``settings.backend_url``, not parsed nor validated here.

    Its data was validated when it was loaded (``kgpub load --backend --validate``);
    validating a remote store would mean downloading all of it. Only its shapes
    and vocabulary graphs are read, for the pages and ``/validate``.
    """
    from kgpub.store.remote import RemoteStore  # noqa: PLC0415 - httpx only when a backend is used

    store = RemoteStore.from_settings(settings)
    return LoadedDataset(store, check_store(store, settings, validate=False))


def data_modified(settings: Settings) -> datetime:
    """When the served data last changed, as far as start-up can tell.

    The newest modification time of the source files (or of the files of an
    on-disk store): equal in every HTTP worker process and across restarts of
    unchanged data, so ``Last-Modified`` validators stay valid. A remote
    backend's changes cannot be seen: start-up time.
    """
    if settings.backend_url is not None:
        return datetime.now(UTC)
    if settings.store_dir is not None:
        paths = [p for p in settings.store_dir.rglob("*") if p.is_file()]
    else:
        paths = [source.path for source in served_sources(settings)]
    times = [p.stat().st_mtime for p in paths if p.exists()]
    if not times:
        return datetime.now(UTC)
    return datetime.fromtimestamp(max(times), UTC)
