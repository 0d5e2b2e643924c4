"""What mapping a value can end in besides a clean value, in the vocabulary the quarantine and the truth use.

A transform that cannot use a value raises `Rejected`; one that fixed a value (a restored trunk zero, repaired
mojibake) notes a repair. Neither stops the batch: the engine turns both into `Finding`s, which land in the
quarantine so the source can be fixed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Rule(StrEnum):
    """Why a value or record was quarantined; the names match `expected_error` in the generator's truth."""

    REQUIRED_FIELD_MISSING = "REQUIRED_FIELD_MISSING"
    INVALID_PICKLIST_VALUE = "INVALID_PICKLIST_VALUE"
    INVALID_DATE = "INVALID_DATE"
    INVALID_NUMBER = "INVALID_NUMBER"
    INVALID_BOOLEAN = "INVALID_BOOLEAN"
    INVALID_PHONE = "INVALID_PHONE"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_COUNTRY = "INVALID_COUNTRY"
    INVALID_URL = "INVALID_URL"
    NO_EXCHANGE_RATE = "NO_EXCHANGE_RATE"
    ORPHAN_LOOKUP = "ORPHAN_LOOKUP"
    MOJIBAKE = "MOJIBAKE"
    PHONE_LEADING_ZERO_LOST = "PHONE_LEADING_ZERO_LOST"
    SCHEMA_VIOLATION = "SCHEMA_VIOLATION"


class Outcome(StrEnum):
    """What happened to the value (or the record) a finding is about."""

    VALUE_REJECTED = "value_rejected"  # the field is null in the staged row
    REPAIRED = "repaired"  # the staged value is the repaired one; the source still holds the broken one
    ROW_REJECTED = "row_rejected"  # the record is not staged at all


class Rejected(Exception):
    """A value a transform cannot use; the message is a sentence a person understands."""

    def __init__(self, rule: Rule, reason: str) -> None:
        super().__init__(reason)
        self.rule = rule
        self.reason = reason


@dataclass(frozen=True)
class Repair:
    """A value a transform fixed; the fixed value is used, the source should still be corrected."""

    rule: Rule
    reason: str


@dataclass(frozen=True)
class Finding:
    """One problem with one field of one source record.

    `field` is how the quarantine names it: `<entity>.<canonical column>` for a mapped value (an ERP customers
    row feeds two entities), the source field for a value only checked, '' for the whole record. `source_field`
    is the field as the source names it; `canonical_field` is set only for a mapped value, so the golden layer
    can keep exactly that value from winning.
    """

    field: str
    rule: Rule
    reason: str
    value: Any
    outcome: Outcome
    source_field: str = ""
    canonical_field: str | None = None

    @property
    def is_error(self) -> bool:
        """Repairs keep the record whole; everything else lost data and counts towards the error rate."""
        return self.outcome is not Outcome.REPAIRED
