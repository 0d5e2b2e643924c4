"""Recording one answer from Salesforce: ledger, audit log, dead letter and job journal in one transaction.

Called after every request or Bulk job, before the next one leaves, so a crash loses at most the answer in flight
(which the next push rewrites harmlessly, or reads back from the job journal) and never records half an answer.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb

from . import audit, dead_letter, ledger
from .job_journal import RECONCILED, JobJournal
from .ledger import LedgerEntry, LedgerRow
from .outcomes import Outcome


class OutcomeRecorder:
    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        target: str,
        entries: dict[str, LedgerEntry],
        journal: JobJournal,
        run_id: str | None,
        client_id: str,
    ) -> None:
        self.connection = connection
        self.target = target
        self.entries = entries
        self.journal = journal
        self.run_id = run_id
        self.client_id = client_id

    def __call__(self, outcome: Outcome) -> None:
        now = datetime.now(UTC)
        rows, audit_entries = [], []
        for confirmed in outcome.confirmed:
            previous = self.entries.get(confirmed.golden_id)
            entry = LedgerEntry.of(
                confirmed.record_id, {**(previous.values if previous else {}), **confirmed.sent}
            )
            self.entries[confirmed.golden_id] = entry
            rows.append(LedgerRow(confirmed.golden_id, entry, confirmed.api))
            audit_entries.append(audit.AuditEntry(confirmed, entry.fields_hash))
        self.connection.execute("BEGIN TRANSACTION")
        try:
            if rows:
                ledger.save(self.connection, self.target, rows, self.run_id, now)
                audit.append(self.connection, self.target, audit_entries, self.run_id, self.client_id, now)
                dead_letter.resolve(
                    self.connection,
                    self.target,
                    [r.golden_id for r in rows],
                    dead_letter.PUSHED,
                    self.run_id,
                    now,
                )
            if outcome.refused:
                dead_letter.record_failures(self.connection, self.target, outcome.refused, self.run_id, now)
            if outcome.job_id:
                self.journal.finish(outcome.job_id, RECONCILED)
            self.connection.execute("COMMIT")
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
