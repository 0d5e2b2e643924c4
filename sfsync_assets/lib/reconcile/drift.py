"""Drift: Salesforce now holds something other than what we expect it to hold, and why, record by record.

What we expect a field to hold is the last value we know Salesforce took:

- a field the golden record owns (the push sends it): the value the ledger says Salesforce confirmed last;
- a field the push never sent a value to, or one Salesforce owns: the value the last ingest read from Salesforce
  (for a record our push created and no ingest has read yet, the value it was created with);
- a formula or roll-up field: the value last read while SystemModstamp stood where it stands now (a change that
  moved SystemModstamp reaches the next ingest by itself).

So a golden value that disagrees with Salesforce is not drift by itself: a golden change not pushed yet is the
push's work, and a Salesforce value the quality layer refused is a quarantine finding. Only records the ledger
says Salesforce confirmed are judged, and only when the observation is newer than their last push. A field
that differs is, in order:

- **deleted in target**: the record is gone from Salesforce, or deleted there, and no ingest has seen it go;
- **edited in target**: SystemModstamp moved past everything we know of the record (its ingest, our push and
  the previous reconciliation), so someone else wrote it;
- **missed push**: SystemModstamp has not moved since our push, which Salesforce confirmed, yet Salesforce
  holds another value and no reconciliation since has seen the pushed one;
- **formula/roll-up change invisible to SystemModstamp**: the value changed while SystemModstamp stayed put.

Fields the golden record owns are re-queued for push (and stay drift until Salesforce holds the golden value);
fields the target owns, formula fields and deletions are reported for review.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from .checksums import WireValues
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
class IngestedRecord:
    """One Salesforce record as the last ingest landed it (only the fields the raw table carries)."""

    system_modstamp: datetime
    is_deleted: bool
    values: dict[str, str | None]


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
    ingested: Mapping[str, IngestedRecord] = dataclasses.field(
        default_factory=dict
    )  # by Salesforce record id
    awaiting_push: frozenset[tuple[str, str]] = frozenset()  # (golden id, field) re-queued, not pushed yet

    def judged(self) -> Iterator[str]:
        """Golden ids whose Salesforce record can be judged: confirmed by a push older than the observation."""
        for golden_id, pushed in self.pushed.items():
            if golden_id in self.golden and pushed.pushed_at <= self.observed.observed_at:
                yield golden_id

    def pushed_after_observation(self) -> set[str]:
        """Golden ids a push confirmed after Salesforce was read: judged at the next reconciliation."""
        return {g for g, pushed in self.pushed.items() if pushed.pushed_at > self.observed.observed_at}


@dataclass(frozen=True)
class _Expectation:
    value: str | None
    pushed: bool  # the ledger's value: Salesforce confirmed our push of it
    known_since: datetime | None  # when we last knew Salesforce held it


@dataclass(frozen=True)
class _Record:
    """One judged record and everything known of it."""

    golden_id: str
    pushed: PushedRecord
    observed: ObservedRecord
    ingested: IngestedRecord | None
    remembered: RememberedRecord | None

    @property
    def modified_since_known(self) -> bool:
        """SystemModstamp moved past the ingest, our last push and the previous reconciliation."""
        known = [self.pushed.pushed_at]
        known += [self.ingested.system_modstamp] if self.ingested else []
        known += [self.remembered.system_modstamp] if self.remembered else []
        return self.observed.system_modstamp > max(known)


def find_drift(state: TargetState) -> list[Drift]:
    drifts: list[Drift] = []
    for golden_id in state.judged():
        pushed = state.pushed[golden_id]
        observed = state.observed.records.get(golden_id)
        ingested = state.ingested.get(observed.record_id if observed else pushed.record_id)
        if observed is None or observed.is_deleted:
            if not (ingested and ingested.is_deleted):
                drifts.append(_deleted(state, golden_id, pushed, observed))
            continue
        record = _Record(golden_id, pushed, observed, ingested, state.remembered.get(observed.record_id))
        drifts += _field_drift(state, record)
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


def _field_drift(state: TargetState, record: _Record) -> Iterator[Drift]:
    formula_only = [f for f in state.observed.formula_fields if f not in state.compared_fields]
    for field in (*state.compared_fields, *formula_only):
        golden_owned = field in state.pushable_fields
        if golden_owned and (record.golden_id, field) in state.awaiting_push:
            # Re-queued: the ledger now holds Salesforce's value, so only the golden value can close it.
            pushed_at = record.pushed.pushed_at
            expected = _Expectation(state.golden[record.golden_id].get(field), True, pushed_at)
        elif field in formula_only:
            expected = _formula_expectation(field, record)
        else:
            expected = _expectation(field, golden_owned, record)
        actual = record.observed.values.get(field)
        if expected is None or expected.value == actual:
            continue
        drift_class, since = _classify(field, expected, record)
        yield Drift(
            state.observed.target,
            record.golden_id,
            record.observed.record_id,
            field,
            expected.value,
            actual,
            since,
            drift_class,
            GOLDEN if golden_owned else TARGET,
            REQUEUE if golden_owned else REVIEW,
        )


def _expectation(field: str, golden_owned: bool, record: _Record) -> _Expectation | None:
    pushed, ingested, remembered = record.pushed, record.ingested, record.remembered
    if golden_owned and field in pushed.values:
        return _Expectation(pushed.values[field], True, pushed.pushed_at)
    if ingested is not None and field in ingested.values:
        return _Expectation(ingested.values[field], False, ingested.system_modstamp)
    if field in pushed.values:  # created by our push, not ingested since
        return _Expectation(pushed.values[field], True, pushed.pushed_at)
    if remembered is not None and field in remembered.values:
        return _Expectation(remembered.values[field], False, remembered.observed_at)
    return None


def _formula_expectation(field: str, record: _Record) -> _Expectation | None:
    """The value last read at the current SystemModstamp; after a write, the next ingest reads the new one."""
    modstamp = record.observed.system_modstamp
    remembered, ingested = record.remembered, record.ingested
    if remembered is not None and remembered.system_modstamp == modstamp and field in remembered.values:
        return _Expectation(remembered.values[field], False, remembered.observed_at)
    if ingested is not None and ingested.system_modstamp == modstamp and field in ingested.values:
        return _Expectation(ingested.values[field], False, ingested.system_modstamp)
    return None


def _classify(field: str, expected: _Expectation, record: _Record) -> tuple[str, datetime | None]:
    if record.modified_since_known:
        return EDITED_IN_TARGET, record.observed.system_modstamp
    remembered = record.remembered
    seen_after_push = (
        remembered is not None
        and remembered.observed_at >= record.pushed.pushed_at
        and remembered.values.get(field) == expected.value
    )
    if expected.pushed and not seen_after_push:
        return MISSED_PUSH, record.pushed.pushed_at
    return FORMULA_CHANGE, remembered.observed_at if seen_after_push and remembered else expected.known_since
