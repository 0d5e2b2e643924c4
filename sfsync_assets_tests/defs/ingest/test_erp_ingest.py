"""raw/erp/*: incremental loads from real ERP databases (SQLite, PostgreSQL), checked record by record in DuckDB."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest
import sqlalchemy as sa
from dagster_dlt import DagsterDltResource
from dagster_duckdb import DuckDBResource

from sfsync_assets.defs.ingest import erp as ingest
from sfsync_assets.lib.generator.erp import erp_metadata

POSTGRES_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
T0 = datetime(2024, 1, 1, 8, 0)
LOOKBACK = timedelta(seconds=ingest.SETTINGS.lookback_seconds)
CONFIG = ingest.SETTINGS.tables


@dataclass
class ErpDatabase:
    """A small ERP with the generator's tables, filled and changed by each test."""

    url: str
    schema: str | None
    engine: sa.Engine
    metadata: sa.MetaData

    @classmethod
    def create(cls, url: str, schema: str | None = None) -> ErpDatabase:
        engine = sa.create_engine(url)
        metadata = erp_metadata(schema)
        metadata.create_all(engine)
        return cls(url, schema, engine, metadata)

    def resource(self) -> ingest.ErpDatabaseResource:
        return ingest.ErpDatabaseResource(url=self.url, database_schema=self.schema)

    def table(self, table_name: str) -> sa.Table:
        return self.metadata.tables[f"{self.schema}.{table_name}" if self.schema else table_name]

    def insert(self, table_name: str, rows: list[dict[str, Any]]) -> None:
        with self.engine.begin() as connection:
            connection.execute(self.table(table_name).insert(), rows)

    def update(self, table_name: str, where: Any, **values: Any) -> None:
        with self.engine.begin() as connection:
            connection.execute(self.table(table_name).update().where(where).values(**values))

    def delete(self, table_name: str, where: Any) -> None:
        with self.engine.begin() as connection:
            connection.execute(self.table(table_name).delete().where(where))

    def count(self, table_name: str, where: Any = None) -> int:
        query = sa.select(sa.func.count()).select_from(self.table(table_name))
        with self.engine.connect() as connection:
            return connection.execute(query if where is None else query.where(where)).scalar()

    def records(self, table_name: str) -> dict[tuple, tuple]:
        """Every row by primary key, as raw_erp should hold it: configured text columns as digit strings."""
        columns = [column.name for column in self.table(table_name).columns]
        text_columns = set(CONFIG[table_name].text_columns)
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(self.table(table_name))).mappings().all()
        return {
            tuple(row[column] for column in CONFIG[table_name].primary_key): tuple(
                str(row[column]) if column in text_columns and row[column] is not None else row[column]
                for column in columns
            )
            for row in rows
        }


def raw_records(database: Path, erp: ErpDatabase, name: str) -> dict[tuple, tuple]:
    columns = [column.name for column in erp.table(name).columns]
    select = ", ".join(f'"{column}"' for column in columns)
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute(f"SELECT {select} FROM raw_erp.{name}").fetchall()
    return {tuple(row[columns.index(column)] for column in CONFIG[name].primary_key): row for row in rows}


def raw_query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).fetchall()


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt"))
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def sqlite_erp(tmp_path: Path) -> Iterator[ErpDatabase]:
    erp = ErpDatabase.create(f"sqlite:///{tmp_path / 'erp.sqlite3'}")
    yield erp
    erp.engine.dispose()


@pytest.fixture
def postgres_erp() -> Iterator[ErpDatabase]:
    schema = f"erp_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(sa.schema.CreateSchema(schema))
    erp = ErpDatabase.create(POSTGRES_URL, schema)
    try:
        yield erp
    finally:
        erp.engine.dispose()
        with admin.begin() as connection:
            connection.execute(sa.schema.DropSchema(schema, cascade=True))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def erp(request: pytest.FixtureRequest) -> ErpDatabase:
    return request.getfixturevalue(f"{request.param}_erp")


