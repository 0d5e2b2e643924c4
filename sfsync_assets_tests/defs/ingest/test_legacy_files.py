"""raw/legacy/<feed>: a generated drop folder loaded partition by partition into DuckDB, checked row by row."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from sfsync_assets.definitions import defs
from sfsync_assets.defs.ingest.legacy_files import (
    FILE_PARTITIONS,
    LEGACY_ASSETS,
    LEGACY_JOBS,
    RECORD_COUNT_CHECK,
    LegacyInboxResource,
    legacy_asset_key,
)
from sfsync_assets.defs.ingest.legacy_sensor import legacy_inbox_sensor
from sfsync_assets.lib.legacy.inbox import content_digest
from sfsync_assets_tests.lib.legacy.support import FEEDS, generate, planted_invalid_dates

ASSETS = {asset.key: asset for asset in LEGACY_ASSETS}


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("company"))


@pytest.fixture
def inbox(company: Path, tmp_path: Path) -> Path:
    """A private copy of the drop folder, aged past the sensor's settle time."""
    folder = shutil.copytree(company / "inbound", tmp_path / "inbound")
    then = time.time() - 60
    for path in folder.iterdir():
        os.utime(path, (then, then))
    return folder


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as instance:
        yield instance


class Warehouse:
    """Materializes legacy partitions against a DuckDB file on tmp_path and reads the results back."""

    def __init__(self, instance: dg.DagsterInstance, inbox: Path, path: Path) -> None:
        self.instance, self.inbox, self.path = instance, inbox, path
        self.resources = {
            "duckdb": DuckDBResource(database=str(path)),
            "legacy_inbox": LegacyInboxResource(path=str(inbox)),
        }

    def partition(self, feed_name: str) -> str:
        """Add the dynamic partition of the feed's file as it is now (what the sensor does)."""
        (path,) = [p for p in self.inbox.iterdir() if FEEDS[feed_name].matches(p.name)]
        key = f"{path.name}@{content_digest(path)}"
        self.instance.add_dynamic_partitions(FILE_PARTITIONS[feed_name].name, [key])
        return key

    def materialize(self, feed_name: str, key: str, **options: Any) -> dg.ExecuteInProcessResult:
        asset = ASSETS[legacy_asset_key(feed_name)]
        return dg.materialize(
            [asset], partition_key=key, instance=self.instance, resources=self.resources, **options
        )

    def query(self, sql: str, *parameters: Any) -> list[tuple]:
        with duckdb.connect(str(self.path), read_only=True) as connection:
            return connection.execute(sql, list(parameters)).fetchall()


@pytest.fixture
def warehouse(instance: dg.DagsterInstance, inbox: Path, tmp_path: Path) -> Warehouse:
    return Warehouse(instance, inbox, tmp_path / "warehouse.duckdb")


def metadata(result: dg.ExecuteInProcessResult) -> dict[str, Any]:
    (event,) = result.get_asset_materialization_events()
    return {key: value.value for key, value in event.materialization.metadata.items()}


def count_check(result: dg.ExecuteInProcessResult) -> dg.AssetCheckEvaluation:
    (evaluation,) = [e for e in result.get_asset_check_evaluations() if e.check_name == RECORD_COUNT_CHECK]
    return evaluation


