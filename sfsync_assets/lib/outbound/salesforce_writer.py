"""Writing a target's planned records to Salesforce in rounds, until each is confirmed, refused or left for later.

Each round picks the API by size (Bulk 2.0 above `bulk_threshold`, sObject Collections below), packs children of
one parent together, and hands every request's outcome to `record` at once, so what Salesforce confirmed is in
the ledger before the next request leaves. Records refused for a retriable reason (a locked row, a request that
kept failing) and records a Bulk job never reached go into the next round, after a backoff, until they have had
`max_attempts`. Records of a Bulk job that may have run but cannot be asked (its answers lost on the wire) are
dead-lettered provisionally and not written again now: the job journal lets the next push read what the job did.
A stop (budget, circuit breaker, a job still running) ends the push cleanly: what was not written stays planned.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from simple_salesforce import Salesforce

from .batching import bulk_jobs, pack_by_parent
from .bulk_writer import CALLS_PER_JOB, BulkWriter
from .collections_writer import CollectionsWriter
from .errors import BudgetStop, OutcomeUnknown, PushStopped, RequestFailed
from .job_journal import JobJournal
from .outcomes import Outcome, Refused, Write
from .payloads import PayloadCodec
from .retry import RetryingCaller
from .settings import SalesforceWriteSettings, TargetSettings

Recorder = Callable[[Outcome], None]


@dataclass
class WriteReport:
    """What one push did, for the asset's metadata."""

    planned: set[str] = field(default_factory=set)
    confirmed: set[str] = field(default_factory=set)
    refused: set[str] = field(default_factory=set)
    created: int = 0
    updated: int = 0
    refusals: int = 0
    retried_records: int = 0
    requests_retried: int = 0
    bulk_jobs: int = 0
    collections_requests: int = 0
    stopped: str | None = None

    @property
    def pushed(self) -> int:
        return self.created + self.updated

    @property
    def failed(self) -> set[str]:
        """Records whose last answer was a refusal."""
        return self.refused - self.confirmed

    @property
    def deferred(self) -> set[str]:
        """Planned records that got no answer at all: they stay planned."""
        return self.planned - self.confirmed - self.refused

    def add(self, outcome: Outcome) -> None:
        self.created += sum(c.created for c in outcome.confirmed)
        self.updated += sum(not c.created for c in outcome.confirmed)
        self.refusals += len(outcome.refused)
        confirmed = {c.golden_id for c in outcome.confirmed}
        self.confirmed |= confirmed
        self.refused = (self.refused - confirmed) | {r.golden_id for r in outcome.refused}


class SalesforceWriter:
    def __init__(
        self,
        sf: Salesforce,
        target: TargetSettings,
        settings: SalesforceWriteSettings,
        caller: RetryingCaller,
        journal: JobJournal,
        record: Recorder,
        budget_remaining: Callable[[], int | None],
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        codec = PayloadCodec(target)
        self.settings = settings
        self.caller = caller
        self.record = record
        self.budget_remaining = budget_remaining
        self.sleep = sleep
        self.bulk = BulkWriter(sf, codec, caller, journal, settings, sleep)
        self.collections = CollectionsWriter(sf, codec, caller)

    def recover(self, report: WriteReport) -> None:
        """Collect the outcome of Bulk jobs an earlier push left unfinished."""
        for job in self.bulk.journal.unfinished():
            try:
                outcome = self.bulk.recover(job)
            except OutcomeUnknown:
                continue
            if outcome is not None:
                self.record(outcome)
                report.add(outcome)

    def upsert(self, writes: Sequence[Write], report: WriteReport) -> None:
        """Write until every record is confirmed or out of attempts; stops cleanly, leaving the rest planned."""
        attempts: Counter[str] = Counter()
        pending = list(writes)
        try:
            while pending:
                pending, worst_attempt = self._round(pending, attempts, report)
                if worst_attempt:
                    self.sleep(self.caller.backoff.delay(worst_attempt))
        except PushStopped as stop:
            report.stopped = str(stop)

    def _round(
        self, pending: list[Write], attempts: Counter[str], report: WriteReport
    ) -> tuple[list[Write], int]:
        """Write `pending` once; the records for another round, and the most attempts any refused one has had."""
        use_bulk = len(pending) > self.settings.bulk_threshold
        chunks = [
            chunk
            for writes in ([w for w in pending if w.adopt], [w for w in pending if not w.adopt])
            for chunk in (
                bulk_jobs(writes, self.settings.bulk_internal_batch_rows, self.settings.bulk_max_rows_per_job)
                if use_bulk
                else pack_by_parent(writes, self.settings.collections_batch)
            )
            if chunk
        ]
        again: list[Write] = []
        worst_attempt = 0
        for chunk in chunks:
            outcome = self._send(chunk, use_bulk, report)
            self.record(outcome)
            report.add(outcome)
            refused, unreached = self._to_retry(chunk, outcome, attempts)
            report.retried_records += len(refused)
            worst_attempt = max([worst_attempt, *(attempts[write.golden_id] for write in refused)])
            again += refused + unreached
        return again, worst_attempt

    def _send(self, chunk: list[Write], use_bulk: bool, report: WriteReport) -> Outcome:
        if use_bulk:
            remaining = self.budget_remaining()
            if remaining is not None and remaining < CALLS_PER_JOB:
                raise BudgetStop(f"{remaining} API calls left, a Bulk job needs at least {CALLS_PER_JOB}")
            report.bulk_jobs += 1
        else:
            report.collections_requests += 1
        try:
            return self.bulk.write(chunk) if use_bulk else self.collections.write(chunk)
        except OutcomeUnknown as unknown:
            return Outcome(
                refused=self._refuse(chunk, unknown.failure, str(unknown)), awaiting_job=unknown.job_id
            )
        except RequestFailed as failure:
            return Outcome(refused=self._refuse(chunk, failure, failure.message))

    def _refuse(self, chunk: list[Write], failure: RequestFailed, message: str) -> list[Refused]:
        """Every record of a request that failed as a whole, with the request's error."""
        codec = self.collections.codec
        return [
            Refused(w.golden_id, failure.code, message, failure.retriable, codec.json_record(w))
            for w in chunk
        ]

    def _to_retry(
        self, chunk: list[Write], outcome: Outcome, attempts: Counter[str]
    ) -> tuple[list[Write], list[Write]]:
        """Records worth another round: (retriable refusals with attempts left, rows a job never reached)."""
        for refused in outcome.refused:
            attempts[refused.golden_id] += 1
        if outcome.awaiting_job:
            return [], []
        unreached = set(outcome.unprocessed)
        if unreached and not outcome.made_progress:
            self.caller.breaker.failure(f"Bulk job {outcome.job_id} processed no record")
            for golden_id in unreached:
                attempts[golden_id] += 1
        retriable = {r.golden_id for r in outcome.refused if r.retriable}
        limit = self.settings.retry.max_attempts
        return (
            [w for w in chunk if w.golden_id in retriable and attempts[w.golden_id] < limit],
            [w for w in chunk if w.golden_id in unreached and attempts[w.golden_id] < limit],
        )
