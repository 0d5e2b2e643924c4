"""A push against a real emulator: one record per golden record, parents by golden id, unchanged costs nothing."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.outbound.push import PushScope

from .support import (
    ORGANIZATION_FIELDS,
    PARENT_COLUMN,
    PERSON_FIELDS,
    GoldenWorld,
    api_usage,
    differences,
    fast_settings,
    record_salesforce_sources,
    run_push,
    salesforce_records,
    write_system_of_record,
)

ACCOUNT_FIELDS = sorted(ORGANIZATION_FIELDS)
CONTACT_FIELDS = sorted(PERSON_FIELDS)


@pytest.fixture
def warehouse(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        yield connection


def _assert_salesforce_holds_golden(sf, world: GoldenWorld) -> dict[str, str]:
    """Every golden record exactly once, with its pushed values and its parent; returns golden id -> Account Id."""
    accounts = salesforce_records(sf, "Account", world.prefix, ACCOUNT_FIELDS)
    organizations = world.golden("organization")
    assert set(accounts) == set(organizations)
    assert all(len(records) == 1 for records in accounts.values())
    for golden_id, values in organizations.items():
        assert differences(values, accounts[golden_id][0], set(ACCOUNT_FIELDS)) == {}, golden_id
    account_ids = {golden_id: records[0]["Id"] for golden_id, records in accounts.items()}
    contacts = salesforce_records(sf, "Contact", world.prefix, [*CONTACT_FIELDS, "AccountId"])
    persons = world.golden("person")
    assert set(contacts) == set(persons)
    assert all(len(records) == 1 for records in contacts.values())
    for golden_id, values in persons.items():
        contact = contacts[golden_id][0]
        assert differences(values, contact, set(CONTACT_FIELDS)) == {}, golden_id
        assert contact["AccountId"] == (account_ids[values["parent"]] if values["parent"] else None)
    return account_ids


def test_push_writes_each_golden_record_once_then_only_what_changes(
    emulator: EmulatorProcess, warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    world = GoldenWorld.create(warehouse, organizations=200, persons=600)
    system_of_record = write_system_of_record(tmp_path)
    settings = fast_settings(bulk_threshold=300)  # Accounts by Collections, Contacts by a Bulk job

    accounts = run_push(warehouse, emulator, settings, "account", system_of_record)
    contacts = run_push(warehouse, emulator, settings, "contact", system_of_record)

    assert (accounts.report.created, accounts.report.collections_requests, accounts.api_calls_used) == (
        200,
        1,
        1,
    )
    assert (contacts.report.created, contacts.report.bulk_jobs) == (600, 1)
    sf = emulator.salesforce()
    account_ids = _assert_salesforce_holds_golden(sf, world)
    ledger = dict(
        warehouse.execute(
            "SELECT golden_id, record_id FROM outbound.ledger WHERE target = 'account'"
        ).fetchall()
    )
    assert ledger == account_ids
    audit = warehouse.execute(
        "SELECT target, operation, count(*) FROM outbound.audit GROUP BY ALL"
    ).fetchall()
    assert sorted(audit) == [("account", "created", 200), ("contact", "created", 600)]

    usage = api_usage(emulator)
    unchanged = [
        run_push(warehouse, emulator, settings, target, system_of_record) for target in ("account", "contact")
    ]
    assert api_usage(emulator) == usage
    assert [(r.planned, r.api_calls_used) for r in unchanged] == [(0, 0), (0, 0)]

    changed_organizations = [world.organization_id(n) for n in range(0, 200, 100)]
    changed_persons = [world.person_id(n) for n in range(3, 600, 100)]
    world.update("organization", "Phone", "+441139999999", changed_organizations)
    world.update("person", "LastName", "Renamed", changed_persons)
    modstamps = {
        r["Id"]: r["SystemModstamp"]
        for r in sf.query_all("SELECT Id, SystemModstamp FROM Contact")["records"]
    }
    run_id = "one-percent"
    one_percent = [
        run_push(warehouse, emulator, settings, t, system_of_record, run_id) for t in ("account", "contact")
    ]

    assert [(r.report.updated, r.report.created, r.api_calls_used) for r in one_percent] == [
        (2, 0, 1),
        (6, 0, 1),
    ]
    written = warehouse.execute(
        "SELECT golden_id, fields_sent FROM outbound.audit WHERE run_id = ? ORDER BY golden_id", [run_id]
    ).fetchall()
    assert written == sorted(
        [(g, "Phone") for g in changed_organizations] + [(g, "LastName") for g in changed_persons]
    )
    _assert_salesforce_holds_golden(sf, world)
    after = {
        r["Id"]: r["SystemModstamp"]
        for r in sf.query_all("SELECT Id, SystemModstamp FROM Contact")["records"]
    }
    contacts_now = salesforce_records(sf, "Contact", world.prefix, [])
    touched = {contacts_now[g][0]["Id"] for g in changed_persons}
    assert {record_id for record_id in modstamps if after[record_id] != modstamps[record_id]} == touched


def test_records_salesforce_holds_are_adopted_and_keep_the_fields_it_owns(
    emulator: EmulatorProcess, warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    world = GoldenWorld.create(warehouse, organizations=3, persons=0)
    [existing] = emulator.admin.seed("Account", [{"Name": "Typed in Salesforce", "Website": "owned.example"}])
    record_salesforce_sources(warehouse, "organization", {world.organization_id(0): existing})
    system_of_record = write_system_of_record(tmp_path)

    result = run_push(warehouse, emulator, fast_settings(), "account", system_of_record)

    assert (result.report.created, result.report.updated) == (2, 1)
    accounts = salesforce_records(emulator.salesforce(), "Account", world.prefix, ["Name", "Website"])
    assert {golden_id: len(records) for golden_id, records in accounts.items()} == dict.fromkeys(
        [world.organization_id(n) for n in range(3)], 1
    )
    adopted = accounts[world.organization_id(0)][0]
    assert (adopted["Id"], adopted["Name"], adopted["Website"]) == (
        existing,
        f"Org {world.prefix} 0",
        "owned.example",
    )
    assert (
        accounts[world.organization_id(1)][0]["Website"] == f"org1.{world.prefix}.example"
    )  # created: all values
    world.update("organization", "Website", "golden.example", [world.organization_id(n) for n in range(3)])
    again = run_push(warehouse, emulator, fast_settings(), "account", system_of_record)
    assert (again.planned, again.api_calls_used) == (0, 0)


def test_children_wait_for_their_parent_and_follow_it(
    emulator: EmulatorProcess, warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    world = GoldenWorld.create(warehouse, organizations=2, persons=10)
    system_of_record = write_system_of_record(tmp_path)
    settings = fast_settings()

    early = run_push(warehouse, emulator, settings, "contact", system_of_record)
    assert (early.report.created, early.waiting_for_parent) == (1, 9)  # person 9 has no organization
    run_push(warehouse, emulator, settings, "account", system_of_record)
    late = run_push(warehouse, emulator, settings, "contact", system_of_record)
    assert (late.report.created, late.waiting_for_parent) == (9, 0)

    moved = world.person_id(0)
    world.update("person", PARENT_COLUMN, world.organization_id(1), [moved])
    world.update("person", PARENT_COLUMN, None, [world.person_id(1)])
    run_push(warehouse, emulator, settings, "contact", system_of_record)
    _assert_salesforce_holds_golden(emulator.salesforce(), world)


def test_consent_fast_path_sends_only_opt_outs_of_existing_contacts(
    emulator: EmulatorProcess, warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    world = GoldenWorld.create(warehouse, organizations=2, persons=10)
    system_of_record = write_system_of_record(tmp_path)
    settings = fast_settings()
    for target in ("account", "contact"):
        run_push(warehouse, emulator, settings, target, system_of_record)
    opted_out = [world.person_id(n) for n in (1, 2)]
    world.update("person", "HasOptedOutOfEmail", True, opted_out)
    world.update("person", "LastName", "Not consent", opted_out)
    warehouse.execute(
        "INSERT INTO golden.person (golden_id, LastName, Email, HasOptedOutOfEmail) VALUES (?, 'New', ?, true)",
        [f"{world.prefix}-per-new", f"{world.prefix}.new@example.com"],
    )
    consent = PushScope("contact", ("HasOptedOutOfEmail", "DoNotCall"))

    fast = run_push(warehouse, emulator, settings, consent, system_of_record, "consent-run")

    assert (fast.report.updated, fast.report.created, fast.api_calls_used) == (2, 0, 1)
    sent = warehouse.execute(
        "SELECT DISTINCT fields_sent FROM outbound.audit WHERE run_id = 'consent-run'"
    ).fetchall()
    assert sent == [("HasOptedOutOfEmail",)]
    contacts = salesforce_records(
        emulator.salesforce(), "Contact", world.prefix, ["HasOptedOutOfEmail", "LastName"]
    )
    assert all(
        contacts[g][0]["HasOptedOutOfEmail"] and contacts[g][0]["LastName"] != "Not consent"
        for g in opted_out
    )
    full = run_push(warehouse, emulator, settings, "contact", system_of_record, "full-run")
    assert (full.report.updated, full.report.created) == (2, 1)
    sent = warehouse.execute(
        "SELECT DISTINCT fields_sent FROM outbound.audit WHERE run_id = 'full-run'"
    ).fetchall()
    assert ("LastName",) in sent
