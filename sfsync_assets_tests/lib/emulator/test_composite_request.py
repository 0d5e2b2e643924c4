"""The Composite resource: several subrequests, one API call, references between subrequests."""

from __future__ import annotations

import uuid

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sfsync_assets.lib.emulator.process import EmulatorProcess


@pytest.fixture(scope="module")
def sf(emulator: EmulatorProcess):
    return emulator.salesforce()


def test_subrequests_share_one_api_call_and_see_each_other(sf) -> None:
    marker = uuid.uuid4().hex[:8]
    sf.limits()
    before = sf.api_usage["api-usage"].used
    result = sf.restful(
        "composite",
        method="POST",
        json={
            "compositeRequest": [
                {
                    "method": "POST",
                    "url": "/services/data/v59.0/sobjects/Account",
                    "referenceId": "account",
                    "body": {"Name": f"Composite {marker}"},
                },
                {
                    "method": "POST",
                    "url": "/services/data/v59.0/sobjects/Contact",
                    "referenceId": "contact",
                    "body": {"LastName": "Ref", "AccountId": "@{account.id}"},
                },
                {
                    "method": "GET",
                    "url": "/services/data/v59.0/queryAll/?q=SELECT+Id,+Account.Name+FROM+Contact+"
                    "WHERE+AccountId+=+'@{account.id}'",
                    "referenceId": "query",
                },
                {
                    "method": "GET",
                    "url": "/services/data/v59.0/sobjects/Lead/describe",
                    "referenceId": "describe",
                },
            ]
        },
    )
    responses = {r["referenceId"]: r for r in result["compositeResponse"]}
    assert responses["account"]["httpStatusCode"] == 201
    assert responses["query"]["body"]["records"][0]["Account"]["Name"] == f"Composite {marker}"
    assert responses["describe"]["body"]["name"] == "Lead"
    assert sf.api_usage["api-usage"].used == before + 1


def test_all_or_none_rolls_back_earlier_subrequests(sf) -> None:
    marker = uuid.uuid4().hex[:8]
    result = sf.restful(
        "composite",
        method="POST",
        json={
            "allOrNone": True,
            "compositeRequest": [
                {
                    "method": "POST",
                    "url": "/services/data/v59.0/sobjects/Account",
                    "referenceId": "ok",
                    "body": {"Name": f"Rolled back {marker}"},
                },
                {
                    "method": "POST",
                    "url": "/services/data/v59.0/sobjects/Contact",
                    "referenceId": "bad",
                    "body": {},
                },
            ],
        },
    )
    statuses = [r["httpStatusCode"] for r in result["compositeResponse"]]
    assert statuses == [400, 400]
    assert result["compositeResponse"][1]["body"][0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert sf.query(f"SELECT COUNT() FROM Account WHERE Name = 'Rolled back {marker}'")["totalSize"] == 0


def test_at_most_five_queries(sf) -> None:
    with pytest.raises(SalesforceMalformedRequest):
        sf.restful(
            "composite",
            method="POST",
            json={
                "compositeRequest": [
                    {
                        "method": "GET",
                        "url": "/services/data/v59.0/query/?q=SELECT+Id+FROM+Account",
                        "referenceId": f"q{n}",
                    }
                    for n in range(6)
                ]
            },
        )
