"""Golden records against the ERP's staged rows, on the fields the ERP owns."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from sfsync_assets.defs.monitoring.reconciliation import ERP_CHECK, erp_reconciliation
from sfsync_assets.defs.monitoring.resources import MonitoringResource
from sfsync_assets.defs.outbound.resources import OutboundResource

SYSTEM_OF_RECORD = """
classes: {contact: [salesforce, erp], finance: [erp, salesforce]}
fields:
  organization:
    Name: {class: contact}
    ERP_Customer_Id__c: {class: finance}
    Credit_Limit__c: {class: finance}
    Tax_Id__c: {class: finance}
  person:
    LastName: {class: contact}
    ERP_Contact_Id__c: {class: finance}
"""


def test_counts_and_checksums_on_erp_owned_fields(tmp_path: Path) -> None:
    database = tmp_path / "warehouse.duckdb"
    (tmp_path / "system_of_record.yaml").write_text(SYSTEM_OF_RECORD, encoding="utf-8")
    with duckdb.connect(str(database)) as connection:
        connection.execute("CREATE SCHEMA golden; CREATE SCHEMA staged")
        connection.execute(
            "CREATE TABLE golden.organization AS SELECT * FROM (VALUES "
            "('G1', 'Acme', '1001', 5000.0, 'DE1', false), ('G2', 'Beta', '1002', 7000.0, NULL, false), "
            "('G4', 'Gone', '1004', 1.0, NULL, false), ('G5', 'Dead', '1005', 1.0, NULL, true)) "
            "AS t(golden_id, Name, ERP_Customer_Id__c, Credit_Limit__c, Tax_Id__c, is_deleted)"
        )
        # 1001 agrees (the ERP has no tax id, so the golden one comes from elsewhere); 1002's credit limit
        # differs; 1003 has no golden record; golden 1004 is gone from the ERP; a name never counts (CRM-owned).
        connection.execute(
            "CREATE TABLE staged.erp_customer AS SELECT * FROM (VALUES "
            "('1001', 'ACME GMBH', 5000.0, NULL, false), ('1002', 'Beta', 9000.0, NULL, false), "
            "('1003', 'New', 1.0, NULL, false), ('1004', 'Gone', 1.0, NULL, true)) "
            "AS t(ERP_Customer_Id__c, Name, Credit_Limit__c, Tax_Id__c, is_deleted)"
        )
        connection.execute(
            "CREATE TABLE golden.person (golden_id VARCHAR, LastName VARCHAR, ERP_Contact_Id__c VARCHAR)"
        )
    result = dg.materialize(
        [erp_reconciliation],
        resources={
            "duckdb": DuckDBResource(database=str(database)),
            "outbound": OutboundResource(system_of_record_file=str(tmp_path / "system_of_record.yaml")),
            "monitoring": MonitoringResource(),
        },
    )
    metadata = {
        k: v.value for k, v in result.get_asset_materialization_events()[0].materialization.metadata.items()
    }
    assert {k: v for k, v in metadata.items() if k.startswith("organization/")} == {
        "organization/expected": 3,
        "organization/actual": 3,
        "organization/checksums_match": 1,
        "organization/checksums_differ": 1,
        "organization/missing": 1,
        "organization/unexpected": 1,
    }
    assert metadata["not_staged_yet"] == "staged.erp_customer_contact"
    [check] = result.get_asset_check_evaluations()
    assert check.check_name == ERP_CHECK and not check.passed
    assert (
        "| organization | 1002 | Credit_Limit__c | 7000 | 9000 |" in check.metadata["differing_fields"].value
    )
    assert "| organization | 1004 | in golden, not in erp |" in check.metadata["missing_or_unexpected"].value
