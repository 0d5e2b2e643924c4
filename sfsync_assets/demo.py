"""`make demo`: from a fresh clone to a synced company you can browse, in one command.

Starts the emulator (or reuses the one already serving the state dir), generates the demo company into it the
first time, writes `.env`, runs one full sync cycle headless with a summary, then serves the Dagster UI with
sensors and automation running, so the next change in the org or a file dropped in the inbound folder syncs by
itself. Ctrl-C stops everything it started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .cycle import run_cycle
from .lib.emulator.admin_client import is_serving
from .lib.emulator.process import EmulatorProcess
from .lib.emulator.server import ServerInfo
from .lib.privacy.hashing import PRIVACY_KEY_VARIABLE
from .lib.runtime.environment import (
    ENV_FILE,
    emulator_environment,
    prepare_dagster_home,
    process_environment,
    read_env_file,
    write_env_file,
)
from .lib.runtime.seeding import ensure_company
from .lib.runtime.summary import summary

_UI_STOP_SECONDS = 30


@dataclass
class DemoSettings:
    data_dir: Path = Path("data")
    port: int = 8443
    scale: int = 10_000
    seed: int = 42
    ui: bool = True
    ui_port: int = 3000

    @property
    def state_dir(self) -> Path:
        return self.data_dir / "emulator"

    @property
    def company_dir(self) -> Path:
        return self.data_dir / "demo"


def _running_emulator(state_dir: Path) -> bool:
    try:
        info = ServerInfo.load(state_dir)
    except FileNotFoundError:
        return False
    return is_serving(info.base_url, info.ca_file)


def _kept_privacy_key() -> dict[str, str]:
    """The privacy key `.env` already holds: tombstones written under it are only recognised with the same key."""
    kept = read_env_file().get(PRIVACY_KEY_VARIABLE) if ENV_FILE.exists() else None
    return {PRIVACY_KEY_VARIABLE: kept} if kept else {}


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_demo(settings: DemoSettings, echo: Callable[[str], None] = print) -> None:
    # Ctrl-C and a plain `kill` both end the demo cleanly, even when a shell without job control started it with
    # SIGINT ignored; children then inherit default handlers instead of an ignored SIGINT.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.data_dir.chmod(0o700)  # the warehouse and Dagster's storage hold personal data
    emulator = None
    if _running_emulator(settings.state_dir):
        echo(f"using the emulator already serving {settings.state_dir}")
    else:
        echo(f"starting the Salesforce emulator on https://127.0.0.1:{settings.port}")
        emulator = EmulatorProcess(
            settings.state_dir, port=settings.port, log_file=settings.data_dir / "emulator.log"
        ).start()
    try:
        ensure_company(settings.company_dir, settings.state_dir, settings.scale, settings.seed, echo)
        environment = emulator_environment(
            settings.state_dir,
            settings.data_dir,
            f"sqlite:///{(settings.company_dir / 'erp.sqlite').resolve()}",
            settings.company_dir / "inbound",
        )
        environment.update(_kept_privacy_key())
        write_env_file(environment)
        environment = process_environment(environment)
        os.environ.update(environment)
        prepare_dagster_home(environment)
        run_cycle(echo)
        echo("\nwhat landed where:")
        for table, rows in summary(Path(environment["SFSYNC_DUCKDB_PATH"])):
            echo(f"  {table:50} {rows:>12,}")
        if settings.ui:
            serve_ui(environment, settings.ui_port, echo)
    finally:
        if emulator is not None:
            emulator.stop()


def serve_ui(environment: dict[str, str], port: int, echo: Callable[[str], None]) -> None:
    """`dagster dev` in its own process group, stopped with the demo on Ctrl-C."""
    command = [
        str(Path(sys.executable).with_name("dagster")),
        "dev",
        "-w",
        "workspace.yaml",
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
    ]
    echo(f"\nDagster UI on http://127.0.0.1:{port} (sensors and automation running); Ctrl-C stops everything")
    ui = subprocess.Popen(command, env=environment, start_new_session=True)
    try:
        ui.wait()
    except KeyboardInterrupt:
        echo("stopping the UI and the emulator")
    finally:
        if ui.poll() is None:
            os.killpg(ui.pid, signal.SIGTERM)
            try:
                ui.wait(timeout=_UI_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(ui.pid, signal.SIGKILL)
