"""A backfill window: a range of cursor values to read again without moving the incremental cursor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# dlt leaves the stored cursor alone only when a range has an end; "through the newest row" ends here.
OPEN_END = datetime(9999, 12, 31)


class BackfillWindowError(ValueError):
    """A backfill option that cannot be used; the message names the option and its value."""


@dataclass(frozen=True)
class BackfillWindow:
    """Rows whose cursor is in [start, end): ERP timestamps carry no zone, so neither do these."""

    start: datetime
    end: datetime

    def describe(self, cursor_column: str) -> str:
        end = "newest row" if self.end == OPEN_END else self.end.isoformat()
        return f"{self.start.isoformat()} <= {cursor_column} < {end}"


def backfill_window(start: str | None, end: str | None) -> BackfillWindow | None:
    """The window the run options ask for, or None for a normal incremental read."""
    if not start:
        if end:
            raise BackfillWindowError(f"backfill_to={end!r} needs a backfill_from")
        return None
    window = BackfillWindow(_moment("backfill_from", start), _moment("backfill_to", end) if end else OPEN_END)
    if window.end <= window.start:
        raise BackfillWindowError(f"backfill_to={end!r} must be later than backfill_from={start!r}")
    return window


def _moment(option: str, value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise BackfillWindowError(
            f"{option}={value!r} is not an ISO date or date-time (e.g. 2024-01-31 or 2024-01-31T08:00)"
        ) from error
    if moment.tzinfo is not None:
        raise BackfillWindowError(
            f"{option}={value!r} has a time zone; give the ERP's local time without one, as its timestamps are"
        )
    return moment
