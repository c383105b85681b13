"""``serve --store`` never serves changed data as valid: the seal every kgpub write leaves.

The stores here are real on-disk stores built by ``kgpub load``'s code; the
change "outside kgpub" is made by plain pyoxigraph opening the same folder.
"""

from __future__ import annotations

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
