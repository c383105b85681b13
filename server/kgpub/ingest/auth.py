"""Who may write: one bearer token from the settings, checked in constant time.

Reading is public; writing changes what every client is served, so each write
request must carry ``Authorization: Bearer <token>`` (RFC 6750) with the
configured ``KGPUB_WRITE_TOKEN``. The comparison is ``hmac.compare_digest``,
whose time does not depend on how many leading characters match, so the token
cannot be guessed byte by byte from response times. A request without bearer
credentials is asked for them (401); a request with the wrong token is refused
(403), so a client can tell "log in" from "not allowed".
"""

from __future__ import annotations

import hmac

from pydantic import SecretStr

from kgpub.config import Settings
from kgpub.errors import AccessDeniedError, AuthenticationRequiredError, ConfigurationError

MIN_TOKEN_LENGTH = 16
"""Shorter tokens are refused at start-up: they could be guessed by trying."""


def write_token(settings: Settings) -> SecretStr | None:
    """The token writes need; ``None`` when writes are off.

    ``ConfigurationError`` when writes are on without a usable token, so that
    a server never starts accepting writes from anyone.
    """
    if not settings.writes_enabled:
        return None
    token = settings.write_token
    if token is None or not token.get_secret_value().strip():
        raise ConfigurationError(
            "writes are enabled (KGPUB_WRITES_ENABLED) but no token is set; "
            "set KGPUB_WRITE_TOKEN to a secret of at least "
            f"{MIN_TOKEN_LENGTH} characters, or turn writes off"
        )
    value = token.get_secret_value()
    if len(value) < MIN_TOKEN_LENGTH or value != value.strip() or not value.isprintable():
        raise ConfigurationError(
            f"KGPUB_WRITE_TOKEN must be at least {MIN_TOKEN_LENGTH} printable characters "
            "without surrounding spaces"
        )
    return token


def check_bearer(authorization: str | None, token: SecretStr) -> None:
    """Accept the request only if its ``Authorization`` header carries ``token``.

    ``AuthenticationRequiredError`` (401) without bearer credentials,
    ``AccessDeniedError`` (403) when the token is not the configured one.
    """
    scheme, _, credentials = (authorization or "").strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() != "bearer" or not credentials:
        raise AuthenticationRequiredError(
            "writes need an Authorization: Bearer <token> header with the write token"
        )
    expected = token.get_secret_value().encode("utf-8")
    if not hmac.compare_digest(credentials.encode("utf-8"), expected):
        raise AccessDeniedError("the bearer token is not the write token; nothing was written")
