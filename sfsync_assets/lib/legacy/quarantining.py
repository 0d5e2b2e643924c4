"""Rejections of a legacy file as rows of the shared quarantine (`quality.quarantine`).

A record is referred to by file and line (`CUSTEXPORT_20261101.csv line 12`) or file and record number
(`CUSTMAST_20261101.dat record 5`), so the same problem found again when the file is reloaded updates its row,
and problems a corrected re-drop no longer has are marked resolved.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import duckdb

from ..warehouse.quarantine import TABLE, QuarantinedRow, ensure_table
from .records import RECORD_COUNT_MISMATCH, RecordCounts, Rejection


def record_ref(file_name: str, rejection: Rejection) -> str:
    if rejection.line_number is not None:
        return f"{file_name} line {rejection.line_number}"
    if rejection.record_number is not None:
        return f"{file_name} record {rejection.record_number}"
    return file_name


def quarantine_rows(
    rejections: Iterable[Rejection], system: str, feed_name: str, file_name: str
) -> list[QuarantinedRow]:
    """One row per (record, field, rule); the first rejection wins if a reader reported one twice."""
    rows: dict[tuple[str, str, str], QuarantinedRow] = {}
    for rejection in rejections:
        row = QuarantinedRow(
            system=system,
            source_object=feed_name,
            record_ref=record_ref(file_name, rejection),
            field=rejection.field,
            rule=rejection.rule,
            reason=rejection.reason,
            value=rejection.value,
            source_file=file_name,
            line_number=rejection.line_number,
            byte_offset=rejection.byte_offset,
            raw=rejection.raw,
        )
        rows.setdefault((row.record_ref, row.field, row.rule), row)
    return list(rows.values())


def count_mismatch(counts: RecordCounts, system: str, feed_name: str, file_name: str) -> list[QuarantinedRow]:
    mismatches = counts.mismatches()
    if not mismatches:
        return []
    reason = "; ".join(mismatches)
    return [
        QuarantinedRow(
            system,
            feed_name,
            file_name,
            "",
            RECORD_COUNT_MISMATCH,
            reason,
            str(counts.data_records),
            file_name,
        )
    ]


def resolve_fixed_problems(
    connection: duckdb.DuckDBPyConnection, system: str, feed_name: str, file_name: str, run_id: str
) -> int:
    """Mark resolved the open problems of this file that this load no longer found."""
    ensure_table(connection)
    rows = connection.execute(
        f"UPDATE {TABLE} SET resolved_at = ? WHERE system = ? AND source_object = ? AND source_file = ? "
        "AND last_seen_run_id <> ? AND resolved_at IS NULL AND rule NOT LIKE 'mapping.%' RETURNING 1",
        [datetime.now(UTC), system, feed_name, file_name, run_id],
    ).fetchall()
    return len(rows)
