"""`reconcile.salesforce_observed`: the managed Salesforce records as the last reconciliation read them.

`reconcile.salesforce_observations` holds one row per target read (when, how, its formula fields), so a target
whose records are all gone is told apart from a target never read.

Reconciliation writes it, drift detection reads it, so drift is judged on exactly what was compared, without a
second read of Salesforce.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import duckdb
import pyarrow as pa

from .salesforce_records import ObservedRecord, ObservedTarget
from .transaction import transaction

TABLE = "reconcile.salesforce_observed"
READS = "reconcile.salesforce_observations"
_DDL = f"""
CREATE SCHEMA IF NOT EXISTS reconcile;
CREATE TABLE IF NOT EXISTS {READS} (
    target VARCHAR PRIMARY KEY, object VARCHAR NOT NULL, formula_fields JSON NOT NULL, read_mode VARCHAR NOT NULL,
    observed_at TIMESTAMPTZ NOT NULL, run_id VARCHAR
);
CREATE TABLE IF NOT EXISTS {TABLE} (
    target VARCHAR NOT NULL, golden_id VARCHAR NOT NULL, record_id VARCHAR NOT NULL, is_deleted BOOLEAN NOT NULL,
    system_modstamp TIMESTAMPTZ NOT NULL, observed_values JSON NOT NULL
)
"""


def save_observed(
    connection: duckdb.DuckDBPyConnection, observed: Iterable[ObservedTarget], run_id: str | None
) -> None:
    """Replace the rows of each observed target."""
    connection.execute(_DDL)
    for target in observed:
        batch = pa.Table.from_pylist(
            [
                {
                    "golden_id": record.golden_id,
                    "record_id": record.record_id,
                    "is_deleted": record.is_deleted,
                    "system_modstamp": record.system_modstamp,
                    "observed_values": json.dumps(record.values, sort_keys=True),
                }
                for record in target.records.values()
            ],
            schema=pa.schema(
                [
                    ("golden_id", pa.string()),
                    ("record_id", pa.string()),
                    ("is_deleted", pa.bool_()),
                    ("system_modstamp", pa.timestamp("us", tz="UTC")),
                    ("observed_values", pa.string()),
                ]
            ),
        )
        connection.register("observed_batch", batch)
        try:
            with transaction(connection):
                connection.execute(f"DELETE FROM {TABLE} WHERE target = ?", [target.target])
                connection.execute(
                    f"INSERT INTO {TABLE} SELECT ?, golden_id, record_id, is_deleted, system_modstamp, "
                    "observed_values FROM observed_batch",
                    [target.target],
                )
                connection.execute(
                    f"INSERT OR REPLACE INTO {READS} VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        target.target,
                        target.object,
                        json.dumps(target.formula_fields),
                        target.read_mode,
                        target.observed_at,
                        run_id,
                    ],
                )
        finally:
            connection.unregister("observed_batch")


def load_observed(connection: duckdb.DuckDBPyConnection, target: str) -> ObservedTarget | None:
    """The target as last observed; None if no reconciliation has read it yet."""
    connection.execute(_DDL)
    heads = connection.execute(
        f"SELECT object, formula_fields, read_mode, observed_at FROM {READS} WHERE target = ?", [target]
    ).fetchall()
    if not heads:
        return None
    object_name, formula_fields, read_mode, observed_at = heads[0]
    result = ObservedTarget(
        target, object_name, observed_at, tuple(json.loads(formula_fields)), read_mode=read_mode
    )
    rows = connection.execute(
        f"SELECT record_id, golden_id, is_deleted, system_modstamp, observed_values FROM {TABLE} WHERE target = ?",
        [target],
    ).fetchall()
    for record_id, golden_id, is_deleted, modstamp, values in rows:
        result.add(ObservedRecord(record_id, golden_id, is_deleted, modstamp, json.loads(values)))
    return result
