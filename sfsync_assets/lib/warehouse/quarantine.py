"""The quarantine: every row a pipeline could not use, with the reason, where it came from, and its raw content.

Nothing bad is dropped: a malformed CSV line, an EBCDIC field with an invalid nibble, a record that fails a
pandera check all land here, so the integration team can see, fix at the source, and replay. Rows are keyed by
(system, source_object, record_ref, field, rule) and re-quarantining the same problem in a later run updates
`last_seen_run_id` instead of adding a duplicate.

Problems with a value the quality layer staged into the canonical model also name it the canonical way
(`source_key` of the staged row, `canonical_field` such as `person.Phone`), and the view
`quality.quarantined_values` lists the open ones by entity and field: survivorship joins it so that a
quarantined value (emptied, or repaired but still wrong at the source) never wins a golden record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import astuple, dataclass, fields
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

TABLE = "quality.quarantine"
VALUES_VIEW = "quality.quarantined_values"
_DDL = f"""
CREATE SCHEMA IF NOT EXISTS quality;
CREATE TABLE IF NOT EXISTS {TABLE} (
    system VARCHAR NOT NULL,          -- salesforce, erp, legacy_csv, legacy_fixed, legacy_ebcdic
    source_object VARCHAR NOT NULL,   -- object, table or feed
    record_ref VARCHAR NOT NULL,      -- record id, or file:line / file:record number when there is no id
    field VARCHAR NOT NULL,           -- the offending field ('' for a whole-record problem)
    rule VARCHAR NOT NULL,            -- which check or parser rule refused it
    reason VARCHAR NOT NULL,          -- a sentence a person understands
    value VARCHAR,                    -- the offending value as read
    source_file VARCHAR,              -- for files: the file name
    line_number BIGINT,               -- for text files: the physical line
    byte_offset BIGINT,               -- for binary files: where the field starts
    raw VARCHAR,                      -- the whole raw record (text, or hex for binary)
    first_seen_run_id VARCHAR NOT NULL,
    last_seen_run_id VARCHAR NOT NULL,
    quarantined_at TIMESTAMPTZ NOT NULL,
    resolved_at TIMESTAMPTZ,
    PRIMARY KEY (system, source_object, record_ref, field, rule)
);
-- Added after the first release: tables created before get them here.
ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS source_key VARCHAR;       -- the staged row's key, system:object:id
ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS canonical_field VARCHAR;  -- <entity>.<canonical column>
CREATE OR REPLACE VIEW {VALUES_VIEW} AS
SELECT source_key,
       split_part(canonical_field, '.', 1) AS entity,   -- organization, person
       split_part(canonical_field, '.', 2) AS field,    -- canonical column, e.g. Phone
       rule, value, reason, system, source_object, record_ref, last_seen_run_id
FROM {TABLE}
WHERE resolved_at IS NULL AND source_key IS NOT NULL AND canonical_field IS NOT NULL
"""


@dataclass(frozen=True)
class QuarantinedRow:
    system: str
    source_object: str
    record_ref: str
    field: str
    rule: str
    reason: str
    value: str | None = None
    source_file: str | None = None
    line_number: int | None = None
    byte_offset: int | None = None
    raw: str | None = None
    source_key: str | None = None  # for a staged record: its key in the canonical tables
    canonical_field: str | None = None  # for a staged value: `<entity>.<canonical column>`


def ensure_table(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(_DDL)


def quarantine(connection: duckdb.DuckDBPyConnection, rows: Iterable[QuarantinedRow], run_id: str) -> int:
    """Record rows (idempotently); returns how many were given.

    The batch goes in as one Arrow table and one INSERT ... ON CONFLICT: row-by-row `executemany` costs DuckDB
    milliseconds per row, which dominated staging time on dirty sources.
    """
    ensure_table(connection)
    names = [f.name for f in fields(QuarantinedRow)]
    batch = {name: [] for name in names}
    for row in rows:
        for name, value in zip(names, astuple(row), strict=True):
            batch[name].append(value)
    count = len(batch[names[0]])
    if not count:
        return 0
    types = {"line_number": pa.int64(), "byte_offset": pa.int64()}
    table = pa.table(
        {name: pa.array(values, type=types.get(name, pa.string())) for name, values in batch.items()}
    )
    now = datetime.now(UTC)
    connection.register("quarantine_batch", table)
    try:
        connection.execute(
            f"INSERT INTO {TABLE} ({', '.join(names)}, first_seen_run_id, last_seen_run_id, quarantined_at) "
            f"SELECT DISTINCT ON (system, source_object, record_ref, field, rule) {', '.join(names)}, ?, ?, ? "
            "FROM quarantine_batch "
            "ON CONFLICT (system, source_object, record_ref, field, rule) DO UPDATE SET "
            "reason = excluded.reason, value = excluded.value, raw = excluded.raw, "
            "source_key = excluded.source_key, canonical_field = excluded.canonical_field, "
            "last_seen_run_id = excluded.last_seen_run_id, resolved_at = NULL",
            [run_id, run_id, now],
        )
    finally:
        connection.unregister("quarantine_batch")
    return count


def resolve_missing(
    connection: duckdb.DuckDBPyConnection, system: str, source_object: str, rule_prefix: str, run_id: str
) -> int:
    """Mark as resolved the problems of a source that this run checked and no longer found."""
    ensure_table(connection)
    rows = connection.execute(
        f"UPDATE {TABLE} SET resolved_at = ? WHERE system = ? AND source_object = ? AND rule LIKE ? "
        "AND last_seen_run_id <> ? AND resolved_at IS NULL RETURNING 1",
        [datetime.now(UTC), system, source_object, rule_prefix + "%", run_id],
    ).fetchall()
    return len(rows)
