"""Staging keeps a Salesforce record's change time at the last edit someone other than sfsync made."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from sfsync_assets.lib.mapping.spec import MAPPINGS_DIR, load_mapping
from sfsync_assets.lib.mapping.staging import stage_source
from sfsync_assets.lib.salesforce.integration_user import IntegrationUser, record_integration_user

SFSYNC, PERSON = "005000000000001AAA", "005000000000002AAA"
CREATED, EDITED, STAMPED, EDITED_AGAIN = (datetime(2026, 1, day, tzinfo=UTC) for day in (1, 5, 9, 12))
MAPPING = load_mapping(MAPPINGS_DIR / "salesforce__account.yaml")


@pytest.fixture
def connection(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        connection.execute("CREATE SCHEMA raw_salesforce")
        connection.execute(
            "CREATE TABLE raw_salesforce.account (id VARCHAR, name VARCHAR, is_deleted BOOLEAN, "
            "created_date TIMESTAMPTZ, last_modified_date TIMESTAMPTZ, last_modified_by_id VARCHAR)"
        )
        yield connection


def land(connection, record_id: str, modified_at: datetime, modified_by: str) -> None:
    connection.execute("DELETE FROM raw_salesforce.account WHERE id = ?", [record_id])
    connection.execute(
        "INSERT INTO raw_salesforce.account VALUES (?, 'Acme', false, ?, ?, ?)",
        [record_id, CREATED, modified_at, modified_by],
    )


def staged_updated_at(connection, run_id: str) -> dict[str, datetime]:
    stage_source(connection, MAPPING, run_id)
    rows = connection.execute("SELECT source_id, source_updated_at FROM staged.salesforce_account").fetchall()
    return {source_id: updated_at.astimezone(UTC) for source_id, updated_at in rows}


def test_a_write_of_sfsync_keeps_the_earlier_change_time_and_a_later_edit_moves_it(connection) -> None:
    record_integration_user(connection, IntegrationUser(SFSYNC, "00D", "sfsync@x"), "ingest-1")
    land(connection, "001A", EDITED, PERSON)
    assert staged_updated_at(connection, "run-1") == {"001A": EDITED}

    land(connection, "001A", STAMPED, SFSYNC)
    assert staged_updated_at(connection, "run-2") == {"001A": EDITED}
    assert staged_updated_at(connection, "run-3") == {"001A": EDITED}

    land(connection, "001A", EDITED_AGAIN, PERSON)
    assert staged_updated_at(connection, "run-4") == {"001A": EDITED_AGAIN}


def test_a_record_only_sfsync_changed_and_not_staged_before_takes_its_creation_time(connection) -> None:
    record_integration_user(connection, IntegrationUser(SFSYNC, "00D", "sfsync@x"), "ingest-1")
    land(connection, "001B", STAMPED, SFSYNC)
    assert staged_updated_at(connection, "run-1") == {"001B": CREATED}


def test_without_a_recorded_integration_user_every_change_counts(connection) -> None:
    land(connection, "001C", STAMPED, SFSYNC)
    assert staged_updated_at(connection, "run-1") == {"001C": STAMPED}
