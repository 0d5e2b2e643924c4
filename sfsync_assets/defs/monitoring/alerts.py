"""Alerts: failed runs and checks that start failing go to the notifier, one message per incident.

Both sensors read only Dagster's event log, never DuckDB, and start running with the deployment.
"""

import dagster as dg

from ...lib.reconcile.failure_classes import asset_checks_page, run_page
from ...lib.reconcile.incidents import FAILED_CHECK, FAILED_RUN, Incident, starts_failing
from .notifier import NotifierResource
from .resources import MonitoringResource


@dg.run_failure_sensor(
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Tells the notifier about every failed run, once, with its error and a link to the run.",
)
def notify_failed_runs(
    context: dg.RunFailureSensorContext, notifier: NotifierResource, monitoring: MonitoringResource
) -> None:
    run = context.dagster_run
    ui_url = monitoring.settings().health.ui_url
    notifier.send(
        Incident(
            FAILED_RUN, run.job_name, context.failure_event.message or "failed", run_page(ui_url, run.run_id)
        ),
        context.log,
    )


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Tells the notifier about each check a run found failing that passed (or never ran) before: "
    "one message when a check starts failing, none while it stays failed.",
)
def notify_failing_checks(
    context: dg.RunStatusSensorContext, notifier: NotifierResource, monitoring: MonitoringResource
) -> None:
    ui_url = monitoring.settings().health.ui_url
    records = context.instance.get_records_for_run(
        context.dagster_run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    for record in records:
        evaluation = record.event_log_entry.asset_check_evaluation
        if evaluation is None or evaluation.passed:
            continue
        key = evaluation.asset_check_key
        history = context.instance.event_log_storage.get_asset_check_execution_history(key, limit=10)
        outcomes = [
            found.event.asset_check_evaluation.passed
            for found in history
            if found.event is not None and found.event.asset_check_evaluation is not None
        ]
        if starts_failing(outcomes):
            incident = Incident(
                FAILED_CHECK,
                f"{key.asset_key.to_user_string()}: {key.name}",
                evaluation.description or f"{evaluation.severity.value.lower()} check failed",
                asset_checks_page(ui_url, key.asset_key.path),
            )
            notifier.send(incident, context.log)
