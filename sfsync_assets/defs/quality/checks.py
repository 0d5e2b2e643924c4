"""Checks on the staged tables: the pandera schema (blocking) and the error-rate alert.

- `canonical_schema`: the stored table is validated lazily against the staged pandera schema; a failure blocks
  everything downstream in the run and puts a readable sample of the failing rows in the check's metadata
  (keys and checks as they are; a failing value of a personal field hidden).
- `error_rate`: fails when the share of source records that lost data in the latest staging run exceeds the
  mapping's `quality.max_error_rate` (1 % unless configured), so a jump in bad data fails loudly. It reads the
  materialization's metadata, not DuckDB. It does not block: the bad values are already held back (a
  quarantined value is never staged and never wins a golden record), and the good rows of the batch are still
  worth resolving and pushing; it is an alert that the source needs attention.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from ...lib.mapping.spec import ENTITIES
from ...lib.privacy.redaction import redacted_by_field
from ...lib.quality.schemas import staged_schema
from ...lib.quality.violations import failure_cases, sample
from .staged import STAGED_TARGETS
from .unions import union_key, union_view


def schema_check(key: dg.AssetKey, table: str, entity: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=key,
        name="canonical_schema",
        description=f"Every row of {table} satisfies the staged {entity} schema: lineage present, E.164 phones, "
        "email shape, ISO countries, Salesforce picklist values, no future dates.",
        blocking=True,
        pool="duckdb_writer",
    )
    def check(duckdb: DuckDBResource) -> dg.AssetCheckResult:
        with duckdb.get_connection() as connection:
            frame = connection.sql(f"SELECT * FROM {table}").df()
        cases = failure_cases(staged_schema(entity), frame)
        shown = redacted_by_field(cases, ["failure_case"], field_column="column", entity=entity)
        return dg.AssetCheckResult(
            passed=cases.empty,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "rows": len(frame),
                "num_failures": len(cases),
                "failure_sample": dg.MetadataValue.md(sample(shown, frame) if len(cases) else "none"),
            },
        )

    return check


def error_rate_check(key: dg.AssetKey, max_error_rate: float) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=key,
        name="error_rate",
        description=f"At most {max_error_rate:.1%} of the source records lost data (a value emptied or the "
        "record not staged) in the latest staging run. Non-blocking: quarantined values never reach golden "
        "records, so the good rows go on; a failure alerts that the source needs attention.",
    )
    def check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        event = context.instance.get_latest_materialization_event(key)
        if event is None or event.asset_materialization is None:
            return dg.AssetCheckResult(passed=False, description=f"{key.to_user_string()} was never staged")
        metadata = event.asset_materialization.metadata
        rate = metadata["error_rate"].value
        return dg.AssetCheckResult(
            passed=rate <= max_error_rate,
            severity=dg.AssetCheckSeverity.ERROR,
            description=f"{rate:.2%} of the records lost data (limit {max_error_rate:.1%})",
            metadata={
                "error_rate": dg.MetadataValue.float(rate),
                "max_error_rate": dg.MetadataValue.float(max_error_rate),
                "rows_in": metadata["rows_in"].value,
                "rows_quarantined": metadata["rows_quarantined"].value,
                "run_id": event.run_id,
            },
        )

    return check


STAGED_CHECKS = [
    check
    for staged in STAGED_TARGETS
    for check in (
        schema_check(staged.key, staged.table, staged.target.entity),
        error_rate_check(staged.key, staged.max_error_rate),
    )
]
UNION_CHECKS = [schema_check(union_key(entity), union_view(entity), entity) for entity in ENTITIES]


@dg.definitions
def check_definitions() -> dg.Definitions:
    return dg.Definitions(asset_checks=[*STAGED_CHECKS, *UNION_CHECKS])
