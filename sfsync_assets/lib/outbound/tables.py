"""The `outbound` schema: what was planned, what Salesforce confirmed, what it refused, and every write.

| table | one row per |
|---|---|
| `outbound.plan` | record the last plan would write (target, golden id): fields to send, why, whether it waits |
| `outbound.ledger` | (target, golden id) Salesforce confirmed: its record id, the pushed values and their hash |
| `outbound.dead_letter` | failure episode of a record: payload, error code, attempts, first/last failure, resolution |
| `outbound.audit` | record written, as Salesforce reported it: created or updated, by which API and run |
| `outbound.bulk_jobs` | Bulk 2.0 job started: journaled before its data is sent, so a crash never loses its results |
"""

from __future__ import annotations

import duckdb

_DDL = """
CREATE SCHEMA IF NOT EXISTS outbound;
CREATE TABLE IF NOT EXISTS outbound.plan (
    target VARCHAR NOT NULL, golden_id VARCHAR NOT NULL, parent_golden_id VARCHAR, reason VARCHAR NOT NULL,
    waiting_for_parent BOOLEAN NOT NULL, send JSON NOT NULL, fields_hash VARCHAR NOT NULL,
    planned_at TIMESTAMPTZ NOT NULL, run_id VARCHAR
);
CREATE TABLE IF NOT EXISTS outbound.ledger (
    target VARCHAR NOT NULL, golden_id VARCHAR NOT NULL, record_id VARCHAR NOT NULL,
    fields_hash VARCHAR NOT NULL, pushed_values JSON NOT NULL, pushed_at TIMESTAMPTZ NOT NULL,
    run_id VARCHAR, api VARCHAR NOT NULL,
    PRIMARY KEY (target, golden_id)
);
CREATE TABLE IF NOT EXISTS outbound.dead_letter (
    target VARCHAR NOT NULL, golden_id VARCHAR NOT NULL, payload JSON NOT NULL, error_code VARCHAR NOT NULL,
    message VARCHAR, retriable BOOLEAN NOT NULL, attempts INTEGER NOT NULL,
    first_failed_at TIMESTAMPTZ NOT NULL, last_failed_at TIMESTAMPTZ NOT NULL, last_run_id VARCHAR,
    resolved BOOLEAN NOT NULL DEFAULT false, resolved_at TIMESTAMPTZ, resolution VARCHAR, resolved_run_id VARCHAR
);
CREATE TABLE IF NOT EXISTS outbound.audit (
    target VARCHAR NOT NULL, record_id VARCHAR NOT NULL, golden_id VARCHAR NOT NULL, operation VARCHAR NOT NULL,
    fields_hash VARCHAR NOT NULL, fields_sent VARCHAR NOT NULL, run_id VARCHAR, written_at TIMESTAMPTZ NOT NULL,
    api VARCHAR NOT NULL, api_ref VARCHAR NOT NULL, client_id VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS outbound.bulk_jobs (
    job_id VARCHAR PRIMARY KEY, target VARCHAR NOT NULL, object VARCHAR NOT NULL, run_id VARCHAR,
    state VARCHAR NOT NULL, rows INTEGER NOT NULL, created_at TIMESTAMPTZ NOT NULL, finished_at TIMESTAMPTZ
);
"""


def ensure_tables(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(_DDL)