def test_the_sensor_s_runs_load_every_feed_with_lineage_and_quarantine(
    company: Path, warehouse: Warehouse, inbox: Path
) -> None:
    resources = {**warehouse.resources}
    definitions = dg.Definitions(
        assets=LEGACY_ASSETS, jobs=LEGACY_JOBS, sensors=[legacy_inbox_sensor], resources=resources
    )
    context = dg.build_sensor_context(
        instance=warehouse.instance,
        instance_ref=warehouse.instance.get_ref(),
        resources=resources,
        definitions=definitions,
    )
    tick = legacy_inbox_sensor.evaluate_tick(context)
    for request in tick.dynamic_partitions_requests:
        warehouse.instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    assert len(tick.run_requests) == len(FEEDS)

    for request in tick.run_requests:
        feed_name = request.job_name.removeprefix("load_legacy_").upper()
        result = warehouse.materialize(feed_name, request.partition_key)
        assert result.success
        loaded = metadata(result)
        assert loaded["rows_loaded"] == loaded["dagster/row_count"] == loaded["profile_record_count"] > 0
        assert loaded["record_counts_match"] and count_check(result).passed
        table = f"raw_legacy.{feed_name.lower()}"
        assert warehouse.query(
            f"SELECT count(*), count(DISTINCT _record_number), min(_partition_key), max(_partition_key), "
            f"count(_ingest_run_id), count(_loaded_at) FROM {table}"
        ) == [(loaded["rows_loaded"],) * 2 + (request.partition_key,) * 2 + (loaded["rows_loaded"],) * 2]
        assert warehouse.query(f"SELECT DISTINCT _source_file FROM {table}") == [
            (request.partition_key.split("@")[0],)
        ]

    expected = {
        (row["object"], row["field"], row["detail"], int(row["line"]) if row["line"] else None)
        for row in planted_invalid_dates(company)
    }
    quarantined = warehouse.query(
        "SELECT source_object, field, value, line_number, byte_offset, record_ref FROM quality.quarantine "
        "WHERE rule = 'INVALID_DATE'"
    )
    assert {row[:4] for row in quarantined} == expected
    for obj, _, _, line, offset, ref in quarantined:
        assert (offset is not None) == (obj == "CUSTMAST") and (line is not None) == (obj != "CUSTMAST")
        assert ref.endswith(f"line {line}" if line else "") and ref.split(" ")[0].startswith(obj)
    assert warehouse.query("SELECT count(*) FROM raw_legacy.custexport WHERE customer_since IS NULL") == [
        (sum(1 for row in expected if row[0] == "CUSTEXPORT"),)
    ]


def test_rematerializing_a_partition_replaces_its_rows(warehouse: Warehouse) -> None:
    key = warehouse.partition("CUSTEXPORT")
    first = metadata(warehouse.materialize("CUSTEXPORT", key))
    second_result = warehouse.materialize("CUSTEXPORT", key)
    second = metadata(second_result)

    assert second["rows_loaded"] == first["rows_loaded"] and second["rows_replaced"] == first["rows_loaded"]
    assert warehouse.query("SELECT count(*), count(DISTINCT _ingest_run_id) FROM raw_legacy.custexport") == [
        (first["rows_loaded"], 1)
    ]
    assert warehouse.query("SELECT DISTINCT _ingest_run_id FROM raw_legacy.custexport") == [
        (second_result.run_id,)
    ]
    assert warehouse.query(
        "SELECT count(*), count(DISTINCT first_seen_run_id), count(DISTINCT last_seen_run_id) FROM quality.quarantine"
    ) == [(first["quarantine_entries"], 1, 1)]


def test_a_corrected_redrop_replaces_the_old_version_and_resolves_what_it_fixed(
    company: Path, warehouse: Warehouse
) -> None:
    old_key = warehouse.partition("CUSTEXPORT")
    warehouse.materialize("CUSTEXPORT", old_key)
    fixed = next(row for row in planted_invalid_dates(company) if row["object"] == "CUSTEXPORT")
    path = warehouse.inbox / old_key.split("@")[0]
    path.write_bytes(path.read_bytes().replace(fixed["detail"].encode(), b"01/02/2003", 1))

    new_key = warehouse.partition("CUSTEXPORT")
    result = warehouse.materialize("CUSTEXPORT", new_key)
    stale = warehouse.materialize("CUSTEXPORT", old_key, raise_on_error=False)

    assert new_key != old_key and metadata(result)["replaced_partitions"] == old_key
    assert metadata(result)["problems_resolved"] == 1
    assert warehouse.query("SELECT DISTINCT _partition_key FROM raw_legacy.custexport") == [(new_key,)]
    assert warehouse.query(
        "SELECT customer_since FROM raw_legacy.custexport WHERE _line_number = ?", int(fixed["line"])
    ) == [(date(2003, 2, 1),)]
    assert warehouse.query(
        "SELECT resolved_at IS NOT NULL FROM quality.quarantine WHERE record_ref = ? AND rule = 'INVALID_DATE'",
        f"{path.name} line {fixed['line']}",
    ) == [(True,)]
    assert not stale.success
    failure = stale.get_step_failure_events()[0].event_specific_data.error.message
    assert "has changed since partition" in failure and old_key in failure


