"""HTTP preconditions on writes (RFC 9110 §13): ``If-Match`` and ``If-None-Match``.

Two editors who each read a graph and then write it back would silently
overwrite each other; with ``If-Match: <the ETag they read>`` the second gets
412 instead, and ``If-None-Match: *`` makes a PUT create a graph but never
replace one. Preconditions are evaluated under the write lock, on the state
the write is about to change, so no other write can slip in between.

The ETags are the ones reads send: a Graph Store graph's is the strong
``make_etag`` of its bytes in one RDF format (any format's tag matches); the
dataset's, which SPARQL Update is checked against, is the service
description's (``GET /sparql``), whose tag on a writable server starts with a
token of the dataset's state (``dataset_state``): a random per-process nonce
and the store's version, so a tag from before a restart never matches.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from kgpub.errors import PreconditionFailedError

Matcher = Callable[[str], bool]
"""Whether one strong entity tag (quotes included) is a current tag of the target."""


def dataset_state(nonce: str, version: int) -> str:
    """A short token naming one state of a writable dataset (changes with each commit)."""
    return hashlib.blake2b(f"{nonce}:{version}".encode(), digest_size=8).hexdigest()


def dataset_etag(state: str, content_etag: str) -> str:
    """The service description's tag on a writable server: the dataset state, then its bytes'."""
    return f'"{state}.{content_etag.strip(chr(34))}"'


def dataset_matcher(state: str) -> Matcher:
    """Matches the tag of any representation of the service description in ``state``."""
    prefix = f'"{state}.'
    return lambda tag: tag.startswith(prefix)


def _tags(header: str) -> list[str] | None:
    """The entity tags of an ``If-Match``/``If-None-Match`` value; ``None`` for ``*``."""
    value = header.strip()
    if value == "*":
        return None
    return [tag.strip() for tag in value.split(",") if tag.strip()]


def check(
    if_match: str | None,
    if_none_match: str | None,
    target: str,
    exists: bool,
    matches: Matcher,
) -> None:
    """``PreconditionFailedError`` unless the write's preconditions hold (RFC 9110 §13.2.2).

    ``exists`` says whether the target has a current representation; ``matches``
    recognises its current tags. ``If-Match`` compares strongly (a ``W/`` tag
    never matches); ``If-None-Match`` weakly, as RFC 9110 §13.1.2 requires.
    """
    if if_match is not None:
        tags = _tags(if_match)
        if tags is None and not exists:
            raise PreconditionFailedError(
                f"If-Match: * but {target} does not exist; nothing was written"
            )
        if tags is not None and not (exists and any(matches(t) for t in tags)):
            raise PreconditionFailedError(
                f"If-Match: none of the given ETags is the current one of {target} "
                "(it has changed since it was read); nothing was written"
            )
    if if_none_match is not None and exists:
        tags = _tags(if_none_match)
        if tags is None:
            raise PreconditionFailedError(
                f"If-None-Match: * but {target} already exists; nothing was written"
            )
        if any(matches(t.removeprefix("W/")) for t in tags):
            raise PreconditionFailedError(
                f"If-None-Match: {target} still has one of the given ETags; nothing was written"
            )
