"""What kgpub last validated in an on-disk store, and the check ``serve --store`` makes.

``kgpub serve --store DIR`` opens a store in a second instead of validating
it for minutes, and must still never serve changed data as valid. So every
kgpub write to a store (``kgpub load`` and each committed write) leaves a
*seal* beside it, ``DIR/kgpub-seal.json``: the fingerprint of the data
(``store.fingerprint``, a set hash of every quad), a hash of the shapes and
vocabulary and of the validator (kgpub's and pySHACL's versions), whether the
data was validated, and the report (``DIR/kgpub-seal-report.json``).

At start-up ``check`` compares. The seal also records the store's files (their
names and sizes, ``files_key``): while they are the ones sealed, the data is
too, and the store opens without reading it. Otherwise (another tool wrote to
it, or RocksDB rewrote its files, as every writable open does) the fingerprint
is recomputed, one pass over the store (about ten seconds for a million quads),
and compared; a store served read-only then records its files in the seal, so
only its first start pays the pass. A store that matches its seal is served with the sealed report
(or as not validated, when it was loaded without ``--validate``). Any other
store is *unverified*: written by another tool since, sealed by another
kgpub, under other shapes, or never sealed. Then ``KGPUB_UNVERIFIED_STORE``
decides: ``validate`` (the default) validates it as ``kgpub serve`` validates
files, refuses violations (exit 1) and seals the result; ``refuse`` stops
with exit 2 and a message naming the store. The seal is written after the
store, never before: a crash in between leaves an old seal whose fingerprint
no longer matches, so the next start validates again.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import pyoxigraph as ox

from kgpub import __version__
from kgpub.config import Settings
from kgpub.errors import DataNotConformingError, StoreUnverifiedError
from kgpub.rdf.sources import Source, graph_iri, ontology_sources, read_all, shapes_sources
from kgpub.shacl.conformance import Conformance
from kgpub.shacl.report import ValidationReport
from kgpub.shacl.report_cache import report_key
from kgpub.shacl.report_file import read_report, write_report
from kgpub.shacl.text import render_report
from kgpub.store.oxigraph import Store

SEAL_FILE = "kgpub-seal.json"
REPORT_FILE = "kgpub-seal-report.json"
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Seal:
    """The data kgpub last wrote to a store, and what it knew about its validity."""

    fingerprint: str
    schema: str
    """A hash of the shapes, the vocabulary and the validator (``schema_key``)."""
    validated: bool
    kgpub: str = __version__
    files: str = ""
    """``files_key`` of the store's directory when sealed ("" in older seals)."""


_NOT_DATA = ("kgpub-", "LOG", "LOCK")
"""Files in a store's directory that change without the data changing: kgpub's own
(the seal, counts, search index) and RocksDB's informational log and lock."""


def files_key(directory: Path) -> str:
    """A hash of the names and sizes of the store's data files.

    RocksDB's files are immutable (tables) or only appended to (the write-ahead
    log, the manifest), under names never used twice, and every write changes
    one of them: so the same key means the same data, and a different key only
    that the fingerprint must be checked. Modification times are left out: closing
    a store touches its manifest without changing it.
    """
    digest = hashlib.blake2b(digest_size=16)
    for entry in sorted(os.scandir(directory), key=lambda e: e.name):
        if entry.name.startswith(_NOT_DATA) or not entry.is_file():
            continue
        try:
            size = entry.stat().st_size
        except FileNotFoundError:  # removed by a compaction meanwhile: not part of the data
            continue
        digest.update(f"{entry.name}\0{size}\n".encode())
    return digest.hexdigest()


@functools.lru_cache(maxsize=4)
def schema_key(shapes: tuple[ox.Quad, ...], ontology: tuple[ox.Quad, ...]) -> str:
    """The hash of the shapes and vocabulary (their triples, whatever graph holds them)
    and of the validator: a report holds only for the same three. Kept for the last
    few, so a write's seal does not canonicalize the shapes again."""
    return report_key([], _triples(shapes), _triples(ontology))


def _triples(quads: Sequence[ox.Quad]) -> list[ox.Quad]:
    return [ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads]


def read(directory: Path) -> tuple[Seal, ValidationReport | None] | None:
    """The seal beside the store in ``directory`` and its report; None if absent or unreadable."""
    try:
        seal = Seal(**json.loads((directory / SEAL_FILE).read_text(encoding="utf-8")))
        report = read_report(directory / REPORT_FILE) if seal.validated else None
    except (OSError, ValueError, TypeError, KeyError) as exc:
        if (directory / SEAL_FILE).exists():
            _log.warning("ignoring the unreadable seal of %s: %s", directory, exc)
        return None
    return seal, report


def write(directory: Path, seal: Seal, report: ValidationReport | None) -> None:
    """Seal the store in ``directory``; a failure only costs the next start a validation."""
    try:
        forget(directory)
        if report is not None:
            write_report(report, directory / REPORT_FILE)
        tmp = directory / (SEAL_FILE + ".tmp")
        tmp.write_text(json.dumps(asdict(seal)), encoding="utf-8")
        tmp.replace(directory / SEAL_FILE)
    except OSError as exc:
        forget(directory)
        _log.warning("%s: the store's seal was not written: %s", directory, exc)


def forget(directory: Path) -> None:
    """Remove the seal: the next ``serve --store`` validates the store again."""
    for name in (SEAL_FILE, REPORT_FILE):
        (directory / name).unlink(missing_ok=True)


def seal_store(store: Store, conformance: Conformance) -> None:
    """Seal an on-disk store after a write the gate validated (``conformance``)."""
    if store.path is None:
        return
    key = schema_key(conformance.shapes, conformance.ontology)
    validated = conformance.report is not None
    write(store.path, _seal(store, key, validated), conformance.report)