def materialize(erp: ErpDatabase, warehouse: Path, **config: str) -> tuple[str, dict[str, dict[str, Any]]]:
    """Run every raw/erp asset; the run id and each table's materialization metadata."""
    result = dg.materialize(
        [ingest.erp_raw],
        resources={
            "dlt": DagsterDltResource(),
            "duckdb": DuckDBResource(database=str(warehouse)),
            "erp": erp.resource(),
        },
        run_config={"ops": {"erp_raw": {"config": config}}} if config else None,
    )
    metadata = {
        event.asset_key.path[-1]: {key: value.value for key, value in event.materialization.metadata.items()}
        for event in result.get_asset_materialization_events()
    }
    return result.run_id, metadata


def customer(number: int, updated_at: datetime) -> dict[str, Any]:
    return {
        "customer_id": number,
        "name": f"Customer {number}",
        "tax_id": f"DE{number:09d}",
        "phone": 4915112340000 + number,
        "email": f"ap@customer{number}.example",
        "credit_limit": Decimal("1000.50") + number,
        "currency": "EUR",
        "customer_since": date(2020, 1, 1) + timedelta(days=number % 365),
        "contact_phone": None if number % 7 == 0 else 441632960000 + number,
        "created_at": T0 - timedelta(days=30),
        "updated_at": updated_at,
    }


def contact(number: int, updated_at: datetime) -> dict[str, Any]:
    return {
        "contact_id": number,
        "customer_id": number % 50,
        "first_name": "Ana",
        "last_name": f"Contact {number}",
        "phone": 33140000000 + number,
        "mobile": None if number % 3 else 33610000000 + number,
        "updated_at": updated_at,
    }


def rate(day: int, currency: str, rate_to_usd: str) -> dict[str, Any]:
    return {
        "rate_date": date(2024, 1, 1) + timedelta(days=day),
        "currency": currency,
        "rate_to_usd": Decimal(rate_to_usd),
        "updated_at": T0 + timedelta(days=day, hours=6),
    }


def seed(erp: ErpDatabase) -> None:
    """Every table filled; cursor values a minute apart so the lookback window holds a known few rows."""
    erp.insert("customers", [customer(n, T0 + timedelta(minutes=n)) for n in range(1000)])
    erp.insert("customer_contacts", [contact(n, T0 + timedelta(minutes=n)) for n in range(300)])
    erp.insert(
        "addresses",
        [
            {
                "address_id": n,
                "customer_id": n,
                "address_type": "BILL",
                "street": f"{n} Main St",
                "country_code": "DE",
                "updated_at": T0 + timedelta(minutes=n),
            }
            for n in range(100)
        ],
    )
    erp.insert(
        "orders",
        [
            {
                "order_id": n,
                "customer_id": n % 50,
                "order_no": f"SO-{n}",
                "order_date": date(2024, 1, 1),
                "currency": "EUR",
                "total_amount": Decimal("99.99"),
                "status": "OPEN",
                "updated_at": T0 + timedelta(minutes=n),
            }
            for n in range(100)
        ],
    )
    erp.insert(
        "invoices",
        [
            {
                "invoice_id": n,
                "order_id": n,
                "customer_id": n % 50,
                "invoice_no": f"IN-{n}",
                "amount": Decimal("99.99"),
                "tax_amount": Decimal("19.00"),
                "status": "OPEN",
                "updated_at": T0 + timedelta(minutes=n),
            }
            for n in range(100)
        ],
    )
    erp.insert(
        "currency_rates", [rate(day, cur, "1.08123456") for day in range(10) for cur in ("EUR", "GBP", "JPY")]
    )


def rows_in_lookback(erp: ErpDatabase, name: str) -> int:
    """Rows the next incremental read sees again although unchanged: those within the lookback of the newest."""
    cursor = erp.table(name).c[CONFIG[name].cursor_column]
    with erp.engine.connect() as connection:
        newest = connection.execute(sa.select(sa.func.max(cursor))).scalar()
    return erp.count(name, cursor >= newest - LOOKBACK)


def assert_raw_equals_erp(warehouse: Path, erp: ErpDatabase) -> None:
    for name in CONFIG:
        assert raw_records(warehouse, erp, name) == erp.records(name), f"raw_erp.{name} differs from the ERP"


