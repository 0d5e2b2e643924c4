"""monitoring/sync_health: one page on how every integration is doing, in the UI and as an HTML file.

First what failed, class by class with counts and where its rows are: quarantine by rule, dead letters by error
code, drift by class (each a DuckDB query), failed checks and runs stopped early (each a Dagster UI link). Then
per integration and object: records at each stage, quarantined and dead-lettered records by reason, drift by
class, sync lag, API calls used and left, and each integration's last success. Every number is also metadata,
so the UI plots it over time. The check fails when an object's error rate is above the limit (1 %).
"""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_duckdb import DuckDBResource

from ...lib.reconcile import sources
from ...lib.reconcile.drift_log import open_drift_counts
from ...lib.reconcile.failure_classes import (
    FAILED_CHECK,
    STOPPED_EARLY,
    FailureClass,
    asset_checks_page,
    dead_letter_classes,
    drift_classes,
    quarantine_classes,
    run_page,
)
from ...lib.reconcile.health import (
    HealthReport,
    PushCounts,
    api_row,
    group_counts,
    ingest_rows,
    push_row,
)
from ...lib.reconcile.observations import load_observed
from ...lib.reconcile.report_rendering import markdown_table, render_html, render_markdown
from ...lib.warehouse import sync_state
from ..outbound.resources import OutboundResource
from .asset_defaults import monitoring_asset
from .heartbeat import heartbeats, latest_materializations
from .keys import (
    DRIFT,
    ERP_RECONCILIATION,
    HEALTH_REPORT_LABEL,
    SALESFORCE_RECONCILIATION,
    SETTINGS,
    SYNC_HEALTH,
    SYNC_LAG,
)
from .resources import MonitoringResource
from .sync_lag import measure_lag

ERROR_RATE_CHECK = "error_rate_within_limit"
REPORT_FILE = "sync_health.html"
# Assets whose metadata carries the org's API usage from Sforce-Limit-Info (the API budget governor's summary).
API_USAGE_REPORTERS = (["raw", "salesforce"], ["outbound", "salesforce"], SALESFORCE_RECONCILIATION.path)


def last_api_usage(instance: dg.DagsterInstance) -> dict[str, Any]:
    """The API usage figures of the most recent materialization that saw a `Sforce-Limit-Info` header."""
    newest: dg.EventLogEntry | None = None
    for prefix in API_USAGE_REPORTERS:
        for event in latest_materializations(instance, prefix).values():
            usage = (
                event.asset_materialization.metadata.get("api_org_max")
                if event.asset_materialization
                else None
            )
            if (
                usage is not None
                and usage.value is not None
                and (newest is None or event.timestamp > newest.timestamp)
            ):
                newest = event
    if newest is None or newest.asset_materialization is None:
        return {}
    return {
        key: value.value
        for key, value in newest.asset_materialization.metadata.items()
        if key.startswith("api_")
    }


def failed_checks(instance: dg.DagsterInstance, since: datetime, ui_url: str) -> list[FailureClass]:
    """Checks evaluated since `since` whose latest evaluation failed, linked to their asset's checks page.

    Read from the event log rather than from the run's job: an automation run materializes this asset alone,
    and the checks that matter ran in other runs. Dagster offers no non-deprecated query by event type yet.
    """
    records = instance.get_event_records(
        dg.EventRecordsFilter(dg.DagsterEventType.ASSET_CHECK_EVALUATION, after_timestamp=since.timestamp()),
        ascending=True,
    )
    latest = {}
    for record in records:
        evaluation = record.event_log_entry.asset_check_evaluation
        if evaluation is not None:
            latest[evaluation.asset_check_key] = evaluation
    return [
        FailureClass(
            FAILED_CHECK,
            key.name,
            key.asset_key.to_user_string(),
            1,
            asset_checks_page(ui_url, key.asset_key.path),
        )
        for key, evaluation in sorted(latest.items(), key=lambda item: item[0].to_user_string())
        if not evaluation.passed
    ]


def stopped_early(instance: dg.DagsterInstance, ui_url: str) -> list[FailureClass]:
    """Salesforce reads and pushes whose latest run stopped before finishing, linked to that run."""
    stops = []
    for prefix in API_USAGE_REPORTERS:
        for key, event in sorted(latest_materializations(instance, prefix).items()):
            materialization = event.asset_materialization
            status = materialization.metadata.get("status") if materialization else None
            if status is not None and str(status.value).startswith("stopped"):
                reason = str(status.value).removeprefix("stopped:").strip()
                stops.append(
                    FailureClass(
                        STOPPED_EARLY, reason, key.to_user_string(), 1, run_page(ui_url, event.run_id)
                    )
                )
    return stops


