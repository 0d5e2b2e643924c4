"""The push process killed with SIGKILL at each point of a Bulk job's life, and the emulator killed and restarted
under a running push: reruns converge, with nothing lost, nothing duplicated and every failure accounted for.

The push runs in a real subprocess (`push_driver`); the test reads its HTTP log and kills it the moment an answer
arrives. Every API answer waits `LATENCY_MS` first, so the next request cannot land before the kill does.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.outbound.job_journal import ABANDONED, RECONCILED
from sfsync_assets.lib.outbound.settings import RetrySettings

from ..lib.outbound.support import GoldenWorld, fast_settings, run_push, write_system_of_record
from .invariants import assert_invariants, outstanding
from .support import rerun_until_converged, write_settings

pytestmark = pytest.mark.chaos

REPO_ROOT = Path(__file__).resolve().parents[2]
ORGANIZATIONS, PERSONS = 40, 100
LATENCY_MS = 300
LOCK_ROWS = 0.2  # some rows refused in every job, so reading results takes more than one request
JOB = r"jobs/ingest/(?P<job>750\w+)"
KILL_POINTS = {
    "before_upload": re.compile(r'"POST /services/data/v[\d.]+/jobs/ingest/? HTTP/1.1" 200'),
    "after_upload_before_results": re.compile(rf'"PATCH /services/data/v[\d.]+/{JOB}/? HTTP/1.1" 200'),
    "mid_results": re.compile(rf'"GET /services/data/v[\d.]+/{JOB}/successfulResults/? HTTP/1.1" 200'),
}
SETTINGS = fast_settings(
    bulk_threshold=10, retry=RetrySettings(max_attempts=3, base_delay_seconds=0.01, max_delay_seconds=0.05)
)


class PushProcess:
    """`push_driver` for one target, its HTTP log on a pipe."""

    def __init__(
        self, warehouse: Path, emulator: EmulatorProcess, system_of_record: Path, target: str
    ) -> None:
        settings_file = write_settings(SETTINGS, warehouse.parent)
        command = [
            sys.executable,
            "-m",
            "sfsync_assets_tests.chaos.push_driver",
            str(warehouse),
            str(emulator.state_dir),
            str(settings_file),
            str(system_of_record),
            target,
        ]
        self.process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,  # where `sfsync_assets_tests` imports from
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
        )

    def wait_for(self, pattern: re.Pattern[str]) -> re.Match[str]:
        """Read the log until `pattern` matches; fails if the push ends first."""
        assert self.process.stderr is not None
        for line in self.process.stderr:
            if found := pattern.search(line):
                return found
        self.process.wait()
        raise AssertionError(f"the push ended (exit {self.process.returncode}) before {pattern.pattern} came")

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        assert self.process.wait() == -signal.SIGKILL

    def finish(self) -> str:
        """Wait for the push to end by itself; its last line of output (the push's metadata)."""
        stdout, stderr = self.process.communicate(timeout=120)
        assert self.process.returncode == 0, stderr[-3000:]
        return stdout.strip().splitlines()[-1]


def _converge(warehouse: Path, emulator: EmulatorProcess, system_of_record: Path, world: GoldenWorld) -> None:
    """Rerun the pushes in order until nothing is outstanding, then check the invariants without faults."""
    with duckdb.connect(str(warehouse)) as connection:

        def rerun() -> bool:
            for target in SETTINGS.parents_first():
                run_push(connection, emulator, SETTINGS, target, system_of_record)
            return True

        rerun_until_converged(
            rerun, lambda: outstanding(connection, SETTINGS, system_of_record, world.prefix)
        )
        emulator.admin.set_faults({})
        held = assert_invariants(connection, emulator.salesforce(), SETTINGS, system_of_record, world.prefix)
    assert held == {"account": ORGANIZATIONS, "contact": PERSONS}


def _world(tmp_path: Path) -> tuple[Path, Path, GoldenWorld]:
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        world = GoldenWorld.create(connection, ORGANIZATIONS, PERSONS)
    return warehouse, write_system_of_record(tmp_path), world


def _journal_state(warehouse: Path, job_id: str) -> str | None:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "SELECT state FROM outbound.bulk_jobs WHERE job_id = ?", [job_id]
        ).fetchall()
    return rows[0][0] if rows else None


def _salesforce_jobs(emulator: EmulatorProcess) -> list[dict]:
    """Every Bulk ingest job of the org, oldest first, as Salesforce lists them."""
    sf = emulator.salesforce()
    return sf.session.get(f"{sf.base_url}jobs/ingest/", headers=sf.headers).json()["records"]


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_push_killed_at_each_point_of_a_bulk_job_converges_on_rerun(
    point: str, fresh_emulator: EmulatorProcess, tmp_path: Path, chaos_seed: int
) -> None:
    warehouse, system_of_record, world = _world(tmp_path)
    fresh_emulator.admin.set_faults({"latency_ms": LATENCY_MS, "lock_rows": LOCK_ROWS, "seed": chaos_seed})

    push = PushProcess(warehouse, fresh_emulator, system_of_record, "account")
    killed_at = push.wait_for(KILL_POINTS[point])
    push.kill()
    fresh_emulator.admin.set_faults({"lock_rows": LOCK_ROWS, "seed": chaos_seed})

    _converge(warehouse, fresh_emulator, system_of_record, world)
    if "job" in killed_at.groupdict():
        # The job ran in Salesforce while nobody listened: its results were read from the journal, not resent.
        assert _journal_state(warehouse, killed_at["job"]) == RECONCILED
    else:
        # The job the crashed push created never closed: it wrote nothing, and the rerun aborted it if the
        # journal knew of it.
        first = _salesforce_jobs(fresh_emulator)[0]
        assert first["state"] in {"Open", "Aborted"} and not int(first.get("numberRecordsProcessed") or 0)
        assert _journal_state(warehouse, first["id"]) in {None, ABANDONED}


def test_emulator_killed_and_restarted_under_a_running_push_converges(
    fresh_emulator: EmulatorProcess, tmp_path: Path, chaos_seed: int
) -> None:
    warehouse, system_of_record, world = _world(tmp_path)
    fresh_emulator.admin.set_faults({"latency_ms": LATENCY_MS, "lock_rows": LOCK_ROWS, "seed": chaos_seed})

    push = PushProcess(warehouse, fresh_emulator, system_of_record, "account")
    push.wait_for(KILL_POINTS["after_upload_before_results"])
    assert fresh_emulator.process is not None
    os.kill(fresh_emulator.process.pid, signal.SIGKILL)
    fresh_emulator.process.wait()
    fresh_emulator.start()  # same port, same SQLite org: records, jobs and sessions survive
    fresh_emulator.admin.set_faults({"lock_rows": LOCK_ROWS, "seed": chaos_seed})

    assert (
        '"status"' in push.finish()
    )  # the push ends cleanly, its metadata written, whatever it could not learn
    _converge(warehouse, fresh_emulator, system_of_record, world)
