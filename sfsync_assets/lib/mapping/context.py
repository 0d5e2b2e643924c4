"""What a transform may know about the record it maps, and where it reports a repair or a side value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .currency import RateTable
from .findings import Repair, Rule


@dataclass
class FieldContext:
    """One record being mapped: its source row, its country (for national phone numbers), the rate table."""

    record: Mapping[str, Any] = field(default_factory=dict)
    region: str | None = None
    rates: RateTable | None = None
    repairs: list[Repair] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)

    def repaired(self, rule: Rule, reason: str) -> None:
        self.repairs.append(Repair(rule, reason))
