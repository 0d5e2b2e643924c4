"""A password and security token planted in the environment never show up anywhere the product writes or says:
not in logs or console output, not in Dagster's run and event storage, not in materialization metadata, not in
the DuckDB warehouse (every schema and table), not in exception messages and tracebacks, not in dlt's working
files — on a real ingest run against the emulator and on a run whose login is refused."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from sfsync_assets.defs.ingest import salesforce as ingest
from sfsync_assets.defs.resources import resources
from sfsync_assets.lib.emulator.auth import OrgCredentials
from sfsync_assets.lib.emulator.process import EmulatorProcess

PASSWORD = "Planted-Pw-3f9c2a7e51d0"
TOKEN = "PlantedTok9b8e7d6c5a4f"
WRONG_PASSWORD = "Wrong-Planted-Pw-77aa19c4"
SECRETS = (PASSWORD, TOKEN, WRONG_PASSWORD)


@pytest.fixture
def planted_org(tmp_path: Path):
    """An org whose integration user has the planted password and token."""
    state_dir = tmp_path / "org"
    state_dir.mkdir()
    credentials = OrgCredentials.load_or_create(state_dir)
    credentials.password, credentials.security_token = PASSWORD, TOKEN
    credentials.save(state_dir)
    with EmulatorProcess(state_dir) as emulator:
        emulator.admin.seed(
            "Account", [{"Name": f"Leak check {n}", "Phone": "+44 20 7946 0000"} for n in range(30)]
        )
        yield emulator


@pytest.fixture
def workspace(tmp_path: Path, planted_org: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The environment a deployment runs with (as `.env` would set it), everything written under one folder."""
    home = tmp_path / "deployment"
    home.mkdir()
    settings = {
        "SFSYNC_DUCKDB_PATH": str(home / "warehouse.duckdb"),
        "SFSYNC_SF_DOMAIN": planted_org.info.login_domain,
        "SFSYNC_SF_USERNAME": planted_org.credentials.username,
        "SFSYNC_SF_PASSWORD": PASSWORD,
        "SFSYNC_SF_SECURITY_TOKEN": TOKEN,
        "SFSYNC_SF_CONSUMER_KEY": "",
        "SFSYNC_SF_CONSUMER_SECRET": "",
        "SFSYNC_SF_CA_BUNDLE": planted_org.info.ca_file,
        "SFSYNC_ERP_URL": f"sqlite:///{home / 'erp.sqlite'}",
        "SFSYNC_INBOUND_DIR": str(home / "inbound"),
        "DLT_DATA_DIR": str(home / "dlt"),
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    return home


def _materialize(home: Path) -> tuple[dg.ExecuteInProcessResult, list[str]]:
    """Run the Salesforce ingest with the resources exactly as `defs/resources.py` declares them, on an instance
    whose storage lives in `home`; returns the result and every error text (message, cause chain, traceback)."""
    (home / "dagster_home").mkdir(exist_ok=True)
    with dg.instance_for_test(temp_dir=str(home / "dagster_home")) as instance:
        result = dg.materialize(
            [ingest.salesforce_raw], resources=resources().resources, instance=instance, raise_on_error=False
        )
        errors = [event.step_failure_data.error.to_string() for event in result.get_step_failure_events()]
        events = [repr(event) for event in result.all_events]
        records = instance.get_records_for_run(result.run_id).records
        stored = [repr(record.event_log_entry) for record in records]
        run = repr(instance.get_run_by_id(result.run_id))
    return result, [*errors, *events, *stored, run]


def _warehouse_text(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as connection:
        tables = connection.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
        ).fetchall()
        assert {schema for schema, _ in tables} >= {"raw_salesforce", "ops"}
        return "\n".join(
            repr(connection.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall())
            for schema, table in tables
        )


def _files_text(home: Path) -> str:
    """Every file the run left behind (Dagster storage, compute logs, dlt state), as bytes read leniently."""
    return "\n".join(
        path.read_bytes().decode("utf-8", "replace") for path in home.rglob("*") if path.is_file()
    )


def _assert_nowhere(texts: list[str]) -> None:
    for secret in SECRETS:
        found = [text[:200] for text in texts if secret in text]
        assert found == [], f"{secret} leaked into: {found}"


def test_a_real_ingest_run_leaks_no_credential(
    workspace: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    result, run_texts = _materialize(workspace)
    assert result.success
    metadata = [repr(event.materialization.metadata) for event in result.get_asset_materialization_events()]
    assert any("rows_read" in text for text in metadata)
    output = capfd.readouterr()
    _assert_nowhere(
        [
            *run_texts,
            *metadata,
            caplog.text,
            output.out,
            output.err,
            _warehouse_text(workspace / "warehouse.duckdb"),
            _files_text(workspace),
        ]
    )


def test_a_refused_login_leaks_neither_the_wrong_nor_the_right_credential(
    workspace: Path,
    planted_org: EmulatorProcess,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SFSYNC_SF_PASSWORD", WRONG_PASSWORD)
    result, run_texts = _materialize(workspace)
    assert not result.success
    assert any("INVALID_LOGIN" in text for text in run_texts)  # the failure says why, without the secret
    output = capfd.readouterr()
    emulator_log = (planted_org.state_dir / "emulator.log").read_text(encoding="utf-8", errors="replace")
    _assert_nowhere([*run_texts, caplog.text, output.out, output.err, emulator_log, _files_text(workspace)])
    assert os.environ["SFSYNC_SF_PASSWORD"] == WRONG_PASSWORD
