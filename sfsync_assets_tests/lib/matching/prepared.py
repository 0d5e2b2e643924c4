"""TEST FIXTURE: one generated company per test session, landed and staged by the real pipeline (ingest assets,
staged assets, union views), resolved once, copied by tests that write; and hand-written staged rows for small,
exact scenarios.

The identity, golden and asset tests live in three packages; each builds its fixtures from these functions,
which reuse what an earlier package already prepared in the session's base temporary directory.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_dlt import DagsterDltResource
from dagster_duckdb import DuckDBResource

from sfsync_assets.defs.ingest.salesforce import SETTINGS as SALESFORCE_SETTINGS
from sfsync_assets.defs.ingest.salesforce import salesforce_raw
from sfsync_assets.defs.quality.staged import STAGED_ASSETS
from sfsync_assets.defs.quality.unions import UNION_ASSETS
from sfsync_assets.lib.canonical.model import ORGANIZATION, PERSON, create_table_sql
from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.generator.mutate import mutate_company
from sfsync_assets.lib.generator.pipeline import org_schema
from sfsync_assets.lib.generator.salesforce_session import people_target
from sfsync_assets.lib.generator.seed_loader import seed_org
from sfsync_assets.lib.golden.matrix import load_system_of_record
from sfsync_assets.lib.golden.survivorship import build_golden
from sfsync_assets.lib.matching.resolve import resolve_identities
from sfsync_assets.lib.matching.settings import ENTITY_TYPES, load_matching_settings
from sfsync_assets_tests.defs.monitoring.support import salesforce_resource
from sfsync_assets_tests.defs.quality.company import land_company, land_directory

# SFSYNC_IDENTITY_SCALE=100000 measures the identity and golden acceptance at the size the product promises.
SCALE = int(os.environ.get("SFSYNC_IDENTITY_SCALE", "5000"))
SEED = 3


def _landed(factory: pytest.TempPathFactory) -> Path:
    """The session's company landed and staged: `<base>/identity/company` and `<base>/identity/landed.duckdb`."""
    root = factory.getbasetemp() / "identity"
    staged = root / "landed.duckdb"
    if not staged.exists():
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("DLT_DATA_DIR", str(root / "dlt"))
            company = land_company(root, SCALE, SEED)
        stage(company.warehouse)
        company.warehouse.rename(staged)
    return root


def a_day_later(company: Path, warehouse: Path, root: Path) -> Path:
    """Apply a day of business (2 % of the records) to a copy of `company` in its own systems (the Salesforce
    org through its API, the ERP database, new legacy files), then ingest it incrementally into `warehouse`
    and stage it there, as the sync cycle would; returns the copy's directory (its truth describes the day)."""
    mutated = root / "company"
    shutil.copytree(company, mutated)
    with pytest.MonkeyPatch.context() as patch, EmulatorProcess(root / "org") as emulator:
        patch.setenv("DLT_DATA_DIR", str(root / "dlt"))
        seed_org(mutated, emulator.admin, org_schema())
        mutate_company(mutated, 2.0, seed=1, target=people_target(emulator.state_dir))
        time.sleep(SALESFORCE_SETTINGS.window.settle_seconds + 0.5)  # changes younger than that are not read
        result = dg.materialize(
            [salesforce_raw],
            resources={
                "duckdb": DuckDBResource(database=str(warehouse)),
                "dlt": DagsterDltResource(),
                "salesforce": salesforce_resource(emulator),
            },
        )
        assert result.success
        land_directory(root, mutated, warehouse, salesforce=False)
    stage(warehouse)
    return mutated


def stage(warehouse: Path) -> None:
    """Materialize every staged table and the staged/person and staged/organization views."""
    result = dg.materialize(
        [*STAGED_ASSETS, *UNION_ASSETS.values()],
        resources={"duckdb": DuckDBResource(database=str(warehouse))},
    )
    assert result.success


def company_dir(factory: pytest.TempPathFactory) -> Path:
    """A company of ~5,000 source records: its files, SQLite ERP and truth."""
    return _landed(factory) / "company"


def staged_database(factory: pytest.TempPathFactory) -> Path:
    """The company's warehouse after ingest and staging: raw, staged and quality tables, no identity yet."""
    return _landed(factory) / "landed.duckdb"


def resolved_database(factory: pytest.TempPathFactory) -> Path:
    """The staged warehouse after one identity run and survivorship with the shipped models."""
    path = factory.getbasetemp() / "identity-resolved.duckdb"
    if not path.exists():
        shutil.copy(staged_database(factory), path)
        with duckdb.connect(str(path)) as connection:
            resolve_identities(connection, load_matching_settings(), "run-1")
            matrix = load_system_of_record()
            for entity_type in ENTITY_TYPES:
                build_golden(connection, entity_type, matrix, "run-1")
    return path


def copy_of(database: Path, directory: Path) -> Path:
    target = directory / "warehouse.duckdb"
    shutil.copy(database, target)
    return target


def stage_rows(connection: duckdb.DuckDBPyConnection, entity_type: str, rows: list[dict]) -> None:
    """Replace staged.<entity_type> with hand-written rows: give `source_key` ('system:object:id') and the
    fields that matter; lineage is derived and every other canonical column is empty."""
    columns = PERSON if entity_type == "person" else ORGANIZATION
    table = f"staged.{entity_type}"
    connection.execute("CREATE SCHEMA IF NOT EXISTS staged")
    connection.execute(f"DROP TABLE IF EXISTS {table}")
    connection.execute(create_table_sql(table, columns))
    for row in rows:
        system, obj, source_id = row["source_key"].split(":", 2)
        record = {
            "source_system": system,
            "source_object": obj,
            "source_id": source_id,
            "source_updated_at": "2026-01-01T00:00:00Z",
            "is_deleted": False,
            "ingest_run_id": "test",
            **row,
        }
        names = ", ".join(f'"{name}"' for name in record)
        connection.execute(
            f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' for _ in record)})", list(record.values())
        )
