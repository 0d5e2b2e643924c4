"""What an analyst browsing the catalog relies on: every asset says what it is, who owns it, its layer and its
kinds (checked on the loaded definitions, no run needed), and a raw table reports its rows and columns without
dlt's internals."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster._core.definitions.metadata import normalize_metadata
from dagster_dlt import DagsterDltResource
from dagster_duckdb import DuckDBResource

from sfsync_assets.definitions import defs
from sfsync_assets.defs.ingest import salesforce as ingest
from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.emulator.values import format_datetime
from sfsync_assets_tests.defs.monitoring.support import salesforce_resource

LAYERS = {"raw", "staged", "identity", "golden", "outbound", "monitoring", "privacy"}


@pytest.fixture(scope="module")
def asset_graph():
    return defs().resolve_asset_graph()


def test_every_asset_has_a_description_owners_its_layer_as_group_and_kinds(asset_graph) -> None:
    gaps = {}
    for key in asset_graph.get_all_asset_keys():
        node = asset_graph.get(key)
        missing = [
            what
            for what, present in (
                ("description", node.description and len(node.description.split()) >= 5),
                ("owners", node.owners and all(owner.startswith("team:") for owner in node.owners)),
                ("group = layer", node.group_name == key.path[0] and node.group_name in LAYERS),
                ("kinds", node.kinds),
            )
            if not present
        ]
        if missing:
            gaps[key.to_user_string()] = missing
    assert not gaps, f"assets an analyst cannot place: {gaps}"


def test_definition_metadata_is_all_readable(asset_graph) -> None:
    """No Python object in an asset's definition metadata: the UI would show it as "(unserializable)"."""
    unreadable = {}
    for key in asset_graph.get_all_asset_keys():
        normalized = normalize_metadata(dict(asset_graph.get(key).metadata), allow_invalid=True)
        shown = {
            label: value for label, value in normalized.items() if "(unserializable)" in str(value.value)
        }
        if shown:
            unreadable[key.to_user_string()] = sorted(shown)
    assert not unreadable, unreadable


def test_a_raw_salesforce_table_reports_rows_and_columns_not_dlt_internals(
    emulator: EmulatorProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt"))
    database = tmp_path / "warehouse.duckdb"
    # Changed a while ago: a read's window ends a few seconds before now, for commits still settling.
    changed = format_datetime(datetime.now(UTC) - timedelta(minutes=5))
    emulator.admin.seed(
        "Account",
        [{"Name": f"Catalog {uuid.uuid4().hex[:8]} {n}", "SystemModstamp": changed} for n in range(3)],
    )
    key = ingest.asset_key("Account")
    result = dg.materialize(
        [ingest.salesforce_raw],
        selection=[key],
        resources={
            "duckdb": DuckDBResource(database=str(database)),
            "dlt": DagsterDltResource(),
            "salesforce": salesforce_resource(emulator),
        },
    )
    [materialization] = result.asset_materializations_for_node(ingest.salesforce_raw.op.name)
    metadata = materialization.metadata
    with duckdb.connect(str(database), read_only=True) as connection:
        [(rows,)] = connection.execute("SELECT count(*) FROM raw_salesforce.account").fetchall()
    assert rows >= 3
    assert metadata["dagster/row_count"].value == rows
    assert metadata["dagster/table_name"].value == "warehouse.raw_salesforce.account"
    columns = {column.name for column in metadata["dagster/column_schema"].value.columns}
    assert {"id", "name", "system_modstamp", "is_deleted"} <= columns
    assert {"rows_read", "read_mode", "api_calls_this_run"} <= set(metadata)
    assert not {"jobs", "first_run", "started_at", "destination_type", "dagster/storage_kind"} & set(metadata)