def test_incremental_runs_read_only_changes_and_mirror_the_erp(erp: ErpDatabase, warehouse: Path) -> None:
    seed(erp)
    _, first = materialize(erp, warehouse)
    assert {name: meta["rows_read"] for name, meta in first.items()} == {
        name: erp.count(name) for name in CONFIG
    }
    assert first["customers"]["dagster/row_count"] == 1000
    assert first["customers"]["cursor_previous"] == "none"
    assert_raw_equals_erp(warehouse, erp)

    overlap = {name: rows_in_lookback(erp, name) for name in CONFIG}
    customers = erp.table("customers")
    previous_max = T0 + timedelta(minutes=999)
    later = previous_max + timedelta(hours=1)
    changed = list(range(100, 1000, 90))[:10]  # 1 % of the rows
    for offset, number in enumerate(changed):
        erp.update(
            "customers",
            customers.c.customer_id == number,
            name=f"Renamed {number}",
            phone=4930999000 + number,
            updated_at=later + timedelta(seconds=offset),
        )
    erp.insert("customers", [customer(n, later + timedelta(minutes=1)) for n in range(5000, 5005)])
    deleted = [10, 20, 30, 999]  # 999 is the newest row: deleted inside the lookback window
    erp.delete("customers", customers.c.customer_id.in_(deleted))
    rates = erp.table("currency_rates")
    erp.delete("currency_rates", sa.and_(rates.c.rate_date == date(2024, 1, 3), rates.c.currency == "GBP"))
    erp.insert("currency_rates", [rate(10, "EUR", "1.09"), rate(10, "GBP", "1.27")])
    contacts = erp.table("customer_contacts")
    erp.update(
        "customer_contacts", contacts.c.contact_id.in_([5, 6, 7]), mobile=33699999999, updated_at=later
    )

    run_id, second = materialize(erp, warehouse)

    # Changed and inserted rows, plus the unchanged ones the lookback reads again (999 was deleted meanwhile).
    assert second["customers"]["rows_read"] == len(changed) + 5 + overlap["customers"] - 1
    assert second["customers"]["rows_read"] < 0.03 * first["customers"]["rows_read"]
    assert second["customers"]["rows_deleted"] == len(deleted)
    assert second["customers"]["cursor_previous"] == str(previous_max)
    assert second["customers"]["cursor_new"] == str(later + timedelta(minutes=1))
    assert second["customers"]["dagster/row_count"] == 1000 - len(deleted) + 5
    assert second["customer_contacts"]["rows_read"] == 3 + overlap["customer_contacts"]
    assert second["currency_rates"]["rows_read"] == 2 + overlap["currency_rates"]
    assert second["currency_rates"]["rows_deleted"] == 1
    assert {name: second[name]["rows_read"] for name in ("addresses", "orders", "invoices")} == {
        name: overlap[name] for name in ("addresses", "orders", "invoices")
    }
    assert_raw_equals_erp(warehouse, erp)

    audit = raw_query(
        warehouse, "SELECT table_name, primary_key, run_id, last_loaded_row FROM raw_erp._deleted_rows"
    )
    assert sorted((table, sorted(json.loads(key).items()), run) for table, key, run, _ in audit) == sorted(
        [
            *(("customers", [("customer_id", number)], run_id) for number in deleted),
            ("currency_rates", [("currency", "GBP"), ("rate_date", "2024-01-03")], run_id),
        ]
    )
    last_rows = {json.loads(row)["name"] for table, _, _, row in audit if table == "customers"}
    assert last_rows == {f"Customer {number}" for number in deleted}


