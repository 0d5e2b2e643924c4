"""Heartbeats: an integration is alive while it succeeded within its SLA; silence is the failure to catch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Heartbeat:
    integration: str
    last_success: datetime | None
    sla: timedelta

    def is_missing(self, now: datetime) -> bool:
        return self.last_success is None or now - self.last_success > self.sla

    def describe(self, now: datetime) -> str:
        if self.last_success is None:
            return "never succeeded"
        minutes = (now - self.last_success).total_seconds() / 60
        return f"last success {minutes:.0f} min ago (SLA {self.sla.total_seconds() / 60:.0f} min)"
