"""What a push sends and what Salesforce answers, record by record."""

from __future__ import annotations

from dataclasses import dataclass, field

from .wire import JsonValue


@dataclass(frozen=True)
class Write:
    """One record to write: its golden id (the external id value), the fields to send, its parent's golden id.

    Field names are the ledger's: Salesforce API names, and the parent reference as `Account.Golden_Id__c`.
    `adopt` names a record Salesforce already holds for the entity: it is updated by Id, stamping the external
    id, rather than upserted (which would create a duplicate of it).
    """

    golden_id: str
    send: dict[str, JsonValue]
    parent_golden_id: str | None = None
    adopt: str | None = None


@dataclass(frozen=True)
class Confirmed:
    """Salesforce saved the record: its Id, whether it created it, and the values it took (wire spelling)."""

    golden_id: str
    record_id: str
    created: bool
    sent: dict[str, str | None]
    api: str
    api_ref: str


@dataclass(frozen=True)
class Refused:
    """Salesforce did not save the record, or the request carrying it failed for good."""

    golden_id: str
    code: str
    message: str
    retriable: bool
    payload: dict[str, JsonValue]


@dataclass
class Outcome:
    """The answer to one request or one Bulk job.

    `unprocessed` are golden ids a job never reached. `job_id` names the job these are the results of. When
    `awaiting_job` is set the refusals are provisional: that job may still have written the records, so they are
    not written again in this push, and the next one reads the job's results.
    """

    confirmed: list[Confirmed] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    unprocessed: list[str] = field(default_factory=list)
    job_id: str | None = None
    awaiting_job: str | None = None

    @property
    def made_progress(self) -> bool:
        return bool(self.confirmed or self.refused)
