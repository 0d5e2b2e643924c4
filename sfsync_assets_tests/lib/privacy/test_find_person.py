"""Finding everything that names a person from one email or golden id: the golden ids (including one merged away),
their own source records apart from records an organization shares, every email they were known by, and the
Salesforce records pushes created."""

from __future__ import annotations

from pathlib import Path

import duckdb

from sfsync_assets.lib.privacy.person import SourceRecord, find_person
from sfsync_assets_tests.lib.matching.prepared import stage_rows

WAREHOUSE = """
CREATE SCHEMA identity; CREATE SCHEMA golden; CREATE SCHEMA outbound;
CREATE TABLE identity.xref (entity_type VARCHAR, source_key VARCHAR, golden_id VARCHAR);
INSERT INTO identity.xref VALUES ('person', 'salesforce:Contact:003A', 'GP-2'), ('person', 'erp:customers:7', 'GP-2'),
    ('organization', 'erp:customers:7', 'GO-1'), ('person', 'legacy_csv:CONTACTS:C9', 'GP-3');
CREATE TABLE identity.golden_ids (golden_id VARCHAR, status VARCHAR, merged_into VARCHAR);
INSERT INTO identity.golden_ids VALUES ('GP-1', 'merged', 'GP-2'), ('GP-2', 'active', NULL),
    ('GP-3', 'active', NULL);
CREATE TABLE golden.person (golden_id VARCHAR, Email VARCHAR);
INSERT INTO golden.person VALUES ('GP-2', 'ada@example.com'), ('GP-3', 'other@example.com');
CREATE TABLE outbound.ledger (target VARCHAR, golden_id VARCHAR, record_id VARCHAR);
INSERT INTO outbound.ledger VALUES ('contact', 'GP-2', '003PUSHED'), ('contact', 'GP-3', '003OTHER');
"""


def test_a_merged_golden_id_leads_to_every_record_and_email_of_the_person(tmp_path: Path) -> None:
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    stage_rows(connection, "organization", [{"source_key": "erp:customers:7", "Name": "Acme"}])
    stage_rows(
        connection,
        "person",
        [
            {"source_key": "salesforce:Contact:003A", "Email": "Ada@Example.com"},
            {"source_key": "erp:customers:7", "Email": "ada.lovelace@acme.example"},
            {"source_key": "legacy_csv:CONTACTS:C9", "Email": "other@example.com"},
        ],
    )
    connection.execute(WAREHOUSE)

    person = find_person(connection, golden_ids=["GP-1"])

    assert person.golden_ids == {"GP-1", "GP-2"}
    assert person.records == {SourceRecord("salesforce", "Contact", "003A", "salesforce:Contact:003A")}
    assert person.shared_records == {SourceRecord("erp", "customers", "7", "erp:customers:7")}
    assert person.emails == {"ada@example.com", "ada.lovelace@acme.example"}
    assert person.salesforce_ids == {"003A", "003PUSHED"}
    assert "erp:customers:7" not in person.row_identifiers()  # the organization's key too
    assert find_person(connection, emails=["ADA.LOVELACE@acme.example"]).golden_ids == {"GP-2"}
