"""Opening an on-disk store's files, and telling a full disk apart (``store.files``).

The command-line view of the same errors (one line, exit 2) is in
``tests/cli/test_serve.py``; these check the errors themselves.
"""

from __future__ import annotations

import errno
from pathlib import Path

import pyoxigraph as ox
import pytest

from kgpub.errors import StoreUnreadableError
from kgpub.store.files import is_disk_full, open_files


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.ENOSPC, "No space left on device"),
        OSError(errno.EDQUOT, "Disk quota exceeded"),
        RuntimeError("IO error: No space left on device: While appending to file: 000008.log"),
    ],
)
def test_a_full_disk_is_recognised_however_rocksdb_reports_it(error: BaseException) -> None:
    assert is_disk_full(error)


@pytest.mark.parametrize(
    "error", [OSError(errno.EACCES, "Permission denied"), RuntimeError("Corruption: bad block")]
)
def test_other_failures_are_not_a_full_disk(error: BaseException) -> None:
    assert not is_disk_full(error)


def test_a_store_opens_writable_and_read_only(tmp_path: Path) -> None:
    store = open_files(tmp_path / "store", read_only=False)
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("o")))
    store.flush()
    del store
    assert len(open_files(tmp_path / "store", read_only=True)) == 1


def test_a_damaged_store_names_its_file(tmp_path: Path) -> None:
    open_files(tmp_path / "store", read_only=False)
    (tmp_path / "store" / "CURRENT").write_bytes(b"garbage\n")
    with pytest.raises(StoreUnreadableError, match="the store is damaged") as raised:
        open_files(tmp_path / "store", read_only=False)
    assert "CURRENT" in str(raised.value)
    assert str(raised.value).endswith("build it again with kgpub load")


def test_a_folder_that_is_no_store_says_so(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    with pytest.raises(StoreUnreadableError, match="is it a folder made by kgpub load"):
        open_files(tmp_path, read_only=True)
