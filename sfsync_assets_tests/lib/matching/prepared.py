"""TEST FIXTURE: one generated company per test session, staged and resolved once, copied by tests that write;
and hand-written staged rows for small, exact scenarios.

The identity, golden and asset tests live in three packages; each builds its fixtures from these functions,
which reuse what an earlier package already prepared in the session's base temporary directory.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from sfsync_assets.lib.canonical.model import ORGANIZATION, PERSON, create_table_sql
from sfsync_assets.lib.generator.pipeline import GenerateConfig, generate_company
from sfsync_assets.lib.golden.matrix import load_system_of_record
from sfsync_assets.lib.golden.survivorship import build_golden
from sfsync_assets.lib.matching.resolve import resolve_identities
from sfsync_assets.lib.matching.settings import ENTITY_TYPES, load_matching_settings

from .generated_company import stage_company

SCALE = 10_000
SEED = 3


def company_dir(factory: pytest.TempPathFactory) -> Path:
    """A company of ~10,000 source records (files and SQLite ERP only)."""
    directory = factory.getbasetemp() / "identity-company"
    if not (directory / "truth" / "manifest.json").exists():
        generate_company(GenerateConfig(out_dir=directory, scale=SCALE, seed=SEED))
    return directory


def staged_database(factory: pytest.TempPathFactory) -> Path:
    """A warehouse holding only staged.person / staged.organization (and the quarantine) of the company."""
    path = factory.getbasetemp() / "identity-staged.duckdb"
    if not path.exists():
        with duckdb.connect(str(path)) as connection:
            stage_company(company_dir(factory), connection)
    return path


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
