"""Freshness end to end: an ingest asset that stops materializing turns WARN, then FAIL, when Dagster's own
freshness daemon evaluates the deployment's code location with the clock moved past the windows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.definitions.freshness import FreshnessState
from dagster._core.remote_origin import InProcessCodeLocationOrigin
from dagster._core.test_utils import create_test_daemon_workspace_context, freeze_time
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import InProcessWorkspaceLoadTarget
from dagster._daemon.freshness import FreshnessDaemon
from dagster_dlt import DagsterDltResource
from dagster_duckdb import DuckDBResource
from sqlalchemy import create_engine

from sfsync_assets.defs.ingest import erp
from sfsync_assets.lib.generator.erp import erp_metadata
from sfsync_assets.lib.reconcile.settings import load_reconcile_settings

CUSTOMERS = dg.AssetKey(["raw", "erp", "customers"])
NEVER_LOADED = dg.AssetKey(["raw", "salesforce", "account"])
WITHOUT_POLICY = dg.AssetKey(["monitoring", "drift"])


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[tuple[dg.DagsterInstance, WorkspaceProcessContext]]:
    """The real code location, loaded the way the daemon loads it, over a fresh instance."""
    origin = InProcessCodeLocationOrigin(
        LoadableTargetOrigin(module_name="sfsync_assets.definitions", attribute="defs"),
        location_name="sfsync",
    )
    with (
        dg.instance_for_test(temp_dir=str(tmp_path)) as instance,
        create_test_daemon_workspace_context(InProcessWorkspaceLoadTarget(origin), instance) as workspace,
    ):
        yield instance, workspace


def _states_after_evaluation(
    instance: dg.DagsterInstance, workspace: WorkspaceProcessContext, at: datetime
) -> dict[dg.AssetKey, FreshnessState]:
    keys = [CUSTOMERS, NEVER_LOADED, WITHOUT_POLICY]
    with freeze_time(at):
        list(FreshnessDaemon().run_iteration(workspace))
    records = instance.get_freshness_state_records(keys)
    return {key: records[key].freshness_state for key in keys}


def test_stopped_ingest_fails_its_freshness_policy_once_the_window_passes(
    deployment: tuple[dg.DagsterInstance, WorkspaceProcessContext], tmp_path: Path
) -> None:
    instance, workspace = deployment
    erp_url = f"sqlite:///{tmp_path / 'erp.sqlite'}"
    erp_metadata(None).create_all(create_engine(erp_url))
    result = dg.materialize(
        [erp.erp_raw],
        instance=instance,
        resources={
            "duckdb": DuckDBResource(database=str(tmp_path / "warehouse.duckdb")),
            "dlt": DagsterDltResource(),
            "erp": erp.ErpDatabaseResource(url=erp_url),
        },
    )
    assert result.success
    loaded_at = datetime.fromtimestamp(
        instance.get_latest_materialization_event(CUSTOMERS).timestamp,
        UTC,  # type: ignore[union-attr]
    )
    window = load_reconcile_settings().freshness["erp"]

    fresh = _states_after_evaluation(instance, workspace, loaded_at + timedelta(minutes=1))
    assert fresh == {
        CUSTOMERS: FreshnessState.PASS,
        NEVER_LOADED: FreshnessState.UNKNOWN,
        WITHOUT_POLICY: FreshnessState.NOT_APPLICABLE,
    }
    late = loaded_at + timedelta(minutes=window.warn_minutes, seconds=1)
    assert _states_after_evaluation(instance, workspace, late)[CUSTOMERS] == FreshnessState.WARN
    stopped = loaded_at + timedelta(minutes=window.fail_minutes, seconds=1)
    assert _states_after_evaluation(instance, workspace, stopped)[CUSTOMERS] == FreshnessState.FAIL
