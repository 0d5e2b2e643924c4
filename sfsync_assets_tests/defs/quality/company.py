"""A generated company landed in a DuckDB warehouse the way the ingest assets land it, and its ground truth.

Salesforce: the generated org is seeded into a real emulator and read by the `raw/salesforce/*` assets. ERP: the
generated SQLite database is read by the `raw/erp/*` assets. Legacy: each drop-folder file is loaded by the
function the `raw/legacy/*` assets call, under the partition key the sensor would give it.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dlt import DagsterDltResource
from dagster_duckdb import DuckDBResource

from sfsync_assets.defs.ingest import erp as erp_ingest
from sfsync_assets.defs.ingest import salesforce as salesforce_ingest
from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.generator.pipeline import GenerateConfig, generate_company, org_schema
from sfsync_assets.lib.generator.rates import Rates
from sfsync_assets.lib.generator.seed_loader import seed_org
from sfsync_assets.lib.legacy.inbox import FilePartition, content_digest
from sfsync_assets.lib.legacy.load import load_file
from sfsync_assets.lib.legacy.settings import load_legacy_feeds
from sfsync_assets_tests.defs.monitoring.support import salesforce_resource


@dataclass(frozen=True)
class Company:
    directory: Path  # salesforce/, inbound/, truth/, erp.sqlite
    warehouse: Path

    def duckdb(self) -> DuckDBResource:
        return DuckDBResource(database=str(self.warehouse))

    def source_ids(self) -> dict[tuple[str, str, str], str]:
        """(system, object, truth source_key) → the record's id in its system."""
        with open(self.directory / "truth" / "entities.csv", encoding="utf-8", newline="") as handle:
            return {
                (r["system"], r["object"], r["source_key"]): r["source_id"] for r in csv.DictReader(handle)
            }

    def planted_errors(self) -> list[dict[str, str]]:
        with open(self.directory / "truth" / "planted_problems.csv", encoding="utf-8", newline="") as handle:
            return [row for row in csv.DictReader(handle) if row["expected_error"]]

    def golden_records(self) -> Iterator[dict[str, Any]]:
        with open(self.directory / "truth" / "golden_expected.jsonl", encoding="utf-8") as handle:
            for line in handle:
                yield json.loads(line)


def land_company(
    root: Path, scale: int, seed: int, rates: Rates | None = None, salesforce: bool = True
) -> Company:
    """Generate a company and land it; without `salesforce`, only its ERP and legacy systems (no emulator)."""
    directory, warehouse = root / "company", root / "warehouse.duckdb"
    # The company's "now" lies before the wall clock, so every record is inside the first Salesforce window.
    as_of = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%dT00:00:00Z")
    generate_company(
        GenerateConfig(out_dir=directory, scale=scale, seed=seed, as_of=as_of, rates=rates or Rates())
    )
    return land_directory(root, directory, warehouse, salesforce)


def land_directory(root: Path, directory: Path, warehouse: Path, salesforce: bool = True) -> Company:
    """Land the generated company in `directory` into `warehouse` (the emulator's org lives under `root`)."""
    resources = {
        "duckdb": DuckDBResource(database=str(warehouse)),
        "dlt": DagsterDltResource(),
        "erp": erp_ingest.ErpDatabaseResource(url=f"sqlite:///{directory / 'erp.sqlite'}"),
    }
    if salesforce:
        with EmulatorProcess(root / "org") as emulator:
            seed_org(directory, emulator.admin, org_schema())
            dg.materialize(
                [salesforce_ingest.salesforce_raw, erp_ingest.erp_raw],
                resources={**resources, "salesforce": salesforce_resource(emulator)},
            )
    else:
        dg.materialize([erp_ingest.erp_raw], resources=resources)
    feeds = load_legacy_feeds().feeds
    with duckdb.connect(str(warehouse)) as connection:
        for path in sorted((directory / "inbound").iterdir()):
            for feed_name, feed in feeds.items():
                if re.fullmatch(feed.pattern, path.name):
                    key = FilePartition(path.name, content_digest(path)).key
                    load_file(connection, feed_name, feed, path, key, "legacy-ingest")
    return Company(directory, warehouse)


def snake_case(field: str) -> str:
    """A truth field name as raw tables spell it: `LastName` → last_name, `CM-CUSTOMER-SINCE` → cm_customer_since."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", field).replace("-", "_").lower()