def failure_table(failures: list[FailureClass]) -> dg.TableMetadataValue:
    """The failure classes as a table the UI shows and a caller can read field by field."""
    columns = [
        ("kind", "string"),
        ("class", "string"),
        ("where", "string"),
        ("count", "int"),
        ("rows", "string"),
    ]
    return dg.MetadataValue.table(
        records=[
            dg.TableRecord(
                {"kind": f.kind, "class": f.name, "where": f.scope, "count": f.count, "rows": f.rows}
            )
            for f in failures
        ],
        schema=dg.TableSchema(columns=[dg.TableColumn(name, kind) for name, kind in columns]),
    )


@monitoring_asset(
    key=SYNC_HEALTH,
    deps=[DRIFT, SYNC_LAG, ERP_RECONCILIATION],
    kinds={"duckdb", "html"},
    cron=SETTINGS.health.schedule,
    check_specs=[
        dg.AssetCheckSpec(
            ERROR_RATE_CHECK,
            asset=SYNC_HEALTH,
            description="No object loses more than the allowed share of its records (1 %) to quarantine or the "
            "dead letter, even when every run succeeded.",
        )
    ],
    description="Sync health: every failure class with its count and where its rows are, then per integration "
    "and object records per stage, quarantined and dead-lettered records by reason, drift by class, sync lag, "
    "API calls used and left, last success; also as an HTML page.",
)
def sync_health(
    context: dg.AssetExecutionContext,
    duckdb: DuckDBResource,
    outbound: OutboundResource,
    monitoring: MonitoringResource,
):
    settings = monitoring.settings()
    outbound_settings = outbound.settings()
    now = datetime.now(UTC)
    with duckdb.get_connection() as connection:
        quarantined = sources.open_quarantine(connection)
        dead_lettered = sources.open_dead_letters(connection)
        drifted = open_drift_counts(connection)
        ingest = ingest_rows(sources.layer_counts(connection), quarantined)
        dead_letters = group_counts(dead_lettered)
        drift = group_counts(drifted)
        planned = sources.outbound_counts(connection, "outbound.plan")
        pushed = sources.outbound_counts(connection, "outbound.ledger")
        lag = measure_lag(connection, settings, outbound_settings, now)
        calls = sync_state.api_calls_last_day(connection)
        pushes = []
        for name in settings.salesforce.targets:
            target = outbound_settings.targets[name]
            observed = load_observed(connection, name)
            pushes.append(
                PushCounts(
                    object=target.object,
                    golden=sources.golden_count(connection, target.golden_entity),
                    planned=planned.get(name, 0),
                    pushed=pushed.get(name, 0),
                    in_salesforce=observed.live if observed else None,
                    dead_letters=dead_letters.get(name, {}),
                    drift=drift.get(name, {}),
                    lag=lag.get(target.object),
                )
            )
    ui_url = settings.health.ui_url
    report = HealthReport(
        now,
        [*ingest, *(push_row(counts) for counts in pushes), api_row(calls, last_api_usage(context.instance))],
        heartbeats(context.instance, settings),
        [
            *quarantine_classes(quarantined),
            *dead_letter_classes(dead_lettered),
            *drift_classes(drifted),
            *failed_checks(context.instance, now - settings.health.failed_checks_window, ui_url),
            *stopped_early(context.instance, ui_url),
        ],
    )
    page = Path(duckdb.database).resolve().parent / settings.health.report_dir / REPORT_FILE
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(render_html(report), encoding="utf-8")
    yield dg.MaterializeResult(
        metadata={
            **report.numbers(),
            "failures": failure_table(report.failures),
            "report": dg.MetadataValue.md(render_markdown(report)),
            HEALTH_REPORT_LABEL: dg.MetadataValue.url(page.as_uri()),
        }
    )
    limit = settings.health.max_error_rate
    failing = [
        {
            "integration": row.integration,
            "object": row.object,
            "error rate": row.error_rate,
            "quarantined": row.metrics.get("quarantined"),
            "dead letters": row.metrics.get("dead_letters"),
        }
        for row in report.above_error_rate(limit)
    ]
    yield dg.AssetCheckResult(
        check_name=ERROR_RATE_CHECK,
        passed=not failing,
        description=f"{len(failing)} object(s) above the {limit:.0%} error rate" if failing else None,
        metadata={
            "max_error_rate": dg.MetadataValue.float(limit),
            "above_limit": dg.MetadataValue.md(markdown_table(failing, settings.sample_size)),
        },
    )