def test_rows_sharing_the_boundary_timestamp_and_late_commits_are_loaded_once(
    sqlite_erp: ErpDatabase, warehouse: Path
) -> None:
    boundary = T0 + timedelta(days=1)
    sqlite_erp.insert("customers", [customer(n, T0 + timedelta(minutes=n)) for n in range(100)])
    sqlite_erp.insert("customers", [customer(n, boundary) for n in range(1000, 1500)])
    materialize(sqlite_erp, warehouse)

    customers = sqlite_erp.table("customers")
    # Committed after the first read: more rows at the boundary, rows stamped inside the window already read,
    # and boundary rows changed again within the same timestamp.
    sqlite_erp.insert("customers", [customer(n, boundary) for n in range(2000, 2050)])
    sqlite_erp.insert("customers", [customer(n, boundary - timedelta(seconds=60)) for n in range(3000, 3020)])
    sqlite_erp.update(
        "customers", customers.c.customer_id.between(1000, 1004), name="Changed in the same second"
    )
    _, second = materialize(sqlite_erp, warehouse)

    assert second["customers"]["rows_read"] == 500 + 50 + 20
    assert raw_query(warehouse, "SELECT count(*), count(DISTINCT customer_id) FROM raw_erp.customers") == [
        (670, 670)
    ]
    assert raw_records(warehouse, sqlite_erp, "customers") == sqlite_erp.records("customers")


def test_integer_phone_numbers_keep_their_digits_as_text_and_other_types_stay_faithful(
    sqlite_erp: ErpDatabase, warehouse: Path
) -> None:
    sqlite_erp.insert("customers", [customer(1, T0)])
    sqlite_erp.insert("customer_contacts", [contact(3, T0)])
    materialize(sqlite_erp, warehouse)

    types = dict(
        raw_query(
            warehouse,
            """
        SELECT table_name || '.' || column_name, data_type FROM information_schema.columns
        WHERE table_schema = 'raw_erp' AND table_name IN ('customers', 'customer_contacts')
    """,
        )
    )
    phones = [
        "customers.phone",
        "customers.contact_phone",
        "customer_contacts.phone",
        "customer_contacts.mobile",
    ]
    assert {types[column] for column in phones} == {"VARCHAR"}
    assert types["customers.credit_limit"] == "DECIMAL(14,2)"
    assert types["customers.customer_since"] == "DATE"
    assert types["customers.updated_at"] == "TIMESTAMP"
    assert types["customers.customer_id"] == "BIGINT"
    assert raw_query(warehouse, "SELECT phone, contact_phone FROM raw_erp.customers") == [
        ("4915112340001", "441632960001")
    ]


def test_backfill_rereads_a_range_without_duplicates_or_moving_the_cursor(
    sqlite_erp: ErpDatabase, warehouse: Path
) -> None:
    seed(sqlite_erp)
    materialize(sqlite_erp, warehouse)
    customers = sqlite_erp.table("customers")
    # A repair made straight in the ERP's database, which does not bump updated_at: only a backfill sees it.
    sqlite_erp.update("customers", customers.c.customer_id.between(100, 299), email="fixed@example.com")
    start, end = T0 + timedelta(minutes=100), T0 + timedelta(minutes=200)

    _, backfill = materialize(
        sqlite_erp, warehouse, backfill_from=start.isoformat(), backfill_to=end.isoformat()
    )

    assert backfill["customers"]["rows_read"] == 100
    assert backfill["customers"]["cursor_previous"] == backfill["customers"]["cursor_new"]
    assert fixed_emails(warehouse) == (1000, 1000, 100, 100, 199)

    # Open-ended, and overlapping the range already re-read: still one row per key.
    _, open_ended = materialize(
        sqlite_erp, warehouse, backfill_from=(T0 + timedelta(minutes=150)).isoformat()
    )
    assert open_ended["customers"]["rows_read"] == 850
    assert fixed_emails(warehouse) == (1000, 1000, 200, 100, 299)

    _, after = materialize(sqlite_erp, warehouse)
    newest = T0 + timedelta(minutes=999)
    assert after["customers"]["rows_read"] == sqlite_erp.count(
        "customers", customers.c.updated_at >= newest - LOOKBACK
    )
    assert after["customers"]["cursor_previous"] == str(newest)


def fixed_emails(warehouse: Path) -> tuple[int, int, int, int, int]:
    """Rows, distinct keys, and how many (and which key range) carry the repaired email."""
    [counts] = raw_query(
        warehouse,
        """
        SELECT count(*), count(DISTINCT customer_id), count(*) FILTER (WHERE email = 'fixed@example.com'),
               min(customer_id) FILTER (WHERE email = 'fixed@example.com'),
               max(customer_id) FILTER (WHERE email = 'fixed@example.com')
        FROM raw_erp.customers
        """,
    )
    return counts
