"""raw/erp/<table>: ERP tables landed in DuckDB incrementally, merged on their key, with hard deletes reconciled.

One dlt pipeline reads every configured table (`config/erp_ingest.yaml`) into the `raw_erp` dataset. After the
load, the ERP's primary keys are compared with raw_erp's and rows deleted in the ERP are removed and logged in
`raw_erp._deleted_rows`. DuckDB is opened only around the load, never during it (dlt writes the file itself).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dagster as dg
import sqlalchemy as sa
from dagster_dlt import DagsterDltResource
from dagster_duckdb import DuckDBResource
from dlt import Pipeline
from duckdb import DuckDBPyConnection
from pydantic import Field

from ...lib.config.files import config_version
from ...lib.erp.backfill import BackfillWindow, backfill_window
from ...lib.erp.deletes import AUDIT_TABLE, reconcile_deleted_rows
from ...lib.erp.raw_tables import newest_cursor_value
from ...lib.erp.settings import ERP_INGEST_FILE, load_erp_ingest_settings
from ...lib.erp.source import DATASET, erp_pipeline, erp_source
from .raw_tables import RawTableTranslator, load_metadata, retry_transient_failures

SETTINGS = load_erp_ingest_settings()
# Asset definitions only need the resource names; this URL is never connected to.
DEFINITION_URL = "sqlite://"


class ErpDatabaseResource(dg.ConfigurableResource):
    """The ERP database: any SQLAlchemy URL (a SQLite file, PostgreSQL, ...) and the schema holding its tables
    (empty means the connection's default)."""

    url: str
    database_schema: str | None = None

    @property
    def schema_name(self) -> str | None:
        return self.database_schema or None

    @contextmanager
    def engine(self) -> Iterator[sa.Engine]:
        engine = sa.create_engine(self.url)
        try:
            yield engine
        finally:
            engine.dispose()


class ErpIngestConfig(dg.Config):
    """Run options; leave both empty for the normal incremental read."""

    backfill_from: str | None = Field(
        default=None,
        description="Re-read rows whose cursor column (e.g. updated_at) is at or after this ERP local time, "
        "e.g. 2024-01-31; the incremental cursor does not move.",
    )
    backfill_to: str | None = Field(
        default=None, description="End of the backfill (exclusive); empty means through the newest row."
    )


TRANSLATOR = RawTableTranslator(
    system="erp",
    dataset=DATASET,
    kinds=frozenset({"dlt", "duckdb", "sql"}),
    schedule=SETTINGS.schedule,
    code_version=config_version(ERP_INGEST_FILE),
    describe=lambda table: (
        f"{SETTINGS.tables[table].description} Copied incrementally from the ERP; rows "
        f"deleted there are removed here and logged in {AUDIT_TABLE}."
    ),
)


def erp_asset_key(table: str) -> dg.AssetKey:
    return TRANSLATOR.asset_key(table)


@dg.multi_asset(
    specs=TRANSLATOR.asset_specs(erp_source(SETTINGS, DEFINITION_URL, reflect=False)),
    name="erp_raw",
    can_subset=True,
    pool="duckdb_writer",
)
def erp_raw(
    context: dg.AssetExecutionContext,
    config: ErpIngestConfig,
    dlt: DagsterDltResource,
    duckdb: DuckDBResource,
    erp: ErpDatabaseResource,
):
    """Load with dlt first and reconcile deletes after, so a row inserted meanwhile is never taken for deleted."""
    tables = [table for table in SETTINGS.tables if erp_asset_key(table) in context.selected_asset_keys]
    backfill = backfill_window(config.backfill_from, config.backfill_to)
    with duckdb.get_connection() as connection:
        previous = {table: _newest_cursor(connection, table) for table in tables}
    pipeline = erp_pipeline(duckdb.database)
    source = erp_source(SETTINGS, erp.url, erp.schema_name, backfill)
    with retry_transient_failures():
        loads = list(
            dlt.run(
                context=context, dlt_source=source, dlt_pipeline=pipeline, dagster_dlt_translator=TRANSLATOR
            )
        )
    rows_read = _rows_read(pipeline)
    results = []
    with erp.engine() as engine, duckdb.get_connection() as connection:
        for load in loads:
            table = load.asset_key.path[-1]
            keys = reconcile_deleted_rows(
                connection, engine, erp.schema_name, table, SETTINGS.tables[table].primary_key, context.run_id
            )
            metadata = {
                "rows_read": rows_read.get(table, 0),
                "rows_deleted": keys.deleted,
                "erp_keys_not_loaded": keys.not_loaded,
                "read": _read_description(table, backfill),
                "cursor_previous": _text(previous[table]),
                "cursor_new": _text(_newest_cursor(connection, table)),
            }
            results.append(
                dg.MaterializeResult(
                    asset_key=load.asset_key,
                    metadata={**load_metadata(load.metadata, connection, DATASET, table), **metadata},
                )
            )
    yield from results


def _rows_read(pipeline: Pipeline) -> dict[str, int]:
    normalized = pipeline.last_trace.last_normalize_info
    return dict(normalized.row_counts) if normalized else {}


def _newest_cursor(connection: DuckDBPyConnection, table: str) -> Any:
    return newest_cursor_value(connection, table, SETTINGS.tables[table].cursor_column)


def _read_description(table: str, backfill: BackfillWindow | None) -> str:
    cursor = SETTINGS.tables[table].cursor_column
    if backfill is not None:
        return f"backfill {backfill.describe(cursor)}; cursor unchanged"
    return f"incremental on {cursor}, {SETTINGS.lookback_seconds} s lookback"


def _text(cursor_value: Any) -> str:
    return "none" if cursor_value is None else str(cursor_value)
