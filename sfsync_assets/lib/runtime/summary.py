"""What a sync cycle left in the warehouse, layer by layer, for the demo's and `sfsync sync`'s closing summary."""

from __future__ import annotations

from pathlib import Path

import duckdb


def summary(warehouse: Path) -> list[tuple[str, int]]:
    """Rows per table in the warehouse, layer by layer."""
    if not warehouse.exists():
        return []
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = connection.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('information_schema', 'main') AND table_schema NOT LIKE '%\\_staging' "
            "ESCAPE '\\' AND table_name NOT LIKE '\\_%' ESCAPE '\\' "
            "ORDER BY table_schema, table_name"
        ).fetchall()
        return [
            (
                f"{schema}.{table}",
                connection.execute(f'SELECT count(*) FROM "{schema}"."{table}"').fetchall()[0][0],
            )
            for schema, table in tables
        ]
