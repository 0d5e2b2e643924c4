"""Bulk 2.0 jobs remembered in DuckDB from the moment they exist, so their results are never lost.

A job is journaled `open` before its data leaves and `submitted` once Salesforce has it. Whatever stops a push
after that (a crash, an answer lost on the wire, the budget), the next push finds the job here, asks Salesforce
how it went and records its results; a job that never got past `open` is aborted and its records stay planned.
The journal entry is closed in the same transaction that records the job's results, so results count once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

OPEN = "open"
SUBMITTED = "submitted"
RECONCILED = "reconciled"
ABANDONED = "abandoned"


@dataclass(frozen=True)
class JournaledJob:
    job_id: str
    state: str
    rows: int


class JobJournal:
    def __init__(self, connection: duckdb.DuckDBPyConnection, target: str, run_id: str | None) -> None:
        self.connection = connection
        self.target = target
        self.run_id = run_id

    def opened(self, job_id: str, object_name: str, rows: int) -> None:
        self.connection.execute(
            "INSERT INTO outbound.bulk_jobs VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
            [job_id, self.target, object_name, self.run_id, OPEN, rows, datetime.now(UTC)],
        )

    def submitted(self, job_id: str) -> None:
        self._set_state(job_id, SUBMITTED, finished=False)

    def finish(self, job_id: str, state: str) -> None:
        self._set_state(job_id, state, finished=True)

    def _set_state(self, job_id: str, state: str, finished: bool) -> None:
        self.connection.execute(
            "UPDATE outbound.bulk_jobs SET state = ?, finished_at = ? WHERE job_id = ?",
            [state, datetime.now(UTC) if finished else None, job_id],
        )

    def unfinished(self) -> list[JournaledJob]:
        rows = self.connection.execute(
            "SELECT job_id, state, rows FROM outbound.bulk_jobs WHERE target = ? AND state IN (?, ?) "
            "ORDER BY created_at",
            [self.target, OPEN, SUBMITTED],
        ).fetchall()
        return [JournaledJob(*row) for row in rows]
