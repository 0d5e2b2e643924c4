"""raw/salesforce/*: full and incremental loads against a real emulator, checked record by record in DuckDB."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_dlt import DagsterDltResource
from dagster_duckdb import DuckDBResource
from simple_salesforce.exceptions import SalesforceError

from sfsync_assets.defs.ingest import salesforce as ingest
from sfsync_assets.defs.ingest.raw_tables import retry_transient_failures
from sfsync_assets.defs.salesforce_resource import SalesforceResource
from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.emulator.values import format_datetime


def _resources(emulator: EmulatorProcess, database: Path) -> dict:
    credentials = emulator.credentials
    return {
        "duckdb": DuckDBResource(database=str(database)),
        "dlt": DagsterDltResource(),
        "salesforce": SalesforceResource(
            domain=emulator.info.login_domain,
            username=credentials.username,
            password=credentials.password,
            security_token=credentials.security_token,
            ca_bundle=emulator.info.ca_file,
        ),
    }


def _materialize(
    emulator: EmulatorProcess, database: Path, run_config: dict | None = None, raise_on_error: bool = True
) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [ingest.salesforce_raw],
        resources=_resources(emulator, database),
        run_config=run_config,
        raise_on_error=raise_on_error,
    )


def _raw(database: Path, table: str) -> dict[str, tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute(
            f"SELECT id, name, system_modstamp, is_deleted FROM raw_salesforce.{table}"
        ).fetchall()
    return {row[0]: row[1:] for row in rows}


def _org(sf, soql: str) -> dict[str, tuple]:
    records = sf.query_all(soql, include_deleted=True)["records"]
    return {
        r["Id"]: (r["Name"], datetime.strptime(r["SystemModstamp"], "%Y-%m-%dT%H:%M:%S.%f%z"), r["IsDeleted"])
        for r in records
    }


def _api_usage(emulator: EmulatorProcess) -> int:
    limits = emulator.admin.limits()["DailyApiRequests"]
    return limits["Max"] - limits["Remaining"]


def _seed_company(emulator: EmulatorProcess, accounts: int, contacts: int) -> None:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    ids = emulator.admin.seed(
        "Account",
        [
            {
                "Name": f"Account {n}",
                "BillingStreet": f"{n} Main Street\nSuite {n % 7}",
                "SystemModstamp": format_datetime(base + timedelta(minutes=n)),
                "CreatedDate": format_datetime(base),
            }
            for n in range(accounts)
        ],
    )
    emulator.admin.seed(
        "Contact",
        [
            {
                "LastName": f"Person {n}",
                "AccountId": ids[n % len(ids)],
                "SystemModstamp": format_datetime(base + timedelta(minutes=n)),
            }
            for n in range(contacts)
        ],
    )


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt"))
    return tmp_path / "warehouse.duckdb"


def test_full_load_then_delta_reads_only_changes(fresh_emulator: EmulatorProcess, warehouse: Path) -> None:
    _seed_company(fresh_emulator, accounts=6_000, contacts=3_000)
    before = _api_usage(fresh_emulator)
    result = _materialize(fresh_emulator, warehouse)
    full_load_calls = _api_usage(fresh_emulator) - before
    assert full_load_calls <= 20
    sf = fresh_emulator.salesforce()
    assert _raw(warehouse, "account") == _org(sf, "SELECT Id, Name, SystemModstamp, IsDeleted FROM Account")
    assert _raw(warehouse, "contact") == _org(sf, "SELECT Id, Name, SystemModstamp, IsDeleted FROM Contact")
    metadata = {
        e.materialization.asset_key.path[-1]: e.materialization.metadata
        for e in result.get_asset_materialization_events()
    }
    assert metadata["account"]["read_mode"].value == "bulk"
    assert metadata["account"]["rows_read"].value == 6_000
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        streets = connection.execute(
            "SELECT billing_street FROM raw_salesforce.account WHERE name = 'Account 12'"
        )
        assert streets.fetchall() == [("12 Main Street\nSuite 5",)]  # a newline inside a Bulk CSV value

    changed = sf.query("SELECT Id FROM Account ORDER BY Name LIMIT 30")["records"]
    for record in changed[:20]:
        sf.Account.update(record["Id"], {"Name": "Renamed " + record["Id"]})
    for record in changed[20:]:
        sf.Account.delete(record["Id"])
    sf.Account.create({"Name": "Brand new"})
    time.sleep(ingest.SETTINGS.window.settle_seconds + 0.5)  # windows end `settle` before now
    before = _api_usage(fresh_emulator)
    result = _materialize(fresh_emulator, warehouse)
    assert _api_usage(fresh_emulator) - before <= 5
    metadata = {
        e.materialization.asset_key.path[-1]: e.materialization.metadata
        for e in result.get_asset_materialization_events()
    }
    assert metadata["account"]["read_mode"].value == "rest"
    assert metadata["account"]["rows_read"].value == 31
    assert metadata["account"]["rows_deleted"].value == 10
    assert _raw(warehouse, "account") == _org(sf, "SELECT Id, Name, SystemModstamp, IsDeleted FROM Account")


def test_shared_modstamps_and_late_commits_are_not_missed(
    fresh_emulator: EmulatorProcess, warehouse: Path
) -> None:
    same = format_datetime(datetime.now(UTC) - timedelta(hours=1))
    fresh_emulator.admin.seed(
        "Lead", [{"LastName": f"Same {n}", "Company": "Tie", "SystemModstamp": same} for n in range(5_000)]
    )
    _materialize(fresh_emulator, warehouse)
    assert len(_raw(warehouse, "lead")) == 5_000
    # A transaction that committed after the run but carries a timestamp inside the window already read.
    late = format_datetime(datetime.now(UTC) - timedelta(seconds=30))
    fresh_emulator.admin.seed("Lead", [{"LastName": "Late", "Company": "Late", "SystemModstamp": late}])
    time.sleep(ingest.SETTINGS.window.settle_seconds + 0.5)
    _materialize(fresh_emulator, warehouse)
    sf = fresh_emulator.salesforce()
    assert _raw(warehouse, "lead") == _org(sf, "SELECT Id, Name, SystemModstamp, IsDeleted FROM Lead")
    assert len(_raw(warehouse, "lead")) == 5_001


def test_budget_stops_cleanly_and_the_next_run_resumes(
    fresh_emulator: EmulatorProcess, warehouse: Path
) -> None:
    marker = uuid.uuid4().hex[:6]
    fresh_emulator.admin.seed("Account", [{"Name": f"{marker} {n}"} for n in range(4_000)])
    time.sleep(ingest.SETTINGS.window.settle_seconds + 0.5)
    sf = fresh_emulator.salesforce()
    sf.limits()
    assert sf.api_usage["api-usage"].used <= 3
    # The integration's share (25 %) of 8 calls is 2: describe and the window query, not the Bulk job.
    fresh_emulator.admin.set_limit("DailyApiRequests", maximum=8)
    result = _materialize(fresh_emulator, warehouse, raise_on_error=False)
    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.error
    assert "API budget" in failure.message
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        ends = connection.execute(
            "SELECT object FROM ops.salesforce_windows WHERE object = 'Account'"
        ).fetchall()
    assert ends == []  # the cursor did not move
    fresh_emulator.admin.set_limit("DailyApiRequests", maximum=100_000)
    _materialize(fresh_emulator, warehouse)
    assert _raw(warehouse, "account") == _org(sf, "SELECT Id, Name, SystemModstamp, IsDeleted FROM Account")


def test_backfill_rereads_without_moving_the_cursor(fresh_emulator: EmulatorProcess, warehouse: Path) -> None:
    _seed_company(fresh_emulator, accounts=50, contacts=10)
    _materialize(fresh_emulator, warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        ends_before = connection.execute("SELECT * FROM ops.salesforce_windows ORDER BY object").fetchall()
    config = {
        "ops": {
            "salesforce_raw": {
                "config": {
                    "backfill_start": "2026-01-01T00:00:00+00:00",
                    "backfill_end": "2026-01-01T00:20:00+00:00",
                }
            }
        }
    }
    result = _materialize(fresh_emulator, warehouse, run_config=config)
    metadata = {
        e.materialization.asset_key.path[-1]: e.materialization.metadata
        for e in result.get_asset_materialization_events()
    }
    assert metadata["account"]["rows_read"].value == 20
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        assert (
            connection.execute("SELECT * FROM ops.salesforce_windows ORDER BY object").fetchall()
            == ends_before
        )
    assert len(_raw(warehouse, "account")) == 50


def test_datetimes_land_as_timestamptz_with_their_instant(
    fresh_emulator: EmulatorProcess, warehouse: Path, caplog: pytest.LogCaptureFixture
) -> None:
    modstamps = [datetime(2026, 1, 1, 10, 0, 0, 123_000, tzinfo=UTC) + timedelta(hours=n) for n in range(3)]
    fresh_emulator.admin.seed(
        "Account",
        [{"Name": f"Stamped {n}", "SystemModstamp": format_datetime(m)} for n, m in enumerate(modstamps)],
    )
    with caplog.at_level("WARNING"):
        _materialize(fresh_emulator, warehouse)
    assert not [r for r in caplog.records if "timezone and precision" in r.getMessage()]
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        types = dict(
            connection.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'raw_salesforce' AND table_name = 'account' "
                "AND column_name IN ('system_modstamp', 'created_date')"
            ).fetchall()
        )
        stored = connection.execute(
            "SELECT epoch_ms(system_modstamp) FROM raw_salesforce.account ORDER BY system_modstamp"
        ).fetchall()
    assert types == {
        "system_modstamp": "TIMESTAMP WITH TIME ZONE",
        "created_date": "TIMESTAMP WITH TIME ZONE",
    }
    assert [row[0] for row in stored] == [int(m.timestamp() * 1000) for m in modstamps]


@pytest.mark.parametrize("fault", [{"http_503": 1.0}, {"drop": 1.0}], ids=["503", "dropped connection"])
def test_an_org_briefly_unavailable_asks_dagster_to_retry_the_read(
    fresh_emulator: EmulatorProcess, fault: dict
) -> None:
    sf = fresh_emulator.salesforce()
    fresh_emulator.admin.set_faults(fault)
    with pytest.raises(dg.RetryRequested), retry_transient_failures():
        try:
            sf.query("SELECT Id FROM Account")
        except (
            Exception
        ) as error:  # as dlt reports a failed extraction: its own error, caused by the request's
            raise RuntimeError("extraction failed") from error


def test_an_org_out_of_api_requests_is_not_retried(fresh_emulator: EmulatorProcess) -> None:
    sf = fresh_emulator.salesforce()
    fresh_emulator.admin.set_limit("DailyApiRequests", maximum=1)
    sf.query("SELECT Id FROM Account")
    with pytest.raises(SalesforceError, match="REQUEST_LIMIT_EXCEEDED"), retry_transient_failures():
        sf.query("SELECT Id FROM Account")
