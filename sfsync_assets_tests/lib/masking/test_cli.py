"""`sfsync mask` as an operator runs it: options documented, the key required, a warehouse masked in place of
copy, unknown files left out, one progress line per file."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from sfsync_assets.lib.masking.cli import mask
from sfsync_assets.lib.warehouse import sync_state
from sfsync_assets.lib.warehouse.quarantine import QuarantinedRow, quarantine

KEY_ENV = {"SFSYNC_MASK_KEY": "cli-tests-key-0123456789"}


def _run(*arguments: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(mask, list(arguments), env=KEY_ENV if env is None else env)


def test_help_explains_every_option() -> None:
    result = _run("--help")
    assert result.exit_code == 0
    for option in ("--in", "--out", "--key-env", "--erp-url", "--erp-schema"):
        assert option in result.output
    assert "consistently" in result.output and "SFSYNC_MASK_KEY" in result.output


def test_without_a_key_nothing_is_written(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jsonl").write_text('{"Email": "a@b.com"}\n')
    result = _run("--in", str(tmp_path / "in"), "--out", str(tmp_path / "out"), env={"SFSYNC_MASK_KEY": ""})
    assert result.exit_code != 0
    assert "SFSYNC_MASK_KEY" in result.output
    assert not (tmp_path / "out").exists()


def test_an_extract_is_masked_file_by_file(company: Path, tmp_path: Path) -> None:
    source = tmp_path / "extract"
    shutil.copytree(company / "salesforce", source / "salesforce")
    (source / "notes.docx").write_bytes(b"PK\x03\x04 Robert Smith, +44 20 7946 0000")
    result = _run("--in", str(source), "--out", str(tmp_path / "masked"))
    assert result.exit_code == 0, result.output
    assert "masked  salesforce/Contact.jsonl" in result.output
    assert "skipped notes.docx: left out" in result.output
    assert not (tmp_path / "masked" / "notes.docx").exists()
    again = _run("--in", str(source), "--out", str(tmp_path / "masked"))
    assert again.exit_code != 0 and "not empty" in again.output


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("CREATE SCHEMA raw_salesforce")
        connection.execute(
            "CREATE TABLE raw_salesforce.contact (id VARCHAR PRIMARY KEY, first_name VARCHAR, last_name VARCHAR, "
            "email VARCHAR, phone VARCHAR, mailing_postal_code VARCHAR, lead_source VARCHAR, phones VARCHAR[])"
        )
        connection.execute(
            "INSERT INTO raw_salesforce.contact VALUES ('003A', 'Robert', 'Smith', 'robert.smith@acme-corp.com', "
            "'+44 20 7946 0000', 'EC1A 1BB', 'Web', ['+44 20 7946 0000']), "
            "('003B', 'Bob', 'Smith', 'bob@gmail.com', NULL, NULL, 'Web', NULL)"
        )
        connection.execute("CREATE SCHEMA outbound")
        connection.execute("CREATE TABLE outbound.audit (id INTEGER, payload VARCHAR)")
        payload = json.dumps({"Email": "robert.smith@acme-corp.com", "Amount": 12.5})
        connection.execute("INSERT INTO outbound.audit VALUES (1, ?)", [payload])
        sync_state.record_window_ends(connection, {"Contact": datetime(2026, 1, 1, tzinfo=UTC)}, "run-1")
        quarantine(
            connection,
            [
                QuarantinedRow(
                    "legacy_csv",
                    "CONTACTS",
                    "CT1",
                    "EMAIL",
                    "INVALID_EMAIL",
                    "'robert.smith@acme-corp' is not an email address",
                    value="robert.smith@acme-corp",
                    raw="CT1,Robert,Smith,robert.smith@acme-corp",
                )
            ],
            "run-1",
        )
    return path


def test_a_warehouse_is_copied_and_masked_consistently(warehouse: Path, tmp_path: Path) -> None:
    result = _run("--in", str(warehouse), "--out", str(tmp_path / "masked"))
    assert result.exit_code == 0, result.output
    copy = tmp_path / "masked" / "warehouse.duckdb"
    assert stat.S_IMODE(os.stat(copy).st_mode) == 0o600
    with duckdb.connect(str(copy), read_only=True) as connection:
        rows = connection.execute("SELECT * FROM raw_salesforce.contact ORDER BY id").fetchall()
        payload = json.loads(connection.execute("SELECT payload FROM outbound.audit").fetchall()[0][0])
        value, reason, raw = connection.execute(
            "SELECT value, reason, raw FROM quality.quarantine"
        ).fetchall()[0]
        windows = connection.execute("SELECT object, run_id FROM ops.salesforce_windows").fetchall()
    robert, bob = rows
    assert robert[0] == "003A" and robert[6] == "Web" and bob[6] == "Web"
    assert robert[2] == bob[2] != "Smith"
    assert "robert" not in robert[3] and robert[3].endswith(".com")
    assert robert[4].startswith("+44 20 79") and robert[4] != "+44 20 7946 0000"
    assert robert[5].startswith("EC") and robert[5] != "EC1A 1BB"
    assert bob[3].endswith("@gmail.com") and bob[3] != "bob@gmail.com"
    assert robert[7] == [robert[4]] and bob[7] is None
    assert payload == {"Email": robert[3], "Amount": 12.5}
    assert value != "robert.smith@acme-corp" and value in reason and "Robert" not in raw
    assert windows == [("Contact", "run-1")]


def test_an_erp_database_is_masked_from_its_url(company: Path, tmp_path: Path) -> None:
    source = tmp_path / "extract"
    source.mkdir()
    url = f"sqlite:///{company / 'erp.sqlite'}"
    result = _run("--in", str(source), "--out", str(tmp_path / "masked"), "--erp-url", url)
    assert result.exit_code == 0, result.output
    assert "erp customers:" in result.output
    with (
        sqlite3.connect(company / "erp.sqlite") as before,
        sqlite3.connect(tmp_path / "masked" / "erp.sqlite") as after,
    ):
        query = "SELECT customer_id, name, email, phone FROM customers ORDER BY customer_id"
        old, new = before.execute(query).fetchall(), after.execute(query).fetchall()
    assert [row[0] for row in new] == [row[0] for row in old]
    assert all(o[1:] != n[1:] for o, n in zip(old, new, strict=True))
