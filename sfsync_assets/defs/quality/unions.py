"""staged/organization and staged/person: every system's staged rows of one entity in one view.

This is what identity resolution reads. A view (not a copy) over the per-system tables, so it is never out of
date; it waits for every staged table's blocking schema check before it is refreshed automatically.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from ...lib.config.files import config_version
from ...lib.mapping.spec import ENTITIES, LINEAGE_NAMES
from ...lib.mapping.staged_tables import SCHEMA, replace_union_view
from .staged import MAPPINGS, OWNERS, STAGED_TARGETS, StagedTarget
from .table_metadata import table_metadata


def union_key(entity: str) -> dg.AssetKey:
    return dg.AssetKey(["staged", entity])


def union_view(entity: str) -> str:
    return f"{SCHEMA}.{entity}"


def union_lineage(members: list[StagedTarget], entity: str) -> dg.TableColumnLineage:
    """Each column of the view comes from the same column of the staged tables whose mapping fills it."""
    lineage = {}
    for column in ENTITIES[entity]:
        filled_by = [m for m in members if column.name in LINEAGE_NAMES or column.name in m.target.fields]
        if filled_by:
            lineage[column.name] = [
                dg.TableColumnDep(asset_key=m.key, column_name=column.name) for m in filled_by
            ]
    return dg.TableColumnLineage(lineage)


def union_asset(entity: str) -> dg.AssetsDefinition:
    members = [staged for staged in STAGED_TARGETS if staged.target.entity == entity]
    feeding = [m.path for m in MAPPINGS if any(t.entity == entity for t in m.spec.targets)]
    columns = ENTITIES[entity]

    @dg.asset(
        key=union_key(entity),
        deps=[staged.key for staged in members],
        description=f"Every staged {entity} of every system in the canonical shape, one row per source record "
        f"(view {union_view(entity)}): what identity resolution matches.",
        group_name="staged",
        kinds={"duckdb"},
        owners=OWNERS,
        code_version=config_version(*feeding),
        pool="duckdb_writer",
        automation_condition=dg.AutomationCondition.eager()
        & dg.AutomationCondition.all_deps_blocking_checks_passed(),
    )
    def union(duckdb: DuckDBResource) -> dg.MaterializeResult:
        view = union_view(entity)
        with duckdb.get_connection() as connection:
            replace_union_view(connection, view, [staged.table for staged in members], columns)
            by_system = connection.sql(
                f"SELECT source_system, source_object, count(*) AS rows FROM {view} GROUP BY ALL ORDER BY ALL"
            ).df()
            metadata = table_metadata(connection, view, columns)
        return dg.MaterializeResult(
            metadata={
                **metadata,
                "dagster/column_lineage": union_lineage(members, entity),
                "rows_by_source": dg.MetadataValue.md(by_system.to_markdown(index=False)),
            }
        )

    return union


UNION_ASSETS = {entity: union_asset(entity) for entity in ENTITIES}


@dg.definitions
def union_definitions() -> dg.Definitions:
    return dg.Definitions(assets=list(UNION_ASSETS.values()))
