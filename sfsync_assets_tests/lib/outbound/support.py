"""Golden tables built the way `golden_source` reads them, and a push driven exactly as the assets drive it.

The golden tables follow `lib/golden/survivorship.py` (`golden_id`, Salesforce field names, `account_golden_id`
for persons, `is_deleted`); the matrix follows `config/system_of_record.yaml` with two classes, so that exactly
Website (organizations) and Title (persons) are owned by Salesforce.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.outbound.push import PushResult, PushScope, push
from sfsync_assets.lib.outbound.settings import OutboundSettings, load_outbound_settings
from sfsync_assets.lib.outbound.wire import wire
from sfsync_assets.lib.salesforce.budget import ApiGovernor, BudgetPolicy
from sfsync_assets.lib.salesforce.connection import connect

ORGANIZATION_FIELDS = {
    "Name": "VARCHAR",
    "Phone": "VARCHAR",
    "Website": "VARCHAR",
    "Industry": "VARCHAR",
    "BillingStreet": "VARCHAR",
    "BillingCity": "VARCHAR",
    "BillingPostalCode": "VARCHAR",
    "BillingCountry": "VARCHAR",
    "CurrencyIsoCode": "VARCHAR",
    "Credit_Limit__c": "DOUBLE",
    "ERP_Customer_Id__c": "VARCHAR",
}
PERSON_FIELDS = {
    "FirstName": "VARCHAR",
    "LastName": "VARCHAR",
    "Email": "VARCHAR",
    "Phone": "VARCHAR",
    "MobilePhone": "VARCHAR",
    "Title": "VARCHAR",
    "MailingCity": "VARCHAR",
    "MailingPostalCode": "VARCHAR",
    "MailingCountry": "VARCHAR",
    "ERP_Contact_Id__c": "VARCHAR",
    "HasOptedOutOfEmail": "BOOLEAN",
    "DoNotCall": "BOOLEAN",
}
INDUSTRIES = ["Banking", "Retail", "Energy", "Technology", "Shipping"]
CURRENCIES = ["GBP", "EUR", "USD"]
PARENT_COLUMN = "account_golden_id"
SYSTEM_OF_RECORD = """\
classes:
  salesforce_first: [salesforce, erp, legacy_csv]
  erp_first: [erp, salesforce, legacy_csv]
fields:
  organization:
    Name: {class: erp_first}
    Website: {class: salesforce_first}
    Credit_Limit__c: {class: erp_first}
  person:
    LastName: {class: erp_first}
    Title: {class: salesforce_first}
    account_golden_id: {class: erp_first, derived: organization_golden_id}
