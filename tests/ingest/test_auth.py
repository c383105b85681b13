"""The write token: required when writes are on, checked in constant time, 401 versus 403."""

from __future__ import annotations

import hmac
from pathlib import Path

import pytest
from pydantic import SecretStr

from kgpub.cli import exit_codes
from kgpub.cli import main as cli
from kgpub.config import Settings
from kgpub.errors import AccessDeniedError, AuthenticationRequiredError, ConfigurationError
from kgpub.ingest import auth
from kgpub.web.app import create_app
from tests.writes_fixtures import TOKEN

SECRET = SecretStr(TOKEN)


def test_no_token_needed_while_writes_are_off() -> None:
    assert auth.write_token(Settings()) is None
    assert auth.write_token(Settings(write_token=SECRET)) is None


@pytest.mark.parametrize("token", [None, "", "   "])
def test_writes_without_a_token_refuse_to_start(token: str | None) -> None:
    settings = Settings(
        writes_enabled=True, write_token=None if token is None else SecretStr(token)
    )
    with pytest.raises(ConfigurationError, match="KGPUB_WRITE_TOKEN"):
        auth.write_token(settings)
    with pytest.raises(ConfigurationError, match="no token is set"):
        create_app(settings)


@pytest.mark.parametrize("token", ["short", "x" * 15, f" {TOKEN}", f"{TOKEN}\n"])
def test_weak_or_padded_tokens_are_refused(token: str) -> None:
    with pytest.raises(ConfigurationError, match="at least 16"):
        auth.write_token(Settings(writes_enabled=True, write_token=SecretStr(token)))


def test_a_usable_token_is_returned() -> None:
    token = auth.write_token(Settings(writes_enabled=True, write_token=SECRET))
    assert token is not None
    assert token.get_secret_value() == TOKEN


def test_kgpub_serve_refuses_to_start_without_a_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("KGPUB_WRITES_ENABLED", "true")
    monkeypatch.delenv("KGPUB_WRITE_TOKEN", raising=False)
    # Refused before any data is read: the store folder does not even exist.
    assert cli.main(["serve", "--store", str(tmp_path / "absent")]) == exit_codes.EXIT_UNREADABLE
    err = capsys.readouterr().err
    assert "kgpub serve: writes are enabled (KGPUB_WRITES_ENABLED) but no token is set" in err
    assert "cannot read input" not in err


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", f"Basic {TOKEN}", TOKEN, f"Token {TOKEN}"],
)
def test_missing_bearer_credentials_ask_for_them(header: str | None) -> None:
    with pytest.raises(AuthenticationRequiredError, match="Authorization: Bearer"):
        auth.check_bearer(header, SECRET)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer wrong",
        f"Bearer {TOKEN[:-1]}",
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN.upper()}",
        f"Bearer {TOKEN} extra",
    ],
)
def test_a_wrong_token_is_forbidden(header: str) -> None:
    with pytest.raises(AccessDeniedError, match="not the write token"):
        auth.check_bearer(header, SECRET)


@pytest.mark.parametrize(
    "header", [f"Bearer {TOKEN}", f"bearer {TOKEN}", f"BEARER   {TOKEN}  ", f" Bearer {TOKEN}"]
)
def test_the_right_token_passes(header: str) -> None:
    auth.check_bearer(header, SECRET)


def test_tokens_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    compare = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return compare(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    auth.check_bearer(f"Bearer {TOKEN}", SECRET)
    with pytest.raises(AccessDeniedError):
        auth.check_bearer("Bearer guess", SECRET)
    assert calls == [(TOKEN.encode(), TOKEN.encode()), (b"guess", TOKEN.encode())]
