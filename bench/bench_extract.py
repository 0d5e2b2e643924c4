"""Salesforce extract: our windowed, budgeted ingest vs a naive REST `query_all` extractor, same org, same run.

Seeds N Accounts into a fresh emulator, then measures a full load and a 1 % delta with (a) the product's
`raw/salesforce/account` asset (Composite + Bulk 2.0, merge into DuckDB) and (b) the baseline: simple-salesforce
`query_all` of every field into a DuckDB table, the way a cron-job extractor does it (a delta is a full re-read,
since it keeps no cursor). Reported: wall and CPU time, peak RSS of the emulator, and API calls from the
emulator's own counters.

    python bench/bench_extract.py [--records 1000000] [--quick]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import duckdb
import pandas
from common import as_row, comparison, markdown_table, measure, peak_rss_mb_of, write_results

from sfsync_assets.lib.emulator.process import EmulatorProcess

SEED_CHUNK = 10_000


def api_used(emulator: EmulatorProcess) -> int:
    limits = emulator.admin.limits()["DailyApiRequests"]
    return limits["Max"] - limits["Remaining"]


def ingest(emulator: EmulatorProcess, database: Path) -> None:
    import dagster as dg
    from dagster_dlt import DagsterDltResource
    from dagster_duckdb import DuckDBResource

    from sfsync_assets.defs.ingest import salesforce as ingest_module
    from sfsync_assets.defs.salesforce_resource import SalesforceResource

    credentials = emulator.credentials
    resource = SalesforceResource(
        domain=emulator.info.login_domain,
        username=credentials.username,
        password=credentials.password,
        security_token=credentials.security_token,
        ca_bundle=emulator.info.ca_file,
    )
    dg.materialize(
        [ingest_module.salesforce_raw],
        selection=[ingest_module.asset_key("Account")],
        resources={
            "duckdb": DuckDBResource(database=str(database)),
            "dlt": DagsterDltResource(),
            "salesforce": resource,
        },
    )


def naive_extract(emulator: EmulatorProcess, database: Path) -> int:
    sf = emulator.salesforce()
    fields = [f["name"] for f in sf.Account.describe()["fields"]]
    records = sf.query_all(f"SELECT {', '.join(fields)} FROM Account", include_deleted=True)["records"]
    frame = pandas.DataFrame([{f: r.get(f) for f in fields} for r in records], columns=fields).astype(
        "string"
    )
    with duckdb.connect(str(database)) as connection:
        connection.register("frame", frame)
        connection.execute("CREATE OR REPLACE TABLE account AS SELECT * FROM frame")
    return len(frame)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="10,000 records: a smoke run for the test suite")
    args = parser.parse_args()
    count = 10_000 if args.quick else args.records
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        os.environ["DLT_DATA_DIR"] = str(work / "dlt")
        with EmulatorProcess(work / "org") as emulator:
            for start in range(0, count, SEED_CHUNK):
                emulator.admin.seed(
                    "Account",
                    [
                        {
                            "Name": f"Account {n:07d}",
                            # History, not this minute: otherwise the whole org sits inside the delta's lookback.
                            "SystemModstamp": "2026-01-01T00:00:00.000Z",
                            "BillingCity": "Leeds",
                            "AnnualRevenue": n * 3.5,
                            "Industry": "Retail",
                        }
                        for n in range(start, min(start + SEED_CHUNK, count))
                    ],
                )
            results = {}
            for label, run in (
                ("sfsync ingest", lambda: ingest(emulator, work / "ours.duckdb")),
                ("baseline: REST query_all", lambda: naive_extract(emulator, work / "naive.duckdb")),
            ):
                before = api_used(emulator)
                with measure(f"{label}, full ({count:,})") as full:
                    run()
                full.extra["api_calls"] = api_used(emulator) - before
                results[(label, "full")] = full
            sf = emulator.salesforce()
            changed = sf.query(f"SELECT Id FROM Account ORDER BY Name LIMIT {max(count // 100, 1)}")[
                "records"
            ]
            for start in range(0, len(changed), 200):
                sf.restful(
                    "composite/sobjects",
                    method="PATCH",
                    json={
                        "allOrNone": False,
                        "records": [
                            {"attributes": {"type": "Account"}, "id": r["Id"], "Rating": "Hot"}
                            for r in changed[start : start + 200]
                        ],
                    },
                )
            time.sleep(3)
            for label, run in (
                ("sfsync ingest", lambda: ingest(emulator, work / "ours.duckdb")),
                ("baseline: REST query_all", lambda: naive_extract(emulator, work / "naive.duckdb")),
            ):
                before = api_used(emulator)
                with measure(f"{label}, 1 % delta") as delta:
                    run()
                delta.extra["api_calls"] = api_used(emulator) - before
                results[(label, "delta")] = delta
            peak = peak_rss_mb_of(emulator.process.pid)
        for kind in ("full", "delta"):
            ours, baseline = results[("sfsync ingest", kind)], results[("baseline: REST query_all", kind)]
            ours.extra["speedup_vs_baseline"] = round(baseline.wall_s / ours.wall_s, 2)
            ours.extra["api_call_ratio"] = round(
                baseline.extra["api_calls"] / max(ours.extra["api_calls"], 1), 1
            )
            rows += [as_row(ours), as_row(baseline)]
    comparisons = []
    for kind, label in (("full", f"extract {count:,} records, full"), ("delta", "extract, 1 % delta")):
        ours, baseline = results[("sfsync ingest", kind)], results[("baseline: REST query_all", kind)]
        comparisons.append(
            comparison(f"{label}: wall s", ours.wall_s, baseline.wall_s, "s", baseline_name="REST query_all")
        )
        comparisons.append(
            comparison(
                f"{label}: API calls",
                ours.extra["api_calls"],
                baseline.extra["api_calls"],
                "calls",
                baseline_name="REST query_all",
            )
        )
    path = write_results(
        "extract", rows, {"records": count, "quick": args.quick, "emulator_peak_rss_mb": peak}, comparisons
    )
    print(
        markdown_table(
            rows, ["name", "wall_s", "cpu_s", "api_calls", "speedup_vs_baseline", "api_call_ratio"]
        )
    )
    print(f"\nresults in {path}")


if __name__ == "__main__":
    main()
