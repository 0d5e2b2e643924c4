"""`sfsync forget` files a request the next cycle carries out, and refuses a request that names no one clearly."""

from __future__ import annotations

from pathlib import Path

import duckdb
from click.testing import CliRunner

from sfsync_assets.cli import main
from sfsync_assets.lib.privacy.hashing import PRIVACY_KEY_VARIABLE, IdentifierHasher

KEY = "a-privacy-key-for-tests-only"


def _env_file(tmp_path: Path, key: str = KEY) -> Path:
    path = tmp_path / ".env"
    path.write_text(
        f"SFSYNC_DUCKDB_PATH={tmp_path / 'warehouse.duckdb'}\n{PRIVACY_KEY_VARIABLE}={key}\n",
        encoding="utf-8",
    )
    return path


def test_a_queued_request_waits_in_the_warehouse_for_the_next_cycle(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SFSYNC_DUCKDB_PATH", raising=False)
    monkeypatch.delenv(PRIVACY_KEY_VARIABLE, raising=False)
    env_file = _env_file(tmp_path)

    result = CliRunner().invoke(
        main, ["forget", "--golden-id", " GP-000042 ", "--queue-only", "--env-file", str(env_file)]
    )

    assert result.exit_code == 0, result.output
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as connection:
        requests = connection.execute(
            "SELECT request_id, identifier_kind, identifier, identifier_hash, status FROM privacy.forget_requests"
        ).fetchall()
    [(request_id, kind, identifier, hashed, status)] = requests
    assert result.output.strip() == f"filed {request_id}"
    assert (kind, identifier, hashed, status) == (
        "golden_id",
        "GP-000042",
        IdentifierHasher(KEY)("gp-000042"),
        "pending",
    )


def test_a_request_must_name_one_person_clearly(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SFSYNC_DUCKDB_PATH", raising=False)
    monkeypatch.delenv(PRIVACY_KEY_VARIABLE, raising=False)
    env_file = str(_env_file(tmp_path))
    runner = CliRunner()

    both = runner.invoke(
        main, ["forget", "--email", "a@example.com", "--golden-id", "GP-1", "--env-file", env_file]
    )
    not_an_email = runner.invoke(main, ["forget", "--email", "ada", "--queue-only", "--env-file", env_file])

    assert both.exit_code == 2 and "exactly one of --email or --golden-id" in both.output
    assert not_an_email.exit_code == 2 and "email 'ada' cannot name a person" in not_an_email.output


def test_a_request_is_refused_without_the_privacy_key(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SFSYNC_DUCKDB_PATH", raising=False)
    monkeypatch.delenv(PRIVACY_KEY_VARIABLE, raising=False)
    env_file = _env_file(tmp_path, key="")

    result = CliRunner().invoke(main, ["forget", "--email", "a@example.com", "--env-file", str(env_file)])

    assert result.exit_code == 1
    assert f"environment variable {PRIVACY_KEY_VARIABLE} must hold the key" in result.output
    assert "it is unset" in result.output
    assert not (tmp_path / "warehouse.duckdb").exists()
