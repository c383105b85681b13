"""SHACL reports remembered by what they are about, so unchanged data is not validated twice.

pySHACL takes seconds; a server restarted on the same files, a test session
building fifty apps on the shipped story, or several HTTP workers need the
same report every time. A report is a pure function of the data, the shapes,
the vocabulary and the validator, so it is keyed by a hash of exactly those:
the three quad sets, canonicalized (RDFC-1.0 via pyoxigraph, so fresh
blank-node labels from another parse hash the same) and sorted, plus the
versions of kgpub and pySHACL and the source of this package. Any change to
any of them is a new key and a new validation: a stale report can never be
served as current.

Reports are kept in this process (the last few) and, with a folder
(``KGPUB_REPORT_CACHE_DIR``), as files that survive restarts. An unreadable
cache file is ignored and replaced; a folder that cannot be written only
costs the next run a validation.
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pyoxigraph as ox

from kgpub.shacl.report import ValidationReport
from kgpub.shacl.report_file import read_report, write_report

Validator = Callable[[Iterable[ox.Quad], Iterable[ox.Quad], Iterable[ox.Quad]], ValidationReport]

_KEPT = 8
_memory: OrderedDict[str, ValidationReport] = OrderedDict()
_log = logging.getLogger(__name__)


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def _validator_fingerprint() -> bytes:
    """The validator's identity: kgpub's and pySHACL's versions and this package's source."""
    digest = hashlib.sha256()
    for name in ("kgpub", "pyshacl", "rdflib"):
        digest.update(f"{name}={_package_version(name)}\n".encode())
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.digest()


def _canonical(quads: Sequence[ox.Quad]) -> bytes:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return "\n".join(sorted(str(q) for q in dataset)).encode()


def report_key(
    data: Sequence[ox.Quad], shapes: Sequence[ox.Quad], ontology: Sequence[ox.Quad]
) -> str:
    """The hash a report is kept under: data, shapes, vocabulary and validator."""
    digest = hashlib.sha256(_validator_fingerprint())
    for part in (data, shapes, ontology):
        body = _canonical(part)
        digest.update(len(body).to_bytes(8, "big") + body)
    return digest.hexdigest()


def validate_cached(
    data: Sequence[ox.Quad],
    shapes: Sequence[ox.Quad],
    ontology: Sequence[ox.Quad],
    folder: Path | None,
    validate: Validator,
) -> ValidationReport:
    """The report of ``validate(data, shapes, ontology)``, from the cache when it has it."""
    key = report_key(data, shapes, ontology)
    if key in _memory:
        _memory.move_to_end(key)
        return _memory[key]
    report = _read(folder, key)
    if report is None:
        report = validate(data, shapes, ontology)
        _write(folder, key, report)
    _memory[key] = report
    while len(_memory) > _KEPT:
        _memory.popitem(last=False)
    return report


def _read(folder: Path | None, key: str) -> ValidationReport | None:
    if folder is None:
        return None
    path = folder / f"{key}.json"
    if not path.is_file():
        return None
    try:
        return read_report(path)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        _log.warning("ignoring the unreadable cached SHACL report %s: %s", path, exc)
        return None


def _write(folder: Path | None, key: str, report: ValidationReport) -> None:
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_report(report, folder / f"{key}.json")
    except OSError as exc:
        _log.warning("cannot keep the SHACL report in %s: %s", folder, exc)
