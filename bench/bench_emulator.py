"""Emulator throughput: a Bulk 2.0 query of 1,000,000 Accounts and a 100,000-row upsert job.

Targets on a 2-core machine: the 1M query streams out in ≤ 60 s, the 100k upsert completes in ≤ 30 s. Baselines,
measured in the same run on the same org: REST `query` paging (what a naive extractor does) over a 100,000-row
slice, and sObject Collections upserts (200 records a call) over a 10,000-row slice; ratios compare rows/second.

    python bench/bench_emulator.py [--accounts 1000000] [--upsert 100000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    as_row,
    comparison,
    cpu_seconds_of,
    markdown_table,
    measure,
    own_peak_rss_mb,
    peak_rss_mb_of,
    write_results,
)

from sfsync_assets.lib.emulator.process import EmulatorProcess

SEED_CHUNK = 10_000


def seed_accounts(emulator: EmulatorProcess, count: int) -> None:
    admin = emulator.admin
    for start in range(0, count, SEED_CHUNK):
        admin.seed(
            "Account",
            [
                {
                    "Name": f"Account {n:07d}",
                    "AccountNumber": f"A{n:07d}",
                    "BillingCity": "Leeds",
                    "AnnualRevenue": n * 10.5,
                    "NumberOfEmployees": n % 5000,
                    "Industry": "Manufacturing",
                }
                for n in range(start, min(start + SEED_CHUNK, count))
            ],
        )
        print(f"  seeded {min(start + SEED_CHUNK, count):,}/{count:,} accounts", file=sys.stderr, flush=True)


def bulk_query(sf, soql: str) -> int:
    rows = 0
    for page in sf.bulk2.Account.query(soql, max_records=100_000, wait=0.2):
        rows += page.count("\n") - 1
    return rows


def rest_query(sf, soql: str) -> int:
    rows = 0
    result = sf.query(soql)
    while True:
        rows += len(result["records"])
        if result["done"]:
            return rows
        result = sf.query_more(result["nextRecordsUrl"], identifier_is_url=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--upsert", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="10,000 accounts, 5,000 upserts: a smoke run")
    args = parser.parse_args()
    if args.quick:
        args.accounts, args.upsert = 10_000, 5_000
    rows_out = []
    with tempfile.TemporaryDirectory() as directory, EmulatorProcess(Path(directory) / "org") as emulator:
        sf = emulator.salesforce()
        pid = emulator.process.pid
        seed_accounts(emulator, args.accounts)
        fields = (
            "Id, Name, AccountNumber, BillingCity, AnnualRevenue, NumberOfEmployees, Industry, SystemModstamp"
        )

        server_cpu = cpu_seconds_of(pid)
        with measure("bulk2 query, all accounts") as bulk:
            rows = bulk_query(sf, f"SELECT {fields} FROM Account")
        bulk.extra.update(
            rows=rows,
            rows_per_s=round(rows / bulk.wall_s),
            server_cpu_s=cpu_seconds_of(pid) - server_cpu,
            target="<= 60 s for 1,000,000",
        )
        slice_size = min(100_000, args.accounts)
        with measure("baseline: REST query paging") as rest:
            rows = rest_query(sf, f"SELECT {fields} FROM Account WHERE AccountNumber < 'A{slice_size:07d}'")
        rest.extra.update(rows=rows, rows_per_s=round(rows / rest.wall_s))
        bulk.extra["speedup_vs_baseline"] = round(bulk.extra["rows_per_s"] / rest.extra["rows_per_s"], 2)

        key = uuid.uuid4().hex[:6]
        records = [
            {
                "ERP_Customer_Id__c": f"{key}-{n}",
                "Name": f"Upserted {n}",
                "BillingCity": "York",
                "AnnualRevenue": str(n),
            }
            for n in range(args.upsert)
        ]
        server_cpu = cpu_seconds_of(pid)
        with measure("bulk2 upsert job") as upsert:
            result = sf.bulk2.Account.upsert(
                records=records, external_id_field="ERP_Customer_Id__c", wait=0.2
            )
        upsert.extra.update(
            rows=args.upsert,
            failed=sum(r["numberRecordsFailed"] for r in result),
            rows_per_s=round(args.upsert / upsert.wall_s),
            server_cpu_s=cpu_seconds_of(pid) - server_cpu,
            target="<= 30 s for 100,000",
        )
        sample = [
            {**r, "ERP_Customer_Id__c": "baseline-" + r["ERP_Customer_Id__c"]} for r in records[:10_000]
        ]
        with measure("baseline: sObject Collections upsert") as collections:
            for start in range(0, len(sample), 200):
                sf.restful(
                    "composite/sobjects/Account/ERP_Customer_Id__c",
                    method="PATCH",
                    json={
                        "allOrNone": False,
                        "records": [
                            {"attributes": {"type": "Account"}, **r} for r in sample[start : start + 200]
                        ],
                    },
                )
        collections.extra.update(rows=len(sample), rows_per_s=round(len(sample) / collections.wall_s))
        upsert.extra["speedup_vs_baseline"] = round(
            upsert.extra["rows_per_s"] / collections.extra["rows_per_s"], 2
        )
        peak_server = peak_rss_mb_of(pid)
        rows_out = [as_row(m) for m in (bulk, rest, upsert, collections)]
    notes = {
        "emulator_peak_rss_mb": peak_server,
        "client_peak_rss_mb": own_peak_rss_mb(),
        "accounts": args.accounts,
        "upsert_rows": args.upsert,
    }
    comparisons = [
        comparison(
            "Bulk 2.0 query, rows/s",
            bulk.extra["rows_per_s"],
            rest.extra["rows_per_s"],
            "rows/s",
            higher_is_better=True,
            baseline_name="REST query paging",
        ),
        comparison(
            "Bulk 2.0 upsert, rows/s",
            upsert.extra["rows_per_s"],
            collections.extra["rows_per_s"],
            "rows/s",
            higher_is_better=True,
            baseline_name="sObject Collections upsert",
        ),
    ]
    path = write_results("emulator", rows_out, notes, comparisons)
    print(
        markdown_table(
            rows_out, ["name", "rows", "wall_s", "cpu_s", "rows_per_s", "speedup_vs_baseline", "target"]
        )
    )
    print(
        f"\nemulator peak RSS {peak_server} MiB, client peak RSS {notes['client_peak_rss_mb']} MiB; "
        f"results in {path}"
    )


if __name__ == "__main__":
    main()
