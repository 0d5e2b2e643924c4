"""Bulk API 2.0 through simple-salesforce's `bulk2`: ingest jobs, query jobs, results, limits."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from simple_salesforce.exceptions import SalesforceOperationError

from sfsync_assets.lib.emulator.process import EmulatorProcess

WAIT = 0.05


@pytest.fixture(scope="module")
def sf(emulator: EmulatorProcess):
    return emulator.salesforce()


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_upsert_of_10000_rows_reports_exactly_the_invalid_ones(sf) -> None:
    key = uuid.uuid4().hex[:8]
    records = [
        {"ERP_Customer_Id__c": f"{key}-{n}", "Name": f"Bulk {n}", "NumberOfEmployees": str(n)}
        for n in range(10_000)
    ]
    records[17]["Name"] = ""  # required field missing on insert
    records[4_321]["NumberOfEmployees"] = "lots"  # wrong type
    records[9_998]["CurrencyIsoCode"] = "XXX"  # restricted picklist
    for record in records:
        record.setdefault("CurrencyIsoCode", "EUR")
    result = sf.bulk2.Account.upsert(records=records, external_id_field="ERP_Customer_Id__c", wait=WAIT)
    assert result[0]["numberRecordsTotal"] == 10_000
    assert result[0]["numberRecordsProcessed"] == 10_000
    assert result[0]["numberRecordsFailed"] == 3
    job_id = result[0]["job_id"]
    failed = _rows(sf.bulk2.Account.get_failed_records(job_id))
    assert sorted(r["ERP_Customer_Id__c"] for r in failed) == sorted(f"{key}-{n}" for n in (17, 4_321, 9_998))
    errors = {r["ERP_Customer_Id__c"]: r["sf__Error"] for r in failed}
    assert errors[f"{key}-17"].startswith("REQUIRED_FIELD_MISSING:")
    assert errors[f"{key}-4321"].startswith("INVALID_TYPE_ON_FIELD_IN_RECORD:")
    assert errors[f"{key}-9998"].startswith("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST:")
    successes = _rows(sf.bulk2.Account.get_successful_records(job_id))
    assert len(successes) == 9_997
    assert {r["sf__Created"] for r in successes} == {"true"}
    assert all(len(r["sf__Id"]) == 18 for r in successes)
    assert _rows(sf.bulk2.Account.get_unprocessed_records(job_id)) == []

    # The same upsert again updates, creating nothing.
    again = sf.bulk2.Account.upsert(records=records[:100], external_id_field="ERP_Customer_Id__c", wait=WAIT)
    created = {r["sf__Created"] for r in _rows(sf.bulk2.Account.get_successful_records(again[0]["job_id"]))}
    assert created == {"false"}


def test_csv_semantics_empty_keeps_and_na_clears(sf) -> None:
    key = uuid.uuid4().hex[:8]
    sf.bulk2.Account.upsert(
        records=[{"ERP_Customer_Id__c": key, "Name": "Keep", "Phone": "555", "Rating": "Hot"}],
        external_id_field="ERP_Customer_Id__c",
        wait=WAIT,
    )
    data = f"ERP_Customer_Id__c,Name,Phone,Rating\n{key},,#N/A,Cold\n"
    job = sf.bulk2.Account._client.create_job("upsert", external_id_field="ERP_Customer_Id__c")
    sf.bulk2.Account._client.upload_job_data(job["id"], data)
    sf.bulk2.Account._client.close_job(job["id"])
    sf.bulk2.Account._client.wait_for_job(job["id"], False, WAIT)
    record = sf.Account.get_by_custom_id("ERP_Customer_Id__c", key)
    assert record["Name"] == "Keep"  # empty cell: unchanged
    assert record["Phone"] is None  # #N/A: set to null
    assert record["Rating"] == "Cold"


def test_relationship_columns_resolve_parents_by_external_id(sf) -> None:
    key = uuid.uuid4().hex[:8]
    parent = sf.Account.create({"Name": "Bulk Parent", "ERP_Customer_Id__c": f"P-{key}"})["id"]
    records = [
        {"ERP_Contact_Id__c": f"{key}-{n}", "LastName": f"Kid {n}", "Account.ERP_Customer_Id__c": f"P-{key}"}
        for n in range(3)
    ]
    records.append(
        {
            "ERP_Contact_Id__c": f"{key}-orphan",
            "LastName": "Orphan",
            "Account.ERP_Customer_Id__c": "NO-SUCH-PARENT",
        }
    )
    result = sf.bulk2.Contact.upsert(records=records, external_id_field="ERP_Contact_Id__c", wait=WAIT)
    assert result[0]["numberRecordsFailed"] == 1
    children = sf.query(f"SELECT AccountId FROM Contact WHERE ERP_Contact_Id__c LIKE '{key}-%'")["records"]
    assert [c["AccountId"] for c in children] == [parent] * 3


def test_insert_update_delete_and_hard_delete(sf) -> None:
    marker = uuid.uuid4().hex[:8]
    inserted = sf.bulk2.Lead.insert(
        records=[{"LastName": f"L{n}", "Company": marker} for n in range(5)], wait=WAIT
    )
    ids = [r["sf__Id"] for r in _rows(sf.bulk2.Lead.get_successful_records(inserted[0]["job_id"]))]
    assert len(ids) == 5
    sf.bulk2.Lead.update(records=[{"Id": i, "Status": "Working - Contacted"} for i in ids], wait=WAIT)
    statuses = sf.query(f"SELECT Status FROM Lead WHERE Company = '{marker}'")["records"]
    assert {s["Status"] for s in statuses} == {"Working - Contacted"}
    sf.bulk2.Lead.delete(records=[{"Id": i} for i in ids[:2]], wait=WAIT)
    assert sf.query(f"SELECT COUNT() FROM Lead WHERE Company = '{marker}'")["totalSize"] == 3
    assert (
        sf.query_all(
            f"SELECT Id FROM Lead WHERE Company = '{marker}' AND IsDeleted = true", include_deleted=True
        )["totalSize"]
        == 2
    )
    sf.bulk2.Lead.hard_delete(records=[{"Id": i} for i in ids[2:]], wait=WAIT)
    assert (
        sf.query_all(f"SELECT Id FROM Lead WHERE Company = '{marker}'", include_deleted=True)["totalSize"]
        == 2
    )


def test_duplicate_rules_apply_to_bulk_too(sf) -> None:
    email = f"{uuid.uuid4().hex[:8]}@bulk.example"
    sf.Contact.create({"LastName": "Existing", "Email": email})
    result = sf.bulk2.Contact.insert(records=[{"LastName": "Dupe", "Email": email}], wait=WAIT)
    failed = _rows(sf.bulk2.Contact.get_failed_records(result[0]["job_id"]))
    assert failed[0]["sf__Error"].startswith("DUPLICATES_DETECTED:")


def test_internal_batches_count_against_the_daily_allocation(sf) -> None:
    before = sf.limits()["DailyBulkApiBatches"]["Remaining"]
    sf.bulk2.Lead.insert(
        records=[{"LastName": f"B{n}", "Company": "Batches"} for n in range(25_000)], wait=WAIT
    )
    assert sf.limits()["DailyBulkApiBatches"]["Remaining"] == before - 3


def test_query_job_pages_with_header_on_every_page(sf) -> None:
    marker = uuid.uuid4().hex[:8]
    sf.bulk2.Contact.insert(
        records=[{"LastName": f"Q{n:05d}", "Department": marker} for n in range(10_000)], wait=WAIT
    )
    before = sf.limits()["DailyBulkV2QueryJobs"]["Remaining"]
    pages = list(
        sf.bulk2.Contact.query(
            f"SELECT Id, LastName, Account.Name FROM Contact WHERE Department = '{marker}' ORDER BY LastName",
            max_records=4_000,
            wait=WAIT,
        )
    )
    assert len(pages) == 3
    rows = []
    for page in pages:
        assert page.startswith('"Id","LastName","Account.Name"\n')
        rows += _rows(page)
    assert [r["LastName"] for r in rows] == [f"Q{n:05d}" for n in range(10_000)]
    assert {r["Account.Name"] for r in rows} == {""}
    assert sf.limits()["DailyBulkV2QueryJobs"]["Remaining"] == before - 1


def test_query_all_job_includes_deleted_rows(sf) -> None:
    marker = uuid.uuid4().hex[:8]
    record_id = sf.Lead.create({"LastName": "Deleted", "Company": marker})["id"]
    sf.Lead.delete(record_id)
    live = "".join(sf.bulk2.Lead.query(f"SELECT Id FROM Lead WHERE Company = '{marker}'", wait=WAIT))
    everything = "".join(
        sf.bulk2.Lead.query_all(f"SELECT Id, IsDeleted FROM Lead WHERE Company = '{marker}'", wait=WAIT)
    )
    assert _rows(live) == []
    assert _rows(everything) == [{"Id": record_id, "IsDeleted": "true"}]


def test_failed_query_job_for_unsupported_soql(sf) -> None:
    from simple_salesforce.exceptions import SalesforceMalformedRequest

    with pytest.raises(SalesforceMalformedRequest):
        list(sf.bulk2.Account.query("SELECT COUNT() FROM Account", wait=WAIT))


def test_upload_to_a_closed_job_is_refused(sf) -> None:
    client = sf.bulk2.Account._client
    job = client.create_job("insert")
    client.upload_job_data(job["id"], "Name\nA\n")
    client.close_job(job["id"])
    from simple_salesforce.exceptions import SalesforceBulkV2LoadError, SalesforceGeneralError

    with pytest.raises((SalesforceBulkV2LoadError, SalesforceGeneralError)):
        client.upload_job_data(job["id"], "Name\nB\n")


def test_aborted_job_reports_as_failure(sf) -> None:
    client = sf.bulk2.Account._client
    job = client.create_job("insert")
    client.abort_job(job["id"], False)
    with pytest.raises(SalesforceOperationError):
        client.wait_for_job(job["id"], False, WAIT)
    assert client.get_job(job["id"], False)["state"] == "Aborted"
