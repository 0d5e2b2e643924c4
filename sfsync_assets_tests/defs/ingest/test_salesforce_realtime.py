"""The change-feed sensor: changed real-time records reach DuckDB by Id; a lost position means a window re-read."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_dlt import DagsterDltResource
from dagster_duckdb import DuckDBResource

from sfsync_assets.defs.ingest import salesforce as ingest
from sfsync_assets.defs.ingest.salesforce_realtime import channel, salesforce_change_feed_sensor
from sfsync_assets.defs.salesforce_resource import SalesforceResource
from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.salesforce.connection import connect


def _salesforce(emulator: EmulatorProcess) -> SalesforceResource:
    credentials = emulator.credentials
    return SalesforceResource(
        domain=emulator.info.login_domain,
        username=credentials.username,
        password=credentials.password,
        security_token=credentials.security_token,
        ca_bundle=emulator.info.ca_file,
    )


def _tick(emulator: EmulatorProcess, cursor: str | None) -> dg.SensorResult:
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(
            instance=instance, cursor=cursor, resources={"salesforce": _salesforce(emulator)}
        )
        return salesforce_change_feed_sensor(context)


def _materialize(emulator: EmulatorProcess, database: Path, request: dg.RunRequest | None = None) -> None:
    selection = [ingest.salesforce_raw]
    resources = {
        "duckdb": DuckDBResource(database=str(database)),
        "dlt": DagsterDltResource(),
        "salesforce": _salesforce(emulator),
    }
    if request is None:
        dg.materialize(selection, resources=resources)
        return
    dg.materialize(
        selection, resources=resources, run_config=request.run_config, selection=request.asset_selection
    )


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt"))
    return tmp_path / "warehouse.duckdb"


def test_changed_record_arrives_by_id_and_own_writes_are_ignored(
    fresh_emulator: EmulatorProcess, warehouse: Path
) -> None:
    someone = connect(fresh_emulator.connection_settings(client_id="marketing-tool"))
    contact_id = someone.Contact.create({"LastName": "Realtime", "Email": "rt@example.com"})["id"]
    _materialize(fresh_emulator, warehouse)  # the batch read owns history

    first = _tick(fresh_emulator, None)  # establishes positions from the retained events, requests nothing
    assert not first.run_requests
    positions = json.loads(first.cursor)
    assert positions[channel("Contact")] > 0

    someone.Contact.update(contact_id, {"Title": "Head of Data"})
    fresh_emulator.salesforce(client_id="sfsync").Contact.update(
        contact_id, {"Department": "Ops"}
    )  # our echo
    result = _tick(fresh_emulator, first.cursor)
    assert len(result.run_requests) == 1
    request = result.run_requests[0]
    assert request.run_config["ops"]["salesforce_raw"]["config"]["record_ids"] == {"Contact": [contact_id]}
    assert request.asset_selection == [ingest.asset_key("Contact")]

    usage_before = fresh_emulator.admin.limits()["DailyApiRequests"]
    _materialize(fresh_emulator, warehouse, request)
    usage_after = fresh_emulator.admin.limits()["DailyApiRequests"]
    assert usage_before["Remaining"] - usage_after["Remaining"] <= 3  # describe + one query: no window read
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        title = connection.execute(
            "SELECT title FROM raw_salesforce.contact WHERE id = ?", [contact_id]
        ).fetchall()
    assert title == [("Head of Data",)]

    # Only our own write since: nothing to request.
    fresh_emulator.salesforce(client_id="sfsync").Contact.update(contact_id, {"Department": "Finance"})
    quiet = _tick(fresh_emulator, result.cursor)
    assert not quiet.run_requests


def test_expired_position_leads_to_a_window_reread(fresh_emulator: EmulatorProcess) -> None:
    sf = fresh_emulator.salesforce(client_id="marketing-tool")
    sf.Lead.create({"LastName": "Old", "Company": "Old Co"})
    first = _tick(fresh_emulator, None)
    sf.Lead.create({"LastName": "Lost", "Company": "Lost Co"})
    fresh_emulator.admin.age_change_feed(73)  # the event after our position is past the 72-hour retention
    result = _tick(fresh_emulator, first.cursor)
    reasons = [r.tags["sfsync/reason"] for r in result.run_requests]
    assert reasons == ["change feed gap: windowed re-read"]
    assert result.run_requests[0].run_config == {}
    # Only Lead had a position to lose; Contact had seen no event and simply replays what is retained.
    assert result.run_requests[0].asset_selection == [ingest.asset_key("Lead")]
