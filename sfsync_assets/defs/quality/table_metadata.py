"""Metadata every staged table reports the same way: row count, column schema, table name and a preview whose
personal columns (the canonical model's) are hidden: Dagster's storage is out of a forget request's reach."""

from collections.abc import Sequence
from typing import Any

import dagster as dg
from duckdb import DuckDBPyConnection

from ...lib.canonical.model import Column
from ...lib.mapping.staged_tables import row_count
from ...lib.privacy.redaction import markdown_preview, redacted_columns

PREVIEW_ROWS = 10


def table_metadata(connection: DuckDBPyConnection, table: str, columns: Sequence[Column]) -> dict[str, Any]:
    preview = connection.sql(f"SELECT * FROM {table} ORDER BY source_key LIMIT {PREVIEW_ROWS}").df()
    return {
        "dagster/row_count": row_count(connection, table),
        "dagster/table_name": f"warehouse.{table}",
        "dagster/column_schema": dg.TableSchema(
            columns=[dg.TableColumn(c.name, c.sql_type.lower(), description=c.description) for c in columns]
        ),
        "preview": dg.MetadataValue.md(
            markdown_preview(redacted_columns(preview, [c.name for c in columns if c.personal]))
        ),
    }
