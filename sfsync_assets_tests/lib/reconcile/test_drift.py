"""Drift classification, case by case, on hand-made observations (no Salesforce needed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sfsync_assets.lib.reconcile.checksums import record_checksum
from sfsync_assets.lib.reconcile.drift import (
    DELETED_IN_TARGET,
    EDITED_IN_TARGET,
    FORMULA_CHANGE,
    MISSED_PUSH,
    REQUEUE,
    REVIEW,
    WHOLE_RECORD,
    IngestedRecord,
    PushedRecord,
    RememberedRecord,
    TargetState,
    find_drift,
)
from sfsync_assets.lib.reconcile.salesforce_records import ObservedRecord, ObservedTarget

PUSHED_AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
OBSERVED_AT = PUSHED_AT + timedelta(hours=1)
GOLDEN = {"Email": "a@example.com", "Title": "Buyer"}


def _state(
    values: dict | None,
    modstamp: datetime = PUSHED_AT - timedelta(seconds=1),
    deleted: bool = False,
    remembered: RememberedRecord | None = None,
    pushed: dict | None = None,
    pushed_at: datetime = PUSHED_AT,
    awaiting: frozenset = frozenset(),
    ingested: IngestedRecord | None = None,
) -> TargetState:
    observed = ObservedTarget("contact", "Contact", OBSERVED_AT, formula_fields=("Score__c",))
    if values is not None:
        observed.add(ObservedRecord("003A", "G1", deleted, modstamp, values))
    return TargetState(
        observed=observed,
        golden={"G1": GOLDEN},
        pushed={
            "G1": PushedRecord("003A", {"Email": "a@example.com"} if pushed is None else pushed, pushed_at)
        },
        remembered={"003A": remembered} if remembered else {},
        compared_fields=("Email", "Title"),
        pushable_fields=frozenset({"Email"}),
        ingested={"003A": ingested} if ingested else {},
        awaiting_push=awaiting,
    )


def _memory(values: dict, modstamp: datetime) -> RememberedRecord:
    return RememberedRecord(
        modstamp, record_checksum(values, sorted(values)), values, OBSERVED_AT - timedelta(hours=1)
    )


def test_agreeing_record_has_no_drift() -> None:
    assert find_drift(_state({**GOLDEN, "Score__c": "1"})) == []


def test_value_written_after_our_push_is_edited_in_target_and_requeued() -> None:
    edit_time = PUSHED_AT + timedelta(minutes=5)
    [drift] = find_drift(_state({"Email": "b@example.com", "Title": "Buyer"}, modstamp=edit_time))
    assert (drift.field, drift.drift_class, drift.action, drift.since) == (
        "Email",
        EDITED_IN_TARGET,
        REQUEUE,
        edit_time,
    )
    assert (drift.expected, drift.actual) == ("a@example.com", "b@example.com")


def test_value_salesforce_never_took_is_a_missed_push_since_the_push() -> None:
    [drift] = find_drift(_state({"Email": "old@example.com", "Title": "Buyer"}))
    assert (drift.drift_class, drift.since, drift.action) == (MISSED_PUSH, PUSHED_AT, REQUEUE)


def test_deleted_and_vanished_records_are_deleted_in_target_for_review() -> None:
    [flagged] = find_drift(_state(GOLDEN, deleted=True))
    [vanished] = find_drift(_state(None))
    for drift in (flagged, vanished):
        assert (drift.field, drift.drift_class, drift.action) == (WHOLE_RECORD, DELETED_IN_TARGET, REVIEW)
    assert vanished.actual == "absent" and vanished.since is None


def test_deletion_the_ingest_already_read_is_not_drift() -> None:
    gone = IngestedRecord(PUSHED_AT + timedelta(minutes=1), True, {})
    assert find_drift(_state(GOLDEN, deleted=True, ingested=gone)) == []
    assert find_drift(_state(None, ingested=gone)) == []


def test_change_with_unmoved_modstamp_is_a_formula_change() -> None:
    modstamp = PUSHED_AT - timedelta(seconds=1)
    before = {"Email": "a@example.com", "Title": "Buyer", "Score__c": "1"}
    now = {"Email": "z@example.com", "Title": "Buyer", "Score__c": "2"}
    drifts = {d.field: d for d in find_drift(_state(now, modstamp, remembered=_memory(before, modstamp)))}
    assert drifts["Email"].drift_class == FORMULA_CHANGE and drifts["Email"].action == REQUEUE
    assert drifts["Score__c"].drift_class == FORMULA_CHANGE and drifts["Score__c"].action == REVIEW
    assert (drifts["Score__c"].expected, drifts["Score__c"].actual) == ("1", "2")


def test_moved_modstamp_is_not_a_formula_change() -> None:
    before = {"Email": "a@example.com", "Title": "Buyer", "Score__c": "1"}
    later = PUSHED_AT + timedelta(minutes=1)
    memory = _memory(before, PUSHED_AT - timedelta(seconds=1))
    drifts = find_drift(
        _state({"Email": "a@example.com", "Title": "Buyer", "Score__c": "2"}, later, remembered=memory)
    )
    assert drifts == []


def test_target_owned_field_edited_after_the_ingest_is_reported_not_requeued() -> None:
    ingested = IngestedRecord(PUSHED_AT - timedelta(hours=1), False, {"Title": "Buyer"})
    edit_time = PUSHED_AT + timedelta(minutes=5)
    [drift] = find_drift(_state({"Email": "a@example.com", "Title": "CEO"}, edit_time, ingested=ingested))
    assert (drift.field, drift.expected, drift.actual, drift.since) == ("Title", "Buyer", "CEO", edit_time)
    assert (drift.drift_class, drift.owner, drift.action) == (EDITED_IN_TARGET, "target", REVIEW)


def test_salesforce_value_the_golden_record_disagrees_with_is_not_drift() -> None:
    """Salesforce still holds what the ingest read (say a value quality quarantined): a finding, not drift."""
    ingested = IngestedRecord(PUSHED_AT - timedelta(hours=1), False, {"Title": "buyer!!"})
    assert find_drift(_state({"Email": "a@example.com", "Title": "buyer!!"}, ingested=ingested)) == []


def test_golden_owned_field_never_pushed_is_expected_to_keep_its_ingested_value() -> None:
    ingested = IngestedRecord(PUSHED_AT - timedelta(hours=1), False, {"Email": "own@example.com"})
    kept = _state({"Email": "own@example.com", "Title": "Buyer"}, pushed={}, ingested=ingested)
    assert find_drift(kept) == []
    [changed] = find_drift(
        _state({"Email": "x@example.com", "Title": "Buyer"}, PUSHED_AT, pushed={}, ingested=ingested)
    )
    assert (changed.expected, changed.drift_class, changed.action) == (
        "own@example.com",
        FORMULA_CHANGE,
        REQUEUE,
    )


def test_golden_change_not_pushed_yet_is_pending_not_drift() -> None:
    pending = _state({"Email": "old@example.com", "Title": "Buyer"}, pushed={"Email": "old@example.com"})
    assert find_drift(pending) == []
    requeued = _state(
        {"Email": "old@example.com", "Title": "Buyer"},
        pushed={"Email": "old@example.com"},
        awaiting=frozenset({("G1", "Email")}),
    )
    assert [d.field for d in find_drift(requeued)] == ["Email"]


def test_record_pushed_after_the_observation_is_not_judged() -> None:
    state = _state(
        {"Email": "old@example.com", "Title": "Buyer"}, pushed_at=OBSERVED_AT + timedelta(seconds=1)
    )
    assert find_drift(state) == []
    assert state.pushed_after_observation() == {"G1"}
