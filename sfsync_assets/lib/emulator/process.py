"""Run an emulator as a separate process: what tests, the demo and benchmarks use to get a real server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

from simple_salesforce import Salesforce

from ..salesforce.connection import ConnectionSettings, connect
from .admin_client import EmulatorAdmin, is_serving
from .auth import OrgCredentials
from .server import SERVER_FILE, ServerInfo

_STARTUP_TIMEOUT_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class EmulatorProcess:
    """`sfsync emulator serve` in a child process; stopped (SIGTERM, then SIGKILL) on exit."""

    def __init__(
        self,
        state_dir: Path,
        port: int | None = None,
        extra_args: tuple[str, ...] = (),
        log_file: Path | None = None,
    ) -> None:
        self.state_dir = Path(state_dir)
        self.port = port or free_port()
        self.extra_args = extra_args
        self.log_file = log_file or self.state_dir / "emulator.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> EmulatorProcess:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        (self.state_dir / SERVER_FILE).unlink(missing_ok=True)
        command = [
            sys.executable,
            "-m",
            "sfsync_assets.cli",
            "emulator",
            "serve",
            "--port",
            str(self.port),
            "--state-dir",
            str(self.state_dir),
            *self.extra_args,
        ]
        with open(self.log_file, "ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=os.environ.copy()
            )
        deadline = time.monotonic() + _STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"emulator exited with {self.process.returncode}; see {self.log_file}")
            if (self.state_dir / SERVER_FILE).exists():
                info = ServerInfo.load(self.state_dir)
                if is_serving(info.base_url, info.ca_file):
                    return self
            time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"emulator did not answer within {_STARTUP_TIMEOUT_SECONDS}s; see {self.log_file}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def info(self) -> ServerInfo:
        return ServerInfo.load(self.state_dir)

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def credentials(self) -> OrgCredentials:
        return OrgCredentials.load(self.state_dir)

    @property
    def admin(self) -> EmulatorAdmin:
        return EmulatorAdmin.from_state_dir(self.state_dir)

    def connection_settings(self, client_id: str = "sfsync") -> ConnectionSettings:
        credentials = self.credentials
        return ConnectionSettings(
            domain=self.info.login_domain,
            username=credentials.username,
            password=credentials.password,
            security_token=credentials.security_token,
            ca_bundle=self.info.ca_file,
            client_id=client_id,
        )

    def salesforce(self, client_id: str = "sfsync") -> Salesforce:
        """A simple-salesforce client logged in over SOAP as the integration user."""
        return connect(self.connection_settings(client_id))
