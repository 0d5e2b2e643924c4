"""Reconciliation and drift against a real emulator: what another client, a formula, a delete and a lost write
look like, and what is re-queued for push."""

from __future__ import annotations

import time
from pathlib import Path

import dagster as dg
import pytest

from sfsync_assets.defs.monitoring.drift import THRESHOLD_CHECK, drift
from sfsync_assets.defs.monitoring.reconciliation import SALESFORCE_CHECK, salesforce_reconciliation
from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.outbound.push import PushScope, plan
from sfsync_assets.lib.reconcile.drift import (
    DELETED_IN_TARGET,
    EDITED_IN_TARGET,
    FORMULA_CHANGE,
    MISSED_PUSH,
    REQUEUE,
    REVIEW,
)

from .support import OUTBOUND, World, synced_world


def _reconcile(world: World) -> dg.ExecuteInProcessResult:
    return dg.materialize([salesforce_reconciliation, drift], resources=world.resources())


def _checks(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def _metadata(result: dg.ExecuteInProcessResult, name: str) -> dict:
    events = result.get_asset_materialization_events()
    found = next(e.materialization for e in events if e.materialization.asset_key.path[-1] == name)
    return {key: value.value for key, value in found.metadata.items()}


def _open_drift(world: World) -> dict[tuple[str, str], tuple]:
    with world.connect() as connection:
        rows = connection.execute(
            "SELECT golden_id, field, drift_class, action, expected, actual, since, first_detected_at "
            "FROM reconcile.drift WHERE resolved_at IS NULL"
        ).fetchall()
    return {(row[0], row[1]): row[2:] for row in rows}


@pytest.fixture
def world(fresh_emulator: EmulatorProcess, tmp_path: Path) -> World:
    return synced_world(fresh_emulator, tmp_path)


def test_nothing_drifted_counts_and_checksums_agree(world: World) -> None:
    result = _reconcile(world)
    reconciliation = _metadata(result, "salesforce_reconciliation")
    for object_name, records in (("Account", 2), ("Contact", 5)):
        assert reconciliation[f"{object_name}/expected"] == records
        assert reconciliation[f"{object_name}/actual"] == records
        assert reconciliation[f"{object_name}/checksums_match"] == records
        assert reconciliation[f"{object_name}/checksums_differ"] == 0
    assert reconciliation["api_calls_this_run"] <= 4
    checks = _checks(result)
    assert checks[SALESFORCE_CHECK].passed
    assert checks[THRESHOLD_CHECK].passed
    assert _metadata(result, "drift")["records_drifted"] == 0


def test_drift_is_classified_requeued_or_reported_and_resolves(world: World) -> None:
    _reconcile(world)  # the baseline: checksums kept for the next run
    edited, silent, deleted, missed, title = world.persons
    other = world.emulator.salesforce(client_id="someone_else")
    other.Contact.update(world.record_ids[edited], {"Email": "changed.by.sales@example.com"})
    other.Contact.update(world.record_ids[title], {"Title": "Head of Buying"})
    world.emulator.admin.silent_update(
        "Contact", world.record_ids[silent], {"Email": "recalculated@example.com"}
    )
    world.emulator.admin.silent_update(
        "Account", world.record_ids[world.organizations[0]], {"Lifetime_Value__c": 99}
    )
    world.emulator.salesforce().Contact.delete(world.record_ids[deleted])
    # The push of a new email was recorded as confirmed, but the value never reached Salesforce.
    still_in_salesforce = world.golden[missed]["Email"]
    world.golden[missed]["Email"] = "never.arrived@example.com"
    with world.connect() as connection:
        connection.execute(
            "UPDATE golden.person SET Email = ? WHERE golden_id = ?", ["never.arrived@example.com", missed]
        )
    world.record_pushed("contact", [missed])

    result = _reconcile(world)

    found = _open_drift(world)
    assert found[edited, "Email"][:4] == (
        EDITED_IN_TARGET,
        REQUEUE,
        world.golden[edited]["Email"],
        "changed.by.sales@example.com",
    )
    assert found[silent, "Email"][:2] == (FORMULA_CHANGE, REQUEUE)
    assert found[deleted, "(record)"][:2] == (DELETED_IN_TARGET, REVIEW)
    assert found[missed, "Email"][:4] == (
        MISSED_PUSH,
        REQUEUE,
        "never.arrived@example.com",
        still_in_salesforce,
    )
    assert found[title, "Title"][:2] == (EDITED_IN_TARGET, REVIEW)
    assert found[world.organizations[0], "Lifetime_Value__c"][:2] == (FORMULA_CHANGE, REVIEW)
    assert len(found) == 6
    check = _checks(result)[THRESHOLD_CHECK]
    assert not check.passed
    assert "Lifetime_Value__c" in check.metadata["sample"].value

    # Golden-owned drift is back in the push: the ledger now holds what Salesforce holds, so the plan sends it.
    with world.connect() as connection:
        planned = {
            p.write.golden_id: p.write.send
            for p in plan(connection, OUTBOUND, PushScope("contact"), world.system_of_record).writes
        }
    assert planned == {
        edited: {"Email": world.golden[edited]["Email"]},
        silent: {"Email": world.golden[silent]["Email"]},
        missed: {"Email": "never.arrived@example.com"},
    }

    # The next push writes them; drift that Salesforce no longer shows closes, the rest keeps its first sighting.
    sf = world.emulator.salesforce()
    for golden_id in planned:
        sf.Contact.update(world.record_ids[golden_id], {"Email": world.golden[golden_id]["Email"]})
    world.record_pushed("contact", list(planned))
    time.sleep(0.01)
    result = _reconcile(world)
    still_open = _open_drift(world)
    assert set(still_open) == {(deleted, "(record)"), (title, "Title")}
    assert still_open[title, "Title"][-1] == found[title, "Title"][-1]
    assert _metadata(result, "drift")["records_drifted"] == 2