def project_schema(settings: Settings) -> tuple[tuple[ox.Quad, ...], tuple[ox.Quad, ...]]:
    """The project's shapes and vocabulary files, as ``kgpub load --validate`` reads them."""
    return tuple(read_all(shapes_sources(settings))), tuple(read_all(ontology_sources(settings)))


def seal_loaded(store: Store, settings: Settings | None, report: ValidationReport | None) -> None:
    """Seal a store ``kgpub load`` built: validated against the project's shapes and
    vocabulary when ``settings`` is given (``--validate``), else marked not validated."""
    assert store.path is not None
    if settings is None or report is None:
        write(store.path, _seal(store, "", validated=False), None)
        return
    key = schema_key(*project_schema(settings))
    write(store.path, _seal(store, key, validated=True), report)


def _seal(store: Store, schema: str, validated: bool) -> Seal:
    assert store.path is not None
    return Seal(store.fingerprint(), schema, validated, files=files_key(store.path))


def _schema_sources(settings: Settings) -> list[Source]:
    return [*shapes_sources(settings), *ontology_sources(settings)]


def _schema(store: Store, settings: Settings) -> tuple[tuple[ox.Quad, ...], tuple[ox.Quad, ...]]:
    """The store's own shapes and vocabulary graphs, or the project's where it has none."""
    shapes_files, ontology_files = project_schema(settings)
    parts = []
    for sources, files in (
        (shapes_sources(settings), shapes_files),
        (ontology_sources(settings), ontology_files),
    ):
        quads = [q for s in sources for q in store.quads(graph_iri(settings, s.path))]
        parts.append(tuple(quads or files))
    return parts[0], parts[1]


def _mismatch(sealed: tuple[Seal, ValidationReport | None] | None, now: Seal) -> str | None:
    """Why the store is unverified, or None when it is the data its seal describes."""
    if sealed is None:
        return "kgpub has no record of validating it (no seal beside it)"
    seal, report = sealed
    if seal.fingerprint != now.fingerprint:
        return "its data changed since kgpub last wrote it (written by another tool?)"
    if not seal.validated:
        return None
    if seal.kgpub != now.kgpub or seal.schema != now.schema:
        return "it was validated under other shapes, vocabulary or kgpub version"
    if report is None:
        return "its sealed report cannot be read"
    return None


def check(store: Store, settings: Settings, files: str) -> tuple[Conformance, str | None]:
    """The conformance to serve ``store`` with, and a line for the operator (or None).

    ``files``: the store's ``files_key``, taken before it was opened.

    ``StoreUnverifiedError`` for an unverified store under ``refuse``;
    ``DataNotConformingError`` when validating it finds a violation.
    """
    assert store.path is not None
    shapes, ontology = _schema(store, settings)
    sealed = read(store.path)
    if sealed is not None and sealed[0].files == files:
        store.assume_fingerprint(sealed[0].fingerprint)  # the same files: the same data
    now = Seal(store.fingerprint(), schema_key(shapes, ontology), validated=True, files=files)
    conformance, notice = _checked(store, settings, (shapes, ontology), sealed, now)
    if sealed is not None and sealed[0].files != files and store.read_only:
        _refresh_files(store.path, sealed, files)
    return conformance, notice


def _refresh_files(
    directory: Path, sealed: tuple[Seal, ValidationReport | None], files: str
) -> None:
    """A store served read-only matched its seal, but not its files (sealed by an older
    kgpub, or last opened for writing): the seal records them now, so the next start
    need not read the store. Only when ``_checked`` left the seal as it was; a
    directory that cannot be written to keeps its old seal."""
    seal, report = sealed
    current = read(directory)
    if current is not None and current[0] == seal:
        with contextlib.suppress(OSError):
            write(directory, replace(seal, files=files), report)


def _checked(
    store: Store,
    settings: Settings,
    schema_quads: tuple[tuple[ox.Quad, ...], tuple[ox.Quad, ...]],
    sealed: tuple[Seal, ValidationReport | None] | None,
    now: Seal,
) -> tuple[Conformance, str | None]:
    assert store.path is not None
    shapes, ontology = schema_quads
    reason = _mismatch(sealed, now)
    if reason is None:
        assert sealed is not None
        seal, report = sealed
        notice = None if seal.validated else f"{store.path}: loaded without --validate"
        return Conformance(shapes, ontology, report), notice
    if settings.unverified_store == "refuse":
        raise StoreUnverifiedError(
            f"{store.path}: refusing to serve it unverified: {reason}; validate it "
            "(KGPUB_UNVERIFIED_STORE=validate) or load it again with kgpub load --validate"
        )
    store.save_stats()  # the counts kept beside it may be as stale as its seal
    if not settings.validate_on_start:
        notice = f"{store.path}: {reason}; serving it not validated (KGPUB_VALIDATE_ON_START=false)"
        return Conformance(shapes, ontology, None), notice
    schema = {ox.NamedNode(graph_iri(settings, s.path)) for s in _schema_sources(settings)}
    data = [q for q in store if q.graph_name not in schema]
    # pySHACL only when the store must be validated again, not for a sealed one.
    from kgpub.shacl.validate import validate_quads  # noqa: PLC0415

    report = validate_quads(data, shapes, ontology)
    if not report.accepted:
        raise DataNotConformingError(render_report(report))
    conformance = Conformance(shapes, ontology, report)
    seal_store(store, conformance)
    return conformance, f"{store.path}: {reason}; validated it again"
