"""A Salesforce that keeps failing trips the breaker: the push stops cleanly and the next one finishes."""

from __future__ import annotations

from pathlib import Path

import duckdb

from sfsync_assets.lib.emulator.process import EmulatorProcess

from .support import GoldenWorld, fast_settings, run_push, salesforce_records, write_system_of_record


def test_an_unavailable_org_opens_the_breaker_without_dead_lettering_anything(
    fresh_emulator: EmulatorProcess, tmp_path: Path
) -> None:
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as warehouse:
        world = GoldenWorld.create(warehouse, organizations=50, persons=0)
        system_of_record = write_system_of_record(tmp_path)
        settings = fast_settings(circuit_breaker_failures=3)
        fresh_emulator.admin.set_faults({"http_503": 1.0})

        tripped = run_push(warehouse, fresh_emulator, settings, "account", system_of_record)

        assert tripped.report.stopped and tripped.report.stopped.startswith("circuit breaker open after 3")
        assert (tripped.api_calls_used, len(tripped.report.deferred), tripped.dead_letter_open) == (3, 50, 0)
        assert tripped.needs_resume
        fresh_emulator.admin.set_faults({})
        recovered = run_push(warehouse, fresh_emulator, settings, "account", system_of_record)
        assert (recovered.report.created, recovered.report.stopped) == (50, None)
        assert len(salesforce_records(fresh_emulator.salesforce(), "Account", world.prefix, [])) == 50
