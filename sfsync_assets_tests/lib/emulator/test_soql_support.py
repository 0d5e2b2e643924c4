"""Shared support of the SOQL engine tests: a real SQLite org and the small sample org most tests query.

Rows go in with plain SQL in the storage convention (UTC datetime text, 0/1 booleans, 18-character ids), tables
come from the real schema via `create_object_tables`, and queries run through `compile_soql` exactly as the
server runs them. Named `test_soql_*` to live with the tests; it holds no tests itself.
"""

from __future__ import annotations

import functools
import itertools
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sfsync_assets.lib.emulator.ids import make_id
from sfsync_assets.lib.emulator.schema import OrgSchema, load_schema
from sfsync_assets.lib.emulator.soql import CompiledQuery, compile_soql
from sfsync_assets.lib.emulator.tables import create_object_tables, quote

ORG_SCHEMA_FILE = Path(__file__).resolve().parents[3] / "sfsync_assets" / "config" / "org_schema.yaml"
NOW = datetime(2026, 3, 18, 15, 30, tzinfo=UTC)  # a Wednesday; its en_US week runs Sunday 15 to Saturday 21
API_VERSION = "59.0"


@functools.cache
def demo_schema() -> OrgSchema:
    return load_schema(ORG_SCHEMA_FILE)


class SoqlOrg:
    """An in-memory org: the schema's tables in SQLite, rows inserted by hand, queries compiled and run."""

    def __init__(self, schema: OrgSchema | None = None) -> None:
        self.schema = schema or demo_schema()
        self.connection = sqlite3.connect(":memory:")
        create_object_tables(self.connection, self.schema)
        self._sequence = itertools.count(1)

    def insert(self, object_name: str, **values: Any) -> str:
        """Insert one record (not deleted, created 2026-01-01 unless `values` say otherwise); returns its Id."""
        obj = self.schema.object(object_name)
        assert obj is not None
        record_id = make_id(obj.key_prefix, next(self._sequence))
        row = {
            "Id": record_id,
            "IsDeleted": 0,
            "CreatedDate": "2026-01-01T00:00:00.000Z",
            "SystemModstamp": "2026-01-01T00:00:00.000Z",
            **values,
        }
        self.connection.execute(
            f"INSERT INTO {quote(obj.table)} ({', '.join(quote(name) for name in row)}) "
            f"VALUES ({', '.join('?' * len(row))})",
            list(row.values()),
        )
        return record_id

    def compile(self, soql: str, **options: Any) -> CompiledQuery:
        return compile_soql(soql, self.schema, now=NOW, **options)

    def rows(self, soql: str, **options: Any) -> tuple[CompiledQuery, list[tuple[Any, ...]]]:
        compiled = self.compile(soql, **options)
        return compiled, self.connection.execute(compiled.sql, compiled.params).fetchall()

    def records(self, soql: str, **options: Any) -> list[dict[str, Any]]:
        compiled, rows = self.rows(soql, **options)
        return [compiled.row_to_record(row, API_VERSION) for row in rows]

    def values(self, soql: str, key: str = "Name", **options: Any) -> list[Any]:
        """One selected field of every record, in result order."""
        return [record[key] for record in self.records(soql, **options)]

    def csv(self, soql: str, **options: Any) -> list[list[str]]:
        """Header row, then one row of cells per record."""
        compiled, rows = self.rows(soql, **options)
        return [compiled.csv_header(), *(compiled.row_to_csv(row) for row in rows)]

    def total(self, soql: str, **options: Any) -> int:
        compiled = self.compile(soql, **options)
        return self.connection.execute(compiled.count_sql, compiled.count_params).fetchone()[0]


@dataclass
class SampleOrg:
    """The sample org and the ids of its records, by short name."""

    org: SoqlOrg
    ids: dict[str, str]