"""


@dataclass
class GoldenWorld:
    """Golden organizations and persons of one test, under a prefix no other test uses."""

    connection: duckdb.DuckDBPyConnection
    prefix: str

    @classmethod
    def create(cls, connection: duckdb.DuckDBPyConnection, organizations: int, persons: int) -> GoldenWorld:
        world = cls(connection, f"t{uuid.uuid4().hex[:8]}")
        connection.execute("CREATE SCHEMA IF NOT EXISTS golden")
        columns = ", ".join(f'"{name}" {kind}' for name, kind in ORGANIZATION_FIELDS.items())
        connection.execute(
            f"CREATE TABLE IF NOT EXISTS golden.organization (golden_id VARCHAR, {columns}, is_deleted BOOLEAN)"
        )
        columns = ", ".join(f'"{name}" {kind}' for name, kind in PERSON_FIELDS.items())
        connection.execute(
            "CREATE TABLE IF NOT EXISTS golden.person "
            f"(golden_id VARCHAR, {columns}, {PARENT_COLUMN} VARCHAR, is_deleted BOOLEAN)"
        )
        world._insert("organization", [world._organization(n) for n in range(organizations)])
        world._insert("person", [world._person(n, organizations) for n in range(persons)])
        return world

    def _insert(self, entity: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            placeholders = ", ".join("?" for _ in rows[0])
            self.connection.executemany(f"INSERT INTO golden.{entity} VALUES ({placeholders})", rows)

    def organization_id(self, n: int) -> str:
        return f"{self.prefix}-org-{n:06d}"

    def person_id(self, n: int) -> str:
        return f"{self.prefix}-per-{n:06d}"

    def _organization(self, n: int) -> tuple[Any, ...]:
        return (
            self.organization_id(n),
            f"Org {self.prefix} {n}",
            f"+44113{n:07d}",
            f"org{n}.{self.prefix}.example",
            INDUSTRIES[n % len(INDUSTRIES)],
            f"{n} High Street",
            "Leeds",
            f"LS{n % 30}",
            "GB",
            CURRENCIES[n % len(CURRENCIES)],
            1000 + n * 10.5,
            f"{self.prefix}-E{n}",
            False,
        )

    def _person(self, n: int, organizations: int) -> tuple[Any, ...]:
        organization = self.organization_id(n % organizations) if n % 10 != 9 else None
        return (
            self.person_id(n),
            f"First{n}",
            f"Last{n}",
            f"{self.prefix}.{n}@example.com",
            f"+44207{n:07d}",
            None,
            "Buyer",
            "Leeds",
            f"LS{n % 30}",
            "GB",
            f"{self.prefix}-C{n}",
            n % 5 == 0,
            n % 7 == 0,
            organization,
            False,
        )

    def update(self, entity: str, field: str, value: Any, golden_ids: list[str]) -> None:
        placeholders = ", ".join("?" for _ in golden_ids)
        self.connection.execute(
            f'UPDATE golden.{entity} SET "{field}" = ? WHERE golden_id IN ({placeholders})',
            [value, *golden_ids],
        )

    def golden(self, entity: str) -> dict[str, dict[str, Any]]:
        """golden id -> values (with `parent` for persons), of this world only."""
        fields = ORGANIZATION_FIELDS if entity == "organization" else PERSON_FIELDS
        parent = PARENT_COLUMN if entity == "person" else "NULL"
        names = ", ".join(f'"{name}"' for name in fields)
        rows = self.connection.execute(
            f"SELECT golden_id, {parent}, {names} FROM golden.{entity} WHERE golden_id LIKE ? AND NOT is_deleted",
            [f"{self.prefix}-%"],
        ).fetchall()
        return {row[0]: {"parent": row[1], **dict(zip(fields, row[2:], strict=True))} for row in rows}


def fast_settings(**salesforce: Any) -> OutboundSettings:
    """The shipped configuration with test-sized waits (and any other write settings overridden)."""
    settings = load_outbound_settings()
    retry = settings.salesforce.retry.model_copy(
        update={"base_delay_seconds": 0.01, "max_delay_seconds": 0.05}
    )
    overrides = {"retry": retry, "bulk_poll_seconds": 0.05, "bulk_poll_max_seconds": 0.2, **salesforce}
    return settings.model_copy(update={"salesforce": settings.salesforce.model_copy(update=overrides)})


def record_salesforce_sources(
    connection: duckdb.DuckDBPyConnection, entity: str, sources: dict[str, str]
) -> None:
    """identity.xref rows saying that Salesforce record `sources[golden_id]` is a source of the entity."""
    connection.execute("CREATE SCHEMA IF NOT EXISTS identity")
    connection.execute(
        "CREATE TABLE IF NOT EXISTS identity.xref (entity_type VARCHAR, source_key VARCHAR, source_system VARCHAR, "
        "source_object VARCHAR, source_id VARCHAR, golden_id VARCHAR, is_active BOOLEAN)"
    )
    source_object = "Account" if entity == "organization" else "Contact"
    connection.executemany(
        "INSERT INTO identity.xref VALUES (?, ?, 'salesforce', ?, ?, ?, true)",
        [
            (entity, f"salesforce:{source_object}:{record_id}", source_object, record_id, golden_id)
            for golden_id, record_id in sources.items()
        ],
    )


def write_system_of_record(directory: Path) -> Path:
    path = directory / "system_of_record.yaml"
    path.write_text(SYSTEM_OF_RECORD, encoding="utf-8")
    return path


def run_push(
    connection: duckdb.DuckDBPyConnection,
    emulator: EmulatorProcess,
    settings: OutboundSettings,
    scope: PushScope | str,
    system_of_record: Path,
    run_id: str | None = None,
    policy: BudgetPolicy | None = None,
) -> PushResult:
    governor = ApiGovernor(policy or settings.salesforce.budget.policy())
    return push(
        connection,
        settings,
        scope if isinstance(scope, PushScope) else PushScope(scope),
        lambda: connect(emulator.connection_settings(), governor),
        governor,
        run_id or f"run-{uuid.uuid4().hex[:8]}",
        "sfsync",
        system_of_record,
    )


def api_usage(emulator: EmulatorProcess) -> int:
    limits = emulator.admin.limits()["DailyApiRequests"]
    return limits["Max"] - limits["Remaining"]


def salesforce_records(
    sf, object_name: str, prefix: str, fields: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """golden id -> every live Salesforce record carrying it (more than one would be a duplicate)."""
    names = ", ".join(["Id", "Golden_Id__c", *fields])
    records = sf.query_all(f"SELECT {names} FROM {object_name} WHERE Golden_Id__c LIKE '{prefix}-%'")[
        "records"
    ]
    by_golden: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        by_golden[record["Golden_Id__c"]].append(record)
    return by_golden


def differences(expected: dict[str, Any], actual: dict[str, Any], fields: set[str]) -> dict[str, tuple]:
    """Fields whose wire spelling differs between the golden record and Salesforce."""
    return {
        field: (expected[field], actual[field])
        for field in fields
        if wire(expected[field]) != wire(actual[field])
    }
