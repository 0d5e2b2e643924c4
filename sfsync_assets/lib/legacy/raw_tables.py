"""The raw_legacy tables in DuckDB: one per feed, created from the first batch, widened when a later profile
adds a column, and holding each file's rows exactly once (a reload deletes the file's rows first)."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pyarrow as pa

SCHEMA = "raw_legacy"
SOURCE_FILE = "_source_file"
PARTITION_KEY = "_partition_key"
INGEST_RUN_ID = "_ingest_run_id"
LOADED_AT = "_loaded_at"
_BATCH_VIEW = "legacy_batch"


def table_name(feed_name: str) -> str:
    return f"{SCHEMA}.{feed_name.lower()}"


def with_lineage(
    batch: pa.Table, source_file: str, partition_key: str, run_id: str, loaded_at: datetime
) -> pa.Table:
    rows = batch.num_rows
    for name, value, arrow_type in (
        (SOURCE_FILE, source_file, pa.string()),
        (PARTITION_KEY, partition_key, pa.string()),
        (INGEST_RUN_ID, run_id, pa.string()),
        (LOADED_AT, loaded_at, pa.timestamp("us", tz="UTC")),
    ):
        batch = batch.append_column(
            pa.field(name, arrow_type, nullable=False), pa.array([value] * rows, arrow_type)
        )
    return batch


def table_exists(connection: duckdb.DuckDBPyConnection, table: str) -> bool:
    schema, name = table.split(".")
    return bool(
        connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            [schema, name],
        ).fetchall()[0][0]
    )


def delete_file_rows(connection: duckdb.DuckDBPyConnection, table: str, source_file: str) -> dict[str, int]:
    """Remove the rows an earlier load of this file name left (any version of it); rows per partition key."""
    if not table_exists(connection, table):
        return {}
    replaced = connection.execute(
        f"SELECT {PARTITION_KEY}, count(*) FROM {table} WHERE {SOURCE_FILE} = ? GROUP BY ALL ORDER BY 1",
        [source_file],
    ).fetchall()
    connection.execute(f"DELETE FROM {table} WHERE {SOURCE_FILE} = ?", [source_file])
    return dict(replaced)


def append(connection: duckdb.DuckDBPyConnection, table: str, batch: pa.Table) -> None:
    """Insert by column name; a column the table does not have yet is added first."""
    connection.register(_BATCH_VIEW, batch)
    try:
        connection.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        connection.execute(f"CREATE TABLE IF NOT EXISTS {table} AS SELECT * FROM {_BATCH_VIEW} LIMIT 0")
        existing = {row[0] for row in connection.execute(f"DESCRIBE {table}").fetchall()}
        for name, column_type, *_ in connection.execute(f"DESCRIBE SELECT * FROM {_BATCH_VIEW}").fetchall():
            if name not in existing:
                connection.execute(f'ALTER TABLE {table} ADD COLUMN "{name}" {column_type}')
        connection.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {_BATCH_VIEW}")
    finally:
        connection.unregister(_BATCH_VIEW)


def columns(connection: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return [(row[0], row[1]) for row in connection.execute(f"DESCRIBE {table}").fetchall()]
