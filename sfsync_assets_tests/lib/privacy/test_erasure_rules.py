"""What an erasure removes, keeps and clears, table by table, in the warehouse and in an ERP on SQLite and
PostgreSQL: rows that name the person go, rows of an organization keep everything but the person, and a
neighbour whose address merely contains the person's does not lose a thing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import sqlalchemy as sa

from sfsync_assets.lib.privacy.erp import erase_from_erp
from sfsync_assets.lib.privacy.person import Person, SourceRecord
from sfsync_assets.lib.privacy.register import CLEARED, DELETED
from sfsync_assets.lib.privacy.settings import load_privacy_settings
from sfsync_assets.lib.privacy.warehouse import Erased, erase_from_warehouse
from sfsync_assets_tests.defs.ingest.test_erp_ingest import (  # noqa: F401 (pytest fixtures)
    ErpDatabase,
    erp,
    postgres_erp,
    sqlite_erp,
)

SETTINGS = load_privacy_settings()
ANN = Person(
    emails={"ann@example.com"},
    golden_ids={"GP-000007"},
    records={SourceRecord("erp", "customer_contacts", "5", "erp:customer_contacts:5")},
    shared_records={SourceRecord("erp", "customers", "7", "erp:customers:7")},
)
WAREHOUSE = """
CREATE SCHEMA raw_erp; CREATE SCHEMA quality; CREATE SCHEMA identity; CREATE SCHEMA outbound;
CREATE TABLE raw_erp.customers (customer_id BIGINT, name VARCHAR, contact_first_name VARCHAR,
    contact_last_name VARCHAR, contact_email VARCHAR, contact_phone VARCHAR, contact_role VARCHAR);
INSERT INTO raw_erp.customers VALUES (7, 'Acme', 'Ann', 'Lee', 'ANN@example.com', '4420', 'CEO'),
    (8, 'Globex', 'Jo', 'Ann', 'joann@example.com', '4421', 'CFO');
CREATE TABLE raw_erp.customer_contacts (contact_id BIGINT, email VARCHAR, first_name VARCHAR);
INSERT INTO raw_erp.customer_contacts VALUES (5, 'ann@example.com', 'Ann'), (6, 'joann@example.com', 'Jo'),
    (9, 'ann@example.com.br', 'Other');
CREATE TABLE quality.quarantine (system VARCHAR, source_object VARCHAR, record_ref VARCHAR, field VARCHAR,
    raw VARCHAR);
INSERT INTO quality.quarantine VALUES ('erp', 'customer_contacts', '5', 'person.Phone', '0044 bad'),
    ('erp', 'customers', '7', 'person.Phone', 'bad'), ('erp', 'customers', '7', 'organization.Phone', 'bad'),
    ('erp', 'customer_contacts', '6', 'person.Phone', 'bad');
CREATE TABLE identity.golden_ids (golden_id VARCHAR, status VARCHAR);
INSERT INTO identity.golden_ids VALUES ('GP-000007', 'active'), ('GP-0000070', 'active');
CREATE TABLE outbound.dead_letter (golden_id VARCHAR, payload JSON);
INSERT INTO outbound.dead_letter VALUES ('GP-000071', '{"Email": "ann@example.com"}'),
    ('GP-000072', '{"Email": "joann@example.com"}');
"""


def _rows(connection: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    return connection.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()


def test_the_warehouse_loses_the_person_and_keeps_everyone_else(tmp_path: Path) -> None:
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    connection.execute(WAREHOUSE)

    erased = erase_from_warehouse(connection, ANN, SETTINGS.warehouse)

    assert sorted(erased, key=lambda e: e.table) == [
        Erased("outbound.dead_letter", DELETED, 1),
        Erased("quality.quarantine", DELETED, 2),
        Erased("raw_erp.customer_contacts", DELETED, 1),
        Erased("raw_erp.customers", CLEARED, 1),
    ]
    assert _rows(connection, "raw_erp.customers") == [
        (7, "Acme", None, None, None, None, None),
        (8, "Globex", "Jo", "Ann", "joann@example.com", "4421", "CFO"),
    ]
    assert [row[0] for row in _rows(connection, "raw_erp.customer_contacts")] == [6, 9]
    assert _rows(connection, "quality.quarantine") == [
        ("erp", "customer_contacts", "6", "person.Phone", "bad"),
        ("erp", "customers", "7", "organization.Phone", "bad"),
    ]
    assert len(_rows(connection, "identity.golden_ids")) == 2  # the registry keeps every id ever issued
    assert [row[0] for row in _rows(connection, "outbound.dead_letter")] == ["GP-000072"]


def test_the_erp_deletes_the_contact_and_clears_the_primary_contact(
    erp: ErpDatabase,  # noqa: F811 (the imported fixture)
) -> None:
    erp.insert(
        "customers",
        [
            {
                "customer_id": 7,
                "name": "Acme",
                "contact_first_name": "Ann",
                "contact_email": "Ann@example.com",
                "contact_phone": 4420,
                "updated_at": datetime(2025, 1, 1),
            },
            {
                "customer_id": 8,
                "name": "Globex",
                "contact_first_name": "Jo",
                "contact_email": "jo@example.com",
                "contact_phone": None,
                "updated_at": datetime(2025, 1, 1),
            },
        ],
    )
    erp.insert(
        "customer_contacts",
        [
            {
                "contact_id": 5,
                "customer_id": 7,
                "email": "other@example.com",
                "updated_at": datetime(2025, 1, 1),
            },
            {
                "contact_id": 6,
                "customer_id": 7,
                "email": "ANN@example.com",
                "updated_at": datetime(2025, 1, 1),
            },
            {
                "contact_id": 10,
                "customer_id": 8,
                "email": "jo@example.com",
                "updated_at": datetime(2025, 1, 1),
            },
        ],
    )
    now = datetime(2026, 5, 1, 12, 0)

    erased = erase_from_erp(erp.engine, erp.schema, ANN, SETTINGS.erp, now)

    assert [(e.table, e.action, e.rows) for e in erased] == [
        ("customer_contacts", "deleted", 2),
        ("customers", "cleared", 1),
    ]
    customers = erp.table("customers")
    with erp.engine.connect() as connection:
        rows = connection.execute(
            sa.select(
                customers.c.customer_id, customers.c.name, customers.c.contact_email, customers.c.updated_at
            ).order_by(customers.c.customer_id)
        ).all()
    assert [tuple(row) for row in rows] == [
        (7, "Acme", None, now),
        (8, "Globex", "jo@example.com", datetime(2025, 1, 1)),
    ]
    assert erp.count("customer_contacts") == 1
