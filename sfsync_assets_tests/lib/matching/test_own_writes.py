"""sfsync's own writes to Salesforce (the golden id and ERP id it stamps, the records it creates) do not send the
records it wrote through the model again, and a real change still does."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from sfsync_assets.lib.matching.resolve import resolve_identities
from sfsync_assets.lib.matching.settings import load_matching_settings
from sfsync_assets.lib.outbound.tables import ensure_tables

from .prepared import stage_rows

ANN = {"FirstName": "Ann", "LastName": "Lee", "Email": "ann@acme.com"}
BO = {"FirstName": "Bo", "LastName": "Kim", "Email": "bo@beta.com", "Phone": "+12125550111"}
CY = {"FirstName": "Cy", "LastName": "Fox", "Email": "cy@gamma.com", "Phone": "+12125550100"}
PERSONS = [
    {"source_key": "salesforce:Contact:003A", **ANN},
    {"source_key": "erp:customer_contacts:1", "ERP_Contact_Id__c": "1", **ANN},
    {"source_key": "erp:customer_contacts:2", "ERP_Contact_Id__c": "2", **BO},
    {"source_key": "legacy_csv:CONTACTS:3", **CY},
]


def golden_ids(connection: duckdb.DuckDBPyConnection) -> dict[str, str]:
    rows = connection.execute(
        "SELECT source_key, golden_id FROM identity.xref WHERE entity_type = 'person' AND is_active"
    ).fetchall()
    return dict(rows)


def links(connection: duckdb.DuckDBPyConnection) -> set[tuple]:
    return set(
        connection.execute(
            "SELECT source_key_l, source_key_r, rule, match_probability FROM identity.person_matches"
        ).fetchall()
    )


def record_creation(connection: duckdb.DuckDBPyConnection, record_id: str, golden_id: str) -> None:
    ensure_tables(connection)
    connection.execute(
        "INSERT INTO outbound.audit VALUES ('contact', ?, ?, 'created', 'h', '[]', 'run-1', ?, 'collections', "
        "'r', 'sfsync')",
        [record_id, golden_id, datetime.now(UTC)],
    )


def test_stamps_and_created_records_are_linked_by_rules_not_scored(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        stage_rows(connection, "organization", [])
        stage_rows(connection, "person", PERSONS)
        resolve_identities(connection, load_matching_settings(), "run-1")
        first = golden_ids(connection)
        ann, bo = first["salesforce:Contact:003A"], first["erp:customer_contacts:2"]
        assert first["erp:customer_contacts:1"] == ann

        # The push stamped Ann's Contact and created a Contact for Bo; someone changed Cy's phone.
        stamped = {**PERSONS[0], "Golden_Id__c": ann, "ERP_Contact_Id__c": "1"}
        created = {
            "source_key": "salesforce:Contact:003B",
            "Golden_Id__c": bo,
            "ERP_Contact_Id__c": "2",
            **BO,
        }
        edited = {**PERSONS[3], "Phone": "+12125550199"}
        record_creation(connection, "003B", bo)
        stage_rows(connection, "person", [stamped, *PERSONS[1:3], edited, created])
        second = resolve_identities(connection, load_matching_settings(), "run-2").links["person"]

        assert (second.new_records, second.changed_records, second.relinked_records) == (0, 1, 2)
        incremental = golden_ids(connection)
        assert incremental["salesforce:Contact:003B"] == bo
        assert {key: incremental[key] for key in first} == first
        found = links(connection)
        created_links = {link[2] for link in found if "salesforce:Contact:003B" in link[:2]}
        assert created_links and all("created_for_entity" in rule for rule in created_links)

    shutil.copy(warehouse, tmp_path / "full.duckdb")
    with duckdb.connect(str(tmp_path / "full.duckdb")) as connection:
        resolve_identities(connection, load_matching_settings(), "run-3", full=True)
        assert golden_ids(connection) == incremental
        not_created = {link for link in links(connection) if "salesforce:Contact:003B" not in link[:2]}
        assert {link for link in found if "salesforce:Contact:003B" not in link[:2]} == not_created
