"""Generate one consistent company in every system, chunk by chunk, with its ground truth.

Each chunk of customers is built once and rendered by every system writer, then dropped: memory stays flat
from 1,000 to 1,000,000+ records. Every writer draws from its own seeded stream per chunk, so output depends
only on (seed, scale, rates, as_of) and never on the wall clock or on how another writer used its randomness.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sfsync_assets.lib.emulator.schema import OrgSchema, load_schema

from .clock import DAY, DEFAULT_AS_OF, parse_as_of, to_date
from .dice import Dice, Tally
from .ebcdic_files import MainframeWriter
from .erp import ErpWriter, currency_rate_rows, erp_engine
from .errors import OutputDirError
from .legacy_files import ArBalanceWriter, LegacyCrmWriter
from .people import new_users
from .rates import Rates
from .salesforce_org import SalesforceOrgWriter
from .truth import TruthWriter
from .world import Counters, build_chunk

GENERATOR_VERSION = "1.0.0"
ORG_SCHEMA_FILE = Path(__file__).resolve().parents[2] / "config" / "org_schema.yaml"
# Source records (all systems) per ERP customer at default rates; measured, used to size a run from --scale.
RECORDS_PER_CUSTOMER = 23.85
CUSTOMERS_PER_USER = 200
ORG_DOMAIN = "sfsync-demo.example.com"
# What a generated company consists of; --overwrite removes exactly these, nothing else in the directory.
OUTPUT_ENTRIES = ("salesforce", "inbound", "truth", "erp.sqlite")

Progress = Callable[[str], None]


@dataclass(frozen=True)
class GenerateConfig:
    out_dir: Path
    scale: int
    seed: int
    rates: Rates = field(default_factory=Rates)
    erp_url: str | None = None  # default: SQLite file DIR/erp.sqlite
    erp_schema: str | None = None
    as_of: str = DEFAULT_AS_OF
    chunk_customers: int = 2_000
    overwrite: bool = False
    # Companies and people only, no orders, invoices or deals: a quarter of the records for the same parties,
    # for measuring identity resolution at a million persons.
    parties_only: bool = False

    @property
    def rate_interval_days(self) -> int:
        """Small companies book monthly currency rates, mid-size weekly, large daily (keeps small runs
        small)."""
        return 1 if self.scale >= 500_000 else 7 if self.scale >= 50_000 else 30

    @property
    def customers(self) -> int:
        other = currency_rate_rows(self.rate_interval_days)
        return max(10, round((self.scale - other) / RECORDS_PER_CUSTOMER))

    def resolved_erp_url(self) -> str:
        return self.erp_url or f"sqlite:///{self.out_dir / 'erp.sqlite'}"


def prepare_out_dir(out_dir: Path, overwrite: bool) -> None:
    present = [name for name in OUTPUT_ENTRIES if (out_dir / name).exists()]
    if present and not overwrite:
        raise OutputDirError(
            f"{out_dir}: already holds a generated company ({', '.join(present)}); "
            "pass --overwrite to replace it"
        )
    for name in present:
        path = out_dir / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    out_dir.mkdir(parents=True, exist_ok=True)


def org_schema() -> OrgSchema:
    return load_schema(ORG_SCHEMA_FILE)


def generate_company(config: GenerateConfig, progress: Progress = lambda _line: None) -> dict[str, Any]:
    """Write the company into `config.out_dir` (and the ERP database); returns the manifest."""
    started = time.perf_counter()
    out_dir = config.out_dir
    prepare_out_dir(out_dir, config.overwrite)
    as_of = parse_as_of(config.as_of)
    stamp = to_date(as_of).strftime("%Y%m%d")
    rates = config.rates.as_dict()
    tally = Tally()
    customers = config.customers
    progress(
        f"plan: scale {config.scale:,} → {customers:,} ERP customers, "
        f"seed {config.seed}, as of {config.as_of}"
    )

    truth = TruthWriter(out_dir / "truth")
    salesforce = SalesforceOrgWriter(out_dir, org_schema(), truth, as_of)
    engine = erp_engine(config.resolved_erp_url())
    users = new_users(
        Dice(config.seed, 0, "users", rates, tally),
        max(5, customers // CUSTOMERS_PER_USER),
        as_of - 7 * 365 * DAY,
        ORG_DOMAIN,
    )
    salesforce.write_users(users)
    progress(f"users: {len(users):,} Salesforce users")
    erp = ErpWriter(engine, config.erp_schema, truth, as_of, users)
    erp.write_currency_rates(Dice(config.seed, 0, "currency_rates", rates, tally), config.rate_interval_days)
    progress(
        f"currency rates: {erp.counts['currency_rates']:,} rates, "
        f"one per currency every {config.rate_interval_days} day(s)"
    )
    legacy = LegacyCrmWriter(out_dir, truth, as_of, stamp, to_date(as_of).isoformat())
    mainframe = MainframeWriter(out_dir, truth, as_of, stamp)
    balances = ArBalanceWriter(out_dir, truth, as_of, stamp)

    counters = Counters()
    chunk_count = (customers + config.chunk_customers - 1) // config.chunk_customers
    for index in range(chunk_count):
        first = index * config.chunk_customers
        count = min(config.chunk_customers, customers - first)
        prospects = round((first + count) * config.rates.prospects_per_customer) - round(
            first * config.rates.prospects_per_customer
        )
        chunk = build_chunk(
            Dice(config.seed, index + 1, "world", rates, tally),
            index,
            count,
            prospects,
            counters,
            as_of,
            len(users),
            config.parties_only,
        )
        streams = {
            name: Dice(config.seed, index + 1, name, rates, tally)
            for name in ("salesforce", "erp", "legacy", "mainframe", "erp_consent")
        }
        for company in chunk.companies:
            salesforce.write_company(streams["salesforce"], company)
            erp.write_company(streams["erp"], company, streams["erp_consent"])
            legacy.write_company(streams["legacy"], company)
            if company.in_mainframe:
                number, balance = mainframe.write_company(streams["mainframe"], company)
                balances.write(company, number, balance)
        erp.flush()
        truth.flush_golden()
        progress(
            f"companies: chunk {index + 1}/{chunk_count}, {counters.company:,} companies, "
            f"{counters.person:,} people, {counters.order:,} orders, {counters.invoice:,} invoices"
        )

    salesforce.close()
    files = {**legacy.close(), **mainframe.close(), **balances.close()}
    truth.close()
    engine.dispose()
    counts = {
        "salesforce": dict(salesforce.counts),
        "erp": dict(erp.counts),
        "legacy": files,
    }
    total = sum(sum(system.values()) for system in counts.values())
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "seed": config.seed,
        "scale": config.scale,
        "as_of": config.as_of,
        "customers": customers,
        "parties_only": config.parties_only,
        "erp_url": "sqlite:///erp.sqlite" if config.erp_url is None else "external",
        "rates": rates,
        "counts": counts,
        "total_records": total,
        "truth": {
            "entities_rows": truth.entity_rows,
            "golden_records": truth.golden_rows,
            "planted_problems": dict(sorted(truth.problem_counts.items())),
        },
        "planted_rates": tally.as_dict(rates),
        "mutations": [],
    }
    write_manifest(out_dir, manifest)
    for system, objects in counts.items():
        progress(f"{system}: " + ", ".join(f"{name} {n:,}" for name, n in objects.items()))
    elapsed = time.perf_counter() - started
    progress(
        f"truth: {truth.entity_rows:,} entity rows, {truth.golden_rows:,} golden records, "
        f"{sum(truth.problem_counts.values()):,} planted problems/variations"
    )
    progress(f"done: {total:,} source records in {elapsed:.1f}s ({total / elapsed:,.0f} records/s)")
    return manifest


def write_manifest(out_dir: Path, manifest: dict[str, Any]) -> None:
    path = out_dir / "truth" / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def read_manifest(out_dir: Path) -> dict[str, Any]:
    path = out_dir / "truth" / "manifest.json"
    if not path.exists():
        raise OutputDirError(f"{out_dir}: no generated company here (missing truth/manifest.json)")
    return json.loads(path.read_text(encoding="utf-8"))
