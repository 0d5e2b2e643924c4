"""What the raw_erp dataset in DuckDB holds: table presence and the newest cursor value."""

from __future__ import annotations

from typing import Any

from duckdb import DuckDBPyConnection

from .source import DATASET


def raw_table_exists(connection: DuckDBPyConnection, table: str) -> bool:
    rows = connection.execute(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", [DATASET, table]
    ).fetchall()
    return bool(rows)


def newest_cursor_value(connection: DuckDBPyConnection, table: str, cursor_column: str) -> Any:
    """The largest cursor value loaded so far, or None before the first load."""
    if not raw_table_exists(connection, table):
        return None
    return connection.execute(f'SELECT max("{cursor_column}") FROM {DATASET}."{table}"').fetchall()[0][0]
