"""Sync lag: from a change in a source system until Salesforce holds it, as p50/p95 per object.

A change Salesforce has not confirmed yet counts with the time it has waited so far, so a stuck push raises the
percentiles instead of hiding from them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np


@dataclass(frozen=True)
class LagSample:
    changed_at: datetime
    visible_at: datetime | None  # None: Salesforce does not hold the change yet


@dataclass(frozen=True)
class LagStats:
    changes: int
    waiting: int
    p50_seconds: float | None
    p95_seconds: float | None
    max_seconds: float | None

    def metadata(self) -> dict[str, float | int | None]:
        return {
            "changes": self.changes,
            "waiting": self.waiting,
            "lag_p50_s": self.p50_seconds,
            "lag_p95_s": self.p95_seconds,
            "lag_max_s": self.max_seconds,
        }


def lag_stats(samples: Sequence[LagSample], now: datetime) -> LagStats:
    """Percentiles by linear interpolation between the closest ranks (numpy's default)."""
    if not samples:
        return LagStats(0, 0, None, None, None)
    seconds = np.array(
        [((sample.visible_at or now) - sample.changed_at).total_seconds() for sample in samples], dtype=float
    )
    return LagStats(
        changes=len(samples),
        waiting=sum(sample.visible_at is None for sample in samples),
        p50_seconds=round(float(np.percentile(seconds, 50)), 3),
        p95_seconds=round(float(np.percentile(seconds, 95)), 3),
        max_seconds=round(float(seconds.max()), 3),
    )
