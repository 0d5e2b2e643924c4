"""The sync health report: per integration and object, how many records each stage holds and what went wrong.

Error rate is the share of an object's records that did not get through: quarantined rows against the rows an
ingest landed, dead-lettered records against the records a push handled. A sync that "succeeds" while skipping
records shows up here, not only one that fails.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ..salesforce.ingest_settings import table_name
from .failure_classes import FailureClass
from .heartbeat import Heartbeat
from .lag import LagStats
from .sources import LayerCount

Number = int | float | None
ERROR_RATE = "error_rate"


@dataclass
class HealthRow:
    integration: str
    object: str
    metrics: dict[str, Number] = field(default_factory=dict)

    @property
    def error_rate(self) -> float | None:
        rate = self.metrics.get(ERROR_RATE)
        return None if rate is None else float(rate)


def _rate(errors: int, handled: int) -> float:
    if handled == 0:
        return 1.0 if errors else 0.0
    return round(errors / handled, 6)


def _system(quarantine_system: str) -> str:
    return "legacy" if quarantine_system.startswith("legacy") else quarantine_system


def ingest_rows(
    layers: Iterable[LayerCount], quarantine: Iterable[tuple[str, str, str, int]]
) -> list[HealthRow]:
    """One row per raw table (and per quarantined source no raw table holds): records, deleted, quarantined;
    then one per staged table, so each stage's records sit under their integration."""
    rows: dict[tuple[str, str], HealthRow] = {}
    staged: list[HealthRow] = []
    for count in layers:
        integration = f"{_system(count.system)}_ingest"
        metrics: dict[str, Number] = {"records": count.records, "deleted": count.deleted}
        if count.layer == "raw":
            rows[_system(count.system), count.object] = HealthRow(integration, count.object, metrics)
        else:
            staged.append(HealthRow(integration, f"staged/{count.system}/{count.object}", metrics))
    for system, source_object, rule, records in quarantine:
        key = (_system(system), table_name(source_object))
        row = rows.setdefault(key, HealthRow(f"{key[0]}_ingest", key[1], {"records": 0, "deleted": 0}))
        row.metrics["quarantined"] = int(row.metrics.get("quarantined") or 0) + records
        row.metrics[f"quarantined/{rule}"] = records
    for row in rows.values():
        quarantined = int(row.metrics.setdefault("quarantined", 0) or 0)
        row.metrics[ERROR_RATE] = _rate(quarantined, int(row.metrics["records"] or 0))
    return [*rows.values(), *staged]


@dataclass(frozen=True)
class PushCounts:
    """One push target's numbers, stage by stage, gathered by the caller."""

    object: str
    golden: int | None
    planned: int
    pushed: int
    in_salesforce: int | None
    dead_letters: Mapping[str, int]
    drift: Mapping[str, int]
    lag: LagStats | None


def push_row(counts: PushCounts) -> HealthRow:
    dead = sum(counts.dead_letters.values())
    metrics: dict[str, Number] = {
        "golden": counts.golden,
        "planned": counts.planned,
        "pushed": counts.pushed,
        "in_salesforce": counts.in_salesforce,
        "dead_letters": dead,
        **{f"dead_letters/{code}": n for code, n in sorted(counts.dead_letters.items())},
        "drifted_fields": sum(counts.drift.values()),
        **{f"drift/{drift_class}": n for drift_class, n in sorted(counts.drift.items())},
        **(counts.lag.metadata() if counts.lag else {}),
        ERROR_RATE: _rate(dead, counts.pushed + dead),
    }
    return HealthRow("salesforce_push", counts.object, metrics)


def api_row(calls_last_day: int, summary: Mapping[str, Number]) -> HealthRow:
    """This integration's calls over the rolling day (ops.api_calls) and the org's usage from the last
    `Sforce-Limit-Info` any sfsync run saw."""
    return HealthRow(
        "salesforce_api",
        "org",
        {
            "calls_last_day": calls_last_day,
            "org_used": summary.get("api_org_used"),
            "org_max": summary.get("api_org_max"),
            "org_remaining": summary.get("api_org_remaining"),
            "integration_allowance": summary.get("api_allowance_integration_day"),
        },
    )


def group_counts(rows: Iterable[tuple[str, str, int]]) -> dict[str, dict[str, int]]:
    """(outer, inner, n) rows as {outer: {inner: n}}, e.g. dead letters by target and error code."""
    grouped: dict[str, dict[str, int]] = defaultdict(dict)
    for outer, inner, n in rows:
        grouped[outer][inner] = n
    return grouped


@dataclass
class HealthReport:
    generated_at: datetime
    rows: list[HealthRow]
    heartbeats: list[Heartbeat]
    failures: list[FailureClass] = field(default_factory=list)

    def numbers(self) -> dict[str, float]:
        """Every known number as `integration/object/metric`, for metadata the UI plots over time, the
        failures of each kind, and the minutes since each integration's last success."""
        numbers = {
            f"{row.integration}/{row.object}/{name}": float(value)
            for row in self.rows
            for name, value in row.metrics.items()
            if value is not None
        }
        for failure in self.failures:
            key = f"failures/{failure.kind}"
            numbers[key] = numbers.get(key, 0.0) + failure.count
        for beat in self.heartbeats:
            if beat.last_success is not None:
                minutes = (self.generated_at - beat.last_success).total_seconds() / 60
                numbers[f"{beat.integration}/minutes_since_success"] = round(minutes, 1)
        return numbers

    def above_error_rate(self, limit: float) -> list[HealthRow]:
        return [row for row in self.rows if (row.error_rate or 0) > limit]
