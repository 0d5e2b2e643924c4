"""Time in the generated company: integer UTC seconds counted from a fixed epoch, never the wall clock.

`as_of` is "now" for the company (the export date of the legacy files, the latest possible modification);
everything else lies before it, so two runs with the same seed write the same timestamps.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

DEFAULT_AS_OF = "2026-11-01T00:00:00Z"
DAY = 86_400
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_as_of(text: str) -> int:
    """Seconds since 1970 of an ISO timestamp such as `2026-11-01T00:00:00Z`."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def to_datetime(seconds: int) -> datetime:
    """Naive UTC datetime, the form SQL `TIMESTAMP` columns take on every backend."""
    return (_EPOCH + timedelta(seconds=seconds)).replace(tzinfo=None)


def to_date(seconds: int) -> date:
    return (_EPOCH + timedelta(seconds=seconds)).date()


def sf_datetime(seconds: int) -> str:
    """Salesforce API datetime: `2026-10-31T14:22:05.000+0000`."""
    return (_EPOCH + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def iso_datetime(seconds: int) -> str:
    return (_EPOCH + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
