"""A small synced world for monitoring tests: golden records in DuckDB, pushed into a real emulator org, and the
ledger saying so, all in the shapes the golden and outbound modules use."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import yaml
from dagster_duckdb import DuckDBResource

from sfsync_assets.defs.monitoring.resources import MonitoringResource
from sfsync_assets.defs.outbound.resources import OutboundResource
from sfsync_assets.defs.salesforce_resource import SalesforceResource
from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.outbound import ledger
from sfsync_assets.lib.outbound.ledger import LedgerEntry, LedgerRow
from sfsync_assets.lib.outbound.settings import load_outbound_settings
from sfsync_assets.lib.outbound.tables import ensure_tables
from sfsync_assets.lib.outbound.wire import wire
from sfsync_assets.lib.reconcile.settings import RECONCILE_FILE

OUTBOUND = load_outbound_settings()
PARENT = "account_golden_id"  # golden.person's organization, as system_of_record.yaml derives it
ACCOUNT, CONTACT = OUTBOUND.targets["account"], OUTBOUND.targets["contact"]
# Salesforce owns names, phones and titles; everything else comes first from the ERP, so it is pushed.
SYSTEM_OF_RECORD = """
system_groups:
  legacy: [legacy_csv, legacy_fixed, legacy_ebcdic]
classes:
  contact: [salesforce, erp, legacy]
  finance: [erp, salesforce, legacy]
fields:
  organization:
    Name: {class: contact}
    Phone: {class: contact}
    Website: {class: contact}
    Industry: {class: contact}
    BillingCity: {class: finance}
    Credit_Limit__c: {class: finance}
    ERP_Customer_Id__c: {class: finance}
  person:
    account_golden_id: {class: finance, derived: organization_golden_id}
    Title: {class: contact}
    Phone: {class: contact}
    MobilePhone: {class: contact}
    FirstName: {class: finance}
    LastName: {class: finance}
    Email: {class: finance}
