"""monitoring/sync_lag: how long a source change takes to become visible in Salesforce, per object.

Measured from the golden record's source change time to the first write Salesforce confirmed after it (audit
log), over a recent window; changes still waiting in the plan count with the time waited so far. The check fails
when an object's p95 is above the SLA.
"""

from datetime import UTC, datetime
from typing import Any

import dagster as dg
from dagster_duckdb import DuckDBResource
from duckdb import DuckDBPyConnection

from ...lib.outbound.settings import OutboundSettings
from ...lib.reconcile import sources
from ...lib.reconcile.lag import LagStats, lag_stats
from ...lib.reconcile.report_rendering import markdown_table
from ...lib.reconcile.settings import ReconcileSettings
from ..outbound.resources import OutboundResource
from .asset_defaults import monitoring_asset
from .keys import PUSHES, SYNC_LAG
from .resources import MonitoringResource

SLA_CHECK = "lag_within_sla"


def measure_lag(
    connection: DuckDBPyConnection, settings: ReconcileSettings, outbound: OutboundSettings, now: datetime
) -> dict[str, LagStats | None]:
    """Lag per Salesforce object; None for an object whose golden records do not say when they changed."""
    measured: dict[str, LagStats | None] = {}
    for name in settings.salesforce.targets:
        target = outbound.targets[name]
        samples = sources.lag_samples(connection, name, target.golden_entity, now - settings.lag.window)
        measured[target.object] = None if samples is None else lag_stats(samples, now)
    return measured


@monitoring_asset(
    key=SYNC_LAG,
    deps=PUSHES,
    kinds={"duckdb"},
    check_specs=[
        dg.AssetCheckSpec(
            SLA_CHECK,
            asset=SYNC_LAG,
            description="Every object's p95 sync lag (source change to visible in Salesforce) is within the SLA.",
        )
    ],
    description="Time from a change in a source system to the change being visible in Salesforce, p50/p95 per "
    "object over the recent window; changes still waiting count with the time waited so far.",
)
def sync_lag(
    context: dg.AssetExecutionContext,
    duckdb: DuckDBResource,
    outbound: OutboundResource,
    monitoring: MonitoringResource,
):
    settings = monitoring.settings()
    now = datetime.now(UTC)
    with duckdb.get_connection() as connection:
        measured = measure_lag(connection, settings, outbound.settings(), now)
    sla_seconds = settings.lag.sla.total_seconds()
    rows = [
        {"object": name, **(stats.metadata() if stats else {"changes": "change time unknown"})}
        for name, stats in measured.items()
    ]
    late = [
        row
        for row, stats in zip(rows, measured.values(), strict=True)
        if stats and (stats.p95_seconds or 0) > sla_seconds
    ]
    metadata: dict[str, Any] = {
        f"{name}/{metric}": value
        for name, stats in measured.items()
        if stats
        for metric, value in stats.metadata().items()
        if value is not None
    }
    unknown = [name for name, stats in measured.items() if stats is None]
    if unknown:
        context.log.warning(
            "lag not measured for %s: golden records carry no change time", ", ".join(unknown)
        )
    yield dg.MaterializeResult(metadata={**metadata, "lag": dg.MetadataValue.md(markdown_table(rows))})
    yield dg.AssetCheckResult(
        check_name=SLA_CHECK,
        passed=not late,
        description=f"p95 above the {settings.lag.sla_minutes} min SLA: {', '.join(r['object'] for r in late)}"
        if late
        else f"every object within the {settings.lag.sla_minutes} min SLA",
        metadata={
            "sla_seconds": sla_seconds,
            "late_objects": dg.MetadataValue.md(markdown_table(late)),
        },
    )
