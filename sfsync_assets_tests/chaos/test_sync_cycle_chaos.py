"""A full sync cycle (ingest, validate, resolve, push, reconcile) of a small generated company under every fault at
once, then reruns as an operator would make them, until the invariants hold.

Faults: 5 % of API requests answer 503, every request is slowed, 2 % of connections drop mid-answer, a fifth of
Bulk rows hit `UNABLE_TO_LOCK_ROW`, Bulk jobs fail after `FAIL_JOB_AFTER` records, the integration's share of the
daily API limit runs out partway through the cycle, and another process holds the DuckDB file as the cycle
starts. Recovery: the operator raises the org's allocation and re-executes what the failed run did not finish
(the whole cycle if the golden records were never built, else the push and reconciliation), while the org stays
flaky. Push settings differ from the shipped ones only in size: Bulk above five records, test-sized waits.
"""

from __future__ import annotations

import contextlib
import functools
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from sfsync_assets.cycle import CycleFailed, run_cycle
from sfsync_assets.lib.emulator.limits import DAILY_API_REQUESTS
from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.golden.survivorship import GOLDEN_TABLES
from sfsync_assets.lib.outbound.golden_source import SYSTEM_OF_RECORD_FILE
from sfsync_assets.lib.outbound.settings import RetrySettings
from sfsync_assets.lib.runtime.environment import emulator_environment, prepare_dagster_home
from sfsync_assets.lib.runtime.seeding import ensure_company

from ..lib.outbound.support import fast_settings
from .invariants import assert_invariants, outstanding
from .support import rerun_until_converged, write_settings

pytestmark = pytest.mark.chaos

SCALE = 300
COMPANY_SEED = 7
INTEGRATION_CALLS = 10  # its share (25 %) of the daily limit: ingest fits, the push does not
FAIL_JOB_AFTER = 8
LOCK_SECONDS = 2  # how long the other process keeps the file once the cycle's first run is under way
ORG_ALLOCATION = 100_000
SETTINGS = fast_settings(
    bulk_threshold=5, retry=RetrySettings(max_attempts=3, base_delay_seconds=0.01, max_delay_seconds=0.05)
)
RECOVERY_GROUPS = ("outbound", "monitoring")
HOLD_DUCKDB = (
    "import duckdb, sys\n"
    "connection = duckdb.connect(sys.argv[1])\n"
    "print('locked', flush=True)\n"
    "sys.stdin.read()\n"
)


def _faults(seed: int) -> dict[str, object]:
    return {
        "http_503": 0.05,
        "latency_ms": 20,
        "drop": 0.02,
        "lock_rows": 0.2,
        "fail_job_after": FAIL_JOB_AFTER,
        "seed": seed,
    }


@pytest.fixture
def deployment(fresh_emulator: EmulatorProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A generated company in the org, ERP and drop folder, and the environment `sfsync sync` would read."""
    company = tmp_path / "company"
    ensure_company(company, fresh_emulator.state_dir, SCALE, COMPANY_SEED, lambda line: None)
    environment = emulator_environment(
        fresh_emulator.state_dir, tmp_path, f"sqlite:///{company / 'erp.sqlite'}", company / "inbound"
    )
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    prepare_dagster_home(environment)
    return Path(environment["SFSYNC_DUCKDB_PATH"])


@contextlib.contextmanager
def _duckdb_held_by_another_process(warehouse: Path) -> Iterator[None]:
    """Another process (a notebook, a stuck job) holds the warehouse read-write until the first run of the block
    has been under way for LOCK_SECONDS, so a step of it meets the lock."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_DUCKDB, str(warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    seen_run = threading.Event()

    def release_once_a_run_started() -> None:
        instance = dg.DagsterInstance.get()
        while not instance.get_run_records(dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]), limit=1):
            time.sleep(0.1)
        seen_run.set()
        time.sleep(LOCK_SECONDS)
        assert holder.stdin is not None
        holder.stdin.close()

    releaser = threading.Thread(target=release_once_a_run_started, daemon=True)
    releaser.start()
    try:
        yield
    finally:
        releaser.join(timeout=60)
        if holder.poll() is None:
            holder.kill()
        assert holder.wait() == 0 and seen_run.is_set(), "the lock was released before any run started"


