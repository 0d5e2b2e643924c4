"""sObject Collections through `sf.restful('composite/sobjects', ...)` (simple-salesforce has no helper)."""

from __future__ import annotations

import uuid

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sfsync_assets.lib.emulator.process import EmulatorProcess


@pytest.fixture(scope="module")
def sf(emulator: EmulatorProcess):
    return emulator.salesforce()


def _accounts(names: list[str | None]) -> list[dict]:
    return [{"attributes": {"type": "Account"}, **({"Name": n} if n else {})} for n in names]


def test_create_reports_each_item_in_order(sf) -> None:
    results = sf.restful(
        "composite/sobjects",
        method="POST",
        json={"allOrNone": False, "records": _accounts(["One", None, "Three"])},
    )
    assert [r["success"] for r in results] == [True, False, True]
    assert results[1]["errors"] == [
        {
            "statusCode": "REQUIRED_FIELD_MISSING",
            "message": "Required fields are missing: [Name]",
            "fields": ["Name"],
        }
    ]
    assert sf.Account.get(results[2]["id"])["Name"] == "Three"


def test_all_or_none_rolls_everything_back(sf) -> None:
    marker = uuid.uuid4().hex[:8]
    results = sf.restful(
        "composite/sobjects",
        method="POST",
        json={"allOrNone": True, "records": _accounts([f"AON {marker}", None])},
    )
    assert results[0]["success"] is False
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert results[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert sf.query(f"SELECT COUNT() FROM Account WHERE Name = 'AON {marker}'")["totalSize"] == 0


def test_mixed_types_update_and_delete(sf) -> None:
    created = sf.restful(
        "composite/sobjects",
        method="POST",
        json={
            "records": [
                {"attributes": {"type": "Account"}, "Name": "Mixed"},
                {"attributes": {"type": "Lead"}, "LastName": "Mixed", "Company": "M"},
            ]
        },
    )
    account_id, lead_id = (r["id"] for r in created)
    updated = sf.restful(
        "composite/sobjects",
        method="PATCH",
        json={
            "records": [
                {"attributes": {"type": "Account"}, "id": account_id, "Rating": "Hot"},
                {"attributes": {"type": "Lead"}, "id": lead_id, "Status": "Not A Status"},
            ]
        },
    )
    assert updated[0]["success"] is True
    assert updated[1]["errors"][0]["statusCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert sf.Account.get(account_id)["Rating"] == "Hot"
    deleted = sf.restful("composite/sobjects", method="DELETE", params={"ids": f"{account_id},{lead_id}"})
    assert [r["success"] for r in deleted] == [True, True]


def test_retrieve_by_ids(sf) -> None:
    ids = [
        r["id"]
        for r in sf.restful("composite/sobjects", method="POST", json={"records": _accounts(["R1", "R2"])})
    ]
    records = sf.restful("composite/sobjects/Account", params={"ids": ",".join(ids), "fields": "Id,Name"})
    assert [r["Name"] for r in records] == ["R1", "R2"]


def test_upsert_on_external_id(sf) -> None:
    key = uuid.uuid4().hex[:8]
    records = [
        {"attributes": {"type": "Account"}, "Name": f"U{i}", "ERP_Customer_Id__c": f"{key}-{i}"}
        for i in range(3)
    ]
    first = sf.restful(
        "composite/sobjects/Account/ERP_Customer_Id__c",
        method="PATCH",
        json={"allOrNone": False, "records": records},
    )
    assert [r["created"] for r in first] == [True, True, True]
    records[0]["Name"] = "U0 renamed"
    second = sf.restful(
        "composite/sobjects/Account/ERP_Customer_Id__c",
        method="PATCH",
        json={"allOrNone": False, "records": records},
    )
    assert [r["created"] for r in second] == [False, False, False]
    assert [r["id"] for r in second] == [r["id"] for r in first]
    assert sf.Account.get(first[0]["id"])["Name"] == "U0 renamed"


def test_more_than_200_records_is_refused(sf) -> None:
    with pytest.raises(SalesforceMalformedRequest) as failure:
        sf.restful("composite/sobjects", method="POST", json={"records": _accounts(["x"] * 201)})
    assert failure.value.content[0]["errorCode"] == "EXCEEDED_ID_LIMIT"
