"""monitoring/salesforce_reconciliation and monitoring/erp_reconciliation: do the systems hold the golden records?

Salesforce is read back after every push (and hourly): every managed record of each target, in one Composite
call plus a Bulk 2.0 job for large objects, within the integration's API budget. The ERP side compares golden
records with the ERP's staged rows on the fields the ERP owns. Both report record counts and per-record checksum
agreement per object; a check warns, with a sample, when the counts or checksums disagree.
"""

from datetime import UTC, datetime
from typing import Any

import dagster as dg
from dagster_duckdb import DuckDBResource

from ...lib.outbound.settings import OUTBOUND_FILE
from ...lib.privacy.redaction import redacted_rows
from ...lib.reconcile import sources
from ...lib.reconcile.comparison import Comparison, compare
from ...lib.reconcile.erp_comparison import compare_with_erp
from ...lib.reconcile.observations import TABLE as OBSERVED_TABLE
from ...lib.reconcile.observations import save_observed
from ...lib.reconcile.report_rendering import markdown_table
from ...lib.reconcile.salesforce_records import read_targets
from ...lib.reconcile.settings import RECONCILE_FILE
from ...lib.salesforce.budget import ApiBudgetExhausted, ApiGovernor
from ...lib.salesforce.ingest_settings import load_salesforce_ingest_settings
from ...lib.salesforce.reader import SalesforceReader
from ...lib.warehouse import sync_state
from ..outbound.resources import OutboundResource
from ..salesforce_resource import SalesforceResource
from ..table_schema import column_schema_metadata
from .asset_defaults import monitoring_asset
from .keys import ERP_RECONCILIATION, GOLDEN, PUSHES, SALESFORCE_RECONCILIATION, SETTINGS
from .resources import MonitoringResource

SALESFORCE_CHECK = "salesforce_matches_golden"
ERP_CHECK = "erp_matches_golden"


def _comparison_metadata(name: str, comparison: Comparison) -> dict[str, int]:
    return {f"{name}/{measure}": count for measure, count in comparison.counts().items()}


def _comparison_check(
    check_name: str,
    asset_key: dg.AssetKey,
    comparisons: dict[str, Comparison],
    labels: tuple[str, str],
    sample_size: int,
) -> dg.AssetCheckResult:
    """Passes when every object's counts and checksums agree; otherwise shows what differs."""
    expected, actual = labels
    differences = [
        {"object": name, "key": d.key, "field": d.field, expected: d.expected, actual: d.actual}
        for name, comparison in comparisons.items()
        for d in comparison.differences
    ]
    absent = [
        {"object": name, "key": key, "problem": problem}
        for name, comparison in comparisons.items()
        for keys, problem in (
            (comparison.missing, f"in {expected}, not in {actual}"),
            (comparison.unexpected, f"in {actual}, not in {expected}"),
        )
        for key in keys
    ]
    return dg.AssetCheckResult(
        check_name=check_name,
        asset_key=asset_key,
        passed=all(comparison.agrees for comparison in comparisons.values()),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "records_differing": sum(c.differing for c in comparisons.values()),
            "records_missing_or_unexpected": len(absent),
            "differing_fields": dg.MetadataValue.md(
                markdown_table(redacted_rows(differences, [expected, actual]), sample_size)
            ),
            "missing_or_unexpected": dg.MetadataValue.md(markdown_table(absent, sample_size)),
        },
    )


