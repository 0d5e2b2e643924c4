"""The audit log: one row per record written, as Salesforce reported it.

Target, Salesforce record id, golden id, created or updated, hash of the values it now holds, which fields were
sent, run, time, API and the request or job that carried it, and the client id the write was made under
(`Sforce-Call-Options: client=sfsync`). Ingest and reconciliation use it to recognise the echo of our own writes
in the change feed and to prove what was written when.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pyarrow as pa

from .bulk_writer import API as BULK_API
from .outcomes import Confirmed

CREATED = "created"
UPDATED = "updated"


@dataclass(frozen=True)
class AuditEntry:
    confirmed: Confirmed
    fields_hash: str


def append(
    connection: duckdb.DuckDBPyConnection,
    target: str,
    entries: Sequence[AuditEntry],
    run_id: str | None,
    client_id: str,
    at: datetime,
) -> None:
    batch = pa.Table.from_pylist(
        [
            {
                "target": target,
                "record_id": e.confirmed.record_id,
                "golden_id": e.confirmed.golden_id,
                "operation": CREATED if e.confirmed.created else UPDATED,
                "fields_hash": e.fields_hash,
                "fields_sent": ",".join(sorted(e.confirmed.sent)),
                "run_id": run_id,
                "written_at": at,
                "api": e.confirmed.api,
                "api_ref": e.confirmed.api_ref,
                "client_id": client_id,
            }
            for e in entries
        ]
    )
    connection.register("audit_batch", batch)
    connection.execute(
        "INSERT INTO outbound.audit SELECT target, record_id, golden_id, operation, fields_hash, fields_sent, "
        "run_id, written_at, api, api_ref, client_id FROM audit_batch"
    )
    connection.unregister("audit_batch")


def bulk_jobs_that_wrote(connection: duckdb.DuckDBPyConnection, golden_ids: Sequence[str]) -> list[str]:
    """Ids of the Bulk jobs that wrote any of these golden records (their uploads still hold the values)."""
    if not golden_ids:
        return []
    rows = connection.execute(
        "SELECT DISTINCT api_ref FROM outbound.audit WHERE api = ? AND golden_id IN (SELECT unnest(?::VARCHAR[]))",
        [BULK_API, list(golden_ids)],
    ).fetchall()
    return sorted(row[0].removeprefix(f"{BULK_API}:") for row in rows)
