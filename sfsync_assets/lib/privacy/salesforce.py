"""Erasing a person from Salesforce: hard delete of their Contacts and Leads, and of the Bulk jobs that carried them.

Records are found by the Ids sfsync knows (identity, the ledger) and by Email, so a copy someone keyed in by
hand goes too; the search includes the recycle bin. They are removed with a Bulk 2.0 `hardDelete` job, because
an ordinary delete only moves a record, every value still in it, to the recycle bin for 15 days. Ingest jobs of
earlier pushes keep their uploaded rows and results until deleted, so the finished ones that wrote the person are
deleted as well. Every request goes through the push's governed session and retrying caller: it counts against
the same API budget and stops the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from simple_salesforce import Salesforce
from simple_salesforce.format import format_soql

from ..outbound.bulk_writer import NOT_FOUND
from ..outbound.errors import RequestFailed
from ..outbound.retry import RetryingCaller
from .person import Person

HARD_DELETE_POLL_SECONDS = 1


class ErasureIncomplete(RuntimeError):
    """Salesforce still holds some of the person's records; the request stays pending."""


@dataclass(frozen=True)
class SalesforceErasure:
    object: str
    found: int
    hard_deleted: int


class SalesforceEraser:
    def __init__(self, sf: Salesforce, caller: RetryingCaller) -> None:
        self.sf = sf
        self.caller = caller

    def record_ids(self, object_name: str, person: Person) -> list[str]:
        """Ids of the object's records (deleted ones included) that have one of the person's Ids or emails."""
        conditions = [
            format_soql(f"{field} IN {{}}", sorted(values))
            for field, values in (("Id", person.salesforce_ids), ("Email", person.emails))
            if values
        ]
        if not conditions:
            return []
        soql = f"SELECT Id FROM {object_name} WHERE {' OR '.join(conditions)}"
        result = self.caller.call(
            f"find the person's {object_name} records", lambda: self.sf.query_all(soql, include_deleted=True)
        )
        return sorted({record["Id"] for record in result["records"]})

    def hard_delete(self, object_name: str, record_ids: list[str]) -> int:
        """Hard-delete the records; the job (which lists only their Ids) is deleted after it finished."""
        if not record_ids:
            return 0
        bulk = getattr(self.sf.bulk2, object_name)
        [summary] = self.caller.call(
            f"hard delete {len(record_ids)} {object_name}",
            lambda: bulk.hard_delete(
                records=[{"Id": rid} for rid in record_ids], wait=HARD_DELETE_POLL_SECONDS
            ),
        )
        deleted = summary["numberRecordsProcessed"] - summary["numberRecordsFailed"]
        if deleted < len(record_ids):
            raise ErasureIncomplete(
                f"Bulk job {summary['job_id']} hard-deleted {deleted} of {len(record_ids)} {object_name} records; "
                "its failed results say why (the Bulk API Hard Delete permission is needed)"
            )
        self.delete_jobs([summary["job_id"]])
        return deleted

    def delete_jobs(self, job_ids: Iterable[str]) -> int:
        """Delete finished Bulk ingest jobs with their data and results; jobs already gone count as deleted."""
        client = self.sf.bulk2.Contact._client  # job requests do not depend on the object
        deleted = 0
        for job_id in job_ids:
            try:
                self.caller.call(
                    f"delete Bulk job {job_id}", lambda job_id=job_id: client.delete_job(job_id, False)
                )
            except RequestFailed as failure:
                if failure.code != NOT_FOUND:
                    raise
            deleted += 1
        return deleted

    def erase(self, person: Person, objects: Iterable[str]) -> list[SalesforceErasure]:
        erased = []
        for object_name in objects:
            found = self.record_ids(object_name, person)
            erased.append(SalesforceErasure(object_name, len(found), self.hard_delete(object_name, found)))
        return erased
