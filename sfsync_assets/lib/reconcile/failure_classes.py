"""Every kind of failure the last cycle left behind, counted, with where to find its rows.

A number alone sends a person hunting; each class names the DuckDB query that lists exactly its rows (or, for
what lives in Dagster rather than the warehouse, the UI page), so the report is the start of the fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

QUARANTINE = "quarantine"
DEAD_LETTER = "dead letter"
DRIFT = "drift"
FAILED_CHECK = "failed check"
STOPPED_EARLY = "stopped early"  # by the API budget or the circuit breaker; resumes next run


@dataclass(frozen=True)
class FailureClass:
    kind: str
    name: str  # the rule, error code, drift class, check or reason
    scope: str  # system/object, target or asset
    count: int
    rows: str  # a DuckDB query or a Dagster UI link

    @property
    def is_link(self) -> bool:
        return self.rows.startswith(("http://", "https://"))


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _open_row_classes(
    kind: str, table: str, still_open: str, columns: Sequence[str], rows: Iterable[Sequence]
) -> list[FailureClass]:
    """One class per grouped row (`columns` values, the last naming the class, then the count), with the query
    that selects the table's open rows of that group."""
    classes = []
    for *values, count in rows:
        matches = " AND ".join(
            f"{column} = {_literal(value)}" for column, value in zip(columns, values, strict=True)
        )
        scope = "/".join(values[:-1])
        query = f"SELECT * FROM {table} WHERE {still_open} AND {matches}"
        classes.append(FailureClass(kind, values[-1], scope, count, query))
    return classes


def quarantine_classes(rows: Iterable[tuple[str, str, str, int]]) -> list[FailureClass]:
    """From (system, source object, rule, records) of open quarantine."""
    columns = ("system", "source_object", "rule")
    return _open_row_classes(QUARANTINE, "quality.quarantine", "resolved_at IS NULL", columns, rows)


def dead_letter_classes(rows: Iterable[tuple[str, str, int]]) -> list[FailureClass]:
    """From (target, error code, records) of open dead letters."""
    columns = ("target", "error_code")
    return _open_row_classes(DEAD_LETTER, "outbound.dead_letter", "NOT resolved", columns, rows)


def drift_classes(rows: Iterable[tuple[str, str, int]]) -> list[FailureClass]:
    """From (target, drift class, fields) of open drift."""
    columns = ("target", "drift_class")
    return _open_row_classes(DRIFT, "reconcile.drift", "resolved_at IS NULL", columns, rows)


def asset_checks_page(ui_url: str, asset_path: Iterable[str]) -> str:
    return f"{ui_url.rstrip('/')}/assets/{'/'.join(quote(part) for part in asset_path)}?view=checks"


def run_page(ui_url: str, run_id: str) -> str:
    return f"{ui_url.rstrip('/')}/runs/{run_id}"
