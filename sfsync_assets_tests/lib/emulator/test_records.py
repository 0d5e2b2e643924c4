"""sObject rows through simple-salesforce: describe, create, read, update, upsert, delete, replication."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from simple_salesforce.exceptions import (
    SalesforceMalformedRequest,
    SalesforceMoreThanOneRecord,
    SalesforceResourceNotFound,
)

from sfsync_assets.lib.emulator.ids import checksum_suffix
from sfsync_assets.lib.emulator.process import EmulatorProcess


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def sf(emulator: EmulatorProcess):
    return emulator.salesforce()


def test_global_describe_lists_standard_and_custom_objects(sf) -> None:
    names = {o["name"]: o for o in sf.describe()["sobjects"]}
    assert {"Account", "Contact", "Lead", "Opportunity", "User", "Customer_Profile__c"} <= set(names)
    assert names["Contact"]["keyPrefix"] == "003"
    assert names["Customer_Profile__c"]["custom"] is True


def test_object_describe_reports_field_metadata(sf) -> None:
    fields = {f["name"]: f for f in sf.Lead.describe()["fields"]}
    assert fields["Status"]["type"] == "picklist"
    assert fields["Status"]["restrictedPicklist"] is True
    assert "Open - Not Contacted" in [v["value"] for v in fields["Status"]["picklistValues"]]
    assert fields["LastName"]["nillable"] is False
    assert fields["Email"]["length"] == 80
    assert fields["Golden_Id__c"]["externalId"] is True
    assert fields["Golden_Id__c"]["unique"] is True
    contact_fields = {f["name"]: f for f in sf.Contact.describe()["fields"]}
    assert contact_fields["AccountId"]["referenceTo"] == ["Account"]
    assert contact_fields["AccountId"]["relationshipName"] == "Account"
    assert contact_fields["Name"]["calculated"] is True


def test_unknown_object_describe_is_not_found(sf) -> None:
    with pytest.raises(SalesforceResourceNotFound):
        sf.Nonexistent__c.describe()


def test_create_get_update_delete_round_trip(sf) -> None:
    created = sf.Account.create({"Name": "Acme Tools", "AnnualRevenue": 1200.5, "NumberOfEmployees": 40})
    assert created["success"] is True and created["errors"] == []
    record_id = created["id"]
    assert len(record_id) == 18 and record_id.startswith("001")
    assert record_id[15:] == checksum_suffix(record_id[:15])

    record = sf.Account.get(record_id)
    assert record["attributes"] == {
        "type": "Account",
        "url": f"/services/data/v59.0/sobjects/Account/{record_id}",
    }
    assert record["Name"] == "Acme Tools"
    assert record["AnnualRevenue"] == 1200.5
    assert record["IsDeleted"] is False
    assert record["CreatedDate"].endswith("+0000") and record["SystemModstamp"] == record["CreatedDate"]
    assert record["CurrencyIsoCode"] == "USD"  # picklist default

    time.sleep(0.01)
    assert sf.Account.update(record_id, {"Phone": "+44 20 7946 0000"}) == 204
    updated = sf.Account.get(record_id)
    assert updated["Phone"] == "+44 20 7946 0000"
    assert updated["SystemModstamp"] > record["SystemModstamp"]
    assert updated["CreatedDate"] == record["CreatedDate"]

    assert sf.Account.get(record_id[:15])["Id"] == record_id  # 15-character ids are accepted

    assert sf.Account.delete(record_id) == 204
    with pytest.raises(SalesforceResourceNotFound):
        sf.Account.get(record_id)


def test_get_with_selected_fields(sf) -> None:
    record_id = sf.Account.create({"Name": "Fields Only", "Phone": "555"})["id"]
    record = sf.Account.get(record_id, params={"fields": "Name,Phone"})
    assert set(record) == {"attributes", "Name", "Phone"}


def test_upsert_by_external_id_creates_then_updates(sf) -> None:
    erp_id = _unique("C")
    assert sf.Account.upsert(f"ERP_Customer_Id__c/{erp_id}", {"Name": "Upserted"}) == 201
    assert sf.Account.upsert(f"ERP_Customer_Id__c/{erp_id}", {"Name": "Upserted Again"}) == 200
    response = sf.Account.upsert(f"ERP_Customer_Id__c/{erp_id}", {"Name": "Third"}, raw_response=True)
    assert response.json()["created"] is False
    record = sf.Account.get_by_custom_id("ERP_Customer_Id__c", erp_id)
    assert record["Name"] == "Third"
    assert record["ERP_Customer_Id__c"] == erp_id


def test_external_id_values_with_spaces_and_slashes(sf) -> None:
    erp_id = _unique("ACME / EU")
    assert sf.Account.upsert(f"ERP_Customer_Id__c/{erp_id}", {"Name": "Slashes"}) == 201
    assert sf.Account.get_by_custom_id("ERP_Customer_Id__c", erp_id)["Name"] == "Slashes"


def test_upsert_on_unknown_field_is_not_found(sf) -> None:
    with pytest.raises(SalesforceResourceNotFound):
        sf.Account.upsert("Nope__c/1", {"Name": "x"})


def test_upsert_with_several_matches_is_300(sf, emulator: EmulatorProcess) -> None:
    # Seeding skips uniqueness checks, which is how duplicate external ids exist in real orgs' histories.
    shared = _unique("PROFILE")
    account = sf.Account.create({"Name": "Parent of duplicates"})["id"]
    emulator.admin.seed(
        "Customer_Profile__c",
        [
            {"Name": "one", "Account__c": account, "ERP_Customer_Id__c": shared},
            {"Name": "two", "Account__c": account, "ERP_Customer_Id__c": shared},
        ],
    )
    with pytest.raises(SalesforceMoreThanOneRecord) as failure:
        sf.Customer_Profile__c.upsert(f"ERP_Customer_Id__c/{shared}", {"Payment_Terms__c": "Net 30"})
    assert failure.value.status == 300
    assert len(failure.value.content) == 2
    with pytest.raises(SalesforceMoreThanOneRecord):
        sf.Customer_Profile__c.get_by_custom_id("ERP_Customer_Id__c", shared)


def test_required_field_missing(sf) -> None:
    with pytest.raises(SalesforceMalformedRequest) as failure:
        sf.Contact.create({"FirstName": "No Last Name"})
    assert failure.value.content == [
        {
            "message": "Required fields are missing: [LastName]",
            "errorCode": "REQUIRED_FIELD_MISSING",
            "fields": ["LastName"],
        }
    ]


def test_restricted_picklist_rejects_unknown_values(sf) -> None:
    with pytest.raises(SalesforceMalformedRequest) as failure:
        sf.Opportunity.create({"Name": "Deal", "StageName": "Won-ish", "CloseDate": "2026-12-31"})
    error = failure.value.content[0]
    assert error["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert error["fields"] == ["StageName"]
    assert "Won-ish" in error["message"]


def test_unrestricted_picklist_accepts_other_values(sf) -> None:
    record_id = sf.Account.create({"Name": "Odd Industry", "Industry": "Basket Weaving"})["id"]
    assert sf.Account.get(record_id)["Industry"] == "Basket Weaving"


def test_field_length_is_enforced(sf) -> None:
    with pytest.raises(SalesforceMalformedRequest) as failure:
        sf.Account.create({"Name": "x" * 256})
    assert failure.value.content[0]["errorCode"] == "STRING_TOO_LONG"


def test_field_types_are_enforced(sf) -> None:
    with pytest.raises(SalesforceMalformedRequest) as failure:
        sf.Account.create({"Name": "Typed", "NumberOfEmployees": "many"})
    assert failure.value.content[0]["errorCode"] == "INVALID_TYPE_ON_FIELD_IN_RECORD"
    with pytest.raises(SalesforceMalformedRequest) as failure:
        sf.Contact.create({"LastName": "Mail", "Email": "not-an-email"})
    assert failure.value.content[0]["errorCode"] == "INVALID_EMAIL_ADDRESS"


def test_unknown_and_read_only_fields_are_refused(sf) -> None:
    with pytest.raises(SalesforceMalformedRequest) as failure:
        sf.Account.create({"Name": "x", "Colour__c": "red"})
    assert failure.value.content[0]["errorCode"] == "INVALID_FIELD"
    with pytest.raises(SalesforceMalformedRequest) as failure:
        sf.Account.create({"Name": "x", "SystemModstamp": "2020-01-01T00:00:00Z"})
    assert failure.value.content[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"


def test_lookups_must_point_at_existing_records(sf) -> None:
    with pytest.raises(SalesforceMalformedRequest) as failure:
        sf.Contact.create({"LastName": "Orphan", "AccountId": "001000000000000AAA"})
    assert failure.value.content[0]["errorCode"] == "INVALID_CROSS_REFERENCE_KEY"
    lead_id = sf.Lead.create({"LastName": "L", "Company": "C"})["id"]
    with pytest.raises(SalesforceMalformedRequest) as failure:
        sf.Contact.create({"LastName": "Wrong Type", "AccountId": lead_id})
    assert failure.value.content[0]["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"


def test_lookup_by_parent_external_id(sf) -> None:
    erp_id = _unique("C")
    account_id = sf.Account.create({"Name": "Parent", "ERP_Customer_Id__c": erp_id})["id"]
    contact_id = sf.Contact.create({"LastName": "Child", "Account": {"ERP_Customer_Id__c": erp_id}})["id"]
    assert sf.Contact.get(contact_id)["AccountId"] == account_id


def test_unique_external_ids(sf) -> None:
    erp_id = _unique("C")
    sf.Account.create({"Name": "First", "ERP_Customer_Id__c": erp_id})
    with pytest.raises(SalesforceMalformedRequest) as failure:
        sf.Account.create({"Name": "Second", "ERP_Customer_Id__c": erp_id})
    assert failure.value.content[0]["errorCode"] == "DUPLICATE_VALUE"


def test_duplicate_rule_blocks_then_allow_save_header_passes(sf, emulator: EmulatorProcess) -> None:
    email = f"{_unique('jane')}@example.com"
    first = sf.Contact.create({"LastName": "Doe", "Email": email})["id"]
    with pytest.raises(SalesforceMalformedRequest) as failure:
        sf.Contact.create({"LastName": "Doe", "Email": email.upper()})
    error = failure.value.content[0]
    assert error["errorCode"] == "DUPLICATES_DETECTED"
    assert error["duplicateResult"]["duplicateRule"] == "Standard_Contact_Duplicate_Rule"
    match_records = error["duplicateResult"]["matchResults"][0]["matchRecords"]
    assert [m["record"]["Id"] for m in match_records] == [first]
    allowed = sf.Contact.create(
        {"LastName": "Doe", "Email": email}, headers={"Sforce-Duplicate-Rule-Header": "allowSave=true"}
    )
    assert allowed["success"] is True


def test_person_name_is_computed(sf) -> None:
    record_id = sf.Contact.create({"FirstName": "Ada", "LastName": "Lovelace"})["id"]
    assert sf.Contact.get(record_id)["Name"] == "Ada Lovelace"


def test_get_updated_and_deleted_windows(sf) -> None:
    start = datetime.now(UTC) - timedelta(seconds=2)
    kept = sf.Lead.create({"LastName": "Kept", "Company": "K"})["id"]
    gone = sf.Lead.create({"LastName": "Gone", "Company": "G"})["id"]
    sf.Lead.delete(gone)
    time.sleep(1.1)
    end = datetime.now(UTC)
    updated = sf.Lead.updated(start, end)
    assert kept in updated["ids"] and gone not in updated["ids"]
    assert updated["latestDateCovered"].endswith("+0000")
    deleted = sf.Lead.deleted(start, end)
    assert gone in [d["id"] for d in deleted["deletedRecords"]]
    with pytest.raises(SalesforceMalformedRequest) as failure:
        sf.Lead.updated(end, start)
    assert failure.value.content[0]["errorCode"] == "INVALID_REPLICATION_DATE"
    with pytest.raises(SalesforceMalformedRequest):
        sf.Lead.updated(end - timedelta(days=31), end)
