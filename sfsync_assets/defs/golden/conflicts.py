"""golden/conflicts: fields two systems hold with different values, both sides with their change times."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from ...lib.golden.conflicts import CONFLICTS, build_conflicts
from ...lib.golden.matrix import load_system_of_record
from ...lib.privacy.redaction import markdown_preview, redacted_by_field
from .asset_defaults import golden_layer_asset
from .records import ENTITY_TYPES, golden_key

CONFLICTS_KEY = dg.AssetKey(["golden", "conflicts"])
PREVIEW_ROWS = 10


@golden_layer_asset(
    key=CONFLICTS_KEY,
    deps=[golden_key(entity_type) for entity_type in ENTITY_TYPES],
    description="Where systems disagree on a field of the same person or organization: the golden value and the "
    "other system's value, each with its source record and change time.",
)
def conflicts(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
    matrix = load_system_of_record()
    with duckdb.get_connection() as connection:
        counts = {
            entity_type: build_conflicts(connection, entity_type, matrix, context.run_id)
            for entity_type in ENTITY_TYPES
        }
        by_field = connection.sql(
            f"SELECT entity_type, field, other_system, count(*) AS conflicts FROM {CONFLICTS} "
            "GROUP BY ALL ORDER BY conflicts DESC"
        ).df()
        preview = connection.sql(
            f"SELECT * EXCLUDE (detected_run_id) FROM {CONFLICTS} ORDER BY golden_id, field LIMIT {PREVIEW_ROWS}"
        ).df()
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": sum(counts.values()),
            "dagster/table_name": f"warehouse.{CONFLICTS}",
            **{f"{entity_type}_conflicts": count for entity_type, count in counts.items()},
            "by_field": dg.MetadataValue.md(by_field.to_markdown(index=False) if len(by_field) else "none"),
            "preview": dg.MetadataValue.md(
                markdown_preview(
                    redacted_by_field(preview, ["golden_value", "other_value"], entity_column="entity_type")
                )
            ),
        }
    )
