"""identity/xref: every source record's golden id, kept stable across runs, with merges and splits recorded.

Only the records whose links changed since the last run, and the entities they touch, are regrouped; the
outcome is `identity.xref` (record → golden id, the link holding it there, first/last seen), the registry
`identity.golden_ids` and the event log `identity.id_history`.
"""

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from ...lib.config.files import config_version
from ...lib.matching.clustering import ClusterReport, update_clusters
from ...lib.matching.settings import ENTITY_TYPES, SETTINGS_FILE
from ...lib.matching.store import ID_HISTORY, XREF
from .asset_defaults import AUTOMATION, identity_layer_asset
from .matches import matches_key
from .resources import MatchingResource

XREF_KEY = dg.AssetKey(["identity", "xref"])
PREVIEW_EVENTS = 10


def cluster_metadata(reports: list[ClusterReport], events: pd.DataFrame) -> dict:
    metadata: dict = {"dagster/row_count": sum(report.records for report in reports)}
    for report in reports:
        name = report.entity_type
        metadata[f"{name}_entities"] = report.entities
        metadata[f"{name}_records_regrouped"] = report.regrouped_records
        for event in ("issued", "merged", "split", "retired"):
            metadata[f"{name}_{event}"] = report.events.get(event, 0)
    sizes = pd.DataFrame(
        [
            {"entity_type": r.entity_type, "records per entity": size, "entities": n}
            for r in reports
            for size, n in r.size_distribution.items()
        ]
    )
    metadata["cluster_sizes"] = dg.MetadataValue.md(sizes.to_markdown(index=False) if len(sizes) else "none")
    metadata["id_events_this_run"] = dg.MetadataValue.md(
        events.astype(str).to_markdown(index=False) if len(events) else "none"
    )
    metadata["dagster/table_name"] = f"warehouse.{XREF}"
    return metadata


@identity_layer_asset(
    key=XREF_KEY,
    deps=[matches_key(entity_type) for entity_type in ENTITY_TYPES],
    description="Golden id of every source record (person or organization): entities with stable ids, and the "
    "history of ids issued, merged, split and retired.",
    code_version=config_version(SETTINGS_FILE),
    automation_condition=AUTOMATION,
)
def xref(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, matching: MatchingResource
) -> dg.MaterializeResult:
    settings = matching.settings()
    with duckdb.get_connection() as connection:
        reports = [
            update_clusters(connection, entity_type, settings, context.run_id) for entity_type in ENTITY_TYPES
        ]
        events = connection.sql(
            f"SELECT entity_type, event, golden_id, other_golden_id, len(source_keys) AS records, evidence "
            f"FROM {ID_HISTORY} WHERE run_id = ? AND event <> 'issued' ORDER BY entity_type, event, golden_id "
            f"LIMIT {PREVIEW_EVENTS}",
            params=[context.run_id],
        ).df()
    return dg.MaterializeResult(metadata=cluster_metadata(reports, events))
