"""Injected faults, each seen by simple-salesforce exactly as a real org's failure would be."""

from __future__ import annotations

import csv
import io
import time
import uuid

import pytest
import requests
from simple_salesforce.exceptions import (
    SalesforceGeneralError,
    SalesforceOperationError,
    SalesforceRefusedRequest,
)

from sfsync_assets.lib.emulator.faults import FaultPlan, FaultSpecError
from sfsync_assets.lib.emulator.process import EmulatorProcess

WAIT = 0.05


@pytest.fixture
def faulty(fresh_emulator: EmulatorProcess):
    """The fresh org's admin client; every test sets its own plan."""
    return fresh_emulator


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_fault_spec_parsing() -> None:
    plan = FaultPlan.parse(
        "http_503=0.05, latency_ms=200,api_limit_at=5000,lock_rows=0.1,fail_job_after=6500,seed=7"
    )
    assert (
        plan.http_503,
        plan.latency_ms,
        plan.api_limit_at,
        plan.lock_rows,
        plan.fail_job_after,
        plan.seed,
    ) == (0.05, 200, 5000, 0.1, 6500, 7)
    with pytest.raises(FaultSpecError, match="unknown fault 'http_500'"):
        FaultPlan.parse("http_500=0.1")
    with pytest.raises(FaultSpecError, match="http_503='lots': expected a share between 0 and 1"):
        FaultPlan.parse("http_503=lots")


def test_503_share_is_deterministic_under_a_seed(faulty: EmulatorProcess) -> None:
    sf = faulty.salesforce()

    def outcomes() -> list[bool]:
        faulty.admin.set_faults({"http_503": 0.3, "seed": 11})
        results = []
        for _ in range(60):
            try:
                sf.limits()
                results.append(True)
            except SalesforceGeneralError as error:
                assert error.status == 503
                assert error.content[0]["errorCode"] == "SERVER_UNAVAILABLE"
                results.append(False)
        return results

    first = outcomes()
    assert 8 <= first.count(False) <= 30
    assert outcomes() == first
    faulty.admin.set_faults({})
    assert sf.limits()


def test_latency_is_added(faulty: EmulatorProcess) -> None:
    sf = faulty.salesforce()
    faulty.admin.set_faults({"latency_ms": 300})
    started = time.monotonic()
    sf.limits()
    assert time.monotonic() - started >= 0.3


def test_dropped_connection_after_the_write_was_made(faulty: EmulatorProcess) -> None:
    sf = faulty.salesforce()
    faulty.admin.set_faults({"drop": 1.0})
    key = uuid.uuid4().hex[:8]
    with pytest.raises(requests.exceptions.RequestException):
        sf.Account.upsert(f"ERP_Customer_Id__c/{key}", {"Name": "Dropped"})
    faulty.admin.set_faults({})
    # The client never saw the answer, but the org did the work: an upsert retried is safe, an insert is not.
    assert sf.Account.get_by_custom_id("ERP_Customer_Id__c", key)["Name"] == "Dropped"


def test_daily_limit_runs_out_at_the_chosen_count(faulty: EmulatorProcess) -> None:
    sf = faulty.salesforce()
    sf.limits()
    used = sf.api_usage["api-usage"].used
    faulty.admin.set_faults({"api_limit_at": used + 3})
    for _ in range(3):
        sf.limits()
    with pytest.raises(SalesforceRefusedRequest):
        sf.limits()


def test_bulk_row_locks_prefer_parents_spread_over_batches(faulty: EmulatorProcess) -> None:
    sf = faulty.salesforce()
    key = uuid.uuid4().hex[:8]
    parents = [f"P{key}-{n}" for n in range(4)]
    sf.bulk2.Account.upsert(
        records=[{"ERP_Customer_Id__c": p, "Name": p} for p in parents],
        external_id_field="ERP_Customer_Id__c",
        wait=WAIT,
    )
    # Parent 0's children sit in one internal batch; parent 1's are spread over two batches.
    records = []
    for n in range(12_000):
        parent = parents[0] if n < 6_000 else parents[1]
        if n in range(9_000, 11_000):
            parent = parents[2] if n % 2 else parents[3]
        records.append(
            {"ERP_Contact_Id__c": f"{key}-{n}", "LastName": f"C{n}", "Account.ERP_Customer_Id__c": parent}
        )
    faulty.admin.set_faults({"lock_rows": 0.02, "seed": 3})
    result = sf.bulk2.Contact.upsert(records=records, external_id_field="ERP_Contact_Id__c", wait=WAIT)
    failed = _rows(sf.bulk2.Contact.get_failed_records(result[0]["job_id"]))
    assert result[0]["numberRecordsFailed"] == len(failed) > 0
    assert {r["sf__Error"].split(":")[0] for r in failed} == {"UNABLE_TO_LOCK_ROW"}
    by_parent = {p: 0 for p in parents}
    for row in failed:
        by_parent[row["Account.ERP_Customer_Id__c"]] += 1
    # Parent 1's 4,000 spread rows fail at ~10 %, parent 0's 6,000 unspread rows at ~2 %.
    assert by_parent[parents[1]] > 2 * by_parent[parents[0]]
    # Nothing is lost: every row either succeeded or is in failedResults.
    succeeded = _rows(sf.bulk2.Contact.get_successful_records(result[0]["job_id"]))
    assert len(succeeded) + len(failed) == 12_000


def test_bulk_job_fails_after_n_records(faulty: EmulatorProcess) -> None:
    sf = faulty.salesforce()
    faulty.admin.set_faults({"fail_job_after": 6_500})
    key = uuid.uuid4().hex[:8]
    records = [{"ERP_Customer_Id__c": f"{key}-{n}", "Name": f"F{n}"} for n in range(10_000)]
    with pytest.raises(SalesforceOperationError, match="failed after 6500 records"):
        sf.bulk2.Account.upsert(records=records, external_id_field="ERP_Customer_Id__c", wait=WAIT)
    job = sf.restful("jobs/ingest")["records"][-1]
    assert (job["state"], job["numberRecordsProcessed"], job["numberRecordsFailed"]) == ("Failed", 6_500, 0)
    unprocessed = _rows(sf.bulk2.Account.get_unprocessed_records(job["id"]))
    assert [r["ERP_Customer_Id__c"] for r in unprocessed] == [f"{key}-{n}" for n in range(6_500, 10_000)]
    assert len(_rows(sf.bulk2.Account.get_successful_records(job["id"]))) == 6_500
    # Re-running the unprocessed rows as an upsert completes the load without duplicates.
    faulty.admin.set_faults({})
    sf.bulk2.Account.upsert(records=unprocessed, external_id_field="ERP_Customer_Id__c", wait=WAIT)
    assert (
        sf.query(f"SELECT COUNT() FROM Account WHERE ERP_Customer_Id__c LIKE '{key}-%'")["totalSize"]
        == 10_000
    )
