"""`reconcile.salesforce_checksums`: what drift detection saw of each record last time, kept between runs.

A formula or roll-up recalculation changes a value without moving SystemModstamp, so no incremental read and no
change event ever shows it; the previous checksum, values and SystemModstamp of the record do.
"""

from __future__ import annotations

import json

import duckdb
import pyarrow as pa

from .checksums import record_checksum
from .drift import RememberedRecord
from .salesforce_records import ObservedTarget
from .transaction import transaction

TABLE = "reconcile.salesforce_checksums"
_DDL = f"""
CREATE SCHEMA IF NOT EXISTS reconcile;
CREATE TABLE IF NOT EXISTS {TABLE} (
    target VARCHAR NOT NULL, record_id VARCHAR NOT NULL, golden_id VARCHAR NOT NULL,
    system_modstamp TIMESTAMPTZ NOT NULL, checksum VARCHAR NOT NULL, observed_values JSON NOT NULL,
    observed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (target, record_id)
)
"""


def remembered(connection: duckdb.DuckDBPyConnection, target: str) -> dict[str, RememberedRecord]:
    """The previous observation of each record of the target, by Salesforce record id."""
    connection.execute(_DDL)
    rows = connection.execute(
        f"SELECT record_id, system_modstamp, checksum, observed_values, observed_at FROM {TABLE} "
        "WHERE target = ?",
        [target],
    ).fetchall()
    return {
        record_id: RememberedRecord(modstamp, checksum, json.loads(values), observed_at)
        for record_id, modstamp, checksum, values, observed_at in rows
    }


def remember(connection: duckdb.DuckDBPyConnection, observed: ObservedTarget) -> None:
    """Keep this observation of the target's records for the next run, replacing the previous one."""
    connection.execute(_DDL)
    batch = pa.Table.from_pylist(
        [
            {
                "record_id": record.record_id,
                "golden_id": record.golden_id,
                "system_modstamp": record.system_modstamp,
                "checksum": record_checksum(record.values, sorted(record.values)),
                "observed_values": json.dumps(record.values, sort_keys=True),
            }
            for record in observed.records.values()
        ],
        schema=pa.schema(
            [
                ("record_id", pa.string()),
                ("golden_id", pa.string()),
                ("system_modstamp", pa.timestamp("us", tz="UTC")),
                ("checksum", pa.string()),
                ("observed_values", pa.string()),
            ]
        ),
    )
    connection.register("remembered_batch", batch)
    try:
        with transaction(connection):
            connection.execute(f"DELETE FROM {TABLE} WHERE target = ?", [observed.target])
            connection.execute(
                f"INSERT INTO {TABLE} SELECT ?, record_id, golden_id, system_modstamp, checksum, observed_values, ? "
                "FROM remembered_batch",
                [observed.target, observed.observed_at],
            )
    finally:
        connection.unregister("remembered_batch")
