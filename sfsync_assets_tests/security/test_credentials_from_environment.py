"""Credentials come only from the environment: every secret and location of the deployed resources is an
`EnvVar`, no configuration file in the repository holds a secret literal, and the files that do hold secrets at
run time (`.env`, the emulator's `credentials.json`) are readable by their owner only and ignored by git."""

from __future__ import annotations

import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

import dagster as dg
import yaml

import sfsync_assets
from sfsync_assets.defs.resources import resources
from sfsync_assets.defs.salesforce_resource import SalesforceResource
from sfsync_assets.lib.emulator.auth import CREDENTIALS_FILE, OrgCredentials
from sfsync_assets.lib.runtime.environment import write_env_file

REPOSITORY = Path(sfsync_assets.__file__).parent.parent
SECRET_FIELDS = ("username", "password", "security_token", "consumer_key", "consumer_secret")
SECRET_KEY = re.compile(r"pass(word)?|secret|token|api[_-]?key|private[_-]?key|credential", re.IGNORECASE)
# Shapes of live secrets: Salesforce session ids and connected-app keys, PEM private keys, long random strings.
SECRET_VALUE = re.compile(
    r"00D\w{12,15}!|3MVG9\w{20,}|-----BEGIN [A-Z ]*PRIVATE KEY-----|[A-Za-z0-9+/=_-]{32,}"
)


def _looks_random(text: str) -> bool:
    """Mixed case and digits: what generated keys look like, and paths or identifiers do not."""
    return text.startswith(("00D", "3MVG9", "-----")) or all(
        any(check(ch) for ch in text) for check in (str.isdigit, str.isupper, str.islower)
    )


def test_every_secret_and_location_of_the_resources_is_an_env_var() -> None:
    deployed = resources().resources
    salesforce = deployed["salesforce"]
    assert isinstance(salesforce, SalesforceResource)
    configured = {name: getattr(salesforce, name) for name in (*SECRET_FIELDS, "domain", "ca_bundle")}
    assert {name: type(value).__name__ for name, value in configured.items()} == dict.fromkeys(
        configured, "EnvVar"
    )
    assert all(value.env_var_name.startswith("SFSYNC_SF_") for value in configured.values())
    assert isinstance(deployed["duckdb"].database, dg.EnvVar)
    assert isinstance(deployed["erp"].url, dg.EnvVar)


def test_the_resource_class_has_no_secret_defaults() -> None:
    defaults = {name: SalesforceResource.model_fields[name].default for name in SECRET_FIELDS}
    assert defaults == dict.fromkeys(SECRET_FIELDS, "")


def _config_files() -> list[Path]:
    files = [REPOSITORY / name for name in ("workspace.yaml", "dagster.yaml", "pyproject.toml", "Makefile")]
    files += sorted((REPOSITORY / "sfsync_assets").rglob("*.yaml")) + sorted(
        (REPOSITORY / "sfsync_assets").rglob("*.toml")
    )
    return [path for path in files if path.exists()]


def _secret_entries(document: Any, where: str = "") -> list[str]:
    if isinstance(document, dict):
        found = []
        for key, value in document.items():
            here = f"{where}.{key}"
            if SECRET_KEY.search(str(key)) and isinstance(value, str | int) and str(value).strip():
                found.append(here)
            found += _secret_entries(value, here)
        return found
    if isinstance(document, list):
        return [
            entry
            for index, item in enumerate(document)
            for entry in _secret_entries(item, f"{where}[{index}]")
        ]
    return []


def test_no_configuration_file_holds_a_secret() -> None:
    found = {}
    for path in _config_files():
        text = path.read_text(encoding="utf-8")
        if path.suffix in (".yaml", ".yml"):
            entries = [entry for document in yaml.safe_load_all(text) for entry in _secret_entries(document)]
        elif path.suffix == ".toml":
            entries = _secret_entries(tomllib.loads(text))
        else:
            entries = []
        entries += [match.group() for match in SECRET_VALUE.finditer(text) if _looks_random(match.group())]
        if entries:
            found[str(path.relative_to(REPOSITORY))] = entries
    assert len(_config_files()) >= 10
    assert found == {}


def test_files_holding_secrets_at_run_time_are_private_and_ignored(tmp_path: Path) -> None:
    write_env_file({"SFSYNC_SF_PASSWORD": "x"}, tmp_path / ".env")
    OrgCredentials.load_or_create(tmp_path)
    for path in (tmp_path / ".env", tmp_path / CREDENTIALS_FILE):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path.name
    ignored = (REPOSITORY / ".gitignore").read_text(encoding="utf-8").split()
    assert ".env" in ignored and "data/*" in ignored


def test_the_check_finds_what_it_looks_for() -> None:
    planted = yaml.safe_load("salesforce:\n  password: hunter2\n  security_token: ''\n")
    assert _secret_entries(planted) == [".salesforce.password"]
    assert _looks_random("aB3" * 12) and not _looks_random("staged/legacy_csv/customer_primary_contact")
