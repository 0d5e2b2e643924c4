"""Staging on a real DuckDB file: staged table, schema enforcement, quarantine and its resolution."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml

from sfsync_assets.lib.mapping.raw_records import RawTableMissing
from sfsync_assets.lib.mapping.spec import SourceMapping, load_mapping
from sfsync_assets.lib.mapping.staging import stage_source

ADDRESSES = {
    "source": {
        "system": "erp",
        "object": "addresses",
        "table": "raw_erp.addresses",
        "id": "address_id",
        "updated_at": {"from": "updated_at", "type": "timestamp"},
        "where": "address_type = 'BILL'",
    },
    "targets": [
        {
            "entity": "organization",
            "staged_as": "billing_address",
            "description": "Billing addresses.",
            "usable_if_any": ["ERP_Customer_Id__c"],
            "fields": {
                "BillingCountry": {"from": "country_code", "transforms": ["country_iso2"]},
                # No phone_e164 here on purpose: the schema, not a transform, has to catch a bad phone.
                "Phone": {"from": "phone", "transforms": ["trim"]},
                "ERP_Customer_Id__c": {"from": "customer_id", "type": "integer"},
            },
        }
    ],
}
ROWS = [
    (1, 10, "BILL", "DE", "+493012345678"),
    (2, 11, "BILL", "Q9", "+493012345679"),
    (3, 12, "BILL", "FR", "call reception"),
    (4, None, "BILL", "GB", None),
    (5, 13, "SHIP", "GB", None),
]


@pytest.fixture
def mapping(tmp_path: Path) -> SourceMapping:
    path = tmp_path / "erp__addresses.yaml"
    path.write_text(yaml.safe_dump(ADDRESSES), encoding="utf-8")
    return load_mapping(path)


@pytest.fixture
def connection(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        connection.execute("CREATE SCHEMA raw_erp")
        connection.execute(
            "CREATE TABLE raw_erp.addresses (address_id BIGINT, customer_id BIGINT, address_type VARCHAR, "
            "country_code VARCHAR, phone VARCHAR, updated_at TIMESTAMP DEFAULT TIMESTAMP '2026-01-01 08:00:00')"
        )
        connection.executemany(
            "INSERT INTO raw_erp.addresses (address_id, customer_id, address_type, country_code, phone) "
            "VALUES (?, ?, ?, ?, ?)",
            ROWS,
        )
        yield connection


def open_problems(connection) -> dict[tuple[str, str], str]:
    rows = connection.execute(
        "SELECT record_ref, rule, reason FROM quality.quarantine WHERE resolved_at IS NULL"
    ).fetchall()
    return {(record_ref, rule): reason for record_ref, rule, reason in rows}


def test_staging_keeps_usable_rows_and_quarantines_every_problem(connection, mapping: SourceMapping) -> None:
    result = stage_source(connection, mapping, "run-1")
    (target,) = result.targets
    assert (target.rows_in, target.rows_staged, target.rows_with_errors) == (4, 3, 3)
    staged = connection.execute(
        'SELECT source_id, "BillingCountry", "Phone" FROM staged.erp_billing_address ORDER BY 1'
    ).fetchall()
    assert staged == [("1", "DE", "+493012345678"), ("2", None, "+493012345679"), ("3", "FR", None)]
    problems = open_problems(connection)
    assert set(problems) == {
        ("2", "mapping.INVALID_COUNTRY"),
        ("3", "mapping.SCHEMA_VIOLATION"),
        ("4", "mapping.REQUIRED_FIELD_MISSING"),
    }
    assert "e164" in problems[("3", "mapping.SCHEMA_VIOLATION")]
    assert "the record is not staged" in problems[("4", "mapping.REQUIRED_FIELD_MISSING")]


def test_restaging_updates_the_quarantine_instead_of_duplicating_it(
    connection, mapping: SourceMapping
) -> None:
    stage_source(connection, mapping, "run-1")
    connection.execute("UPDATE raw_erp.addresses SET country_code = 'GB' WHERE address_id = 2")
    result = stage_source(connection, mapping, "run-2")
    assert result.resolved == 1
    assert set(open_problems(connection)) == {
        ("3", "mapping.SCHEMA_VIOLATION"),
        ("4", "mapping.REQUIRED_FIELD_MISSING"),
    }
    assert connection.execute("SELECT count(*) FROM quality.quarantine").fetchall() == [(3,)]


def test_a_missing_raw_table_names_what_to_materialize(connection, mapping: SourceMapping) -> None:
    connection.execute("DROP TABLE raw_erp.addresses")
    with pytest.raises(RawTableMissing, match=r"erp__addresses\.yaml reads raw_erp\.addresses"):
        stage_source(connection, mapping, "run-1")
