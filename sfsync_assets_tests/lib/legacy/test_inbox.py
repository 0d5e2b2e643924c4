"""The drop folder scan: data files matched to feeds under content-hash keys, companions, waiting and unknown files."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from sfsync_assets.lib.legacy.errors import FileChangedError
from sfsync_assets.lib.legacy.inbox import (
    FilePartition,
    content_digest,
    fingerprints_from_cursor,
    fingerprints_to_cursor,
    scan_inbox,
)
from sfsync_assets.lib.legacy.settings import load_legacy_feeds

SETTINGS = load_legacy_feeds()


def drop(folder: Path, name: str, content: bytes = b"x\n", age_seconds: float = 60) -> Path:
    path = folder / name
    path.write_bytes(content)
    then = time.time() - age_seconds
    os.utime(path, (then, then))
    return path


def test_files_are_sorted_into_ready_waiting_and_unmatched(tmp_path: Path) -> None:
    drop(tmp_path, "CUSTEXPORT_20261101.csv", b"data")
    drop(tmp_path, "CUSTEXPORT_20261101.profile.yaml")
    drop(tmp_path, "CONTACTS_20261101.csv")  # its profile has not arrived
    drop(tmp_path, "ORDERS_20261101.csv", age_seconds=0)  # still being written
    drop(tmp_path, "ORDERS_20261101.profile.yaml")
    drop(tmp_path, "CUSTMAST_20261101.dat")  # no CUSTMAST.cpy yet
    drop(tmp_path, "CUSTMAST_20261101.profile.yaml")
    drop(tmp_path, "ARTRANS.cpy")
    drop(tmp_path, "CONTACTS_20261102.profile.yaml")  # a profile ahead of its data file
    drop(tmp_path, "customers_final_v2.xlsx")
    drop(tmp_path, ".ARBAL_20261101.txt.part")
    (tmp_path / "archive").mkdir()

    scan = scan_inbox(tmp_path, SETTINGS, {}, time.time())

    assert [(f.feed, f.partition.key) for f in scan.ready] == [
        ("CUSTEXPORT", f"CUSTEXPORT_20261101.csv@{content_digest(tmp_path / 'CUSTEXPORT_20261101.csv')}")
    ]
    assert scan.waiting == {
        "CONTACTS_20261101.csv": "CONTACTS_20261101.profile.yaml not there yet",
        "CUSTMAST_20261101.dat": "CUSTMAST.cpy not there yet",
        "ORDERS_20261101.csv": f"changed less than {SETTINGS.settle_seconds} s ago",
    }
    assert scan.unmatched == {"customers_final_v2.xlsx": "matches no feed pattern"}
    assert "unmatched: customers_final_v2.xlsx (matches no feed pattern)" in scan.describe()


def test_the_same_content_keeps_its_key_and_changed_content_gets_a_new_one(tmp_path: Path) -> None:
    drop(tmp_path, "ARBAL_20261101.profile.yaml")
    path = drop(tmp_path, "ARBAL_20261101.txt", b"first\n")
    first = scan_inbox(tmp_path, SETTINGS, {}, time.time())
    cursor = fingerprints_to_cursor(first.fingerprints)

    again = scan_inbox(tmp_path, SETTINGS, fingerprints_from_cursor(cursor), time.time())
    drop(tmp_path, path.name, b"second\n")
    changed = scan_inbox(tmp_path, SETTINGS, fingerprints_from_cursor(cursor), time.time())

    assert again.ready == first.ready
    assert changed.ready[0].partition.file_name == path.name
    assert changed.ready[0].partition.key != first.ready[0].partition.key
    assert fingerprints_from_cursor("not json") == {}


def test_a_partition_loads_only_the_content_it_was_created_for(tmp_path: Path) -> None:
    path = drop(tmp_path, "ARBAL_20261101.txt", b"first\n")
    partition = FilePartition.parse(f"{path.name}@{content_digest(path)}")
    assert partition.verified_path(tmp_path) == path

    drop(tmp_path, path.name, b"corrected\n")
    with pytest.raises(FileChangedError, match=r"ARBAL_20261101\.txt has changed since partition"):
        partition.verified_path(tmp_path)
    path.unlink()
    with pytest.raises(FileChangedError, match="no longer in"):
        partition.verified_path(tmp_path)
    with pytest.raises(ValueError, match="is not <file name>@"):
        FilePartition.parse("ARBAL_20261101.txt")
