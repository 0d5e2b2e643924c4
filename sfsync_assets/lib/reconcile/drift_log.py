"""`reconcile.drift`: every drifted field, open until Salesforce agrees with the golden record again.

A field that keeps drifting to the same value keeps its class and its "since" from the run that first saw it
(a re-queued field no longer looks like drift to a fresh judgement, and a formula change is only visible once),
so the table answers "since when" truthfully. Drift on records a run did not judge stays as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import astuple, dataclass, fields, replace
from datetime import datetime

import duckdb

from .drift import REQUEUE, Drift
from .transaction import transaction

TABLE = "reconcile.drift"
_DDL = f"""
CREATE SCHEMA IF NOT EXISTS reconcile;
CREATE TABLE IF NOT EXISTS {TABLE} (
    target VARCHAR NOT NULL, golden_id VARCHAR NOT NULL, record_id VARCHAR NOT NULL, field VARCHAR NOT NULL,
    drift_class VARCHAR NOT NULL, owner VARCHAR NOT NULL, action VARCHAR NOT NULL,
    expected VARCHAR, actual VARCHAR, since TIMESTAMPTZ,
    first_detected_at TIMESTAMPTZ NOT NULL, last_detected_at TIMESTAMPTZ NOT NULL, resolved_at TIMESTAMPTZ,
    run_id VARCHAR
)
"""
_COLUMNS = ", ".join(field.name for field in fields(Drift))


@dataclass(frozen=True)
class LoggedDrift:
    drift: Drift
    first_detected_at: datetime


def _open(connection: duckdb.DuckDBPyConnection, targets: Iterable[str]) -> dict[tuple, LoggedDrift]:
    connection.execute(_DDL)
    wanted = list(targets)
    if not wanted:
        return {}
    rows = connection.execute(
        f"SELECT {_COLUMNS}, first_detected_at FROM {TABLE} WHERE resolved_at IS NULL "
        f"AND target IN ({', '.join('?' for _ in wanted)})",
        wanted,
    ).fetchall()
    logged = [LoggedDrift(Drift(*row[:-1]), row[-1]) for row in rows]
    return {(e.drift.target, e.drift.golden_id, e.drift.field): e for e in logged}


def record_drift(
    connection: duckdb.DuckDBPyConnection,
    found: Iterable[Drift],
    unjudged: Mapping[str, set[str]],
    now: datetime,
    run_id: str | None,
) -> list[LoggedDrift]:
    """Merge this run's findings for the targets of `unjudged` into the log; returns their open drift.

    `unjudged` names, per target, the golden ids this run could not judge: their open drift is left alone.
    """
    known = _open(connection, unjudged)
    current: dict[tuple, LoggedDrift] = {}
    kept, closed = [], []
    for drift in found:
        key = (drift.target, drift.golden_id, drift.field)
        before = known.get(key)
        if before is not None and before.drift.actual == drift.actual:
            same = replace(drift, drift_class=before.drift.drift_class, since=before.drift.since)
            current[key] = LoggedDrift(same, before.first_detected_at)
            kept.append(same)
            continue
        if before is not None:
            closed.append(key)
        current[key] = LoggedDrift(drift, now)
    closed += [
        key
        for key, entry in known.items()
        if key not in current and entry.drift.golden_id not in unjudged[key[0]]
    ]
    new = [entry for key, entry in current.items() if key not in known or key in closed]
    with transaction(connection):
        _execute_many(
            connection,
            f"UPDATE {TABLE} SET resolved_at = ? WHERE resolved_at IS NULL AND target = ? AND golden_id = ? "
            "AND field = ?",
            [[now, *key] for key in closed],
        )
        _execute_many(
            connection,
            f"UPDATE {TABLE} SET expected = ?, record_id = ?, owner = ?, action = ?, last_detected_at = ?, "
            "run_id = ? WHERE resolved_at IS NULL AND target = ? AND golden_id = ? AND field = ?",
            [
                [d.expected, d.record_id, d.owner, d.action, now, run_id, d.target, d.golden_id, d.field]
                for d in kept
            ],
        )
        _execute_many(
            connection,
            f"INSERT INTO {TABLE} ({_COLUMNS}, first_detected_at, last_detected_at, run_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[*astuple(entry.drift), now, now, run_id] for entry in new],
        )
    return list(current.values())


def _execute_many(connection: duckdb.DuckDBPyConnection, sql: str, rows: list[list]) -> None:
    """DuckDB refuses an empty parameter list; nothing to write is simply nothing to do."""
    if rows:
        connection.executemany(sql, rows)


def awaiting_push(connection: duckdb.DuckDBPyConnection, target: str) -> frozenset[tuple[str, str]]:
    """(golden id, field) of open drift that was re-queued for push and is not in Salesforce yet."""
    connection.execute(_DDL)
    rows = connection.execute(
        f"SELECT golden_id, field FROM {TABLE} WHERE resolved_at IS NULL AND target = ? AND action = ?",
        [target, REQUEUE],
    ).fetchall()
    return frozenset((golden_id, field) for golden_id, field in rows)


def open_drift_counts(connection: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    """(target, drift class, drifted fields) of open drift."""
    connection.execute(_DDL)
    return connection.execute(
        f"SELECT target, drift_class, count(*) FROM {TABLE} WHERE resolved_at IS NULL "
        "GROUP BY target, drift_class ORDER BY target, drift_class"
    ).fetchall()
