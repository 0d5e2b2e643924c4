"""Bulk API 2.0 jobs (upsert on the external id; update by Id to adopt records), one step at a time so that every
step can be retried or resumed.

simple-salesforce's `bulk2.<Object>.upsert()` runs create → upload → close → wait → summary in one call and forgets
the job id when anything fails, and its wait treats a `Failed` job (one that stopped after N records) as an error
without its results. So this drives the same client's steps (`bulk2.<Object>._client`, the object behind the
public helpers) itself: the job id is journaled before the data leaves, and the outcome is read from the job's
own `successfulResults`, `failedResults` and `unprocessedrecords`, whatever state it ended in.

Upload and close change state on the server: if the answer to one is lost and the retry gets 409, the first
attempt landed, and that is success.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable, Sequence
from typing import Any

from simple_salesforce import Salesforce
from simple_salesforce.bulk2 import JobState, Operation, ResultsType
from simple_salesforce.exceptions import SalesforceGeneralError

from .errors import OutcomeUnknown, PushStopped, RequestFailed
from .failures import bulk_error, is_retriable
from .job_journal import ABANDONED, JobJournal, JournaledJob
from .outcomes import Confirmed, Outcome, Refused, Write
from .payloads import PayloadCodec
from .retry import RetryingCaller
from .settings import SalesforceWriteSettings

API = "bulk2"
CALLS_PER_JOB = 5  # create, upload, close, one poll, successful results
_TERMINAL = {JobState.job_complete.value, JobState.failed.value, JobState.aborted.value}
_HTTP_CONFLICT = 409
NOT_FOUND = "NOT_FOUND"


def _repeat_safe(request: Callable[[], Any]) -> Callable[[], Any]:
    """A state change whose answer may be lost after it landed: a 409 on a later attempt means it landed."""
    attempts = 0

    def call() -> Any:
        nonlocal attempts
        attempts += 1
        try:
            return request()
        except SalesforceGeneralError as error:
            if attempts > 1 and error.status == _HTTP_CONFLICT:
                return None
            raise

    return call


class BulkWriter:
    def __init__(
        self,
        sf: Salesforce,
        codec: PayloadCodec,
        caller: RetryingCaller,
        journal: JobJournal,
        settings: SalesforceWriteSettings,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = getattr(sf.bulk2, codec.object)._client
        self.codec = codec
        self.caller = caller
        self.journal = journal
        self.settings = settings
        self.sleep = sleep

    def write(self, writes: Sequence[Write]) -> Outcome:
        """Write `writes` (all adoptions: an update job; else an upsert job) as one job and return its outcome.

        Raises OutcomeUnknown when the data may have reached Salesforce but how the job went cannot be learnt now.
        """
        operation, external_id = (
            (Operation.update, None) if writes[0].adopt else (Operation.upsert, self.codec.external_id)
        )
        job = self.caller.call(
            f"create Bulk {operation.value} job for {len(writes)} {self.codec.object}",
            lambda: self.client.create_job(operation, external_id_field=external_id),
        )
        job_id = job["id"]
        self.journal.opened(job_id, self.codec.object, len(writes))
        document = self.codec.csv_document(writes)
        try:
            self.caller.call(
                f"upload job {job_id}", _repeat_safe(lambda: self.client.upload_job_data(job_id, document))
            )
            self.caller.call(f"close job {job_id}", _repeat_safe(lambda: self.client.close_job(job_id)))
        except RequestFailed as failure:
            if not failure.retriable:
                raise
            raise OutcomeUnknown(job_id, failure) from failure
        self.journal.submitted(job_id)
        try:
            return self._collect(job_id, len(writes))
        except RequestFailed as failure:
            raise OutcomeUnknown(job_id, failure) from failure

    def recover(self, job: JournaledJob) -> Outcome | None:
        """The outcome of a job a previous push left behind; None if it never started (aborted here) or is gone.

        Either way its records are not in the ledger, so they are still planned.
        """
        try:
            if self._job(job.job_id)["state"] == JobState.open.value:
                self.caller.call(f"abort job {job.job_id}", lambda: self.client.abort_job(job.job_id, False))
                self.journal.finish(job.job_id, ABANDONED)
                return None
            return self._collect(job.job_id, job.rows)
        except RequestFailed as failure:
            if failure.code != NOT_FOUND:
                raise OutcomeUnknown(job.job_id, failure) from failure
            self.journal.finish(job.job_id, ABANDONED)
            return None

    def _collect(self, job_id: str, rows: int) -> Outcome:
        info = self._wait(job_id)
        processed, failed = int(info["numberRecordsProcessed"]), int(info["numberRecordsFailed"])
        outcome = Outcome(job_id=job_id)
        if processed > failed:
            for row in self._results(job_id, ResultsType.successful):
                outcome.confirmed.append(
                    Confirmed(
                        row[self.codec.external_id],
                        row["sf__Id"],
                        row["sf__Created"].lower() == "true",
                        self.codec.sent_from_row(row),
                        API,
                        f"{API}:{job_id}",
                    )
                )
        if failed:
            for row in self._results(job_id, ResultsType.failed):
                code, message = bulk_error(row["sf__Error"])
                payload = {k: v for k, v in row.items() if not k.startswith("sf__")}
                outcome.refused.append(
                    Refused(row[self.codec.external_id], code, message, is_retriable(code), payload)
                )
        if processed < rows or info["state"] != JobState.job_complete.value:
            unprocessed = self._results(job_id, ResultsType.unprocessed)
            outcome.unprocessed = [row[self.codec.external_id] for row in unprocessed]
        return outcome

    def _job(self, job_id: str) -> dict[str, Any]:
        return self.caller.call(f"get job {job_id}", lambda: self.client.get_job(job_id, False))

    def _wait(self, job_id: str) -> dict[str, Any]:
        deadline = time.monotonic() + self.settings.bulk_timeout_seconds
        interval = self.settings.bulk_poll_seconds
        while True:
            self.sleep(interval)
            info = self._job(job_id)
            if info["state"] in _TERMINAL:
                return info
            if time.monotonic() > deadline:
                raise PushStopped(
                    f"Bulk job {job_id} still {info['state']} after {self.settings.bulk_timeout_seconds:.0f}s; "
                    "the next push collects its results"
                )
            interval = min(interval * 2, self.settings.bulk_poll_max_seconds)

    def _results(self, job_id: str, kind: ResultsType) -> list[dict[str, str]]:
        text = self.caller.call(
            f"get {kind.value} of job {job_id}", lambda: self.client.get_ingest_results(job_id, kind.value)
        )
        return list(csv.DictReader(io.StringIO(text, newline="")))
