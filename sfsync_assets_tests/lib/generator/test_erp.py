"""The ERP database on SQLite and PostgreSQL: tables, keys, integer phones, timestamps, counts."""

from __future__ import annotations

import secrets
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import OperationalError

from sfsync_assets.lib.generator.erp import TABLES
from sfsync_assets.lib.generator.pipeline import GenerateConfig, generate_company
from sfsync_assets.lib.generator.vocab import ROLE_CODES

POSTGRES_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"


def test_sqlite_erp_matches_the_manifest(company: Path, manifest: dict[str, Any]) -> None:
    connection = sqlite3.connect(company / "erp.sqlite")
    for table in TABLES:
        assert (
            connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            == manifest["counts"]["erp"][table]
        )
        assert connection.execute(f"SELECT COUNT(*) FROM {table} WHERE updated_at IS NULL").fetchone()[0] == 0
    types = {
        row[0]
        for row in connection.execute(
            "SELECT typeof(phone) FROM customers UNION SELECT typeof(phone) FROM customer_contacts"
        )
    }
    assert types <= {"integer", "null"} and "integer" in types
    roles = {row[0] for row in connection.execute("SELECT role_code FROM customer_contacts")}
    assert roles <= {code for code, _ in ROLE_CODES} and "Acct Mgr" in roles
    first_rate, first_order = connection.execute(
        "SELECT (SELECT MIN(rate_date) FROM currency_rates), (SELECT MIN(order_date) FROM orders)"
    ).fetchone()
    assert first_rate <= first_order
    currencies = {row[0] for row in connection.execute("SELECT DISTINCT currency FROM invoices")}
    assert {"USD", "EUR", "JPY"} <= currencies
    connection.close()


def test_postgresql_erp_in_its_own_schema(tmp_path: Path) -> None:
    schema = "gen_" + secrets.token_hex(4)
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as error:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {error}")
    try:
        manifest = generate_company(
            GenerateConfig(
                out_dir=tmp_path / "pg", scale=5_000, seed=5, erp_url=POSTGRES_URL, erp_schema=schema
            )
        )
        with engine.connect() as connection:
            for table in TABLES:
                count = connection.execute(text(f'SELECT COUNT(*) FROM "{schema}".{table}')).scalar()
                assert count == manifest["counts"]["erp"][table]
            lost = connection.execute(
                text(
                    f'SELECT COUNT(*) FROM "{schema}".customers c JOIN "{schema}".addresses a '
                    "ON a.customer_id = c.customer_id AND a.address_type = 'BILL' "
                    "WHERE a.country_code = 'GB' AND CAST(c.phone AS TEXT) NOT LIKE '44%'"
                )
            ).scalar()
            national = connection.execute(
                text(
                    f'SELECT COUNT(*) FROM "{schema}".customers c JOIN "{schema}".addresses a '
                    "ON a.customer_id = c.customer_id AND a.address_type = 'BILL' WHERE a.country_code = 'GB'"
                )
            ).scalar()
            assert 0 < lost < national
        columns = {c["name"]: c for c in inspect(engine).get_columns("customers", schema=schema)}
        assert str(columns["phone"]["type"]) == "BIGINT"
        assert inspect(engine).get_pk_constraint("invoices", schema=schema)["constrained_columns"] == [
            "invoice_id"
        ]
        assert not (tmp_path / "pg" / "erp.sqlite").exists()
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()