def test_broken_lines_and_a_wrong_trailer_are_quarantined_while_the_rest_loads(warehouse: Warehouse) -> None:
    (orders,) = warehouse.inbox.glob("ORDERS_*.csv")
    lines = orders.read_bytes().split(b"\r\n")
    records = len(lines) - 4  # header record, column header, trailer, final empty string
    lines.insert(5, b"LO9999999;broken line")
    lines[-2] = b"T|%06d" % (records + 5)
    orders.write_bytes(b"\r\n".join(lines))

    result = warehouse.materialize("ORDERS", warehouse.partition("ORDERS"))

    assert result.success and not count_check(result).passed
    assert metadata(result)["rows_loaded"] == records and metadata(result)["rows_quarantined"] == 1
    assert warehouse.query(
        "SELECT rule, field, line_number, raw FROM quality.quarantine WHERE rule <> 'INVALID_DATE' ORDER BY rule"
    ) == [
        ("MALFORMED_RECORD", "", 6, "LO9999999;broken line"),
        ("RECORD_COUNT_MISMATCH", "", None, None),
    ]
    assert warehouse.query("SELECT reason FROM quality.quarantine WHERE rule = 'RECORD_COUNT_MISMATCH'") == [
        (
            f"the trailer announces {records + 5} data records, the file has {records + 1}; "
            f"the profile announces {records} data records, the file has {records + 1}",
        )
    ]


def test_a_corrupt_ebcdic_field_is_quarantined_with_its_byte_offset(warehouse: Warehouse) -> None:
    (custmast,) = warehouse.inbox.glob("CUSTMAST_*.dat")
    data = bytearray(custmast.read_bytes())
    offset = 2 * 258 + 143  # record 3, CM-CREDIT-LIMIT (COMP-3)
    data[offset] = 0xAB
    custmast.write_bytes(bytes(data))

    result = warehouse.materialize("CUSTMAST", warehouse.partition("CUSTMAST"))

    assert result.success and metadata(result)["rows_loaded"] == metadata(result)["profile_record_count"]
    assert warehouse.query(
        "SELECT rule, field, byte_offset, record_ref FROM quality.quarantine WHERE rule = 'UNDECODABLE_FIELD'"
    ) == [("UNDECODABLE_FIELD", "CM-CREDIT-LIMIT", offset, f"{custmast.name} record 3")]
    assert warehouse.query(
        "SELECT _record_number FROM raw_legacy.custmast WHERE cm_credit_limit IS NULL"
    ) == [(3,)]


def test_the_code_location_loads_the_legacy_assets_and_sensor() -> None:
    definitions = defs()
    dg.Definitions.validate_loadable(definitions)
    graph = definitions.resolve_asset_graph()
    for feed_name, feed in FEEDS.items():
        key = legacy_asset_key(feed_name)
        spec = graph.get(key)
        assert spec.group_name == "raw" and "duckdb" in spec.kinds and spec.owners == ["team:integration"]
        assert spec.partitions_def == FILE_PARTITIONS[feed_name]
        assert definitions.resolve_assets_def(key).op.pool == "duckdb_writer"
        assert feed.description.split(",")[0] in (spec.description or "")
    sensor = definitions.resolve_sensor_def("legacy_inbox_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING and sensor.minimum_interval_seconds == 30
