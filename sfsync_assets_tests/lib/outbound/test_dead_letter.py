"""Records Salesforce refuses wait in the dead letter with their code, are retried once their payload changes or
their hold ends, and resolve."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.outbound.settings import OutboundSettings

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


@dataclass(frozen=True)
class DuplicateRefused:
    """Three Contacts pushed, then the second one's golden Email set to the first one's: the org's duplicate rule
    refused the write."""

    warehouse: duckdb.DuckDBPyConnection
    emulator: EmulatorProcess
    world: GoldenWorld
    system_of_record: Path
    settings: OutboundSettings
    clashing: str  # the golden id whose Contact Salesforce refused
    taken: str  # the address another Contact already holds

    def push_contacts(self):
        return run_push(self.warehouse, self.emulator, self.settings, "contact", self.system_of_record)

    def letter(self) -> list[tuple]:
        return self.warehouse.execute(
            "SELECT error_code, resolution FROM outbound.dead_letter WHERE golden_id = ?", [self.clashing]
        ).fetchall()


@pytest.fixture
def duplicate_refused(
    emulator: EmulatorProcess, warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> DuplicateRefused:
    world = GoldenWorld.create(warehouse, organizations=1, persons=3)
    system_of_record = write_system_of_record(tmp_path)
    settings = fast_settings()
    for target in ("account", "contact"):
        run_push(warehouse, emulator, settings, target, system_of_record)
    clashing, taken = world.person_id(1), f"{world.prefix}.0@example.com"
    world.update("person", "Email", taken, [clashing])
    refused = DuplicateRefused(warehouse, emulator, world, system_of_record, settings, clashing, taken)

    assert refused.push_contacts().report.failed == {clashing}
    assert refused.letter() == [("DUPLICATES_DETECTED", None)]
    return refused


def test_a_duplicate_rule_refusal_is_superseded_when_the_golden_value_goes_back(
    duplicate_refused: DuplicateRefused,
) -> None:
    world = duplicate_refused.world
    world.update("person", "Email", f"{world.prefix}.1@example.com", [duplicate_refused.clashing])
    back = duplicate_refused.push_contacts()
    assert (back.planned, back.api_calls_used, back.dead_letter_open) == (0, 0, 0)
    assert duplicate_refused.letter() == [("DUPLICATES_DETECTED", "superseded")]


def test_a_duplicate_fixed_in_salesforce_alone_goes_through_once_the_hold_ends(
    duplicate_refused: DuplicateRefused,
) -> None:
    world, clashing = duplicate_refused.world, duplicate_refused.clashing
    # Someone frees the address in Salesforce; the golden values do not change.
    sf = duplicate_refused.emulator.salesforce()
    (holder,) = salesforce_records(sf, "Contact", world.prefix, ["Email"])[world.person_id(0)]
    sf.Contact.update(holder["Id"], {"Email": f"{world.prefix}.renamed@example.com"})
    held = duplicate_refused.push_contacts()
    assert (held.planned, held.awaiting_fix, held.api_calls_used) == (0, 1, 0)

    hours = duplicate_refused.settings.salesforce.refused_retry_after_hours
    duplicate_refused.warehouse.execute(
        f"UPDATE outbound.dead_letter SET last_failed_at = last_failed_at - INTERVAL {hours + 1} HOUR "
        "WHERE golden_id = ?",
        [clashing],
    )
    retried = duplicate_refused.push_contacts()

    assert (retried.planned, retried.report.failed, retried.dead_letter_open) == (1, set(), 0)
    assert duplicate_refused.letter() == [("DUPLICATES_DETECTED", "pushed")]
    emails = salesforce_records(sf, "Contact", world.prefix, ["Email"])
    assert emails[clashing][0]["Email"] == duplicate_refused.taken
