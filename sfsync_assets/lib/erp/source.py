"""The ERP as a dlt source: one `sql_database` resource per configured table, read incrementally, merged on its key.

- Incremental reads are closed at the start and re-read `lookback_seconds` behind the newest cursor value
  already loaded, so rows sharing the boundary timestamp and rows committed late with an older timestamp are
  read again; the merge on the primary key makes reading a row twice harmless.
- Rows whose cursor is NULL are read on every run rather than never.
- A backfill reads a closed-open range of cursor values; dlt keeps such a read out of the stored cursor.
- Types are reflected with precision (decimals keep their scale, timestamps stay without a zone); only the
  configured text columns change type, e.g. phone numbers the ERP stores as integers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dlt
from dlt.extract.source import DltSource
from dlt.sources.sql_database import sql_database

from .backfill import BackfillWindow
from .settings import ErpIngestSettings, ErpTable

SOURCE_NAME = "erp"
PIPELINE_NAME = "sfsync_erp"
DATASET = "raw_erp"
CHUNK_SIZE = 20_000


class ErpTableMismatchError(ValueError):
    """The configuration names a column the ERP table does not have."""


def erp_pipeline(database: str) -> dlt.Pipeline:
    """The pipeline into the DuckDB file `database`; its incremental cursors live in that file."""
    return dlt.pipeline(
        pipeline_name=PIPELINE_NAME, dataset_name=DATASET, destination=dlt.destinations.duckdb(database)
    )


def erp_source(
    settings: ErpIngestSettings,
    url: str,
    schema: str | None = None,
    backfill: BackfillWindow | None = None,
    reflect: bool = True,
) -> DltSource:
    """The configured tables of the database at SQLAlchemy `url`.

    `reflect=False` declares the same resources without connecting, which is all asset definitions need.
    """
    source = sql_database.with_args(name=SOURCE_NAME)(
        credentials=url,
        schema=schema,
        table_names=list(settings.tables),
        chunk_size=CHUNK_SIZE,
        reflection_level="full_with_precision",
        defer_table_reflect=not reflect,
    )
    for name, table in settings.tables.items():
        resource = source.resources[name]
        if reflect:
            _check_columns(name, table, resource.columns)
        resource.apply_hints(
            primary_key=table.primary_key,
            write_disposition="merge",
            incremental=_incremental(table, settings.lookback_seconds, backfill),
            # An empty mapping would replace the reflected columns rather than add to them.
            columns={column: {"data_type": "text"} for column in table.text_columns} or None,
        )
    return source


def _incremental(table: ErpTable, lookback_seconds: int, backfill: BackfillWindow | None) -> Any:
    if backfill is not None:
        return dlt.sources.incremental(
            table.cursor_column,
            initial_value=backfill.start,
            end_value=backfill.end,
            range_end="open",
            on_cursor_value_missing="exclude",
        )
    return dlt.sources.incremental(
        table.cursor_column, lag=lookback_seconds, on_cursor_value_missing="include"
    )


def _check_columns(name: str, table: ErpTable, reflected: Mapping[str, Any]) -> None:
    missing = sorted(table.columns - set(reflected))
    if missing:
        raise ErpTableMismatchError(
            f"ERP table {name!r} has no column(s) {missing} named in erp_ingest.yaml tables.{name} "
            f"(its columns: {sorted(reflected)})"
        )