def sample_org() -> SampleOrg:
    """One user, four accounts (one deleted), four contacts (one deleted), six opportunities.

    Accounts:  Acme (Banking, owner Ada, 120 employees, created 2026-01-10T10:00Z);
               Globex (Retail, no owner, child of Acme, 250.5 revenue, created 2026-03-15T23:30Z);
               initech (no industry, owner Ada, 7 employees, created 2026-03-18T08:00Z);
               Zombie Corp (Banking, deleted, created 2025-12-31T23:59:59.999Z).
    Contacts:  Grace Hopper (Acme, opted out), Alan Turing (Globex), Orphan Annie (no account),
               Ghost Writer (Acme, deleted).
    Opportunities close 2026-03-18 (A, Acme), 03-17 (B, Acme), 03-22 (C, Globex), 01-05 (D), 2025-12-31 (E),
               2026-04-02 (F).
    """
    org = SoqlOrg()
    ids: dict[str, str] = {}
    ids["ada"] = org.insert(
        "User",
        Username="ada@example.com",
        FirstName="Ada",
        LastName="Lovelace",
        Name="Ada Lovelace",
        Email="ada@example.com",
        IsActive=1,
    )
    ids["acme"] = org.insert(
        "Account",
        Name="Acme",
        Industry="Banking",
        Rating="Hot",
        AnnualRevenue=1000000.0,
        NumberOfEmployees=120,
        OwnerId=ids["ada"],
        CreatedDate="2026-01-10T10:00:00.000Z",
        ERP_Customer_Id__c="C-1",
    )
    ids["globex"] = org.insert(
        "Account",
        Name="Globex",
        Industry="Retail",
        Rating="Cold",
        AnnualRevenue=250.5,
        ParentId=ids["acme"],
        CreatedDate="2026-03-15T23:30:00.000Z",
    )
    ids["initech"] = org.insert(
        "Account",
        Name="initech",
        Rating="Warm",
        NumberOfEmployees=7,
        OwnerId=ids["ada"],
        CreatedDate="2026-03-18T08:00:00.000Z",
    )
    ids["zombie"] = org.insert(
        "Account", Name="Zombie Corp", Industry="Banking", IsDeleted=1, CreatedDate="2025-12-31T23:59:59.999Z"
    )
    ids["grace"] = org.insert(
        "Contact",
        FirstName="Grace",
        LastName="Hopper",
        Name="Grace Hopper",
        AccountId=ids["acme"],
        Email="grace@navy.mil",
        Birthdate="1906-12-09",
        HasOptedOutOfEmail=1,
        LeadSource="Web",
    )
    ids["alan"] = org.insert(
        "Contact",
        FirstName="Alan",
        LastName="Turing",
        Name="Alan Turing",
        AccountId=ids["globex"],
        Email="alan@bletchley.uk",
        Birthdate="1912-06-23",
        HasOptedOutOfEmail=0,
        LeadSource="Phone Inquiry",
    )
    ids["annie"] = org.insert(
        "Contact", FirstName="Orphan", LastName="Annie", Name="Orphan Annie", HasOptedOutOfEmail=0
    )
    ids["ghost"] = org.insert(
        "Contact",
        FirstName="Ghost",
        LastName="Writer",
        Name="Ghost Writer",
        AccountId=ids["acme"],
        HasOptedOutOfEmail=0,
        IsDeleted=1,
    )
    for name, account, close_date, amount in [
        ("A", "acme", "2026-03-18", 100.0),
        ("B", "acme", "2026-03-17", 2500.5),
        ("C", "globex", "2026-03-22", 40.0),
        ("D", None, "2026-01-05", None),
        ("E", None, "2025-12-31", 10.0),
        ("F", None, "2026-04-02", 5.0),
    ]:
        ids[f"deal_{name}"] = org.insert(
            "Opportunity",
            Name=f"Deal {name}",
            StageName="Prospecting",
            AccountId=ids.get(account or ""),
            CloseDate=close_date,
            Amount=amount,
        )
    return SampleOrg(org, ids)
