"""Pushing golden records to Salesforce: 100,000 records in full, again unchanged, and with 1 % changed.

sfsync's push (ledger diff, Bulk 2.0 above the threshold, sObject Collections below it) against the baseline a
naive integration uses: one REST upsert per record (`PATCH sobjects/<Object>/Golden_Id__c/<id>`). API calls are
read from the emulator's own `DailyApiRequests` counter. The baseline's calls are exact (one per record; a
sample checks that against the counter); its time is extrapolated from that sample's per-call time.

    python bench/bench_push.py [--organizations 25000] [--persons 75000] [--sample 500] [--quick]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import duckdb
from common import as_row, comparison, markdown_table, measure, own_peak_rss_mb, peak_rss_mb_of, write_results

from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.outbound.push import PushResult, PushScope, push
from sfsync_assets.lib.outbound.settings import load_outbound_settings
from sfsync_assets.lib.salesforce.budget import ApiGovernor
from sfsync_assets.lib.salesforce.connection import connect

CHANGED_SHARE = 0.01
# Every field ranked ERP first: nothing is owned by Salesforce, so every change is pushed.
MATRIX = """\
classes:
  erp_first: [erp, salesforce]
fields:
  organization:
    Name: {class: erp_first}
  person:
    account_golden_id: {class: erp_first, derived: organization_golden_id}
"""
ORGANIZATIONS_SQL = """
CREATE TABLE golden.organization AS
SELECT printf('%s-org-%07d', $prefix, i) AS golden_id, printf('Company %s %d', $prefix, i) AS "Name",
       printf('+44113%07d', i) AS "Phone", printf('company%d.example', i) AS "Website",
       ['Banking', 'Retail', 'Energy', 'Technology'][i % 4 + 1] AS "Industry",
       printf('%d Market Street', i) AS "BillingStreet", 'Leeds' AS "BillingCity",
       printf('LS%d', i % 30) AS "BillingPostalCode", 'GB' AS "BillingCountry",
       ['GBP', 'EUR', 'USD'][i % 3 + 1] AS "CurrencyIsoCode", 1000 + i * 2.5 AS "Credit_Limit__c",
       printf('%s-E%d', $prefix, i) AS "ERP_Customer_Id__c", false AS is_deleted
FROM range($organizations) AS r(i)
"""
PERSONS_SQL = """
CREATE TABLE golden.person AS
SELECT printf('%s-per-%07d', $prefix, i) AS golden_id, printf('First%d', i) AS "FirstName",
       printf('Last%d', i) AS "LastName", printf('%s.%d@example.com', $prefix, i) AS "Email",
       printf('+44207%07d', i) AS "Phone", NULL::VARCHAR AS "MobilePhone", 'Buyer' AS "Title",
       'Leeds' AS "MailingCity", printf('LS%d', i % 30) AS "MailingPostalCode", 'GB' AS "MailingCountry",
       printf('%s-C%d', $prefix, i) AS "ERP_Contact_Id__c", i % 5 = 0 AS "HasOptedOutOfEmail",
       i % 7 = 0 AS "DoNotCall", printf('%s-org-%07d', $prefix, i % $organizations) AS account_golden_id,
       false AS is_deleted
FROM range($persons) AS r(i)
"""


def build_golden(
    connection: duckdb.DuckDBPyConnection, prefix: str, organizations: int, persons: int
) -> None:
    connection.execute("CREATE SCHEMA golden")
    connection.execute(ORGANIZATIONS_SQL, {"prefix": prefix, "organizations": organizations})
    connection.execute(PERSONS_SQL, {"prefix": prefix, "persons": persons, "organizations": organizations})


def change_one_percent(connection: duckdb.DuckDBPyConnection) -> int:
    """Change CHANGED_SHARE of each entity's records; returns how many records changed."""
    changed = 0
    for table, field in (("organization", "Phone"), ("person", "LastName")):
        step = round(1 / CHANGED_SHARE)
        connection.execute(
            f'UPDATE golden.{table} SET "{field}" = "{field}" || \'-changed\' '
            f"WHERE hash(golden_id) % {step} = 0"
        )
        changed += connection.execute(
            f"SELECT count(*) FROM golden.{table} WHERE \"{field}\" LIKE '%-changed'"
        ).fetchall()[0][0]
    return changed


def api_used(emulator: EmulatorProcess) -> int:
    limits = emulator.admin.limits()["DailyApiRequests"]
    return limits["Max"] - limits["Remaining"]


def push_everything(connection, emulator, settings, matrix: Path) -> list[PushResult]:
    results = []
    for target in settings.parents_first():
        governor = ApiGovernor(settings.salesforce.budget.policy())
        results.append(
            push(
                connection,
                settings,
                PushScope(target),
                lambda governor=governor: connect(emulator.connection_settings(), governor),
                governor,
                f"bench-{uuid.uuid4().hex[:6]}",
                "sfsync",
                matrix,
            )
        )
    return results