"""


def salesforce_resource(emulator: EmulatorProcess) -> SalesforceResource:
    credentials = emulator.credentials
    return SalesforceResource(
        domain=emulator.info.login_domain,
        username=credentials.username,
        password=credentials.password,
        security_token=credentials.security_token,
        ca_bundle=emulator.info.ca_file,
    )


@dataclass
class World:
    tmp: Path
    emulator: EmulatorProcess
    organizations: list[str]
    persons: list[str]
    record_ids: dict[str, str]
    golden: dict[str, dict[str, Any]]

    @property
    def database(self) -> Path:
        return self.tmp / "warehouse.duckdb"

    @property
    def system_of_record(self) -> Path:
        return self.tmp / "system_of_record.yaml"

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.database))

    def resources(self, settings_file: Path | None = None) -> dict[str, Any]:
        monitoring = (
            MonitoringResource(settings_file=str(settings_file)) if settings_file else MonitoringResource()
        )
        return {
            "duckdb": DuckDBResource(database=str(self.database)),
            "salesforce": salesforce_resource(self.emulator),
            "outbound": OutboundResource(system_of_record_file=str(self.system_of_record)),
            "monitoring": monitoring,
        }

    def record_pushed(self, target: str, golden_ids: list[str]) -> None:
        """Write ledger rows as a push that created these records does: every value it sent, as Salesforce took it."""
        settings = OUTBOUND.targets[target]
        rows = []
        for golden_id in golden_ids:
            golden = {**self.golden[golden_id], settings.parent_field: self.golden[golden_id].get(PARENT)}
            sent = {
                name: wire(golden.get(name)) for name in [*settings.fields, settings.parent_field] if name
            }
            values = {name: value for name, value in sent.items() if value is not None}
            rows.append(
                LedgerRow(golden_id, LedgerEntry.of(self.record_ids[golden_id], values), "collections")
            )
        with self.connect() as connection:
            ensure_tables(connection)
            ledger.save(connection, target, rows, "test-push", datetime.now(UTC))


def _organization(prefix: str, n: int) -> dict[str, Any]:
    return {
        "Name": f"Org {prefix} {n}",
        "Phone": "+49301234567",
        "Website": None,
        "Industry": "Manufacturing",
        "BillingStreet": None,
        "BillingCity": "Berlin",
        "BillingPostalCode": f"{n:05d}",
        "BillingCountry": None,
        "CurrencyIsoCode": "EUR",
        "Credit_Limit__c": 5000.0 + n,
        "ERP_Customer_Id__c": None,
    }


def _person(prefix: str, n: int, organization: str) -> dict[str, Any]:
    return {
        PARENT: organization,
        "FirstName": "Ada",
        "LastName": f"Person {prefix} {n}",
        "Email": f"ada.{prefix}.{n}@example.com",
        "Phone": None,
        "MobilePhone": None,
        "Title": "Buyer",
        "HasOptedOutOfEmail": False,
        "DoNotCall": False,
    }


def _create_golden_tables(connection: duckdb.DuckDBPyConnection, golden: dict[str, dict[str, Any]]) -> None:
    connection.execute("CREATE SCHEMA IF NOT EXISTS golden")
    for table, columns, kind in (
        ("golden.organization", ["golden_id", *ACCOUNT.fields, "source_updated_at"], "O"),
        ("golden.person", ["golden_id", PARENT, *CONTACT.fields, "source_updated_at"], "P"),
    ):
        types = {"Credit_Limit__c": "DOUBLE", "HasOptedOutOfEmail": "BOOLEAN", "DoNotCall": "BOOLEAN"}
        types["source_updated_at"] = "TIMESTAMPTZ"
        definitions = ", ".join(f'"{column}" {types.get(column, "VARCHAR")}' for column in columns)
        connection.execute(f"CREATE TABLE {table} ({definitions})")
        for golden_id, values in golden.items():
            if golden_id.split("-")[1] == kind:
                row = {"golden_id": golden_id, **values}
                connection.execute(
                    f"INSERT INTO {table} VALUES ({', '.join('?' for _ in columns)})",
                    [row.get(c) for c in columns],
                )


def synced_world(emulator: EmulatorProcess, tmp: Path, organizations: int = 2, persons: int = 5) -> World:
    """Golden records upserted into the org on Golden_Id__c by the integration user, and the ledger to match."""
    prefix = uuid.uuid4().hex[:8]
    golden: dict[str, dict[str, Any]] = {}
    org_ids = [f"{prefix}-O-{n}" for n in range(organizations)]
    person_ids = [f"{prefix}-P-{n}" for n in range(persons)]
    for n, golden_id in enumerate(org_ids):
        golden[golden_id] = _organization(prefix, n)
    for n, golden_id in enumerate(person_ids):
        golden[golden_id] = _person(prefix, n, org_ids[n % organizations])
    (tmp / "system_of_record.yaml").write_text(SYSTEM_OF_RECORD, encoding="utf-8")
    sf = emulator.salesforce()
    for golden_id in org_ids:
        values = {k: v for k, v in golden[golden_id].items() if v is not None}
        sf.Account.upsert(f"Golden_Id__c/{golden_id}", values)
    for golden_id in person_ids:
        values = {k: v for k, v in golden[golden_id].items() if v is not None and k != PARENT}
        values["Account"] = {"Golden_Id__c": golden[golden_id][PARENT]}
        sf.Contact.upsert(f"Golden_Id__c/{golden_id}", values)
    record_ids = {}
    for object_name in ("Account", "Contact"):
        found = sf.query_all(
            f"SELECT Id, Golden_Id__c FROM {object_name} WHERE Golden_Id__c LIKE '{prefix}%'"
        )
        record_ids |= {r["Golden_Id__c"]: r["Id"] for r in found["records"]}
    world = World(tmp, emulator, org_ids, person_ids, record_ids, golden)
    with world.connect() as connection:
        _create_golden_tables(connection, golden)
    world.record_pushed("account", org_ids)
    world.record_pushed("contact", person_ids)
    return world


def settings_file(tmp: Path, **sections: dict[str, Any]) -> Path:
    """The repository's reconcile.yaml with some sections replaced, written under `tmp`."""
    settings = {**yaml.safe_load(RECONCILE_FILE.read_text(encoding="utf-8")), **sections}
    path = tmp / "reconcile.yaml"
    path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    return path
