"""An on-disk store's files: opening them, and telling a full disk from other failures.

RocksDB says what went wrong only in its messages: a damaged file is named in a
``RuntimeError``, a full disk in an ``OSError`` or a ``RuntimeError``. Reading
those here, once, lets ``Store`` and the loaders answer with kgpub's own errors
(``StoreUnreadableError``, ``StorageFullError``) instead of tracebacks.
"""

from __future__ import annotations

import errno
from pathlib import Path

import pyoxigraph as ox

from kgpub.errors import StoreUnreadableError

FULL_DISK = (
    "the disk holding the store is full: the write was not applied; "
    "reads go on, free some space and retry"
)
"""What a write refused on a full disk says (``StorageFullError``, HTTP 507)."""


def is_disk_full(exc: BaseException) -> bool:
    """Whether an error is the disk being full (RocksDB reports it in the message only)."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return "No space left on device" in str(exc) or "Disk quota exceeded" in str(exc)


def open_files(path: Path, read_only: bool) -> ox.Store:
    """The store in ``path``; a damaged one is a ``StoreUnreadableError`` naming the file.

    RocksDB reports corruption as a ``RuntimeError`` whose text names the
    damaged file (an SST, a MANIFEST, CURRENT), and a folder that is no store
    as an ``OSError`` naming the missing file; each becomes one line that the
    CLI prints instead of a traceback. A full disk passes on as ``OSError``.
    """
    try:
        return ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except RuntimeError as exc:
        detail = " ".join(str(exc).split())
        raise StoreUnreadableError(
            f"{path}: the store is damaged and cannot be opened ({detail}); "
            "restore it from a backup or build it again with kgpub load"
        ) from exc
    except OSError as exc:
        if is_disk_full(exc):
            raise
        detail = " ".join(str(exc).split())
        raise StoreUnreadableError(
            f"{path}: cannot be opened as a store ({detail}); is it a folder made by kgpub load?"
        ) from exc
