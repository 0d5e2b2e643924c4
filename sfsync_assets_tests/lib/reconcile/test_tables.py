"""What reconciliation keeps in DuckDB between runs: the drift log, and the ledger hook it re-queues through."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from sfsync_assets.lib.outbound import ledger
from sfsync_assets.lib.outbound.ledger import LedgerEntry, LedgerRow
from sfsync_assets.lib.outbound.tables import ensure_tables
from sfsync_assets.lib.reconcile.drift import EDITED_IN_TARGET, FORMULA_CHANGE, REQUEUE, Drift
from sfsync_assets.lib.reconcile.drift_log import awaiting_push, open_drift_counts, record_drift
from sfsync_assets.lib.reconcile.sources import owned_fields, requeue_in_ledger

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def connection(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        yield connection


def _drift(golden_id: str, actual: str, drift_class: str = FORMULA_CHANGE) -> Drift:
    return Drift(
        "contact", golden_id, "003" + golden_id, "Email", "a@x", actual, T0, drift_class, "golden", REQUEUE
    )


def test_drift_keeps_its_class_and_first_sighting_until_salesforce_agrees(connection) -> None:
    later = T0 + timedelta(hours=1)
    record_drift(connection, [_drift("G1", "b@x"), _drift("G2", "c@x")], {"contact": set()}, T0, "run1")
    # The second run judges G1 differently (its requeue made it look pending) and G2 is fixed.
    [kept] = record_drift(
        connection, [_drift("G1", "b@x", EDITED_IN_TARGET)], {"contact": set()}, later, "run2"
    )
    assert (kept.drift.drift_class, kept.first_detected_at) == (FORMULA_CHANGE, T0)
    assert open_drift_counts(connection) == [("contact", FORMULA_CHANGE, 1)]
    assert awaiting_push(connection, "contact") == frozenset({("G1", "Email")})
    # A different value is a new episode; a record the run could not judge keeps its drift.
    [changed] = record_drift(
        connection, [_drift("G1", "d@x", EDITED_IN_TARGET)], {"contact": set()}, later, "r3"
    )
    assert (changed.drift.drift_class, changed.first_detected_at) == (EDITED_IN_TARGET, later)
    assert record_drift(connection, [], {"contact": {"G1"}}, later, "run4") == []
    assert open_drift_counts(connection) == [("contact", EDITED_IN_TARGET, 1)]


def test_requeue_rewrites_the_ledger_only_if_no_push_confirmed_the_record_since(connection) -> None:
    ensure_tables(connection)
    entry = LedgerEntry.of("003A", {"Email": "a@x", "DoNotCall": "false"})
    ledger.save(connection, "contact", [LedgerRow("G1", entry, "collections")], "push1", T0)
    assert not requeue_in_ledger(connection, "contact", "G1", {"Email": "b@x"}, T0 - timedelta(seconds=1))
    assert requeue_in_ledger(connection, "contact", "G1", {"Email": "b@x"}, T0)
    [(values, fields_hash)] = connection.execute(
        "SELECT pushed_values, fields_hash FROM outbound.ledger"
    ).fetchall()
    assert json.loads(values) == {"Email": "b@x", "DoNotCall": "false"}
    assert fields_hash == LedgerEntry.of("003A", json.loads(values)).fields_hash


def test_owned_fields_follow_the_system_of_record_class_order(connection, tmp_path: Path) -> None:
    matrix = tmp_path / "system_of_record.yaml"
    matrix.write_text(
        "system_groups: {legacy: [legacy_csv]}\n"
        "classes: {contact: [salesforce, erp, legacy], finance: [erp, salesforce, legacy]}\n"
        "fields:\n  organization: {Name: {class: contact}, Credit_Limit__c: {class: finance}}\n",
        encoding="utf-8",
    )
    assert owned_fields(connection, "salesforce", "organization", matrix) == {"Name"}
    assert owned_fields(connection, "erp", "organization", matrix) == {"Credit_Limit__c"}
    assert owned_fields(connection, "erp", "person", matrix) == frozenset()
