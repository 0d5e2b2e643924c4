"""legacy_inbox_sensor: one partition and one run per new file content; unknown files are reported."""

from __future__ import annotations

import os
import time
from pathlib import Path

import dagster as dg
import pytest
from dagster_duckdb import DuckDBResource

from sfsync_assets.defs.ingest.legacy_files import LEGACY_ASSETS, LEGACY_JOBS, LegacyInboxResource
from sfsync_assets.defs.ingest.legacy_sensor import legacy_inbox_sensor
from sfsync_assets.lib.legacy.inbox import content_digest

PROFILE = b"format: fixed_width\n"  # the sensor only checks that a profile is there; it never reads it


def drop(folder: Path, name: str, content: bytes) -> Path:
    """A file as a transfer leaves it, old enough to be past the settle time."""
    path = folder / name
    path.write_bytes(content)
    then = time.time() - 60
    os.utime(path, (then, then))
    return path


def tick(instance: dg.DagsterInstance, inbox: Path, cursor: str | None = None) -> dg.SensorResult:
    """One evaluation, as the daemon runs it. The DuckDB file is never created: sensors do not open it."""
    warehouse = inbox.parent / f"{inbox.name}-never-opened.duckdb"
    resources = {
        "legacy_inbox": LegacyInboxResource(path=str(inbox)),
        "duckdb": DuckDBResource(database=str(warehouse)),
    }
    definitions = dg.Definitions(
        assets=LEGACY_ASSETS, jobs=LEGACY_JOBS, sensors=[legacy_inbox_sensor], resources=resources
    )
    context = dg.build_sensor_context(
        instance=instance,
        instance_ref=instance.get_ref(),
        cursor=cursor,
        resources=resources,
        definitions=definitions,
    )
    data = legacy_inbox_sensor.evaluate_tick(context)
    for request in data.dynamic_partitions_requests or []:  # what the daemon does with the tick's result
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    assert not warehouse.exists()
    return data


@pytest.fixture
def instance() -> dg.DagsterInstance:
    with dg.instance_for_test() as instance:
        yield instance


def test_a_file_dropped_twice_is_one_partition_and_one_run(
    instance: dg.DagsterInstance, tmp_path: Path
) -> None:
    drop(tmp_path, "ARBAL_20261101.profile.yaml", PROFILE)
    path = drop(tmp_path, "ARBAL_20261101.txt", b"4000000001ACME\n")
    key = f"ARBAL_20261101.txt@{content_digest(path)}"

    first = tick(instance, tmp_path)
    drop(tmp_path, path.name, path.read_bytes())  # the same content delivered again (new mtime)
    second = tick(instance, tmp_path, first.cursor)
    without_cursor = tick(instance, tmp_path)

    assert [(r.run_key, r.partition_key, r.job_name) for r in first.run_requests] == [
        (key, key, "load_legacy_arbal")
    ]
    assert instance.get_dynamic_partitions("legacy_arbal_files") == [key]
    assert second.run_requests == [] and without_cursor.run_requests == []
    assert "no new files: 1 file(s) ready" in second.skip_message


def test_a_changed_file_with_the_same_name_is_a_new_partition(
    instance: dg.DagsterInstance, tmp_path: Path
) -> None:
    drop(tmp_path, "ARBAL_20261101.profile.yaml", PROFILE)
    path = drop(tmp_path, "ARBAL_20261101.txt", b"first version\n")
    first = tick(instance, tmp_path)

    drop(tmp_path, path.name, b"corrected version\n")
    second = tick(instance, tmp_path, first.cursor)

    (old,), (new,) = first.run_requests, second.run_requests
    assert old.partition_key != new.partition_key and new.partition_key.startswith("ARBAL_20261101.txt@")
    assert sorted(instance.get_dynamic_partitions("legacy_arbal_files")) == sorted(
        [old.partition_key, new.partition_key]
    )


def test_files_no_feed_takes_are_reported(instance: dg.DagsterInstance, tmp_path: Path) -> None:
    drop(tmp_path, "customers_final_v2.xlsx", b"?")
    drop(tmp_path, "CUSTMAST_20261101.dat", b"\xf0" * 258)

    data = tick(instance, tmp_path)

    assert data.run_requests == []
    assert "unmatched: customers_final_v2.xlsx (matches no feed pattern)" in data.skip_message
    assert (
        "CUSTMAST_20261101.dat (CUSTMAST_20261101.profile.yaml and CUSTMAST.cpy not there yet)"
        in data.skip_message
    )


def test_runs_are_requested_for_new_files_while_unknown_ones_are_logged(
    instance: dg.DagsterInstance, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    drop(tmp_path, "ARBAL_20261101.profile.yaml", PROFILE)
    drop(tmp_path, "ARBAL_20261101.txt", b"4000000001ACME\n")
    drop(tmp_path, "README.txt", b"?")

    data = tick(instance, tmp_path)

    assert len(data.run_requests) == 1
    logged = capfd.readouterr().err
    assert "that no feed takes" in logged and "README.txt" in logged
