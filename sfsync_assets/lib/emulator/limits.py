"""Org limits as `/limits` and `Sforce-Limit-Info` report them, persisted with the org.

Salesforce counts allocations over a rolling 24 hours; the emulator keeps one window per counter that starts at
its first use and resets 24 hours later, which is what a sync job can observe within a day.
"""

from __future__ import annotations

import json
from datetime import timedelta

from .errors import SalesforceApiError
from .store import OrgStore

DAILY_API_REQUESTS = "DailyApiRequests"
DAILY_BULK_API_BATCHES = "DailyBulkApiBatches"
DAILY_BULK_V2_QUERY_JOBS = "DailyBulkV2QueryJobs"
DEFAULT_MAXIMA = {
    DAILY_API_REQUESTS: 100_000,
    DAILY_BULK_API_BATCHES: 15_000,
    DAILY_BULK_V2_QUERY_JOBS: 10_000,
    "DailyBulkV2QueryFileStorageMB": 976_562,
    "DailyAsyncApexExecutions": 250_000,
    "DailyDurableStreamingApiEvents": 10_000,
    "DataStorageMB": 1024,
    "FileStorageMB": 1024,
    "HourlyPublishedPlatformEvents": 50_000,
    "SingleEmail": 5_000,
}
_WINDOW = timedelta(hours=24)


class OrgLimits:
    """Counters with maxima; `consume` refuses with 403 REQUEST_LIMIT_EXCEEDED once a maximum is spent."""

    def __init__(self, store: OrgStore) -> None:
        self.store = store

    def _state(self) -> dict[str, dict[str, float]]:
        return json.loads(self.store.setting("limits", "{}") or "{}")

    def _save(self, state: dict[str, dict[str, float]]) -> None:
        self.store.set_setting("limits", json.dumps(state))

    def _counter(self, state: dict[str, dict[str, float]], name: str) -> dict[str, float]:
        now = self.store.clock().timestamp()
        counter = state.setdefault(name, {"max": DEFAULT_MAXIMA.get(name, 0), "used": 0, "window_start": now})
        if now - counter["window_start"] >= _WINDOW.total_seconds():
            counter["used"] = 0
            counter["window_start"] = now
        return counter

    def set_maximum(self, name: str, maximum: int, used: int | None = None) -> None:
        with self.store.lock:
            state = self._state()
            counter = self._counter(state, name)
            counter["max"] = maximum
            if used is not None:
                counter["used"] = used
            self._save(state)

    def consume(self, name: str, amount: int = 1) -> tuple[int, int]:
        """Spend `amount` of `name`; (used, max) after it. Refused, without spending, once exhausted."""
        with self.store.lock:
            state = self._state()
            counter = self._counter(state, name)
            if counter["used"] + amount > counter["max"]:
                self._save(state)
                message = (
                    "TotalRequests Limit exceeded."
                    if name == DAILY_API_REQUESTS
                    else f"{name} Limit exceeded."
                )
                raise SalesforceApiError(403, "REQUEST_LIMIT_EXCEEDED", message)
            counter["used"] += amount
            self._save(state)
            return int(counter["used"]), int(counter["max"])

    def usage(self, name: str) -> tuple[int, int]:
        with self.store.lock:
            state = self._state()
            counter = self._counter(state, name)
            return int(counter["used"]), int(counter["max"])

    def report(self) -> dict[str, dict[str, int]]:
        """The `/limits` resource: every counter as {"Max", "Remaining"}."""
        result = {}
        for name in DEFAULT_MAXIMA:
            used, maximum = self.usage(name)
            result[name] = {"Max": maximum, "Remaining": max(maximum - used, 0)}
        # Older API versions call the batch allocation DailyBulkApiRequests; report both.
        result["DailyBulkApiRequests"] = dict(result[DAILY_BULK_API_BATCHES])
        return result

    def header(self) -> str:
        used, maximum = self.usage(DAILY_API_REQUESTS)
        return f"api-usage={used}/{maximum}"
