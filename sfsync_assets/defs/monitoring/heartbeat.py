"""Heartbeats from Dagster's event log: when each integration last materialized anything, and a check that fails
when one has been silent for longer than its SLA. No DuckDB: the check works even while the warehouse is busy,
and it runs on its own schedule, so silence is noticed even when nothing else runs."""

from collections.abc import Sequence
from datetime import UTC, datetime

import dagster as dg

from ...lib.reconcile.heartbeat import Heartbeat
from ...lib.reconcile.report_rendering import markdown_table
from ...lib.reconcile.settings import ReconcileSettings
from .keys import SETTINGS, SYNC_HEALTH
from .resources import MonitoringResource

HEARTBEAT_CHECK = "heartbeats_within_sla"


def latest_materializations(
    instance: dg.DagsterInstance, prefix: Sequence[str]
) -> dict[dg.AssetKey, dg.EventLogEntry]:
    keys = instance.get_asset_keys(prefix=list(prefix))
    events = instance.get_latest_materialization_events(keys) if keys else {}
    return {key: event for key, event in events.items() if event is not None}


def heartbeats(instance: dg.DagsterInstance, settings: ReconcileSettings) -> list[Heartbeat]:
    beats = []
    for integration, heartbeat in settings.heartbeats.items():
        events = latest_materializations(instance, heartbeat.prefix)
        last = max((event.timestamp for event in events.values()), default=None)
        beats.append(
            Heartbeat(integration, datetime.fromtimestamp(last, UTC) if last else None, heartbeat.sla)
        )
    return beats


@dg.asset_check(
    asset=SYNC_HEALTH,
    name=HEARTBEAT_CHECK,
    description="Every integration (Salesforce and ERP ingest, legacy files, the Salesforce push) succeeded "
    "within its SLA; silence fails the check even when nothing errored.",
)
def heartbeats_within_sla(
    context: dg.AssetCheckExecutionContext, monitoring: MonitoringResource
) -> dg.AssetCheckResult:
    now = datetime.now(UTC)
    beats = heartbeats(context.instance, monitoring.settings())
    rows = [
        {"integration": b.integration, "last success": b.last_success, "detail": b.describe(now)}
        for b in beats
        if b.is_missing(now)
    ]
    return dg.AssetCheckResult(
        passed=not rows,
        description="silent: " + ", ".join(row["integration"] for row in rows)
        if rows
        else "every heartbeat on time",
        metadata={"missing_heartbeats": dg.MetadataValue.md(markdown_table(rows))},
    )


heartbeat_job = dg.define_asset_job(
    "monitoring_heartbeats",
    selection=dg.AssetSelection.checks(heartbeats_within_sla),
    description="Checks that every integration succeeded within its SLA.",
)
heartbeat_schedule = dg.ScheduleDefinition(
    job=heartbeat_job,
    cron_schedule=SETTINGS.health.heartbeat_schedule,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Runs the heartbeat check on its own, so a silent integration is noticed even when nothing runs.",
)
