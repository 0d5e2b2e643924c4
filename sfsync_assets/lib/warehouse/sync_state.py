"""What the warehouse remembers between runs: Salesforce window ends and this integration's API calls.

The window end of an object moves only after its records are loaded, so a run stopped by the API budget or a
crash re-reads the same window next time (loads merge on Id, so that costs calls, never correctness).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb

_DDL = """
CREATE SCHEMA IF NOT EXISTS ops;
CREATE TABLE IF NOT EXISTS ops.salesforce_windows (
    object VARCHAR PRIMARY KEY, window_end TIMESTAMPTZ NOT NULL, run_id VARCHAR, updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS ops.api_calls (
    run_id VARCHAR, system VARCHAR NOT NULL, calls INTEGER NOT NULL, recorded_at TIMESTAMPTZ NOT NULL
);
"""


def ensure_tables(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(_DDL)


def window_ends(connection: duckdb.DuckDBPyConnection) -> dict[str, datetime]:
    ensure_tables(connection)
    rows = connection.execute("SELECT object, window_end FROM ops.salesforce_windows").fetchall()
    return {name: end.astimezone(UTC) for name, end in rows}


def record_window_ends(connection: duckdb.DuckDBPyConnection, ends: dict[str, datetime], run_id: str) -> None:
    ensure_tables(connection)
    now = datetime.now(UTC)
    for name, end in ends.items():
        connection.execute(
            "INSERT INTO ops.salesforce_windows VALUES (?, ?, ?, ?) ON CONFLICT (object) DO UPDATE SET "
            "window_end = excluded.window_end, run_id = excluded.run_id, updated_at = excluded.updated_at",
            [name, end, run_id, now],
        )


def api_calls_last_day(connection: duckdb.DuckDBPyConnection, system: str = "salesforce") -> int:
    ensure_tables(connection)
    since = datetime.now(UTC) - timedelta(days=1)
    rows = connection.execute(
        "SELECT coalesce(sum(calls), 0) FROM ops.api_calls WHERE system = ? AND recorded_at >= ?",
        [system, since],
    ).fetchall()
    return int(rows[0][0])


def record_api_calls(
    connection: duckdb.DuckDBPyConnection, run_id: str, calls: int, system: str = "salesforce"
) -> None:
    ensure_tables(connection)
    connection.execute(
        "INSERT INTO ops.api_calls VALUES (?, ?, ?, ?)", [run_id, system, calls, datetime.now(UTC)]
    )
