"""Hard deletes in the ERP, found by comparing primary keys, removed from raw_erp and recorded in an audit table.

An incremental read never sees a row that was deleted, so after each load every key still in the ERP is read
(`SELECT key FROM table`, cheap) and raw rows whose key is gone are deleted. Each removal is written to
`raw_erp._deleted_rows` with the row as it was last loaded, in the same transaction, so nothing disappears
silently. Keys are read after the load: a row inserted meanwhile is then in the ERP's keys, never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import sqlalchemy as sa
from duckdb import DuckDBPyConnection

from .raw_tables import raw_table_exists
from .source import DATASET

AUDIT_TABLE = f"{DATASET}._deleted_rows"
KEY_BATCH_ROWS = 100_000


@dataclass(frozen=True)
class KeyReconciliation:
    """`deleted`: raw rows removed because their key left the ERP. `not_loaded`: ERP keys raw lacks so far
    (rows inserted after the read, or committed with a cursor value older than the lookback)."""

    deleted: int
    not_loaded: int


def ensure_audit_table(connection: DuckDBPyConnection) -> None:
    connection.execute(f"CREATE SCHEMA IF NOT EXISTS {DATASET}")
    connection.execute(
        f"""CREATE TABLE IF NOT EXISTS {AUDIT_TABLE} (
            table_name VARCHAR NOT NULL,
            primary_key VARCHAR NOT NULL,
            detected_at TIMESTAMP WITH TIME ZONE NOT NULL,
            run_id VARCHAR NOT NULL,
            last_loaded_row JSON
        )"""
    )


def reconcile_deleted_rows(
    connection: DuckDBPyConnection,
    erp: sa.Engine,
    schema: str | None,
    table: str,
    primary_key: list[str],
    run_id: str,
) -> KeyReconciliation:
    """Delete from raw_erp.`table` the rows whose key the ERP no longer has, recording each one."""
    if not raw_table_exists(connection, table):
        return KeyReconciliation(deleted=0, not_loaded=0)
    ensure_audit_table(connection)
    raw = f'{DATASET}."{table}"'
    keys = ", ".join(f'"{column}"' for column in primary_key)
    matches = " AND ".join(f'raw."{column}" = gone."{column}"' for column in primary_key)
    key_json = ", ".join(f'"{column}" := gone."{column}"' for column in primary_key)
    connection.execute(f"CREATE OR REPLACE TEMP TABLE erp_keys AS SELECT {keys} FROM {raw} LIMIT 0")
    _copy_erp_keys(connection, erp, schema, table, primary_key)
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE erp_gone AS SELECT * FROM {raw} ANTI JOIN erp_keys USING ({keys})"
    )
    deleted = connection.execute("SELECT count(*) FROM erp_gone").fetchall()[0][0]
    connection.begin()
    try:
        connection.execute(
            f"""INSERT INTO {AUDIT_TABLE}
                SELECT ?, to_json(struct_pack({key_json}))::VARCHAR, now(), ?, to_json(gone)
                FROM erp_gone AS gone""",
            [table, run_id],
        )
        connection.execute(f"DELETE FROM {raw} AS raw USING erp_gone AS gone WHERE {matches}")
    except BaseException:
        connection.rollback()
        raise
    connection.commit()
    not_loaded = connection.execute(
        f"SELECT count(*) FROM erp_keys ANTI JOIN {raw} USING ({keys})"
    ).fetchall()
    connection.execute("DROP TABLE erp_keys; DROP TABLE erp_gone")
    return KeyReconciliation(deleted=deleted, not_loaded=not_loaded[0][0])


def _copy_erp_keys(
    connection: DuckDBPyConnection, erp: sa.Engine, schema: str | None, table: str, primary_key: list[str]
) -> None:
    """Stream the ERP's keys into the temp table `erp_keys` in batches, typed as the raw columns."""
    source = sa.Table(table, sa.MetaData(schema=schema), autoload_with=erp)
    query = sa.select(*(source.c[column] for column in primary_key))
    with erp.connect() as erp_connection:
        result = erp_connection.execution_options(yield_per=KEY_BATCH_ROWS).execute(query)
        for rows in result.partitions():
            batch = pa.table({column: [row[i] for row in rows] for i, column in enumerate(primary_key)})
            connection.register("erp_key_batch", batch)
            connection.execute("INSERT INTO erp_keys SELECT * FROM erp_key_batch")
            connection.unregister("erp_key_batch")
