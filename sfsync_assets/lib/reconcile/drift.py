"""Drift: a field Salesforce holds differently from the golden record, and why, decided record by record.

Only records the ledger says Salesforce confirmed are judged, and only when the observation is newer than the
last push (a push after it may already have changed the record). A field a push sends whose Salesforce value is
still the one we last pushed is not drift: the golden record changed since and the next plan sends it. Otherwise,
in order:

- **deleted in target**: the record is gone from Salesforce, or deleted there;
- **formula/roll-up change invisible to SystemModstamp**: the value changed since the previous reconciliation
  while SystemModstamp stayed exactly the same (only kept checksums can see this);
- **edited in target**: Salesforce modified the record after our last push, so someone else wrote it (a field we
  never push can only have been written there);
- **missed push**: Salesforce has not been modified since our push, yet holds another value.

Fields the golden record owns (the ones a push sends) are re-queued for push; fields the target owns, formula
fields and deletions are reported for review.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from .checksums import WireValues, record_checksum
from .equivalence import equivalent
from .salesforce_records import ObservedRecord, ObservedTarget

MISSED_PUSH = "missed push"
EDITED_IN_TARGET = "edited in target"
DELETED_IN_TARGET = "deleted in target"
FORMULA_CHANGE = "formula/roll-up change invisible to SystemModstamp"
DRIFT_CLASSES = (MISSED_PUSH, EDITED_IN_TARGET, DELETED_IN_TARGET, FORMULA_CHANGE)
REQUEUE = "requeue"
REVIEW = "review"
WHOLE_RECORD = "(record)"
GOLDEN = "golden"
TARGET = "target"


@dataclass(frozen=True)
class PushedRecord:
    """The ledger's word on one record: its Salesforce Id, the values Salesforce confirmed, and when."""

    record_id: str
    values: dict[str, str | None]
    pushed_at: datetime


@dataclass(frozen=True)
class RememberedRecord:
    """What the previous reconciliation saw of one Salesforce record."""

    system_modstamp: datetime
    checksum: str
    values: dict[str, str | None]
    observed_at: datetime


@dataclass(frozen=True)
class Drift:
    target: str
    golden_id: str
    record_id: str
    field: str
    expected: str | None
    actual: str | None
    since: datetime | None
    drift_class: str
    owner: str
    action: str


@dataclass(frozen=True)
class TargetState:
    """Everything known about one target at one reconciliation."""

    observed: ObservedTarget
    golden: Mapping[str, WireValues]
    pushed: Mapping[str, PushedRecord]
    remembered: Mapping[str, RememberedRecord]
    compared_fields: tuple[str, ...]
    pushable_fields: frozenset[str]
    awaiting_push: frozenset[tuple[str, str]] = frozenset()  # (golden id, field) re-queued, not pushed yet

    def judged(self) -> Iterator[str]:
        """Golden ids whose Salesforce record can be judged: confirmed by a push older than the observation."""
        for golden_id, pushed in self.pushed.items():
            if golden_id in self.golden and pushed.pushed_at <= self.observed.observed_at:
                yield golden_id

    def pushed_after_observation(self) -> set[str]:
        """Golden ids a push confirmed after Salesforce was read: judged at the next reconciliation."""
        return {g for g, pushed in self.pushed.items() if pushed.pushed_at > self.observed.observed_at}


def find_drift(state: TargetState) -> list[Drift]:
    drifts: list[Drift] = []
    for golden_id in state.judged():
        pushed = state.pushed[golden_id]
        record = state.observed.records.get(golden_id)
        if record is None or record.is_deleted:
            drifts.append(_deleted(state, golden_id, pushed, record))
            continue
        drifts += _field_drift(state, golden_id, pushed, record)
    return drifts


def _deleted(
    state: TargetState, golden_id: str, pushed: PushedRecord, record: ObservedRecord | None
) -> Drift:
    return Drift(
        state.observed.target,
        golden_id,
        record.record_id if record else pushed.record_id,
        WHOLE_RECORD,
        "present",
        "deleted" if record else "absent",
        record.system_modstamp if record else None,
        DELETED_IN_TARGET,
        GOLDEN,
        REVIEW,
    )


def _field_drift(
    state: TargetState, golden_id: str, pushed: PushedRecord, record: ObservedRecord
) -> Iterator[Drift]:
    target = state.observed.target
    remembered = state.remembered.get(record.record_id)
    silently_changed = (
        remembered is not None
        and remembered.system_modstamp == record.system_modstamp
        and remembered.checksum != record_checksum(record.values, sorted(record.values))
    )
    golden = state.golden[golden_id]
    for field in state.compared_fields:
        expected, actual = golden.get(field), record.values.get(field)
        if equivalent(field, expected, actual, golden):
            continue
        pending = field in state.pushable_fields and field in pushed.values and pushed.values[field] == actual
        if pending and (golden_id, field) not in state.awaiting_push:
            continue
        if silently_changed and remembered is not None and remembered.values.get(field) != actual:
            drift_class, since = FORMULA_CHANGE, remembered.observed_at
        elif record.system_modstamp > pushed.pushed_at or field not in state.pushable_fields:
            drift_class, since = EDITED_IN_TARGET, record.system_modstamp
        else:
            drift_class, since = MISSED_PUSH, pushed.pushed_at
        golden_owned = field in state.pushable_fields
        yield Drift(
            target,
            golden_id,
            record.record_id,
            field,
            expected,
            actual,
            since,
            drift_class,
            GOLDEN if golden_owned else TARGET,
            REQUEUE if golden_owned else REVIEW,
        )
    if silently_changed and remembered is not None:
        for field in state.observed.formula_fields:
            before, now = remembered.values.get(field), record.values.get(field)
            if before != now and field not in state.compared_fields:
                yield Drift(
                    target,
                    golden_id,
                    record.record_id,
                    field,
                    before,
                    now,
                    remembered.observed_at,
                    FORMULA_CHANGE,
                    TARGET,
                    REVIEW,
                )
