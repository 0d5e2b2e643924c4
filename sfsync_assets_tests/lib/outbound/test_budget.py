"""A budget too small for the push stops it cleanly; the next run finishes, even a Bulk job cut in half."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.salesforce.budget import BudgetPolicy

from .support import (
    GoldenWorld,
    api_usage,
    fast_settings,
    run_push,
    salesforce_records,
    write_system_of_record,
)

ORG_DAILY_LIMIT = 1000


@pytest.fixture
def warehouse(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        yield connection


def _budget(calls: int) -> BudgetPolicy:
    """A share of the org's daily limit worth exactly `calls` calls."""
    return BudgetPolicy(share_of_daily_limit=calls / ORG_DAILY_LIMIT)


def test_collections_push_stops_at_the_budget_and_the_next_run_finishes(
    fresh_emulator: EmulatorProcess, warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    fresh_emulator.admin.set_limit("DailyApiRequests", maximum=ORG_DAILY_LIMIT)
    world = GoldenWorld.create(warehouse, organizations=700, persons=0)
    system_of_record = write_system_of_record(tmp_path)
    settings = fast_settings(bulk_threshold=10_000)

    stopped = run_push(warehouse, fresh_emulator, settings, "account", system_of_record, policy=_budget(2))

    assert stopped.report.stopped and "API budget spent" in stopped.report.stopped
    assert (stopped.report.created, len(stopped.report.deferred), stopped.dead_letter_open) == (400, 300, 0)
    assert stopped.needs_resume and api_usage(fresh_emulator) == 2
    assert warehouse.execute("SELECT count(*) FROM outbound.plan").fetchall() == [(300,)]
    finished = run_push(warehouse, fresh_emulator, settings, "account", system_of_record)
    assert (finished.report.created, finished.report.stopped, finished.needs_resume) == (300, None, False)
    assert api_usage(fresh_emulator) == 4
    assert warehouse.execute("SELECT count(*) FROM outbound.plan").fetchall() == [(0,)]
    accounts = salesforce_records(fresh_emulator.salesforce(), "Account", world.prefix, [])
    assert len(accounts) == 700 and all(len(records) == 1 for records in accounts.values())


@pytest.mark.parametrize(
    ("calls", "journal_state", "collected"),
    [(1, "abandoned", 0), (4, "reconciled", 700)],
    ids=["stopped-before-upload", "stopped-while-collecting"],
)
def test_bulk_job_cut_by_the_budget_is_collected_or_abandoned_by_the_next_run(
    fresh_emulator: EmulatorProcess,
    warehouse: duckdb.DuckDBPyConnection,
    tmp_path: Path,
    calls: int,
    journal_state: str,
    collected: int,
) -> None:
    fresh_emulator.admin.set_limit("DailyApiRequests", maximum=ORG_DAILY_LIMIT)
    world = GoldenWorld.create(warehouse, organizations=700, persons=0)
    system_of_record = write_system_of_record(tmp_path)
    settings = fast_settings(bulk_threshold=100)

    stopped = run_push(
        warehouse, fresh_emulator, settings, "account", system_of_record, policy=_budget(calls)
    )

    assert stopped.report.stopped and stopped.report.pushed == 0 and stopped.needs_resume
    finished = run_push(warehouse, fresh_emulator, settings, "account", system_of_record, "next")
    assert (finished.report.created, finished.report.stopped) == (700, None)
    jobs = warehouse.execute("SELECT job_id, state FROM outbound.bulk_jobs ORDER BY created_at").fetchall()
    assert jobs[0][1] == journal_state and all(state == "reconciled" for _, state in jobs[1:])
    collected_later = warehouse.execute(
        "SELECT count(*) FROM outbound.audit WHERE run_id = 'next' AND api_ref = ?", [f"bulk2:{jobs[0][0]}"]
    ).fetchall()
    assert collected_later == [(collected,)]
    accounts = salesforce_records(fresh_emulator.salesforce(), "Account", world.prefix, [])
    assert len(accounts) == 700 and all(len(records) == 1 for records in accounts.values())
    operations = warehouse.execute("SELECT operation, count(*) FROM outbound.audit GROUP BY ALL").fetchall()
    assert operations == [("created", 700)]
