"""Alerts: one message per incident — a failed run, or a check that starts failing — through the log notifier,
evaluated by the real sensors over runs recorded in a Dagster instance."""

import dagster as dg
import pytest

from sfsync_assets.defs.monitoring.alerts import notify_failed_runs, notify_failing_checks
from sfsync_assets.defs.monitoring.notifier import NotifierResource
from sfsync_assets.defs.monitoring.resources import MonitoringResource
from sfsync_assets.lib.reconcile.settings import load_reconcile_settings

UI_URL = load_reconcile_settings().health.ui_url


class Scores(dg.Config):
    out_of_range: int = 0


@dg.asset(check_specs=[dg.AssetCheckSpec("scores_in_range", asset="scores")])
def scores(config: Scores):
    yield dg.MaterializeResult()
    yield dg.AssetCheckResult(
        passed=config.out_of_range == 0, description=f"{config.out_of_range} scores out of range"
    )


@dg.asset
def erp_feed():
    raise dg.Failure(description="ERP unreachable")


def _run(instance: dg.DagsterInstance, asset: dg.AssetsDefinition, **config) -> dg.DagsterRun:
    result = dg.materialize(
        [asset],
        instance=instance,
        run_config={"ops": {asset.op.name: {"config": config}}} if config else None,
        raise_on_error=False,
    )
    return instance.get_run_by_id(result.run_id)  # type: ignore[return-value]


def _alerts(
    capfd: pytest.CaptureFixture[str], sensor, instance: dg.DagsterInstance, run: dg.DagsterRun
) -> list[str]:
    """What the sensor tells the log notifier (Dagster's log, on stderr) about `run`."""
    status = dg.DagsterEventType.RUN_SUCCESS if run.is_success else dg.DagsterEventType.RUN_FAILURE
    [event] = instance.all_logs(run.run_id, of_type=status)
    context = dg.build_run_status_sensor_context(
        sensor_name=sensor.name,
        dagster_event=event.dagster_event,
        dagster_instance=instance,
        dagster_run=run,
        resources={"notifier": NotifierResource(), "monitoring": MonitoringResource()},
    )
    capfd.readouterr()
    sensor(context.for_run_failure() if status == dg.DagsterEventType.RUN_FAILURE else context)
    logged = capfd.readouterr().err.splitlines()
    return [line.split(" - WARNING - ", 1)[1] for line in logged if " - WARNING - sfsync failed" in line]


def test_a_check_alerts_once_when_it_starts_failing_and_again_after_it_recovered(
    capfd: pytest.CaptureFixture[str],
) -> None:
    instance = dg.DagsterInstance.ephemeral()
    [first] = _alerts(capfd, notify_failing_checks, instance, _run(instance, scores, out_of_range=3))
    assert "scores: scores_in_range: 3 scores out of range" in first
    assert f"{UI_URL}/assets/scores?view=checks" in first
    assert _alerts(capfd, notify_failing_checks, instance, _run(instance, scores, out_of_range=5)) == []
    assert _alerts(capfd, notify_failing_checks, instance, _run(instance, scores)) == []
    assert len(_alerts(capfd, notify_failing_checks, instance, _run(instance, scores, out_of_range=1))) == 1


def test_every_failed_run_alerts_once_with_its_error_and_link(capfd: pytest.CaptureFixture[str]) -> None:
    instance = dg.DagsterInstance.ephemeral()
    run = _run(instance, erp_feed)
    [alert] = _alerts(capfd, notify_failed_runs, instance, run)
    assert alert.startswith(f"sfsync failed run: {run.job_name}: ")
    assert alert.endswith(f"({UI_URL}/runs/{run.run_id})")
