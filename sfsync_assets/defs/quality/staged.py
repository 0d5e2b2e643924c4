"""staged/<system>/<object>: every source object mapped into the canonical organization or person shape.

One multi-asset per mapping file (`config/mappings/<system>__<object>.yaml`): it rebuilds the file's staged
tables from the raw table in one step, so the quarantine of that source is resolved as a whole. The asset's code
version is the hash of its mapping file, so editing a mapping marks its staged tables stale.
"""

from dataclasses import dataclass
from typing import Any

import dagster as dg
from dagster_duckdb import DuckDBResource

from ...lib.mapping.spec import SourceMapping, TargetSpec, load_mappings, raw_asset_path
from ...lib.mapping.staged_tables import staged_table
from ...lib.mapping.staging import StagingResult, TargetResult, stage_source
from .column_lineage import column_lineage, staged_lineage
from .table_metadata import table_metadata

OWNERS = ["team:integration"]
MAPPINGS = [mapping for mapping in load_mappings() if mapping.spec.enabled]


@dataclass(frozen=True)
class StagedTarget:
    """One staged table as the rest of the quality layer needs to know it."""

    key: dg.AssetKey
    table: str
    target: TargetSpec
    max_error_rate: float


def staged_targets(mapping: SourceMapping) -> list[StagedTarget]:
    system = mapping.spec.source.system
    return [
        StagedTarget(
            dg.AssetKey(["staged", system, target.staged_as]),
            staged_table(system, target.staged_as),
            target,
            mapping.spec.quality.max_error_rate,
        )
        for target in mapping.spec.targets
    ]


def staged_assets(mapping: SourceMapping) -> dg.AssetsDefinition:
    """The staged tables of one mapping file as one multi-asset."""
    source = mapping.spec.source
    targets = staged_targets(mapping)
    deps = [dg.AssetKey(raw_asset_path(table)) for table in mapping.raw_tables]
    specs = [
        dg.AssetSpec(
            key=staged.key,
            deps=deps,
            description=staged.target.description,
            group_name="staged",
            kinds={"duckdb", "pandera"},
            owners=OWNERS,
            code_version=mapping.version,
            automation_condition=dg.AutomationCondition.eager(),
            metadata={"mapping_file": f"config/mappings/{mapping.path.name}", "entity": staged.target.entity},
        )
        for staged in targets
    ]

    @dg.multi_asset(
        name=f"staged_{source.system}_{source.object.lower()}",
        specs=specs,
        pool="duckdb_writer",
        can_subset=False,
    )
    def stage(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
        with duckdb.get_connection() as connection:
            result = stage_source(connection, mapping, context.run_id)
            tables = {t.table: table_metadata(connection, t.table, t.target.columns) for t in result.targets}
            lineage = {
                staged.table: column_lineage(staged_lineage(connection, source, staged.target))
                for staged in targets
            }
        for staged, target_result in zip(targets, result.targets, strict=True):
            yield dg.MaterializeResult(
                asset_key=staged.key,
                metadata={
                    **tables[staged.table],
                    "dagster/column_lineage": lineage[staged.table],
                    **_numbers(target_result, result, staged.max_error_rate),
                },
            )

    return stage


def _numbers(target: TargetResult, staging: StagingResult, max_error_rate: float) -> dict[str, Any]:
    problems = "\n".join(f"| {rule} | {count} |" for rule, count in sorted(target.problems_by_rule.items()))
    return {
        "rows_in": target.rows_in,
        "rows_staged": target.rows_staged,
        "rows_quarantined": dg.MetadataValue.int(target.rows_with_errors),
        "rows_repaired": target.rows_repaired,
        "error_rate": dg.MetadataValue.float(target.error_rate),
        "max_error_rate": dg.MetadataValue.float(max_error_rate),
        "problems_by_rule": dg.MetadataValue.md(
            f"| rule | problems |\n|---|---|\n{problems}" if problems else "none"
        ),
        "quarantine_entries_written": staging.quarantined,
        "quarantine_entries_resolved": staging.resolved,
    }


STAGED_ASSETS = [staged_assets(mapping) for mapping in MAPPINGS]
STAGED_TARGETS = [staged for mapping in MAPPINGS for staged in staged_targets(mapping)]


@dg.definitions
def staged_definitions() -> dg.Definitions:
    return dg.Definitions(assets=STAGED_ASSETS)
