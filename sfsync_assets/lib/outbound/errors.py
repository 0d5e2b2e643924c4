"""What can stop or refuse a push, as domain exceptions that say which record, field or request."""

from __future__ import annotations


class OutboundError(RuntimeError):
    """Base of every push-back error."""


class GoldenSourceError(OutboundError):
    """The golden tables are not there yet, or not in the shape the outbound adapter reads."""


class UnpushableValue(OutboundError):
    """A golden value of a type no Salesforce field holds (lists, structs, bytes)."""


class PushStopped(OutboundError):
    """The push must stop now; what was not written stays planned for the next run."""


class CircuitOpen(PushStopped):
    """Too many consecutive requests failed: Salesforce is unwell, so stop rather than hammer it."""


class BudgetStop(PushStopped):
    """The integration's API budget (or the org's allocation) is spent."""


class RequestFailed(OutboundError):
    """One request failed for good (retries spent, or an error no retry can fix); its records failed with it."""

    def __init__(self, code: str, message: str, retriable: bool) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.retriable = retriable


class OutcomeUnknown(OutboundError):
    """A Bulk job that may have run but cannot be asked now; the job journal keeps it for the next push."""

    def __init__(self, job_id: str, failure: RequestFailed) -> None:
        super().__init__(f"Bulk job {job_id}: {failure}; the next push reads how it went")
        self.job_id = job_id
        self.failure = failure
