"""Incidents: what a person is told about, once each, not once per failing row or per repeated evaluation.

A failed run is one incident. A check is one incident when it starts failing: while it keeps failing, later
evaluations add nothing a person did not already hear, and after it passes again the next failure is new.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

FAILED_RUN = "failed run"
FAILED_CHECK = "failed check"


@dataclass(frozen=True)
class Incident:
    kind: str
    subject: str  # the job or the check
    detail: str
    link: str

    def message(self) -> str:
        return f"sfsync {self.kind}: {self.subject}: {self.detail} ({self.link})"


def starts_failing(latest_first: Sequence[bool]) -> bool:
    """Whether the newest of a check's evaluations (passed or not, newest first) opens an incident."""
    return bool(latest_first) and not latest_first[0] and (len(latest_first) == 1 or latest_first[1])