def sfsync_run(name: str, connection, emulator, settings, matrix: Path, records: int) -> dict:
    before = api_used(emulator)
    with measure(name) as run:
        results = push_everything(connection, emulator, settings, matrix)
    stopped = [r.report.stopped for r in results if r.report.stopped]
    if stopped:
        raise RuntimeError(f"{name}: push stopped: {stopped}")
    run.extra.update(
        records=records,
        pushed=sum(r.report.pushed for r in results),
        failed=sum(len(r.report.failed) for r in results),
        api_calls=api_used(emulator) - before,
        bulk_jobs=sum(r.report.bulk_jobs for r in results),
        collections_requests=sum(r.report.collections_requests for r in results),
    )
    return as_row(run)


def rest_upsert_sample(emulator, connection: duckdb.DuckDBPyConnection, sample: int) -> tuple[int, float]:
    """Per-record REST upserts of `sample` accounts and contacts: (calls counted by the org, seconds per call)."""
    sf = emulator.salesforce()
    organizations = connection.execute(
        'SELECT golden_id, "Name", "Phone", "CurrencyIsoCode" FROM golden.organization LIMIT ?', [sample // 2]
    ).fetchall()
    persons = connection.execute(
        'SELECT golden_id, "LastName", "Email", account_golden_id FROM golden.person LIMIT ?',
        [sample - sample // 2],
    ).fetchall()
    before = api_used(emulator)
    started = time.perf_counter()
    for golden_id, name, phone, currency in organizations:
        sf.Account.upsert(
            f"Golden_Id__c/{golden_id}", {"Name": name, "Phone": phone, "CurrencyIsoCode": currency}
        )
    for golden_id, last_name, email, parent in persons:
        sf.Contact.upsert(
            f"Golden_Id__c/{golden_id}",
            {"LastName": last_name, "Email": email, "Account": {"Golden_Id__c": parent}},
        )
    elapsed = time.perf_counter() - started
    return api_used(emulator) - before, elapsed / (len(organizations) + len(persons))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--organizations", type=int, default=25_000)
    parser.add_argument("--persons", type=int, default=75_000)
    parser.add_argument(
        "--sample", type=int, default=500, help="per-record REST upserts timed for the baseline"
    )
    parser.add_argument(
        "--quick", action="store_true", help="10,000 golden records: a smoke run for the tests"
    )
    args = parser.parse_args()
    if args.quick:
        args.organizations, args.persons, args.sample = 2_500, 7_500, 200
    total = args.organizations + args.persons
    settings = load_outbound_settings()
    with tempfile.TemporaryDirectory() as directory, EmulatorProcess(Path(directory) / "org") as emulator:
        emulator.admin.set_limit("DailyApiRequests", maximum=1_000_000)
        matrix = Path(directory) / "system_of_record.yaml"
        matrix.write_text(MATRIX, encoding="utf-8")
        connection = duckdb.connect(str(Path(directory) / "warehouse.duckdb"))
        build_golden(connection, uuid.uuid4().hex[:6], args.organizations, args.persons)
        print(f"  {total:,} golden records built", file=sys.stderr, flush=True)

        full = sfsync_run("sfsync: full push", connection, emulator, settings, matrix, total)
        print(f"  full push: {full['wall_s']} s, {full['api_calls']} calls", file=sys.stderr, flush=True)
        unchanged = sfsync_run("sfsync: nothing changed", connection, emulator, settings, matrix, total)
        changed = change_one_percent(connection)
        one_percent = sfsync_run("sfsync: 1 % changed", connection, emulator, settings, matrix, changed)
        sample_calls, seconds_per_call = rest_upsert_sample(emulator, connection, args.sample)
        if sample_calls != args.sample:
            raise RuntimeError(f"baseline sample made {sample_calls} calls for {args.sample} records")
        peak_server = peak_rss_mb_of(emulator.process.pid)

    baseline = [
        {
            "name": f"baseline: REST upsert per record, {label}",
            "records": records,
            "api_calls": records,
            "wall_s": round(records * seconds_per_call, 1),
            "timing": f"extrapolated from {args.sample} calls",
        }
        for label, records in (("full", total), ("1 % changed", changed))
    ]
    rows = [full, unchanged, one_percent, *baseline]
    comparisons = [
        comparison(
            "full push, API calls", full["api_calls"], total, "calls", baseline_name="REST per record"
        ),
        comparison(
            "full push, time", full["wall_s"], baseline[0]["wall_s"], "s", baseline_name="REST per record"
        ),
        comparison(
            "1 % changed, API calls",
            one_percent["api_calls"],
            changed,
            "calls",
            baseline_name="REST per record",
        ),
        comparison(
            "1 % changed, time",
            one_percent["wall_s"],
            baseline[1]["wall_s"],
            "s",
            baseline_name="REST per record",
        ),
    ]
    notes = {
        "quick": args.quick,
        "organizations": args.organizations,
        "persons": args.persons,
        "changed_records": changed,
        "baseline_seconds_per_call": round(seconds_per_call, 4),
        "emulator_peak_rss_mb": peak_server,
        "client_peak_rss_mb": own_peak_rss_mb(),
    }
    path = write_results("push", rows, notes, comparisons)
    print(
        markdown_table(
            rows,
            [
                "name",
                "records",
                "api_calls",
                "wall_s",
                "pushed",
                "bulk_jobs",
                "collections_requests",
                "timing",
            ],
        )
    )
    print()
    print(markdown_table(comparisons, ["what", "ours", "baseline", "unit", "times_better"]))
    print(f"\nresults in {path}")


if __name__ == "__main__":
    main()
