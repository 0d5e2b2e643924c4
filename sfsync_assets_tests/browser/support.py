"""What the browser tests drive: a real `dagster dev` over the code location, and Debian's Chromium.

`dagster dev` runs in its own session and process group (`start_new_session=True`), so SIGTERM reaches every
Dagster process and stops them cleanly. SIGKILL to the group follows if any linger.

It runs from a scratch folder, not the repo root. `dagster dev` (like every `dagster` CLI command) loads `./.env`
from its working directory over the environment it was given. The `.env` that `make demo` writes would point the
code location at the demo's warehouse, org and DAGSTER_HOME instead of the test's.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from unittest import mock

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("SFSYNC_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
STARTUP_TIMEOUT_SECONDS = 90
STOP_TIMEOUT_SECONDS = 30
DAGSTER = Path(sys.executable).with_name("dagster")
LOCATION = "sfsync_assets"
T = TypeVar("T")


class DagsterUiError(RuntimeError):
    """`dagster dev` did not come up, or its code location failed to load."""


def workspace_file(folder: Path) -> Path:
    """The repo's workspace.yaml, with each code location's working directory made absolute (the repo root)."""
    workspace = yaml.safe_load((REPO_ROOT / "workspace.yaml").read_text(encoding="utf-8"))
    for entry in workspace.get("load_from", []):
        for target in entry.values():
            if isinstance(target, dict):
                target["working_directory"] = str(
                    (REPO_ROOT / target.get("working_directory", ".")).resolve()
                )
    path = folder / "workspace.yaml"
    path.write_text(yaml.safe_dump(workspace), encoding="utf-8")
    return path


@dataclass
class DagsterDev:
    """`dagster dev -h 127.0.0.1 -p PORT -w workspace.yaml` with a DAGSTER_HOME of its own."""

    folder: Path
    environment: dict[str, str]
    port: int
    process: subprocess.Popen[bytes] | None = None
    log_file: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_file = self.folder / "dagster-dev.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def home(self) -> Path:
        return Path(self.environment["DAGSTER_HOME"])

    def launch(self) -> DagsterDev:
        """Start `dagster dev` without waiting for it (see `wait_until_loaded`)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.home.mkdir(parents=True, exist_ok=True)
        # The repo's instance settings (pools, run concurrency, sensor threads), as a deployment would use them.
        shutil.copy(REPO_ROOT / "dagster.yaml", self.home / "dagster.yaml")
        workspace = workspace_file(self.folder)
        command = [str(DAGSTER), "dev", "-w", str(workspace), "-h", "127.0.0.1", "-p", str(self.port)]
        with open(self.log_file, "ab") as log, _interruptible():
            self.process = subprocess.Popen(
                command,
                cwd=self.folder,
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def wait_until_loaded(self) -> DagsterDev:
        """Wait until the UI answers and the code location has loaded; stop everything if it never does."""
        try:
            self._wait_until_loaded()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_loaded(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        last = "no answer yet"
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise DagsterUiError(
                    f"dagster dev exited with {self.process.returncode}; see {self.log_file}"
                )
            try:
                entries = self.graphql(
                    "{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus "
                    "locationOrLoadError { __typename ... on PythonError { message } } } } } }"
                )["workspaceOrError"]["locationEntries"]
            except (OSError, urllib.error.URLError, KeyError, ValueError) as error:
                last = repr(error)
            else:
                last = json.dumps(entries)
                errors = [e for e in entries if e["locationOrLoadError"]["__typename"] == "PythonError"]
                if errors:
                    raise DagsterUiError(f"code location failed to load: {last}; see {self.log_file}")
                if entries and all(e["loadStatus"] == "LOADED" for e in entries):
                    return
            time.sleep(0.25)
        raise DagsterUiError(
            f"dagster dev not ready within {STARTUP_TIMEOUT_SECONDS}s ({last}); see {self.log_file}"
        )

    def stop(self) -> None:
        """SIGTERM to the whole process group, SIGKILL to whatever is left after the grace period."""
        if self.process is None:
            return
        group = self.process.pid
        if self.process.poll() is None:
            _signal_group(group, signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        _signal_group(group, signal.SIGKILL)  # stragglers: the code server or a run worker left behind
        self.process.wait()

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{self.url}/graphql",
            data=json.dumps({"query": query, "variables": variables or {}}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            body = json.loads(response.read())
        if body.get("errors"):
            raise DagsterUiError(f"GraphQL errors: {body['errors']}")
        return body["data"]

    def stop_sensor(self, name: str) -> None:
        """Turn a sensor off, as its toggle on the Automation page does."""
        sensor = self.graphql(SENSOR_ID, {"s": _sensor_selector(name)})["sensorOrError"]
        if sensor["__typename"] != "Sensor":
            raise DagsterUiError(f"sensor {name}: {sensor}")
        stopped = self.graphql(
            "mutation($id: String) { stopSensor(id: $id) { __typename "
            "... on StopSensorMutationResult { instigationState { status } } ... on PythonError { message } } }",
            {"id": sensor["id"]},
        )["stopSensor"]
        if stopped.get("instigationState", {}).get("status") != "STOPPED":
            raise DagsterUiError(f"could not stop sensor {name}: {stopped}")

    def sensor_ticks(self, name: str) -> list[dict[str, Any]]:
        """The sensor's latest ticks, newest first: status, timestamp, runIds, skipReason, error."""
        sensor = self.graphql(SENSOR_TICKS, {"s": _sensor_selector(name)})["sensorOrError"]
        if sensor["__typename"] != "Sensor":
            raise DagsterUiError(f"sensor {name}: {sensor}")
        return sensor["sensorState"]["ticks"]

    def run_status(self, run_id: str) -> str:
        run = self.graphql(
            "query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }", {"id": run_id}
        )
        return run["runOrError"].get("status", "UNKNOWN")

    def materialize(self, keys: list[Any]) -> SyncResult:
        """Sync `keys` the way `sfsync sync` does (an asset-job run in the calling process, recorded in this
        instance, so it shows in the UI), with the deployment's environment; raises nothing on failure.

        It runs on a thread of its own: Playwright's event loop owns the test's thread, and code under test
        may use asyncio."""
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(self._materialize, keys).result()

    def _materialize(self, keys: list[Any]) -> SyncResult:
        import dagster as dg

        with mock.patch.dict(os.environ, self.environment):
            instance = dg.DagsterInstance.get()
            try:
                job = definitions().resolve_implicit_global_asset_job_def()
                result = job.execute_in_process(instance=instance, asset_selection=keys, raise_on_error=False)
            finally:
                instance.dispose()
        errors = [
            event.step_failure_data.error.to_string()
            for event in result.all_events
            if event.is_step_failure and event.step_failure_data.error
        ]
        return SyncResult(result.run_id, result.success, "\n".join(errors))


@dataclass
class SyncResult:
    run_id: str
    success: bool
    errors: str


@functools.cache
def definitions():
    """The code location's definitions, loaded once per test session."""
    from sfsync_assets.definitions import defs

    return defs()


@contextmanager
def _interruptible() -> Iterator[None]:
    """Children inherit an ignored SIGINT (pytest started in the background without job control), and Dagster
    handles SIGTERM like SIGINT: both would be ignored. Start the child with SIGINT at its default instead."""
    ignored = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    if ignored:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        yield
    finally:
        if ignored:
            signal.signal(signal.SIGINT, signal.SIG_IGN)


def wait_for(what: str, probe: Callable[[], T | None], timeout: float) -> T:
    """Poll `probe` every second until it returns something truthy; fail naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise DagsterUiError(f"no {what} within {timeout:.0f} s")
        time.sleep(1)


def _sensor_selector(name: str) -> dict[str, str]:
    return {"repositoryLocationName": LOCATION, "repositoryName": "__repository__", "sensorName": name}


def _signal_group(group: int, sig: signal.Signals) -> None:
    with suppress(ProcessLookupError):
        os.killpg(group, sig)


SENSOR_ID = """
query($s: SensorSelector!) {
  sensorOrError(sensorSelector: $s) { __typename ... on Sensor { id } ... on PythonError { message } }
}
"""

SENSOR_TICKS = """
query($s: SensorSelector!) {
  sensorOrError(sensorSelector: $s) {
    __typename
    ... on Sensor {
      sensorState { ticks(limit: 25) { tickId status timestamp runIds skipReason error { message } } }
    }
    ... on PythonError { message }
  }
}
"""

LATEST_MATERIALIZATION = """
query($path: [String!]!) {
  assetOrError(assetKey: {path: $path}) {
    ... on Asset {
      assetMaterializations(limit: 1) {
        runId
        metadataEntries {
          label
          __typename
          ... on IntMetadataEntry { intValue }
          ... on TextMetadataEntry { text }
          ... on FloatMetadataEntry { floatValue }
        }
      }
    }
  }
}
"""


def latest_materialization(ui: DagsterDev, path: list[str]) -> tuple[str, dict[str, Any]]:
    """The run id and metadata (label → int, float or text; None for other kinds) of an asset's latest
    materialization, as the UI's own GraphQL API returns them."""
    found = ui.graphql(LATEST_MATERIALIZATION, {"path": path})["assetOrError"]["assetMaterializations"]
    if not found:
        raise DagsterUiError(f"{'/'.join(path)} has no materialization")
    entries = {
        entry["label"]: entry.get("intValue", entry.get("text", entry.get("floatValue")))
        for entry in found[0]["metadataEntries"]
    }
    return found[0]["runId"], entries


@contextmanager
def screenshot(page: Any, path: Path) -> Iterator[None]:
    """Screenshot the page when the block ends; on a failure, take it then and name it in the assertion."""
    try:
        yield
    except Exception as error:  # expect()'s AssertionError, or a Playwright timeout
        _save(page, path)
        raise AssertionError(f"{error}\nscreenshot of the page: {path}") from error
    _save(page, path)


def _save(page: Any, path: Path) -> None:
    try:
        page.screenshot(path=str(path), full_page=True)
    except Exception as error:  # the page may be gone; the test's own error matters more
        path.with_suffix(".txt").write_text(f"no screenshot: {error!r}\n", encoding="utf-8")


CHECK_EVALUATIONS = """
query($path: [String!]!) {
  assetNodeOrError(assetKey: {path: $path}) {
    ... on AssetNode {
      assetChecksOrError {
        ... on AssetChecks {
          checks { name executionForLatestMaterialization { status evaluation { description } } }
        }
      }
    }
  }
}
"""


def check_evaluations(ui: DagsterDev, path: list[str]) -> dict[str, dict[str, Any]]:
    """Each check of an asset → the status (SUCCEEDED, FAILED, ...) and description of its latest execution."""
    node = ui.graphql(CHECK_EVALUATIONS, {"path": path})["assetNodeOrError"]
    checks = node["assetChecksOrError"]["checks"]
    result = {}
    for check in checks:
        execution = check["executionForLatestMaterialization"] or {}
        evaluation = execution.get("evaluation") or {}
        result[check["name"]] = {
            "status": execution.get("status"),
            "description": evaluation.get("description"),
        }
    return result
