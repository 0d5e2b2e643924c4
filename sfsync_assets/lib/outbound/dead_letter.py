"""The dead letter: every record Salesforce refused, kept until a later push gets it through.

One open row per (target, golden id) and failure episode: the payload last sent, the last error code and message,
whether a retry can help, attempts, first and last failure. Records of a request that failed as a whole, or of a
Bulk job whose answer was lost, are here too, under the request's error. Records in it are still planned (the
ledger does not hold their golden values), so a push retries them; a confirmed write resolves the row, and a
golden record that no longer needs writing (its values went back to what Salesforce holds) supersedes it. A
refusal no retry can fix (a duplicate rule, a missing required field) waits until its payload changes, since the
same payload would only be refused again, or until it has waited `refused_retry_after_hours`: a fix made in
Salesforce alone (the duplicate merged, a validation rule relaxed) then gets it through, at the cost of one write
per held record that often.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from .outcomes import Refused

PUSHED = "pushed"
SUPERSEDED = "superseded"


def record_failures(
    connection: duckdb.DuckDBPyConnection,
    target: str,
    refused: Sequence[Refused],
    run_id: str | None,
    at: datetime,
) -> None:
    batch = pa.Table.from_pylist(
        [
            {
                "golden_id": r.golden_id,
                "payload": json.dumps(r.payload, sort_keys=True, default=str),
                "error_code": r.code,
                "message": r.message,
                "retriable": r.retriable,
            }
            for r in refused
        ]
    )
    connection.register("refused_batch", batch)
    connection.execute(
        "UPDATE outbound.dead_letter AS d SET payload = r.payload, error_code = r.error_code, message = r.message, "
        "retriable = r.retriable, attempts = d.attempts + 1, last_failed_at = ?, last_run_id = ? "
        "FROM refused_batch AS r WHERE d.target = ? AND d.golden_id = r.golden_id AND NOT d.resolved",
        [at, run_id, target],
    )
    connection.execute(
        "INSERT INTO outbound.dead_letter (target, golden_id, payload, error_code, message, retriable, attempts, "
        "first_failed_at, last_failed_at, last_run_id) "
        "SELECT ?, r.golden_id, r.payload, r.error_code, r.message, r.retriable, 1, ?, ?, ? FROM refused_batch AS r "
        "WHERE NOT EXISTS (SELECT 1 FROM outbound.dead_letter AS d "
        "WHERE d.target = ? AND d.golden_id = r.golden_id AND NOT d.resolved)",
        [target, at, at, run_id, target],
    )
    connection.unregister("refused_batch")


def resolve(
    connection: duckdb.DuckDBPyConnection,
    target: str,
    golden_ids: Iterable[str],
    resolution: str,
    run_id: str | None,
    at: datetime,
) -> None:
    connection.register("resolved_batch", pa.table({"golden_id": pa.array(list(golden_ids), pa.string())}))
    connection.execute(
        "UPDATE outbound.dead_letter SET resolved = true, resolved_at = ?, resolution = ?, resolved_run_id = ? "
        "WHERE target = ? AND NOT resolved AND golden_id IN (SELECT golden_id FROM resolved_batch)",
        [at, resolution, run_id, target],
    )
    connection.unregister("resolved_batch")


def supersede_unplanned(
    connection: duckdb.DuckDBPyConnection,
    target: str,
    planned: Iterable[str],
    run_id: str | None,
    at: datetime,
) -> None:
    """Resolve open rows of records the plan no longer writes."""
    open_ids = {
        row[0]
        for row in connection.execute(
            "SELECT golden_id FROM outbound.dead_letter WHERE target = ? AND NOT resolved", [target]
        ).fetchall()
    }
    resolve(connection, target, open_ids - set(planned), SUPERSEDED, run_id, at)


@dataclass(frozen=True)
class OpenFailure:
    error_code: str
    retriable: bool


def open_failures(connection: duckdb.DuckDBPyConnection, target: str) -> dict[str, OpenFailure]:
    """Golden ids with an open dead letter: its last error code and whether a retry may help."""
    rows = connection.execute(
        "SELECT golden_id, error_code, retriable FROM outbound.dead_letter WHERE target = ? AND NOT resolved",
        [target],
    ).fetchall()
    return {golden_id: OpenFailure(code, retriable) for golden_id, code, retriable in rows}


def unfixable_payloads(
    connection: duckdb.DuckDBPyConnection, target: str, held_since: datetime
) -> dict[str, Any]:
    """Golden id -> the payload last refused, of open rows whose refusal no retry can fix, refused after
    `held_since` (older refusals are sent again: something in Salesforce may have changed)."""
    rows = connection.execute(
        "SELECT golden_id, payload::VARCHAR FROM outbound.dead_letter WHERE target = ? AND NOT resolved "
        "AND NOT retriable AND last_failed_at > ?",
        [target, held_since],
    ).fetchall()
    return {golden_id: json.loads(payload) for golden_id, payload in rows}
