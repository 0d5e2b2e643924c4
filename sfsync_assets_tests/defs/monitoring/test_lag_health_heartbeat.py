"""Sync lag, the health report, heartbeats and freshness policies, on a warehouse built by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster._core.events import DagsterEvent, DagsterEventType, StepMaterializationData
from dagster._core.instance.utils import RUNLESS_JOB_NAME, RUNLESS_RUN_ID
from dagster_duckdb import DuckDBResource

from sfsync_assets.defs.monitoring.freshness import with_ingest_freshness
from sfsync_assets.defs.monitoring.heartbeat import HEARTBEAT_CHECK, heartbeat_job, heartbeats_within_sla
from sfsync_assets.defs.monitoring.resources import MonitoringResource
from sfsync_assets.defs.monitoring.sync_health import ERROR_RATE_CHECK, sync_health
from sfsync_assets.defs.monitoring.sync_lag import SLA_CHECK, sync_lag
from sfsync_assets.defs.outbound.resources import OutboundResource
from sfsync_assets.lib.outbound.tables import ensure_tables
from sfsync_assets.lib.reconcile.settings import load_reconcile_settings
from sfsync_assets.lib.warehouse.quarantine import QuarantinedRow, quarantine

from .support import SYSTEM_OF_RECORD, settings_file

HEARTBEATS = {
    "salesforce_ingest": {"assets": "raw/salesforce", "sla_minutes": 120},
    "erp_ingest": {"assets": "raw/erp", "sla_minutes": 120},
}


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """Empty golden tables and the outbound schema, as the golden build and the push leave them."""
    database = tmp_path / "warehouse.duckdb"
    (tmp_path / "system_of_record.yaml").write_text(SYSTEM_OF_RECORD, encoding="utf-8")
    with duckdb.connect(str(database)) as connection:
        ensure_tables(connection)
        connection.execute("CREATE SCHEMA golden")
        connection.execute(
            "CREATE TABLE golden.organization (golden_id VARCHAR, source_updated_at TIMESTAMPTZ)"
        )
        connection.execute(
            "CREATE TABLE golden.person (golden_id VARCHAR, account_golden_id VARCHAR, source_updated_at TIMESTAMPTZ)"
        )
    return database


def _resources(database: Path, settings: Path) -> dict:
    return {
        "duckdb": DuckDBResource(database=str(database)),
        "outbound": OutboundResource(system_of_record_file=str(database.parent / "system_of_record.yaml")),
        "monitoring": MonitoringResource(settings_file=str(settings)),
    }


def _checks(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def _materialized(instance: dg.DagsterInstance, key: list[str], at: datetime, **metadata) -> None:
    """A materialization as the event log would hold it had it happened at `at`."""
    instance.report_dagster_event(
        DagsterEvent(
            DagsterEventType.ASSET_MATERIALIZATION.value,
            job_name=RUNLESS_JOB_NAME,
            event_specific_data=StepMaterializationData(dg.AssetMaterialization(key, metadata=metadata)),
        ),
        run_id=RUNLESS_RUN_ID,
        timestamp=at.timestamp(),
    )


def test_lag_p50_p95_from_known_timestamps_and_the_sla_check(warehouse: Path, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    changed = now - timedelta(hours=2)
    with duckdb.connect(str(warehouse)) as connection:
        for n, seconds in enumerate((10, 20, 30, 40)):
            connection.execute("INSERT INTO golden.person VALUES (?, NULL, ?)", [f"P{n}", changed])
            connection.execute(
                "INSERT INTO outbound.audit VALUES ('contact', ?, ?, 'updated', 'h', 'Email', 'r', ?, 'bulk', 'j', "
                "'sfsync')",
                [f"003{n}", f"P{n}", changed + timedelta(seconds=seconds)],
            )
        # Still waiting in the plan, 100 s after its change; and an old change outside the 24 h window.
        connection.execute("INSERT INTO golden.person VALUES ('P9', NULL, ?)", [now - timedelta(seconds=100)])
        connection.execute(
            "INSERT INTO outbound.plan VALUES ('contact', 'P9', NULL, 'changed', false, '{}', 'h', ?, 'r')",
            [now],
        )
        connection.execute("INSERT INTO golden.person VALUES ('P8', NULL, ?)", [now - timedelta(days=3)])
    settings = settings_file(tmp_path, lag={"sla_minutes": 1})
    result = dg.materialize([sync_lag], resources=_resources(warehouse, settings))
    metadata = {
        k: v.value for k, v in result.get_asset_materialization_events()[0].materialization.metadata.items()
    }
    assert metadata["Contact/changes"] == 5 and metadata["Contact/waiting"] == 1
    assert metadata["Contact/lag_p50_s"] == 30.0
    assert metadata["Contact/lag_p95_s"] == pytest.approx(88.0, abs=3)
    assert metadata["Account/changes"] == 0
    check = _checks(result)[SLA_CHECK]
    assert not check.passed and "Contact" in check.description


def test_health_report_counts_stages_writes_html_and_fails_above_one_percent(
    warehouse: Path, tmp_path: Path
) -> None:
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("CREATE SCHEMA raw_salesforce")
        connection.execute(
            "CREATE TABLE raw_salesforce.account AS "
            "SELECT range::VARCHAR AS id, range < 3 AS is_deleted FROM range(100)"
        )
        connection.execute("CREATE SCHEMA staged")
        connection.execute(
            "CREATE TABLE staged.salesforce_account AS SELECT false AS is_deleted FROM range(97)"
        )
        rows = [
            QuarantinedRow("salesforce", "Account", f"001{n}", "Industry", "picklist", "not a value")
            for n in range(2)
        ]
        quarantine(connection, rows, "run")
    instance = dg.DagsterInstance.ephemeral()
    now = datetime.now(UTC)
    _materialized(
        instance,
        ["raw", "salesforce", "account"],
        now,
        api_org_used=700,
        api_org_max=15000,
        api_org_remaining=14300,
        api_allowance_integration_day=3750,
    )
    _materialized(instance, ["raw", "erp", "customers"], now - timedelta(hours=5))
    settings = settings_file(tmp_path, heartbeats=HEARTBEATS)
    result = dg.materialize(
        [sync_health, heartbeats_within_sla], resources=_resources(warehouse, settings), instance=instance
    )
    metadata = {
        k: v.value for k, v in result.get_asset_materialization_events()[0].materialization.metadata.items()
    }
    assert metadata["salesforce_ingest/account/records"] == 100
    assert metadata["salesforce_ingest/account/deleted"] == 3
    assert metadata["salesforce_ingest/account/quarantined/picklist"] == 2
    assert metadata["salesforce_ingest/account/error_rate"] == 0.02
    assert metadata["salesforce_ingest/staged/salesforce/account/records"] == 97
    assert metadata["salesforce_api/org/org_remaining"] == 14300
    assert metadata["erp_ingest/minutes_since_success"] == pytest.approx(300, abs=1)
    assert metadata["salesforce_push/Contact/golden"] == 0
    page = Path(metadata["report_html"].removeprefix("file://"))
    assert page == tmp_path / "reports" / "sync_health.html" and "salesforce_ingest" in page.read_text()
    checks = _checks(result)
    assert not checks[ERROR_RATE_CHECK].passed
    assert "salesforce_ingest | account | 0.02" in checks[ERROR_RATE_CHECK].metadata["above_limit"].value
    assert not checks[HEARTBEAT_CHECK].passed and checks[HEARTBEAT_CHECK].description == "silent: erp_ingest"


def test_heartbeat_check_fails_while_an_integration_is_silent_and_passes_once_it_ran(tmp_path: Path) -> None:
    instance = dg.DagsterInstance.ephemeral()
    monitoring = MonitoringResource(settings_file=str(settings_file(tmp_path, heartbeats=HEARTBEATS)))
    defs = dg.Definitions(
        asset_checks=[heartbeats_within_sla], jobs=[heartbeat_job], resources={"monitoring": monitoring}
    )
    job = defs.resolve_job_def(heartbeat_job.name)
    _materialized(instance, ["raw", "salesforce", "account"], datetime.now(UTC) - timedelta(hours=3))
    _materialized(instance, ["raw", "erp", "customers"], datetime.now(UTC))
    stale = _checks(job.execute_in_process(instance=instance))[HEARTBEAT_CHECK]
    assert not stale.passed and stale.description == "silent: salesforce_ingest"
    instance.report_runless_asset_event(dg.AssetMaterialization(["raw", "salesforce", "contact"]))
    assert _checks(job.execute_in_process(instance=instance))[HEARTBEAT_CHECK].passed


def test_every_ingest_asset_gets_its_systems_freshness_policy() -> None:
    raw = {
        "salesforce": ["raw", "salesforce", "account"],
        "erp": ["raw", "erp", "customers"],
        "legacy": ["raw", "legacy", "custmast"],
    }

    @dg.multi_asset(specs=[dg.AssetSpec(key) for key in [*raw.values(), ["golden", "person"]]])
    def ingest_and_golden():
        """Stands for the ingest modules' assets: materializable, defined elsewhere."""

    graph = with_ingest_freshness(dg.Definitions(assets=[ingest_and_golden])).resolve_asset_graph()
    windows = load_reconcile_settings().freshness
    for system, key in raw.items():
        policy = graph.get(dg.AssetKey(key)).freshness_policy
        assert policy.fail_window.to_timedelta() == timedelta(minutes=windows[system].fail_minutes)
        assert policy.warn_window.to_timedelta() == timedelta(minutes=windows[system].warn_minutes)
    assert graph.get(dg.AssetKey(["golden", "person"])).freshness_policy is None