@monitoring_asset(
    key=SALESFORCE_RECONCILIATION,
    deps=PUSHES,
    kinds={"salesforce", "duckdb"},
    config_files=(RECONCILE_FILE, OUTBOUND_FILE),
    cron=SETTINGS.salesforce.schedule,
    check_specs=[
        dg.AssetCheckSpec(
            SALESFORCE_CHECK,
            asset=SALESFORCE_RECONCILIATION,
            description="Salesforce holds every golden record, and nothing else, with the golden values "
            "(warns with the records and fields that differ).",
        )
    ],
    description="What Salesforce holds against the golden records, read back after each push: records per "
    "object and per-record checksums of the synced fields (table reconcile.salesforce_observed).",
)
def salesforce_reconciliation(
    context: dg.AssetExecutionContext,
    duckdb: DuckDBResource,
    salesforce: SalesforceResource,
    outbound: OutboundResource,
    monitoring: MonitoringResource,
):
    settings = monitoring.settings()
    outbound_settings = outbound.settings()
    ingest = load_salesforce_ingest_settings()
    targets = {name: outbound_settings.targets[name] for name in settings.salesforce.targets}
    with duckdb.get_connection() as connection:
        golden = {
            name: sources.golden_view(
                connection, target, outbound_settings.salesforce.system, outbound.system_of_record
            )
            for name, target in targets.items()
        }
        governor = ApiGovernor(
            ingest.budget.policy(), used_before_run=sync_state.api_calls_last_day(connection)
        )
    try:
        reader = SalesforceReader(salesforce.connect(governor), **ingest.read.model_dump())
        observed = read_targets(reader, targets, settings.salesforce.watch_formula_fields, datetime.now(UTC))
    except ApiBudgetExhausted as error:
        raise dg.Failure(
            description=f"Stopped before reconciling: {error}", metadata=governor.summary()
        ) from error
    finally:
        with duckdb.get_connection() as connection:
            sync_state.record_api_calls(connection, context.run_id, governor.calls)
    with duckdb.get_connection() as connection:
        save_observed(connection, observed.values(), context.run_id)
        columns = column_schema_metadata(connection, OBSERVED_TABLE)
    comparisons = {
        target.object: compare(
            golden[name].values,
            {golden_id: r.values for golden_id, r in observed[name].records.items() if not r.is_deleted},
            golden[name].fields,
        )
        for name, target in targets.items()
    }
    metadata: dict[str, Any] = {
        "dagster/row_count": sum(len(o.records) for o in observed.values()),
        "dagster/table_name": OBSERVED_TABLE,
        **columns,
        **{f"{o.object}/read_mode": o.read_mode for o in observed.values()},
        **{f"{o.object}/deleted_in_salesforce": len(o.records) - o.live for o in observed.values()},
        **{
            key: value
            for name, c in comparisons.items()
            for key, value in _comparison_metadata(name, c).items()
        },
        **governor.summary(),
    }
    yield dg.MaterializeResult(metadata=metadata)
    yield _comparison_check(
        SALESFORCE_CHECK,
        SALESFORCE_RECONCILIATION,
        comparisons,
        ("golden", "salesforce"),
        settings.sample_size,
    )


@monitoring_asset(
    key=ERP_RECONCILIATION,
    deps=GOLDEN,
    kinds={"duckdb"},
    check_specs=[
        dg.AssetCheckSpec(
            ERP_CHECK,
            asset=ERP_RECONCILIATION,
            description="Every ERP customer and contact has a golden record holding the ERP's values on the "
            "fields the ERP owns (warns with the records and fields that differ).",
        )
    ],
    description="The golden records against the ERP's own rows: records per object and per-record checksums "
    "of the fields the ERP owns, keyed by the ERP's ids.",
)
def erp_reconciliation(
    context: dg.AssetExecutionContext,
    duckdb: DuckDBResource,
    outbound: OutboundResource,
    monitoring: MonitoringResource,
):
    settings = monitoring.settings()
    comparisons: dict[str, Comparison] = {}
    not_staged: list[str] = []
    with duckdb.get_connection() as connection:
        for entity, spec in settings.erp.items():
            staged_columns = sources.table_columns(connection, spec.staged_table)
            if spec.key not in staged_columns:
                not_staged.append(spec.staged_table)
                continue
            golden_columns = sources.table_columns(connection, sources.golden_table(entity))
            owned = sources.owned_fields(connection, "erp", entity, outbound.system_of_record)
            fields = sorted((owned & staged_columns & golden_columns) - {spec.key})
            comparisons[entity] = compare_with_erp(
                sources.golden_by_key(connection, entity, spec.key, fields, outbound.system_of_record),
                sources.staged_by_key(connection, spec.staged_table, spec.key, fields),
                fields,
            )
            context.log.info("%s compared with %s on %s", entity, spec.staged_table, ", ".join(fields))
    metadata: dict[str, Any] = {
        key: value for name, c in comparisons.items() for key, value in _comparison_metadata(name, c).items()
    }
    if not_staged:
        metadata["not_staged_yet"] = ", ".join(not_staged)
    yield dg.MaterializeResult(metadata=metadata)
    yield _comparison_check(
        ERP_CHECK, ERP_RECONCILIATION, comparisons, ("golden", "erp"), settings.sample_size
    )
