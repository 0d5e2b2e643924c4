"""monitoring/drift: which fields Salesforce holds differently from what we expect it to hold, why, since when.

Judged on what the last reconciliation read, against the ledger (fields the golden record owns), the last ingest
(fields Salesforce owns) and the observation kept from the run before (formula fields). Drift on fields the
golden record owns is re-queued for the next push; the rest is listed for review. The check fails when more
than the configured share of reconciled records drift.
"""

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import dagster as dg
from dagster_duckdb import DuckDBResource

from ...lib.outbound.settings import OUTBOUND_FILE
from ...lib.privacy.redaction import redacted_rows
from ...lib.reconcile import sources
from ...lib.reconcile.checksum_memory import remember, remembered
from ...lib.reconcile.drift import DRIFT_CLASSES, REQUEUE, REVIEW, TargetState, find_drift
from ...lib.reconcile.drift_log import TABLE as DRIFT_TABLE
from ...lib.reconcile.drift_log import LoggedDrift, awaiting_push, record_drift
from ...lib.reconcile.observations import load_observed
from ...lib.reconcile.report_rendering import markdown_table
from ...lib.reconcile.requeue import requeue
from ...lib.reconcile.settings import RECONCILE_FILE
from ..outbound.resources import OutboundResource
from ..table_schema import column_schema_metadata
from .asset_defaults import monitoring_asset
from .keys import DRIFT, SALESFORCE_RECONCILIATION
from .resources import MonitoringResource

THRESHOLD_CHECK = "drift_within_threshold"


def _sample(logged: list[LoggedDrift], size: int) -> str:
    rows = [
        {
            "object": entry.drift.target,
            "golden id": entry.drift.golden_id,
            "record": entry.drift.record_id,
            "field": entry.drift.field,
            "expected": entry.drift.expected,
            "actual": entry.drift.actual,
            "since": entry.drift.since or f"before {entry.first_detected_at:%Y-%m-%d %H:%M}",
            "class": entry.drift.drift_class,
            "action": entry.drift.action,
        }
        for entry in sorted(logged, key=lambda e: (e.drift.target, e.drift.golden_id, e.drift.field))
    ]
    return markdown_table(redacted_rows(rows, ["expected", "actual"]), size)


@monitoring_asset(
    key=DRIFT,
    deps=[SALESFORCE_RECONCILIATION],
    kinds={"duckdb", "salesforce"},
    config_files=(RECONCILE_FILE, OUTBOUND_FILE),
    check_specs=[
        dg.AssetCheckSpec(
            THRESHOLD_CHECK,
            asset=DRIFT,
            description="At most the configured share of reconciled Salesforce records hold something other "
            "than we last pushed or read there (fails with a sample of drifted fields).",
        )
    ],
    description="Fields Salesforce holds differently from what we last pushed there (golden-owned fields) or "
    "last read from it (Salesforce-owned and formula fields), classified as missed push, edited in Salesforce, "
    "deleted in Salesforce, or a formula change invisible to SystemModstamp, with since when (table "
    "reconcile.drift). Golden-owned fields are re-queued for push; the rest awaits review.",
)
def drift(
    context: dg.AssetExecutionContext,
    duckdb: DuckDBResource,
    outbound: OutboundResource,
    monitoring: MonitoringResource,
):
    settings = monitoring.settings()
    outbound_settings = outbound.settings()
    now = datetime.now(UTC)
    states: dict[str, TargetState] = {}
    with duckdb.get_connection() as connection:
        for name in settings.salesforce.targets:
            observed = load_observed(connection, name)
            if observed is None:
                context.log.warning("%s has not been reconciled yet; its drift is judged after it is", name)
                continue
            golden = sources.golden_view(
                connection,
                outbound_settings.targets[name],
                outbound_settings.salesforce.system,
                outbound.system_of_record,
            )
            states[name] = TargetState(
                observed=observed,
                golden=golden.values,
                pushed=sources.ledger(connection, name),
                remembered=remembered(connection, name),
                compared_fields=golden.fields,
                pushable_fields=golden.pushable,
                ingested=sources.ingested_records(
                    connection, observed.object, [*golden.fields, *observed.formula_fields]
                ),
                awaiting_push=awaiting_push(connection, name),
            )
        found = [finding for state in states.values() for finding in find_drift(state)]
        unjudged = {name: state.pushed_after_observation() for name, state in states.items()}
        logged = record_drift(connection, found, unjudged, now, context.run_id)
        requeued = requeue(
            connection, [entry.drift for entry in logged], {n: s.pushed for n, s in states.items()}
        )
        for state in states.values():
            remember(connection, state.observed)
        columns = column_schema_metadata(connection, DRIFT_TABLE)
    judged = sum(len(list(state.judged())) for state in states.values())
    drifted = len({(entry.drift.target, entry.drift.golden_id) for entry in logged})
    share = drifted / judged if judged else 0.0
    by_class = Counter(entry.drift.drift_class for entry in logged)
    by_action = Counter(entry.drift.action for entry in logged)
    sample = _sample(logged, settings.sample_size)
    metadata: dict[str, Any] = {
        "dagster/row_count": len(logged),
        "dagster/table_name": DRIFT_TABLE,
        **columns,
        "records_judged": judged,
        "records_drifted": drifted,
        "drifted_share": dg.MetadataValue.float(round(share, 6)),
        **{f"fields/{drift_class}": by_class[drift_class] for drift_class in DRIFT_CLASSES},
        "fields_requeued_for_push": by_action[REQUEUE],
        "fields_for_review": by_action[REVIEW],
        "records_requeued_in_ledger": requeued,
        "sample": dg.MetadataValue.md(sample),
    }
    yield dg.MaterializeResult(metadata=metadata)
    limit = settings.drift.max_drifted_share
    yield dg.AssetCheckResult(
        check_name=THRESHOLD_CHECK,
        passed=share <= limit,
        severity=dg.AssetCheckSeverity.ERROR,
        description=f"{drifted} of {judged} reconciled records drift ({share:.2%}; limit {limit:.2%})",
        metadata={
            "records_drifted": drifted,
            "records_judged": judged,
            "drifted_share": dg.MetadataValue.float(round(share, 6)),
            "max_drifted_share": dg.MetadataValue.float(limit),
            "sample": dg.MetadataValue.md(sample),
        },
    )
