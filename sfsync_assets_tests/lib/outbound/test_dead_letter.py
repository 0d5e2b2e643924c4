"""Records Salesforce refuses wait in the dead letter with their code, are retried once their payload changes,
and resolve."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from sfsync_assets.lib.emulator.process import EmulatorProcess

from .support import GoldenWorld, fast_settings, run_push, salesforce_records, write_system_of_record

_LETTER = (
    "SELECT error_code, retriable, attempts, first_failed_at < last_failed_at, resolved, resolution, "
    "json_extract_string(payload, '$.CurrencyIsoCode') FROM outbound.dead_letter WHERE golden_id = ?"
)


@pytest.fixture
def warehouse(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        yield connection


def test_a_refused_picklist_value_is_dead_lettered_held_and_resolved_once_fixed(
    emulator: EmulatorProcess, warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    world = GoldenWorld.create(warehouse, organizations=10, persons=0)
    system_of_record = write_system_of_record(tmp_path)
    settings = fast_settings()
    refused = world.organization_id(3)
    world.update("organization", "CurrencyIsoCode", "XXX", [refused])

    first = run_push(warehouse, emulator, settings, "account", system_of_record)

    assert (first.report.created, first.report.failed, first.needs_resume) == (9, {refused}, False)
    letter = warehouse.execute(_LETTER, [refused]).fetchall()
    assert letter == [("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", False, 1, False, False, None, "XXX")]

    again = run_push(warehouse, emulator, settings, "account", system_of_record)
    assert (again.planned, again.awaiting_fix, again.report.failed, again.api_calls_used) == (0, 1, set(), 0)
    assert warehouse.execute(_LETTER, [refused]).fetchall() == letter

    world.update("organization", "CurrencyIsoCode", "YYY", [refused])
    changed = run_push(warehouse, emulator, settings, "account", system_of_record)
    assert (changed.planned, changed.report.failed, changed.api_calls_used) == (1, {refused}, 1)
    letter = warehouse.execute(_LETTER, [refused]).fetchall()
    assert letter == [("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", False, 2, True, False, None, "YYY")]

    world.update("organization", "CurrencyIsoCode", "EUR", [refused])
    fixed = run_push(warehouse, emulator, settings, "account", system_of_record)
    assert (fixed.report.created, fixed.dead_letter_open) == (1, 0)
    assert warehouse.execute(_LETTER, [refused]).fetchall()[0][4:6] == (True, "pushed")
    account = salesforce_records(emulator.salesforce(), "Account", world.prefix, ["CurrencyIsoCode"])
    assert account[refused][0]["CurrencyIsoCode"] == "EUR"


def test_a_duplicate_rule_refusal_is_superseded_when_the_golden_value_goes_back(
    emulator: EmulatorProcess, warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    world = GoldenWorld.create(warehouse, organizations=1, persons=3)
    system_of_record = write_system_of_record(tmp_path)
    settings = fast_settings()
    for target in ("account", "contact"):
        run_push(warehouse, emulator, settings, target, system_of_record)
    clashing = world.person_id(1)
    world.update("person", "Email", f"{world.prefix}.0@example.com", [clashing])

    clash = run_push(warehouse, emulator, settings, "contact", system_of_record)

    assert clash.report.failed == {clashing}
    code = warehouse.execute("SELECT error_code FROM outbound.dead_letter WHERE golden_id = ?", [clashing])
    assert code.fetchall() == [("DUPLICATES_DETECTED",)]
    world.update("person", "Email", f"{world.prefix}.1@example.com", [clashing])
    back = run_push(warehouse, emulator, settings, "contact", system_of_record)
    assert (back.planned, back.api_calls_used, back.dead_letter_open) == (0, 0, 0)
    resolution = warehouse.execute(
        "SELECT resolution FROM outbound.dead_letter WHERE golden_id = ?", [clashing]
    )
    assert resolution.fetchall() == [("superseded",)]


def test_a_duplicate_fixed_in_salesforce_alone_goes_through_once_the_hold_ends(
    emulator: EmulatorProcess, warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    world = GoldenWorld.create(warehouse, organizations=1, persons=3)
    system_of_record = write_system_of_record(tmp_path)
    settings = fast_settings()
    for target in ("account", "contact"):
        run_push(warehouse, emulator, settings, target, system_of_record)
    clashing, other = world.person_id(1), world.person_id(0)
    taken = f"{world.prefix}.0@example.com"
    world.update("person", "Email", taken, [clashing])
    assert run_push(warehouse, emulator, settings, "contact", system_of_record).report.failed == {clashing}

    # Someone frees the address in Salesforce; the golden values do not change.
    sf = emulator.salesforce()
    (holder,) = salesforce_records(sf, "Contact", world.prefix, ["Email"])[other]
    sf.Contact.update(holder["Id"], {"Email": f"{world.prefix}.renamed@example.com"})
    held = run_push(warehouse, emulator, settings, "contact", system_of_record)
    assert (held.planned, held.awaiting_fix, held.api_calls_used) == (0, 1, 0)

    hours = settings.salesforce.refused_retry_after_hours
    warehouse.execute(
        f"UPDATE outbound.dead_letter SET last_failed_at = last_failed_at - INTERVAL {hours + 1} HOUR "
        "WHERE golden_id = ?",
        [clashing],
    )
    retried = run_push(warehouse, emulator, settings, "contact", system_of_record)

    assert (retried.planned, retried.report.failed, retried.dead_letter_open) == (1, set(), 0)
    resolution = warehouse.execute(
        "SELECT resolution FROM outbound.dead_letter WHERE golden_id = ?", [clashing]
    )
    assert resolution.fetchall() == [("pushed",)]
    assert salesforce_records(sf, "Contact", world.prefix, ["Email"])[clashing][0]["Email"] == taken
