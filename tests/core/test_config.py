"""Settings handed to child processes through the environment (``kgpub serve --workers``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import SecretStr

from kgpub.config import Settings, export_to_environment, to_environment


def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in [k for k in os.environ if k.startswith("KGPUB_")]:
        monkeypatch.delenv(key)


def test_every_field_comes_back_equal(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)
    settings = Settings(
        files=(Path("/data/a b.ttl"), Path("rel/c.nq")),
        cors_origins=("https://a.example", "*"),
        store_dir=Path("/var/lib/kgpub"),
        base_iri="https://news.example/",
        validate_on_start=False,
        header_timeout=0.25,
        http_workers=3,
        backend_password=SecretStr('p"ss word'),
        backend_graph_prefix="",
    )
    for key, text in to_environment(settings).items():
        if text is not None:
            monkeypatch.setenv(key, text)
    assert Settings() == settings
    assert Settings().backend_password == SecretStr('p"ss word')


def test_unset_fields_are_removed_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)
    monkeypatch.setenv("KGPUB_STORE_DIR", "/somewhere")
    settings = Settings().model_copy(update={"store_dir": None, "port": 8123})
    for key in to_environment(settings):
        monkeypatch.setenv(key, "")  # so that monkeypatch restores what the export changes
    export_to_environment(settings)
    assert "KGPUB_STORE_DIR" not in os.environ
    assert os.environ["KGPUB_PORT"] == "8123"
    assert Settings() == settings


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_query_depth", 0),
        ("max_query_depth", 5000),
        ("max_query_operators", 0),
        ("max_query_operators", 3000),
    ],
)
def test_parser_limits_cannot_be_raised_past_what_pyoxigraph_survives(
    monkeypatch: pytest.MonkeyPatch, field: str, value: int
) -> None:
    """Past these bounds a query could overflow the parser's stack and kill a worker."""
    clean_environment(monkeypatch)
    monkeypatch.setenv(f"KGPUB_{field.upper()}", str(value))
    with pytest.raises(ValueError, match=field):
        Settings()
