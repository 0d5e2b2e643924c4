"""identity/organization_matches and identity/person_matches: which source records are the same party.

Deterministic rules and the saved Splink model link the staged records; only new and changed records are
scored (a new model or new settings rescore everything once). The links land in `identity.<type>_matches`.
"""

import json

import dagster as dg
from dagster_duckdb import DuckDBResource
from pydantic import Field

from ...lib.matching.links import LinkReport, model_version, update_links
from ...lib.matching.settings import ENTITY_TYPES, EntityType, load_matching_settings
from ...lib.matching.store import matches_table
from .asset_defaults import AUTOMATION, identity_layer_asset
from .resources import MatchingResource

STAGED_DEPS = {
    "organization": [dg.AssetKey(["staged", "organization"])],
    # Persons are compared with the names of the organizations they belong to.
    "person": [dg.AssetKey(["staged", "person"]), dg.AssetKey(["staged", "organization"])],
}


def matches_key(entity_type: EntityType) -> dg.AssetKey:
    return dg.AssetKey(["identity", f"{entity_type}_matches"])


class MatchingConfig(dg.Config):
    full: bool = Field(default=False, description="Score every pair again, not only new and changed records.")


def link_metadata(report: LinkReport) -> dict:
    return {
        "dagster/row_count": report.links_total,
        "dagster/table_name": f"warehouse.{matches_table(report.entity_type)}",
        "mode": report.mode,
        "model_version": report.model_version,
        "records": report.records,
        "new_records": report.new_records,
        "changed_records": report.changed_records,
        "removed_records": report.removed_records,
        "relinked_records": report.relinked_records,
        "links_added": report.links_added,
        "links_removed": report.links_removed,
        "links_added_by_rule": dg.MetadataValue.json(report.links_by_rule),
    }


def matches_asset(entity_type: EntityType) -> dg.AssetsDefinition:

    @identity_layer_asset(
        key=matches_key(entity_type),
        deps=STAGED_DEPS[entity_type],
        description=f"Pairs of staged {entity_type} records that are the same {entity_type}, with the rule or "
        "match probability that links them.",
        code_version=model_version(load_matching_settings(), entity_type),
        automation_condition=AUTOMATION,
    )
    def matches(
        context: dg.AssetExecutionContext,
        config: MatchingConfig,
        duckdb: DuckDBResource,
        matching: MatchingResource,
    ) -> dg.MaterializeResult:
        with duckdb.get_connection() as connection:
            report = update_links(
                connection,
                entity_type,
                matching.settings(),
                context.run_id,
                model_dir=matching.models,
                full=config.full,
            )
        context.log.info(json.dumps(report.__dict__, default=str))
        metadata = link_metadata(report)
        chart = matching.charts / f"{entity_type}_match_weights.html"
        if chart.exists():  # rendered by the last identity/match_model run
            metadata["model_match_weights_chart"] = dg.MetadataValue.url(chart.resolve().as_uri())
        return dg.MaterializeResult(metadata=metadata)

    return matches


MATCH_ASSETS = {entity_type: matches_asset(entity_type) for entity_type in ENTITY_TYPES}


@dg.definitions
def matches_definitions() -> dg.Definitions:
    return dg.Definitions(assets=list(MATCH_ASSETS.values()))
