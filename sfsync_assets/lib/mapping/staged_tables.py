"""The `staged` schema: one table per staged target, rebuilt whole from its raw table, and union views per entity.

Raw tables already hold every current source row (merged on their keys), so a staged table is replaced on
each run rather than merged: what is staged is always exactly what the mapping makes of raw today.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa
from duckdb import DuckDBPyConnection

from ..canonical.model import Column, create_table_sql

SCHEMA = "staged"
ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "DOUBLE": pa.float64(),
    "DATE": pa.date32(),
    "BOOLEAN": pa.bool_(),
    "TIMESTAMPTZ": pa.timestamp("us", tz="UTC"),
}


def staged_table(system: str, staged_as: str) -> str:
    return f"{SCHEMA}.{system}_{staged_as}"


def ensure_table(connection: DuckDBPyConnection, table: str, columns: Sequence[Column]) -> None:
    connection.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    connection.execute(create_table_sql(table, tuple(columns)))


def replace_table(
    connection: DuckDBPyConnection, table: str, columns: Sequence[Column], rows: list[dict[str, Any]]
) -> None:
    """Drop and recreate `table` with exactly `columns`, holding `rows` (dicts keyed by column name)."""
    schema = pa.schema([(column.name, ARROW_TYPES[column.sql_type]) for column in columns])
    batch = pa.Table.from_pylist(rows, schema=schema)
    connection.execute(f"DROP TABLE IF EXISTS {table}")
    ensure_table(connection, table, columns)
    connection.register("staged_batch", batch)
    try:
        connection.execute(f"INSERT INTO {table} BY NAME SELECT * FROM staged_batch")
    finally:
        connection.unregister("staged_batch")


def replace_union_view(
    connection: DuckDBPyConnection, view: str, tables: Sequence[str], columns: Sequence[Column]
) -> None:
    """`view` over the canonical columns of every table (created empty if not staged yet)."""
    for table in tables:
        ensure_table(connection, table, columns)
    select = ", ".join(f'"{column.name}"' for column in columns)
    body = " UNION ALL ".join(f"SELECT {select} FROM {table}" for table in tables)
    connection.execute(f"CREATE OR REPLACE VIEW {view} AS {body}")


def row_count(connection: DuckDBPyConnection, table: str) -> int:
    return connection.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
