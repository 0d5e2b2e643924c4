"""golden/organization and golden/person: one golden record per entity, every field with its provenance.

Survivorship follows the system-of-record matrix (`config/system_of_record.yaml`); where each value came from
and why it won is in `golden.provenance`.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource
from duckdb import DuckDBPyConnection

from ...lib.golden.consent import consent_version
from ...lib.golden.matrix import EntityType, load_system_of_record
from ...lib.golden.survivorship import GOLDEN_TABLES, GoldenReport, build_golden
from ...lib.mapping.spec import ENTITIES
from ...lib.privacy.redaction import markdown_preview, redacted
from ..identity.xref import XREF_KEY
from ..quality.unions import union_key
from ..table_schema import column_schema_metadata
from .asset_defaults import golden_layer_asset
from .entity_numbers import entity_numbers
from .page_links import page_links

ENTITY_TYPES: tuple[EntityType, ...] = ("organization", "person")
PREVIEW_ROWS = 10
CONSENT_VERSION = "consent_version"  # fingerprint of every opt-out flag: the consent sensor's trigger


def golden_key(entity_type: EntityType) -> dg.AssetKey:
    return dg.AssetKey(["golden", entity_type])


def golden_metadata(report: GoldenReport, preview: str) -> dict:
    filled = {
        field: f"{count / report.records:.1%}" if report.records else "0%"
        for field, count in report.fields_filled.items()
    }
    return {
        "dagster/row_count": report.records,
        "dagster/table_name": f"warehouse.{GOLDEN_TABLES[report.entity_type]}",
        "values_refused": report.values_refused,
        "fields_filled": dg.MetadataValue.json(filled),
        "preview": dg.MetadataValue.md(preview),
    }


def column_metadata(connection: DuckDBPyConnection, entity_type: EntityType) -> dict:
    """The table's columns as DuckDB has them, and where each golden field comes from: the same canonical
    column of the staged records (the golden id, and a person's account, from identity/xref)."""
    staged = {column.name for column in ENTITIES[entity_type]}
    from_xref = [dg.TableColumnDep(asset_key=XREF_KEY, column_name="golden_id")]
    lineage = {"golden_id": from_xref}
    for name in load_system_of_record().fields[entity_type]:
        if name in staged:
            lineage[name] = [dg.TableColumnDep(asset_key=union_key(entity_type), column_name=name)]
        elif name == "account_golden_id":
            lineage[name] = from_xref
    return {
        **column_schema_metadata(connection, GOLDEN_TABLES[entity_type]),
        "dagster/column_lineage": dg.TableColumnLineage(lineage),
    }


def _previous_build(context: dg.AssetExecutionContext) -> float | None:
    """When this golden table was last built (Unix time), from Dagster's event log; None before the first."""
    event = context.instance.get_latest_materialization_event(context.asset_key)
    return event.timestamp if event else None


def golden_asset(entity_type: EntityType) -> dg.AssetsDefinition:
    @golden_layer_asset(
        key=golden_key(entity_type),
        deps=[XREF_KEY],
        description=f"One golden {entity_type} per entity: each field from the system of record for it, with "
        "where it came from and why in golden.provenance.",
    )
    def golden(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
        matrix = load_system_of_record()
        with duckdb.get_connection() as connection:
            report = build_golden(connection, entity_type, matrix, context.run_id)
            preview = connection.sql(
                f"SELECT * FROM {GOLDEN_TABLES[entity_type]} ORDER BY golden_id LIMIT {PREVIEW_ROWS}"
            ).df()
            consent = consent_version(connection, entity_type, matrix)
            columns = column_metadata(connection, entity_type)
            numbers = entity_numbers(connection, entity_type, _previous_build(context))
        metadata = {**golden_metadata(report, markdown_preview(redacted(preview, entity_type))), **columns}
        metadata.update(numbers, **page_links(context.instance, entity_type))
        return dg.MaterializeResult(metadata={**metadata, **({CONSENT_VERSION: consent} if consent else {})})

    return golden


GOLDEN_ASSETS = {entity_type: golden_asset(entity_type) for entity_type in ENTITY_TYPES}


@dg.definitions
def golden_definitions() -> dg.Definitions:
    return dg.Definitions(assets=list(GOLDEN_ASSETS.values()))
