"""Failures the emulator causes on purpose, deterministically under a seed.

A spec is a comma-separated list of `name=value` (CLI `--faults`, or `PUT /__admin__/faults` with JSON):

| name | meaning |
|---|---|
| `http_503` | share of API requests answered 503 `SERVER_UNAVAILABLE` before doing anything |
| `latency_ms` | delay added to every API request |
| `drop` | share of API requests whose connection is cut halfway through the response (the work is done) |
| `api_limit_at` | the daily API allocation runs out once usage reaches this count |
| `lock_rows` | share of Bulk ingest rows failing with `UNABLE_TO_LOCK_ROW` (five times likelier when the |
|  | children of the row's parent are spread over several internal batches) |
| `fail_job_after` | Bulk ingest jobs fail after this many records; the rest are reported unprocessed |
| `seed` | seed of every random decision (default 0) |

Decisions are drawn from a hash of (seed, fault, key) rather than a shared random stream, so the same request
order or the same bulk row gets the same answer whatever else runs concurrently.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from dataclasses import asdict, dataclass, fields
from typing import Any

from .limits import DAILY_API_REQUESTS, OrgLimits

SPREAD_PARENT_LOCK_FACTOR = 5.0


class FaultSpecError(ValueError):
    """A fault spec that cannot be read; the message names the entry and what was expected."""


@dataclass
class FaultPlan:
    http_503: float = 0.0
    latency_ms: int = 0
    drop: float = 0.0
    api_limit_at: int | None = None
    lock_rows: float = 0.0
    fail_job_after: int | None = None
    seed: int = 0

    @classmethod
    def parse(cls, spec: str | None) -> FaultPlan:
        plan = cls()
        for entry in (spec or "").split(","):
            if not entry.strip():
                continue
            name, separator, value = entry.partition("=")
            plan.set(name.strip(), value.strip() if separator else "")
        return plan

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> FaultPlan:
        plan = cls()
        for name, value in values.items():
            plan.set(name, "" if value is None else str(value))
        return plan

    def set(self, name: str, value: str) -> None:
        known = {f.name: f for f in fields(self)}
        if name not in known:
            raise FaultSpecError(f"unknown fault {name!r}; expected one of {sorted(known)}")
        try:
            if name in {"http_503", "drop", "lock_rows"}:
                share = float(value)
                if not 0.0 <= share <= 1.0:
                    raise ValueError
                setattr(self, name, share)
            elif name in {"api_limit_at", "fail_job_after"}:
                setattr(self, name, int(value) if value not in ("", "none") else None)
            else:
                setattr(self, name, int(value))
        except ValueError as error:
            expected = (
                "a share between 0 and 1" if name in {"http_503", "drop", "lock_rows"} else "an integer"
            )
            raise FaultSpecError(f"fault {name}={value!r}: expected {expected}") from error

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Faults:
    """The plan in force and the deterministic draws made from it."""

    def __init__(self, plan: FaultPlan | None = None) -> None:
        self.plan = plan or FaultPlan()
        self._requests = itertools.count()
        self._lock = threading.Lock()

    def put_in_force(self, plan: FaultPlan, limits: OrgLimits) -> None:
        """Replace the plan; `api_limit_at` becomes the org's daily API allocation."""
        with self._lock:
            self.plan = plan
            self._requests = itertools.count()
        if plan.api_limit_at is not None:
            limits.set_maximum(DAILY_API_REQUESTS, plan.api_limit_at)

    def _draw(self, fault: str, key: str) -> float:
        digest = hashlib.blake2b(f"{self.plan.seed}:{fault}:{key}".encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big") / 2**64

    def next_request(self) -> int:
        with self._lock:
            return next(self._requests)

    def request_fails(self, request_number: int) -> bool:
        return self.plan.http_503 > 0 and self._draw("http_503", str(request_number)) < self.plan.http_503

    def request_drops(self, request_number: int) -> bool:
        return self.plan.drop > 0 and self._draw("drop", str(request_number)) < self.plan.drop

    def row_locked(self, job_id: str, row_number: int, parent_spread: bool) -> bool:
        share = self.plan.lock_rows * (SPREAD_PARENT_LOCK_FACTOR if parent_spread else 1.0)
        return share > 0 and self._draw("lock_rows", f"{job_id}:{row_number}") < min(share, 1.0)
