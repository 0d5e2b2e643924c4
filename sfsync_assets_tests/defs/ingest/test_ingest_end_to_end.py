"""Every source of a generated company lands in DuckDB, and after a day of business the next run reads only the
changes and the warehouse equals the sources again, record by record.

Scale comes from SFSYNC_E2E_SCALE (default 10,000 source records, so the suite stays fast; run it at 100,000
to reproduce the acceptance figure)."""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import sqlalchemy as sa
from dagster_dlt import DagsterDltResource
from dagster_duckdb import DuckDBResource

from sfsync_assets.defs.ingest import erp as erp_ingest
from sfsync_assets.defs.ingest import salesforce as sf_ingest
from sfsync_assets.defs.salesforce_resource import SalesforceResource
from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.generator.mutate import mutate_company
from sfsync_assets.lib.generator.salesforce_session import people_target
from sfsync_assets.lib.runtime.seeding import ensure_company

SCALE = int(os.environ.get("SFSYNC_E2E_SCALE", "10000"))
OBJECTS = sf_ingest.SETTINGS.objects


def _run(emulator: EmulatorProcess, warehouse: Path, erp_url: str) -> dict[str, dict]:
    credentials = emulator.credentials
    resources = {
        "duckdb": DuckDBResource(database=str(warehouse)),
        "dlt": DagsterDltResource(),
        "salesforce": SalesforceResource(
            domain=emulator.info.login_domain,
            username=credentials.username,
            password=credentials.password,
            security_token=credentials.security_token,
            ca_bundle=emulator.info.ca_file,
        ),
        "erp": erp_ingest.ErpDatabaseResource(url=erp_url),
    }
    result = dg.materialize([sf_ingest.salesforce_raw, erp_ingest.erp_raw], resources=resources)
    return {
        "/".join(event.materialization.asset_key.path[1:]): {
            key: value.value for key, value in event.materialization.metadata.items()
        }
        for event in result.get_asset_materialization_events()
    }


def _salesforce_matches(emulator: EmulatorProcess, warehouse: Path) -> None:
    sf = emulator.salesforce()
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for name in OBJECTS:
            org = {
                r["Id"]: (r["SystemModstamp"][:23], r["IsDeleted"])
                for r in sf.query_all(
                    f"SELECT Id, SystemModstamp, IsDeleted FROM {name}", include_deleted=True
                )["records"]
            }
            rows = connection.execute(
                "SELECT id, strftime(system_modstamp AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%g'), is_deleted "
                f"FROM raw_salesforce.{sf_ingest.table_name(name)}"
            ).fetchall()
            raw = {row[0]: (row[1], row[2]) for row in rows}
            assert raw == org, f"{name}: warehouse and org differ"


def _moment(value: object) -> datetime:
    return datetime.fromisoformat(str(value)).replace(tzinfo=None)


def _erp_matches(erp_url: str, warehouse: Path) -> None:
    engine = sa.create_engine(erp_url)
    with duckdb.connect(str(warehouse), read_only=True) as connection, engine.connect() as source:
        for table, spec in erp_ingest.SETTINGS.tables.items():
            columns = ", ".join([*spec.primary_key, spec.cursor_column])
            expected = {
                (*map(str, row[:-1]), _moment(row[-1]))
                for row in source.execute(sa.text(f"SELECT {columns} FROM {table}"))
            }
            actual = {
                (*map(str, row[:-1]), _moment(row[-1]))
                for row in connection.execute(f"SELECT {columns} FROM raw_erp.{table}").fetchall()
            }
            assert actual == expected, (
                f"{table}: {len(actual ^ expected)} rows differ between the ERP and raw"
            )


@pytest.mark.slow
def test_full_then_incremental_load_equals_the_sources(
    fresh_emulator: EmulatorProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt"))
    company = tmp_path / "company"
    ensure_company(company, fresh_emulator.state_dir, SCALE, 7, lambda line: None)
    erp_url = f"sqlite:///{company / 'erp.sqlite'}"
    warehouse = tmp_path / "warehouse.duckdb"
    time.sleep(sf_ingest.SETTINGS.window.settle_seconds + 0.5)

    first = _run(fresh_emulator, warehouse, erp_url)
    _salesforce_matches(fresh_emulator, warehouse)
    _erp_matches(erp_url, warehouse)
    full_reads = sum(m.get("rows_read", 0) for m in first.values())

    mutate_company(company, 1.0, seed=3, erp_url=erp_url, target=people_target(fresh_emulator.state_dir))
    time.sleep(sf_ingest.SETTINGS.window.settle_seconds + 0.5)

    second = _run(fresh_emulator, warehouse, erp_url)
    _salesforce_matches(fresh_emulator, warehouse)
    _erp_matches(erp_url, warehouse)
    delta_reads = sum(m.get("rows_read", 0) for m in second.values())
    # A day of 1 % changes (plus the lookback's overlap) reads a small fraction of a full load.
    assert 0 < delta_reads < full_reads * 0.1, (delta_reads, full_reads)
