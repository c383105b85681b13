"""What kgpub last validated in an on-disk store, and the check ``serve --store`` makes.

``kgpub serve --store DIR`` opens a store in a second instead of validating
it for minutes, and must still never serve changed data as valid. So every
kgpub write to a store (``kgpub load`` and each committed write) leaves a
*seal* beside it, ``DIR/kgpub-seal.json``: the fingerprint of the data
(``store.fingerprint``, a set hash of every quad), a hash of the shapes and
vocabulary and of the validator (kgpub's and pySHACL's versions), whether the
data was validated, and the report (``DIR/kgpub-seal-report.json``).

At start-up ``check`` recomputes the fingerprint (one pass over the store)
and compares. A store that matches its seal is served with the sealed report
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

import functools
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
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
    write(store.path, Seal(store.fingerprint(), key, validated), conformance.report)


def project_schema(settings: Settings) -> tuple[tuple[ox.Quad, ...], tuple[ox.Quad, ...]]:
    """The project's shapes and vocabulary files, as ``kgpub load --validate`` reads them."""
    return tuple(read_all(shapes_sources(settings))), tuple(read_all(ontology_sources(settings)))


def seal_loaded(store: Store, settings: Settings | None, report: ValidationReport | None) -> None:
    """Seal a store ``kgpub load`` built: validated against the project's shapes and
    vocabulary when ``settings`` is given (``--validate``), else marked not validated."""
    assert store.path is not None
    if settings is None or report is None:
        write(store.path, Seal(store.fingerprint(), "", validated=False), None)
        return
    key = schema_key(*project_schema(settings))
    write(store.path, Seal(store.fingerprint(), key, validated=True), report)


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


def check(store: Store, settings: Settings) -> tuple[Conformance, str | None]:
    """The conformance to serve ``store`` with, and a line for the operator (or None).

    ``StoreUnverifiedError`` for an unverified store under ``refuse``;
    ``DataNotConformingError`` when validating it finds a violation.
    """
    assert store.path is not None
    shapes, ontology = _schema(store, settings)
    sealed = read(store.path)
    now = Seal(store.fingerprint(), schema_key(shapes, ontology), validated=True)
    return _checked(store, settings, (shapes, ontology), sealed, now)


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
