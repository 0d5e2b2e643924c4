"""The environment a local deployment runs with: where the warehouse, ERP and drop folder are, and how to reach
Salesforce. Written once to `.env` (never committed), read by `sfsync sync`, `dagster dev` and the demo.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from ..emulator.auth import OrgCredentials
from ..emulator.server import ServerInfo
from ..privacy.hashing import PRIVACY_KEY_VARIABLE, new_privacy_key

ENV_FILE = Path(".env")
REPOSITORY_DAGSTER_YAML = Path(__file__).resolve().parents[3] / "dagster.yaml"


def emulator_environment(state_dir: Path, data_dir: Path, erp_url: str, inbound_dir: Path) -> dict[str, str]:
    """Settings that point the product at a local emulator, with its integration user's credentials and a new
    privacy key (a deployment keeps its key for good: see `demo.py`)."""
    credentials = OrgCredentials.load(state_dir)
    info = ServerInfo.load(state_dir)
    return {
        "SFSYNC_DUCKDB_PATH": str((data_dir / "warehouse.duckdb").resolve()),
        "SFSYNC_ERP_URL": erp_url,
        "SFSYNC_INBOUND_DIR": str(inbound_dir.resolve()),
        "SFSYNC_SF_DOMAIN": info.login_domain,
        "SFSYNC_SF_USERNAME": credentials.username,
        "SFSYNC_SF_PASSWORD": credentials.password,
        "SFSYNC_SF_SECURITY_TOKEN": credentials.security_token,
        "SFSYNC_SF_CONSUMER_KEY": "",
        "SFSYNC_SF_CONSUMER_SECRET": "",
        "SFSYNC_SF_CA_BUNDLE": info.ca_file,
        PRIVACY_KEY_VARIABLE: new_privacy_key(),
        "DAGSTER_HOME": str((data_dir / "dagster_home").resolve()),
        "DLT_DATA_DIR": str((data_dir / "dlt").resolve()),
    }


def write_env_file(values: dict[str, str], path: Path = ENV_FILE) -> None:
    """Write `.env` readable by its owner only: it holds credentials."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("# Written by `sfsync demo`: local settings and secrets. Never commit this file.\n")
        for key, value in values.items():
            handle.write(f"{key}={value}\n")


def read_env_file(path: Path = ENV_FILE) -> dict[str, str]:
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: run `sfsync demo` or write the SFSYNC_* settings into it")
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def process_environment(values: dict[str, str]) -> dict[str, str]:
    """The current environment plus `values`; SFSYNC_* variables already set in the shell win over the file."""
    merged = {**os.environ, **values}
    merged.update({k: v for k, v in os.environ.items() if k.startswith("SFSYNC_")})
    return merged


def prepare_dagster_home(environment: Mapping[str, str]) -> Path:
    """The deployment's Dagster home, with the repository's instance settings (pools, run limits, no telemetry)
    and its storage already created: two processes or threads opening a new home at once would both create the
    SQLite run storage and its migration history ('more than one head')."""
    import dagster as dg

    home = Path(environment["DAGSTER_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(REPOSITORY_DAGSTER_YAML.read_text(encoding="utf-8"), encoding="utf-8")
    with dg.DagsterInstance.from_config(str(home)) as instance:
        instance.get_runs(limit=1)
    return home
