"""``serve --store`` never serves changed data as valid: the seal every kgpub write leaves.

The stores here are real on-disk stores built by ``kgpub load``'s code; the
change "outside kgpub" is made by plain pyoxigraph opening the same folder.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest

from kgpub.cli.exit_codes import EXIT_UNREADABLE
from kgpub.cli.main import main
from kgpub.config import Settings
from kgpub.errors import DataNotConformingError, StoreUnverifiedError
from kgpub.ingest import bulkload, new_store, store_seal
from kgpub.ingest.dataset import load_dataset
from kgpub.ingest.writes import Writer
from kgpub.shacl import validate
from kgpub.store import fingerprint
from kgpub.store.oxigraph import Store
from tests.sparql_fixtures import EX
from tests.writes_fixtures import NAMED, NAMELESS, PEOPLE, SCHEMA, writable_project

TURTLE = ox.RdfFormat.TURTLE


def _loaded(tmp_path: Path, *, validate: bool = True) -> tuple[Settings, Path]:
    settings = writable_project(tmp_path / "project")
    directory = tmp_path / "store"
    project = settings.project_dir
    inputs = bulkload.collect_inputs(settings, [project / "data", project / "shapes"])
    new_store.build(inputs, directory, settings=settings if validate else None)
    return settings.model_copy(update={"store_dir": directory, "writes_enabled": False}), directory


def _no_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("validated, but the store is the data its seal describes")

    # Every validation of the data goes through it (imported where it is used).
    monkeypatch.setattr(validate, "validate_quads", refuse)


def _change_outside_kgpub(directory: Path, turtle: str) -> None:
    raw = ox.Store(str(directory))
    raw.load(turtle.encode(), TURTLE, to_graph=ox.NamedNode(PEOPLE))
    del raw  # closes the store and its lock


def test_a_loaded_store_is_served_with_its_report_unvalidated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, directory = _loaded(tmp_path)
    assert (directory / store_seal.SEAL_FILE).is_file()
    _no_validation(monkeypatch)
    dataset = load_dataset(settings)
    assert dataset.conformance.report is not None
    assert dataset.conformance.report.accepted
    assert dataset.conformance.shapes_loaded
    assert dataset.notice is None


def test_a_store_changed_by_plain_pyoxigraph_is_validated_and_refused(tmp_path: Path) -> None:
    settings, directory = _loaded(tmp_path)
    _change_outside_kgpub(directory, NAMELESS)
    with pytest.raises(DataNotConformingError) as refused:
        load_dataset(settings)
    assert f"{EX}nobody" in refused.value.report_text


def test_a_valid_change_outside_kgpub_is_validated_once_then_sealed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, directory = _loaded(tmp_path)
    _change_outside_kgpub(directory, NAMED)
    dataset = load_dataset(settings)
    assert dataset.notice is not None
    assert "its data changed since kgpub last wrote it" in dataset.notice
    assert dataset.store.graph_sizes()[PEOPLE] == len(list(dataset.store.quads(PEOPLE)))
    assert "validated it again" in dataset.notice
    assert dataset.conformance.report is not None
    del dataset
    _no_validation(monkeypatch)
    assert load_dataset(settings).notice is None


def test_refuse_names_the_store_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, directory = _loaded(tmp_path)
    _change_outside_kgpub(directory, NAMED)
    with pytest.raises(StoreUnverifiedError, match=str(directory)):
        load_dataset(settings.model_copy(update={"unverified_store": "refuse"}))
    monkeypatch.setenv("KGPUB_PROJECT_DIR", str(settings.project_dir))
    monkeypatch.setenv("KGPUB_UNVERIFIED_STORE", "refuse")
    assert main(["serve", "--store", str(directory), "--port", "1"]) == EXIT_UNREADABLE
    err = capsys.readouterr().err
    assert f"kgpub serve: {directory}: refusing to serve it unverified" in err
    assert "written by another tool" in err


def test_a_store_without_a_seal_is_validated(tmp_path: Path) -> None:
    settings, directory = _loaded(tmp_path)
    store_seal.forget(directory)
    dataset = load_dataset(settings)
    assert dataset.notice is not None
    assert "no seal" in dataset.notice
    assert dataset.conformance.report is not None


def test_other_shapes_validate_again(tmp_path: Path) -> None:
    settings, directory = _loaded(tmp_path)
    raw = ox.Store(str(directory))
    shapes = ox.NamedNode(f"{settings.base_iri}graph/shapes")
    raw.add(
        ox.Quad(ox.NamedNode("urn:shape:Person"), ox.NamedNode(f"{SCHEMA}x"), ox.Literal(1), shapes)
    )
    del raw
    dataset = load_dataset(settings)
    assert dataset.notice is not None
    assert "validated it again" in dataset.notice


def test_a_store_loaded_without_validate_says_so(tmp_path: Path) -> None:
    settings, _ = _loaded(tmp_path, validate=False)
    dataset = load_dataset(settings)
    assert dataset.conformance.report is None
    assert dataset.notice is not None
    assert "loaded without --validate" in dataset.notice


def test_writes_keep_the_seal_current(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings, _ = _loaded(tmp_path)
    writable = settings.model_copy(update={"writes_enabled": True})
    dataset = load_dataset(writable)
    assert isinstance(dataset.store, Store)
    writer = Writer(dataset.store, writable)
    writer.post(
        ox.NamedNode(PEOPLE),
        f'<{EX}eve> a <{SCHEMA}Person> ; <{SCHEMA}name> "Eve" .'.encode(),
        TURTLE,
    )
    writer.delete(ox.NamedNode(f"{settings.base_iri}graph/places"))
    del writer, dataset
    _no_validation(monkeypatch)
    reopened = load_dataset(settings)
    assert reopened.notice is None
    assert isinstance(reopened.store, Store)
    assert any(True for _ in reopened.store.match(ox.NamedNode(f"{EX}eve"), None, None))


def _no_pass_over_the_store(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("read every quad, but the store's files are the sealed ones")

    monkeypatch.setattr(fingerprint, "of_store", refuse)


def test_a_store_whose_files_are_sealed_opens_without_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, directory = _loaded(tmp_path)
    sealed = store_seal.read(directory)
    assert sealed is not None
    assert sealed[0].files == store_seal.files_key(directory)
    _no_pass_over_the_store(monkeypatch)
    _no_validation(monkeypatch)
    dataset = load_dataset(settings)
    assert dataset.notice is None
    assert isinstance(dataset.store, Store)
    assert dataset.store.fingerprint() == sealed[0].fingerprint


def test_a_change_outside_kgpub_changes_the_files_key(tmp_path: Path) -> None:
    _, directory = _loaded(tmp_path)
    before = store_seal.files_key(directory)
    _change_outside_kgpub(directory, NAMED)
    assert store_seal.files_key(directory) != before


def test_a_seal_without_files_is_checked_once_then_records_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A seal from before files were recorded (or a store last opened for writing): the
    first read-only start reads the store and records the files; the next does not."""
    settings, directory = _loaded(tmp_path)
    sealed = store_seal.read(directory)
    assert sealed is not None
    seal, report = sealed
    store_seal.write(directory, replace(seal, files=""), report)
    _no_validation(monkeypatch)
    assert load_dataset(settings).notice is None
    refreshed = store_seal.read(directory)
    assert refreshed is not None
    assert refreshed[0] == replace(seal, files=store_seal.files_key(directory))
    _no_pass_over_the_store(monkeypatch)
    assert load_dataset(settings).notice is None


def test_a_writable_open_changes_the_files_but_not_the_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, _ = _loaded(tmp_path)
    _no_validation(monkeypatch)
    writable = settings.model_copy(update={"writes_enabled": True})
    dataset = load_dataset(writable)
    assert dataset.notice is None
    del dataset
    assert load_dataset(settings).notice is None
