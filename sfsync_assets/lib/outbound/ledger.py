"""The ledger: per target and golden id, what Salesforce last confirmed it holds.

Rows change only from Salesforce's own answers (per-item success of a Collections call, `successfulResults` of a
Bulk job), never from what we meant to send. A record missing here was not confirmed, so it is planned again; an
upsert on the external id then updates the record a lost answer hid, and never creates a second one. A Salesforce
record stands for one golden id: when an entity adopts a record another golden id held (golden ids merged), the
older row goes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

import duckdb
import pyarrow as pa

from .wire import fields_hash


@dataclass
class LedgerEntry:
    """A record Salesforce confirmed: its Id, the hash of its pushed values, and the values as stored (JSON).

    The values are parsed only when a diff needs them: an unchanged record is recognised by its hash alone.
    """

    record_id: str
    fields_hash: str
    pushed_values: str

    @classmethod
    def of(cls, record_id: str, values: dict[str, str | None]) -> LedgerEntry:
        return cls(record_id, fields_hash(values), json.dumps(values, sort_keys=True))

    @cached_property
    def values(self) -> dict[str, str | None]:
        return json.loads(self.pushed_values)


def load_ledger(connection: duckdb.DuckDBPyConnection, target: str) -> dict[str, LedgerEntry]:
    rows = connection.execute(
        "SELECT golden_id, record_id, fields_hash, pushed_values::VARCHAR FROM outbound.ledger WHERE target = ?",
        [target],
    ).fetchall()
    return {golden_id: LedgerEntry(*entry) for golden_id, *entry in rows}


def confirmed_golden_ids(connection: duckdb.DuckDBPyConnection, target: str) -> set[str]:
    rows = connection.execute("SELECT golden_id FROM outbound.ledger WHERE target = ?", [target]).fetchall()
    return {row[0] for row in rows}


@dataclass(frozen=True)
class LedgerRow:
    golden_id: str
    entry: LedgerEntry
    api: str


def save(
    connection: duckdb.DuckDBPyConnection,
    target: str,
    rows: Sequence[LedgerRow],
    run_id: str | None,
    at: datetime,
) -> None:
    batch = pa.Table.from_pylist(
        [
            {
                "target": target,
                "golden_id": row.golden_id,
                "record_id": row.entry.record_id,
                "fields_hash": row.entry.fields_hash,
                "pushed_values": row.entry.pushed_values,
                "pushed_at": at,
                "run_id": run_id,
                "api": row.api,
            }
            for row in rows
        ]
    )
    connection.register("ledger_batch", batch)
    connection.execute(
        "DELETE FROM outbound.ledger AS l USING ledger_batch AS b "
        "WHERE l.target = b.target AND l.record_id = b.record_id AND l.golden_id <> b.golden_id"
    )
    connection.execute(
        "INSERT INTO outbound.ledger SELECT target, golden_id, record_id, fields_hash, pushed_values, pushed_at, "
        "run_id, api FROM ledger_batch ON CONFLICT (target, golden_id) DO UPDATE SET "
        "record_id = excluded.record_id, fields_hash = excluded.fields_hash, "
        "pushed_values = excluded.pushed_values, pushed_at = excluded.pushed_at, run_id = excluded.run_id, "
        "api = excluded.api"
    )
    connection.unregister("ledger_batch")
