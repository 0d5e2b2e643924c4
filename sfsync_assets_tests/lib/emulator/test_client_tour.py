"""The acceptance tour: only simple-salesforce, from login to the daily limit running out."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceRefusedRequest

from sfsync_assets.lib.emulator.process import EmulatorProcess

ROWS = 10_000


def test_a_client_only_tour(fresh_emulator: EmulatorProcess) -> None:
    sf = fresh_emulator.salesforce()
    assert "Account" in {o["name"] for o in sf.describe()["sobjects"]}
    usage_at_start = sf.api_usage["api-usage"].used

    record_id = sf.Lead.create({"LastName": "Tour", "Company": "Tour Co"})["id"]
    assert sf.Lead.update(record_id, {"Status": "Working - Contacted"}) == 204
    assert sf.Lead.get(record_id)["Status"] == "Working - Contacted"
    assert sf.Account.upsert("ERP_Customer_Id__c/TOUR-1", {"Name": "Tour Account"}) == 201
    assert sf.Lead.delete(record_id) == 204

    for start in range(0, ROWS, 200):
        batch = [
            {"attributes": {"type": "Contact"}, "LastName": f"Row {n:05d}", "Department": "tour"}
            for n in range(start, start + 200)
        ]
        results = sf.restful("composite/sobjects", method="POST", json={"allOrNone": True, "records": batch})
        assert all(r["success"] for r in results)

    pages = 0
    seen = []
    result = sf.query("SELECT Id, LastName FROM Contact WHERE Department = 'tour' ORDER BY LastName")
    while True:
        pages += 1
        seen += [r["LastName"] for r in result["records"]]
        if result["done"]:
            break
        result = sf.query_more(result["nextRecordsUrl"], identifier_is_url=True)
    assert result["totalSize"] == ROWS
    assert pages == 5
    assert seen == [f"Row {n:05d}" for n in range(ROWS)]
    assert len(sf.query_all("SELECT Id FROM Contact WHERE Department = 'tour'")["records"]) == ROWS

    sf.limits()
    used = sf.api_usage["api-usage"].used
    assert used > usage_at_start + ROWS // 200

    fresh_emulator.admin.set_limit("DailyApiRequests", maximum=used + 2)
    sf.describe()
    sf.describe()
    with pytest.raises(SalesforceRefusedRequest) as failure:
        sf.describe()
    assert failure.value.content[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
