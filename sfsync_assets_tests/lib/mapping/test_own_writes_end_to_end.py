"""End to end against the emulator: sfsync stamping one of two duplicate Accounts does not flip the entity's
golden Name to that Account's never-edited Name; a person editing it does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_dlt import DagsterDltResource
from dagster_duckdb import DuckDBResource

from sfsync_assets.defs.ingest import salesforce as ingest
from sfsync_assets.lib.canonical.model import ORGANIZATION
from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.emulator.values import format_datetime
from sfsync_assets.lib.generator.salesforce_session import session_of
from sfsync_assets.lib.golden.matrix import load_system_of_record
from sfsync_assets.lib.golden.survivorship import build_golden
from sfsync_assets.lib.mapping.spec import MAPPINGS_DIR, load_mapping
from sfsync_assets.lib.mapping.staged_tables import replace_union_view
from sfsync_assets.lib.mapping.staging import stage_source
from sfsync_assets.lib.matching.resolve import resolve_identities
from sfsync_assets.lib.matching.settings import load_matching_settings
from sfsync_assets_tests.defs.monitoring.support import salesforce_resource
from sfsync_assets_tests.lib.matching.prepared import stage_rows

EVERYTHING = {"ops": {"salesforce_raw": {"config": {"backfill_start": "2020-01-01T00:00:00+00:00"}}}}


def cycle(emulator: EmulatorProcess, warehouse: Path, run: str) -> dict[str, str]:
    """Ingest every Account, stage them, resolve and build golden records; the entity's golden values."""
    dg.materialize(
        [ingest.salesforce_raw],
        resources={
            "duckdb": DuckDBResource(database=str(warehouse)),
            "dlt": DagsterDltResource(),
            "salesforce": salesforce_resource(emulator),
        },
        run_config=EVERYTHING,
    )
    with duckdb.connect(str(warehouse)) as connection:
        stage_source(connection, load_mapping(MAPPINGS_DIR / "salesforce__account.yaml"), run)
        replace_union_view(connection, "staged.organization", ["staged.salesforce_account"], ORGANIZATION)
        stage_rows(connection, "person", [])
        resolve_identities(connection, load_matching_settings(), run)
        build_golden(connection, "organization", load_system_of_record(), run)
        rows = connection.execute('SELECT golden_id, "Name" FROM golden.organization').fetchall()
    assert len(rows) == 1, f"the two Accounts should be one entity, got {rows}"
    return {"golden_id": rows[0][0], "Name": rows[0][1]}


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt"))
    return tmp_path / "warehouse.duckdb"


def test_a_stamp_of_sfsync_does_not_flip_the_golden_name_and_a_person_edit_does(
    fresh_emulator: EmulatorProcess, warehouse: Path
) -> None:
    admin = fresh_emulator.admin
    (person,) = admin.seed(
        "User", [{"Username": "pat@acme.example", "LastName": "Pat", "Email": "pat@acme.example"}]
    )
    now = datetime.now(UTC)

    def account(name: str, edited_days_ago: int) -> dict[str, str]:
        edited = format_datetime(now - timedelta(days=edited_days_ago))
        return {
            "Name": name,
            "Website": "https://www.acme.com",
            "Phone": "+1 212 555 0100",
            "BillingCity": "New York",
            "CreatedDate": format_datetime(now - timedelta(days=60)),
            "CreatedById": person,
            "LastModifiedDate": edited,
            "LastModifiedById": person,
            "SystemModstamp": edited,
        }

    older, _ = admin.seed("Account", [account("Acme Inc.", 30), account("ACME Incorporated", 10)])
    first = cycle(fresh_emulator, warehouse, "run-1")
    assert first["Name"] == "ACME Incorporated"

    fresh_emulator.salesforce().Account.update(older, {"Golden_Id__c": first["golden_id"]})
    assert cycle(fresh_emulator, warehouse, "run-2")["Name"] == "ACME Incorporated"

    session_of(person, fresh_emulator.state_dir).Account.update(older, {"Name": "Acme, Inc."})
    assert cycle(fresh_emulator, warehouse, "run-3")["Name"] == "Acme, Inc."
