"""SOQL values are escaped: record ids reach the reader's query from run config (`record_ids`, which anyone who
can launch a run sets) and from the change feed. An injection attempt must select nothing and reach the
emulator's SOQL engine as one string literal, which the engine then refuses as an id, as Salesforce does."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_dlt import DagsterDltResource
from dagster_duckdb import DuckDBResource

from sfsync_assets.defs.ingest import salesforce as ingest
from sfsync_assets.defs.salesforce_resource import SalesforceResource
from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.salesforce.reader import SalesforceReader, SalesforceReadError
from sfsync_assets.lib.salesforce.shapes import FieldShape, ObjectShape

ATTACK = "x' OR Name != '"
ACCOUNT = ObjectShape("Account", (FieldShape("Id", "id"), FieldShape("Name", "string")))


def test_an_injected_record_id_selects_nothing(
    fresh_emulator: EmulatorProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt"))
    fresh_emulator.admin.seed("Account", [{"Name": f"Victim {n}"} for n in range(5)])
    credentials, warehouse = fresh_emulator.credentials, tmp_path / "warehouse.duckdb"
    result = dg.materialize(
        [ingest.salesforce_raw],
        selection=[ingest.asset_key("Account")],
        resources={
            "duckdb": DuckDBResource(database=str(warehouse)),
            "dlt": DagsterDltResource(),
            "salesforce": SalesforceResource(
                domain=fresh_emulator.info.login_domain,
                username=credentials.username,
                password=credentials.password,
                security_token=credentials.security_token,
                ca_bundle=fresh_emulator.info.ca_file,
            ),
        },
        run_config={"ops": {"salesforce_raw": {"config": {"record_ids": {"Account": [ATTACK]}}}}},
        raise_on_error=False,
    )
    assert not result.success  # the org refuses the query; nothing is read
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw_salesforce'"
        ).fetchall()
        loaded = (
            connection.execute("SELECT count(*) FROM raw_salesforce.account").fetchall()[0][0]
            if tables
            else 0
        )
    assert loaded == 0


def test_an_injected_record_id_reaches_the_engine_as_one_literal(emulator: EmulatorProcess) -> None:
    with pytest.raises(SalesforceReadError, match="invalid ID field") as refused:
        SalesforceReader(emulator.salesforce()).open_ids(ACCOUNT, [ATTACK])
    assert ATTACK in str(refused.value)