def _outstanding(warehouse: Path) -> object:
    """What is left to push (nothing while the golden records were never built, but then the cycle failed)."""
    with duckdb.connect(str(warehouse)) as connection:
        if _golden_built(connection):
            return outstanding(connection, SETTINGS, SYSTEM_OF_RECORD_FILE)
    return "golden records never built"


def _golden_built(connection: duckdb.DuckDBPyConnection) -> bool:
    found = connection.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema || '.' || table_name IN (?, ?)",
        list(GOLDEN_TABLES.values()),
    ).fetchall()[0][0]
    return found == len(GOLDEN_TABLES)


@functools.cache
def _definitions() -> dg.Definitions:
    """The code location's definitions, loaded once for every rerun."""
    from sfsync_assets.definitions import defs

    return defs()


def _rerun(warehouse: Path, run_config: dict[str, object]) -> bool:
    """Re-execute what a failed or unfinished cycle left: everything if golden records were never built, else the
    push and the reconciliation after it (what re-executing the failed run from failure does). True if it
    succeeded."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        built = _golden_built(connection)
    if not built:
        try:
            run_cycle(lambda line: None, run_config)
        except CycleFailed:
            return False
        return True
    definitions = _definitions()
    job = definitions.resolve_job_def("sync_cycle")
    recovery = dg.AssetSelection.groups(*RECOVERY_GROUPS).resolve(definitions.resolve_asset_graph())
    return job.execute_in_process(
        instance=dg.DagsterInstance.get(),
        asset_selection=sorted(recovery & job.asset_layer.selected_asset_keys),
        run_config=run_config,
        raise_on_error=False,
    ).success


def _assert_every_source_record_resolved(connection: duckdb.DuckDBPyConnection) -> None:
    """No staged source record is lost on the way to a golden record (what never staged is in the quarantine)."""
    for entity, table in GOLDEN_TABLES.items():
        orphans = connection.execute(
            f"SELECT s.source_key FROM staged.{entity} AS s WHERE NOT EXISTS (SELECT 1 FROM identity.xref AS x "
            f"JOIN {table} AS g USING (golden_id) WHERE x.source_key = s.source_key AND x.is_active)"
        ).fetchall()
        assert not orphans, f"staged {entity} records with no golden record: {[row[0] for row in orphans]}"


def test_full_cycle_under_every_fault_converges_on_reruns(
    deployment: Path, fresh_emulator: EmulatorProcess, tmp_path: Path, chaos_seed: int
) -> None:
    settings_file = str(write_settings(SETTINGS, tmp_path))
    run_config = {"resources": {"outbound": {"config": {"settings_file": settings_file}}}}
    admin = fresh_emulator.admin
    admin.set_faults({**_faults(chaos_seed), "api_limit_at": INTEGRATION_CALLS * 4})

    with _duckdb_held_by_another_process(deployment), pytest.raises(CycleFailed):
        run_cycle(lambda line: None, run_config)  # the budget runs out before reconciliation, at the latest

    # The operator raises the org's allocation; the org stays as flaky as before.
    admin.set_faults(_faults(chaos_seed))
    admin.set_limit(DAILY_API_REQUESTS, maximum=ORG_ALLOCATION)
    rerun_until_converged(lambda: _rerun(deployment, run_config), lambda: _outstanding(deployment))
    admin.set_faults({})

    with duckdb.connect(str(deployment)) as connection:
        held = assert_invariants(connection, fresh_emulator.salesforce(), SETTINGS, SYSTEM_OF_RECORD_FILE)
        _assert_every_source_record_resolved(connection)
        refusals = connection.execute(
            "SELECT DISTINCT error_code FROM outbound.dead_letter WHERE resolved"
        ).fetchall()
    assert held["account"] > 0 and held["contact"] > 0
    assert ("UNABLE_TO_LOCK_ROW",) in refusals
    sf = fresh_emulator.salesforce()
    jobs = sf.session.get(f"{sf.base_url}jobs/ingest/", headers=sf.headers).json()["records"]
    sizes = [(job["object"], job["state"], job.get("numberRecordsProcessed")) for job in jobs]
    assert any(job["state"] == "Failed" for job in jobs), f"no Bulk job stopped after FAIL_JOB_AFTER: {sizes}"
