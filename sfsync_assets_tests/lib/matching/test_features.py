"""Matching features: what the rules and the model compare, computed from canonical rows."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from sfsync_assets.lib.matching.features import compute_features
from sfsync_assets.lib.matching.settings import NICKNAMES_FILE, load_matching_settings

from .prepared import stage_rows


@pytest.fixture
def connection():
    with duckdb.connect() as connection:
        yield connection


def features(connection: duckdb.DuckDBPyConnection, entity_type: str) -> dict[str, dict]:
    table = compute_features(connection, entity_type, load_matching_settings(), NICKNAMES_FILE).relation
    frame = connection.sql(f"SELECT * FROM {table}").df()
    return {row["source_key"]: row for row in frame.to_dict("records")}


def test_person_features_see_through_nicknames_mojibake_and_mailboxes(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    stage_rows(
        connection, "organization", [{"source_key": "erp:customers:1", "Name": "Highland Beverages, Ltda."}]
    )
    stage_rows(
        connection,
        "person",
        [
            {
                "source_key": "salesforce:Contact:1",
                "FirstName": "Bob",
                "LastName": "MÃ¼ller",
                "Email": "Bob.Mueller@gmail.com",
                "Phone": "+4930123456",
                "MobilePhone": "+491701234567",
            },
            {
                "source_key": "erp:customer_contacts:1",
                "FirstName": "Robert",
                "LastName": "Müller",
                "Email": "robert.muller@highland-beverages.com.br",
                "organization_source_key": "erp:customers:1",
            },
        ],
    )
    rows = features(connection, "person")
    contact, erp = rows["salesforce:Contact:1"], rows["erp:customer_contacts:1"]
    assert contact["last_name"] == erp["last_name"] == "muller"
    assert contact["first_name_group"] == erp["first_name_group"]
    assert contact["email_is_free_mail"] and not erp["email_is_free_mail"]
    assert (erp["email_local"], erp["email_domain_label"]) == ("robert.muller", "highland-beverages")
    assert sorted(contact["phones"]) == ["+491701234567", "+4930123456"]
    assert erp["organization_name"] == "highland beverages" and pd.isna(contact["organization_name"])


def test_organization_features_drop_legal_forms_and_pool_by_erp_number(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    stage_rows(
        connection,
        "organization",
        [
            {
                "source_key": "erp:customers:100001",
                "Name": "Vertex & Allen Corp.",
                "ERP_Customer_Id__c": "100001",
                "Website": "https://www.vertex-allen.ca/contact",
            },
            {
                "source_key": "erp:addresses:1",
                "BillingPostalCode": "V6B 131",
                "BillingCountry": "CA",
                "ERP_Customer_Id__c": "100001",
            },
            {"source_key": "salesforce:Account:1", "Name": "Müller GmbH & Co. KG", "Tax_Id__c": "DE 123-456"},
        ],
    )
    rows = features(connection, "organization")
    customer, address = rows["erp:customers:100001"], rows["erp:addresses:1"]
    assert customer["name_key"] == "vertex and allen" and customer["website"] == "vertex-allen.ca"
    assert customer["postcode"] == address["postcode"] == "V6B131"
    assert address["name_key"] == "vertex and allen"
    assert rows["salesforce:Account:1"]["name_key"] == "muller"
    assert rows["salesforce:Account:1"]["tax_id"] == "DE123456"


def test_a_changed_record_changes_its_fingerprint_only(connection: duckdb.DuckDBPyConnection) -> None:
    rows = [
        {"source_key": f"salesforce:Contact:{n}", "LastName": "Smith", "Email": f"s{n}@x.com"} for n in (1, 2)
    ]
    stage_rows(connection, "organization", [])
    stage_rows(connection, "person", rows)
    before = {key: row["fingerprint"] for key, row in features(connection, "person").items()}
    rows[1]["Email"] = "changed@x.com"
    stage_rows(connection, "person", rows)
    after = {key: row["fingerprint"] for key, row in features(connection, "person").items()}
    assert before["salesforce:Contact:1"] == after["salesforce:Contact:1"]
    assert before["salesforce:Contact:2"] != after["salesforce:Contact:2"]


def test_a_later_run_recomputes_only_changed_records_and_their_pools(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    settings = load_matching_settings()
    customer = {"source_key": "erp:customers:7", "Name": "Vertex Corp.", "ERP_Customer_Id__c": "7"}
    address = {"source_key": "erp:addresses:7", "BillingPostalCode": "10115", "ERP_Customer_Id__c": "7"}
    account = {"source_key": "salesforce:Account:1", "Name": "Acme Ltd"}
    stage_rows(connection, "organization", [customer, address, account])
    first = compute_features(connection, "organization", settings, NICKNAMES_FILE)
    connection.execute(f"CREATE TABLE stored AS SELECT * FROM {first.relation}")
    # A stored value that recomputing would not give back: it survives only if the record is reused.
    connection.execute("UPDATE stored SET city = 'from the store' WHERE source_key = 'salesforce:Account:1'")

    restaged_account = {
        **account,
        "ingest_run_id": "a later run",
        "source_updated_at": "2026-02-01T00:00:00Z",
    }
    stage_rows(
        connection, "organization", [customer, {**address, "BillingPostalCode": "20095"}, restaged_account]
    )
    current = compute_features(connection, "organization", settings, NICKNAMES_FILE, reuse="stored")
    rows = {
        row["source_key"]: row
        for row in connection.sql(f"SELECT * FROM {current.relation}").df().to_dict("records")
    }
    touched = {row[0] for row in connection.execute(f"SELECT source_key FROM {current.touched}").fetchall()}
    assert touched == {"erp:addresses:7", "erp:customers:7"}
    assert rows["salesforce:Account:1"]["city"] == "from the store", "re-staged without a change: reused"
    assert rows["erp:addresses:7"]["postcode"] == "20095"
    assert rows["erp:customers:7"]["postcode"] == "20095", "its pool changed: recomputed"
    assert rows["erp:customers:7"]["name_key"] == rows["erp:addresses:7"]["name_key"] == "vertex"
