"""Pushes under locked rows, 503s, dropped connections and failing Bulk jobs converge, and account for everything."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.outbound.push import PushResult, PushScope, plan
from sfsync_assets.lib.outbound.settings import RetrySettings
from sfsync_assets.lib.outbound.wire import wire

from .support import GoldenWorld, fast_settings, run_push, salesforce_records, write_system_of_record

FAULTS = {"lock_rows": 0.05, "http_503": 0.15, "drop": 0.1, "fail_job_after": 150}
TARGETS = {"account": ("Account", "organization"), "contact": ("Contact", "person")}
MAX_RUNS = 6
PARENT_FIELD, PARENT_COLUMN = "Account.Golden_Id__c", "AccountId"


def _assert_failures_accounted(warehouse: duckdb.DuckDBPyConnection, result: PushResult) -> None:
    """Every record refused in the run and not confirmed since has an open dead letter, and nothing else does."""
    open_letters = {
        row[0]
        for row in warehouse.execute(
            "SELECT golden_id FROM outbound.dead_letter WHERE target = ? AND NOT resolved", [result.target]
        ).fetchall()
    }
    assert result.report.failed <= open_letters
    confirmed = {
        row[0]
        for row in warehouse.execute(
            "SELECT golden_id FROM outbound.dead_letter d WHERE target = ? AND NOT resolved AND EXISTS "
            "(SELECT 1 FROM outbound.audit a WHERE a.target = d.target AND a.golden_id = d.golden_id "
            "AND a.written_at > d.last_failed_at)",
            [result.target],
        ).fetchall()
    }
    assert confirmed == set()


def _converged(warehouse: duckdb.DuckDBPyConnection, settings, system_of_record: Path) -> bool:
    """Nothing left to write, no open dead letter, no Bulk job whose results were not read."""
    outstanding = [plan(warehouse, settings, PushScope(target), system_of_record) for target in TARGETS]
    open_letters = warehouse.execute(
        "SELECT count(*) FROM outbound.dead_letter WHERE NOT resolved"
    ).fetchall()
    open_jobs = warehouse.execute(
        "SELECT count(*) FROM outbound.bulk_jobs WHERE state IN ('open', 'submitted')"
    ).fetchall()
    return not any(p.writes for p in outstanding) and open_letters == [(0,)] and open_jobs == [(0,)]


@pytest.mark.chaos
def test_reruns_under_faults_converge_without_duplicates_or_losses(
    fresh_emulator: EmulatorProcess, tmp_path: Path, chaos_seed: int
) -> None:
    warehouse = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    world = GoldenWorld.create(warehouse, organizations=150, persons=500)
    system_of_record = write_system_of_record(tmp_path)
    settings = fast_settings(
        bulk_threshold=100,
        retry=RetrySettings(max_attempts=2, base_delay_seconds=0.01, max_delay_seconds=0.05),
    )
    fresh_emulator.admin.set_faults({**FAULTS, "seed": chaos_seed})

    results: list[PushResult] = []
    for _ in range(MAX_RUNS):
        for target in TARGETS:
            results.append(run_push(warehouse, fresh_emulator, settings, target, system_of_record))
            _assert_failures_accounted(warehouse, results[-1])
        if _converged(warehouse, settings, system_of_record):
            break
    fresh_emulator.admin.set_faults({})

    assert _converged(warehouse, settings, system_of_record)
    assert sum(r.report.requests_retried for r in results) > 0
    assert sum(r.report.refusals for r in results) > 0  # locked rows, at least
    letters = warehouse.execute(
        "SELECT count(*), count(*) FILTER (resolved) FROM outbound.dead_letter"
    ).fetchall()
    assert letters[0][0] > 0 and letters[0][0] == letters[0][1]
    sf = fresh_emulator.salesforce()
    ledger = {
        (target, golden_id): (record_id, json.loads(values), fields_hash)
        for target, golden_id, record_id, values, fields_hash in warehouse.execute(
            "SELECT target, golden_id, record_id, pushed_values::VARCHAR, fields_hash FROM outbound.ledger"
        ).fetchall()
    }
    for target, (object_name, entity) in TARGETS.items():
        fields = sorted(
            {field for (t, _), (_, values, _) in ledger.items() if t == target for field in values}
        )
        columns = [PARENT_COLUMN if field == PARENT_FIELD else field for field in fields]
        records = salesforce_records(sf, object_name, world.prefix, columns)
        assert set(records) == set(world.golden(entity))
        assert all(len(found) == 1 for found in records.values())
        for golden_id, [found] in records.items():
            record_id, values, _ = ledger[(target, golden_id)]
            assert record_id == found["Id"]
            parent = values.pop(PARENT_FIELD, None)
            assert found.get(PARENT_COLUMN) == (ledger[("account", parent)][0] if parent else None)
            assert values == {field: wire(found[field]) for field in values}

    audit = warehouse.execute(
        "SELECT target, golden_id, record_id, operation, fields_hash, api_ref, written_at FROM outbound.audit"
    ).fetchall()
    assert len(audit) == sum(r.report.pushed for r in results)
    assert len({(row[0], row[1], row[5]) for row in audit}) == len(audit)
    created = [row[:2] for row in audit if row[3] == "created"]
    assert len(created) == len(set(created))
    latest = {}
    for target, golden_id, record_id, _, fields_hash, _, _ in sorted(audit, key=lambda row: row[6]):
        latest[(target, golden_id)] = (record_id, fields_hash)
    assert latest == {key: (record_id, fields_hash) for key, (record_id, _, fields_hash) in ledger.items()}
