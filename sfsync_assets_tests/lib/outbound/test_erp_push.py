"""ERP write-back on SQLite and PostgreSQL: only the entity's own rows, only fields the ERP does not own, only what
changed; a row that is gone or a value the column cannot hold waits in the dead letter while the rest is written."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import sqlalchemy as sa

from sfsync_assets.lib.outbound.erp_push import ledger_target, push_to_erp
from sfsync_assets.lib.outbound.settings import load_outbound_settings
from sfsync_assets_tests.defs.ingest.test_erp_ingest import (  # noqa: F401 (pytest fixtures)
    ErpDatabase,
    erp,
    postgres_erp,
    sqlite_erp,
)
from sfsync_assets_tests.lib.outbound.support import GoldenWorld, write_system_of_record

FIRST_WRITE, LATER = datetime(2026, 3, 1, 9, 0), datetime(2026, 3, 2, 9, 0)
TARGET = ledger_target("customer")


def _customers(database: ErpDatabase, count: int) -> None:
    database.insert(
        "customers",
        [
            {
                "customer_id": 100 + n,
                "name": f"ERP name {n}",
                "website": None,
                "updated_at": datetime(2025, 1, 1),
            }
            for n in range(count)
        ],
    )


def _link(
    connection: duckdb.DuckDBPyConnection,
    golden_to_row: dict[str, int],
    entity: str = "organization",
    table: str = "customers",
) -> None:
    """identity.xref rows saying that ERP row `golden_to_row[golden_id]` of `table` is a source of the entity."""
    connection.execute("CREATE SCHEMA IF NOT EXISTS identity")
    connection.execute(
        "CREATE TABLE identity.xref (entity_type VARCHAR, source_key VARCHAR, source_system VARCHAR, "
        "source_object VARCHAR, source_id VARCHAR, golden_id VARCHAR, is_active BOOLEAN)"
    )
    connection.executemany(
        "INSERT INTO identity.xref VALUES (?, ?, 'erp', ?, ?, ?, true)",
        [
            (entity, f"erp:{table}:{row}", table, str(row), golden_id)
            for golden_id, row in golden_to_row.items()
        ],
    )


def _rows(database: ErpDatabase) -> dict[int, tuple]:
    table = database.table("customers")
    with database.engine.connect() as connection:
        rows = connection.execute(
            sa.select(table.c.customer_id, table.c.name, table.c.website, table.c.updated_at)
        )
        return {row[0]: tuple(row[1:]) for row in rows}


def test_golden_values_the_erp_does_not_own_are_written_once_and_then_only_when_changed(
    erp: ErpDatabase,  # noqa: F811 (the imported fixture)
    tmp_path: Path,
) -> None:
    matrix = write_system_of_record(tmp_path)  # the ERP owns Name
    shipped = load_outbound_settings()
    customer = shipped.erp.targets["customer"].model_copy(update={"touch": "updated_at"})
    settings = shipped.model_copy(
        update={"erp": shipped.erp.model_copy(update={"targets": {"customer": customer}})}
    )
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    world = GoldenWorld.create(connection, organizations=4, persons=0)
    _customers(erp, 2)
    # Organization 2's row has left the ERP; organization 3 never had one.
    _link(
        connection,
        {world.organization_id(0): 100, world.organization_id(1): 101, world.organization_id(2): 102},
    )

    def push(now: datetime):
        return push_to_erp(
            connection, settings, "customer", erp.engine, erp.schema, "run", matrix, lambda: now
        )

    first = push(FIRST_WRITE)

    assert (first.planned, first.written, first.refused) == (3, 2, 1)
    assert _rows(erp) == {
        100: ("ERP name 0", f"org0.{world.prefix}.example", FIRST_WRITE),
        101: ("ERP name 1", f"org1.{world.prefix}.example", FIRST_WRITE),
    }
    dead = connection.execute(
        "SELECT golden_id, error_code FROM outbound.dead_letter WHERE target = ? AND NOT resolved", [TARGET]
    ).fetchall()
    assert dead == [(world.organization_id(2), "NOT_FOUND")]

    again = push(LATER)

    assert (again.planned, again.written) == (0, 0)
    assert {row[2] for row in _rows(erp).values()} == {FIRST_WRITE}

    world.update("organization", "Website", "x" * 121, [world.organization_id(0)])
    world.update("organization", "Website", "new.example", [world.organization_id(1)])
    world.update("organization", "Name", "Golden name", [world.organization_id(1)])  # the ERP's to say
    changed = push(LATER)

    assert (changed.planned, changed.written, changed.refused, changed.reasons["changed"]) == (2, 1, 1, 2)
    assert _rows(erp)[101] == ("ERP name 1", "new.example", LATER)
    assert _rows(erp)[100][1:] == (f"org0.{world.prefix}.example", FIRST_WRITE)
    failures = connection.execute(
        "SELECT golden_id, error_code, message FROM outbound.dead_letter WHERE target = ? AND NOT resolved "
        "ORDER BY golden_id",
        [TARGET],
    ).fetchall()
    assert failures == [  # the row that left the ERP stays dead-lettered: there is no row to write to
        (world.organization_id(0), "STRING_TOO_LONG", "customers.website holds at most 120 characters"),
        (world.organization_id(2), "NOT_FOUND", "no row has this key"),
    ]
    audit = connection.execute(
        "SELECT record_id, fields_sent FROM outbound.audit WHERE target = ? ORDER BY written_at, record_id",
        [TARGET],
    ).fetchall()
    assert audit == [("100", "Website"), ("101", "Website"), ("101", "Website")]
    connection.close()


def test_an_opt_out_recorded_anywhere_reaches_the_erp_contact_without_looking_like_an_erp_edit(
    erp: ErpDatabase,  # noqa: F811 (the imported fixture)
    tmp_path: Path,
) -> None:
    matrix = write_system_of_record(tmp_path)
    settings = load_outbound_settings()
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    world = GoldenWorld.create(connection, organizations=1, persons=2)
    world.update("person", "HasOptedOutOfEmail", True, [world.person_id(0)])
    world.update("person", "HasOptedOutOfEmail", False, [world.person_id(1)])
    edited = datetime(2025, 1, 1)
    erp.insert(
        "customer_contacts",
        [
            {"contact_id": 500 + n, "customer_id": 100, "email_opt_out": False, "updated_at": edited}
            for n in range(2)
        ],
    )
    _link(connection, {world.person_id(0): 500, world.person_id(1): 501}, "person", "customer_contacts")

    def push():
        return push_to_erp(connection, settings, "contact", erp.engine, erp.schema, "run", matrix)

    first = push()
    table = erp.table("customer_contacts")
    with erp.engine.connect() as reading:
        rows = dict(
            (row[0], (row[1], row[2]))
            for row in reading.execute(
                sa.select(table.c.contact_id, table.c.email_opt_out, table.c.updated_at)
            )
        )

    assert (first.planned, first.written, first.refused) == (2, 2, 0)
    assert rows == {500: (True, edited), 501: (False, edited)}
    assert (push().planned, push().written) == (0, 0)
    connection.close()
