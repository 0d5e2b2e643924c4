"""The identity benchmark's stand-in for ingest and staging: a generated company read straight from its files into
`staged.person` / `staged.organization`.

The real pipeline (emulator, dlt, mapping per record) takes hours at the million persons the benchmark needs, and
the benchmark measures matching, not ingest. This loader fills the same canonical shape (`lib/canonical/model.py`)
from `salesforce/*.jsonl`, `erp.sqlite` and the legacy drop folder with simple normalisation. Where the canonical
model has no column for a problem the quality layer would flag (an ERP phone that lost its leading zero), it keeps
the repaired value and records the problem in `quality.quarantine` under the canonical field name, as the quality
layer would. The tests stage their (small) companies through the real pipeline instead.
"""

from __future__ import annotations

import calendar
import csv
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import astuple, fields
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import phonenumbers

from sfsync_assets.lib.canonical.model import ORGANIZATION, PERSON, column_names, create_table_sql
from sfsync_assets.lib.copybook.decoder import CopybookDecoder
from sfsync_assets.lib.copybook.fields import DecodeOptions
from sfsync_assets.lib.copybook.framing import FramingSpec, RecordFormat
from sfsync_assets.lib.copybook.parser import load_copybook
from sfsync_assets.lib.generator.vocab import CARRIERS, COUNTRIES, INDUSTRIES, PAYMENT_TERMS, ROLE_CODES
from sfsync_assets.lib.warehouse.quarantine import QuarantinedRow, ensure_table

RUN_ID = "fixture"
TITLE_BY_ROLE = dict(ROLE_CODES)
INDUSTRY_BY_CODE = {code: name for name, code, _ in INDUSTRIES}
TERMS_BY_CODE = dict(PAYMENT_TERMS)
CARRIER_BY_CODE = dict(CARRIERS)
MONTHS = {calendar.month_abbr[number]: number for number in range(1, 13)}
LEGAL_WORDS = {
    "inc",
    "llc",
    "corp",
    "co",
    "ltd",
    "plc",
    "llp",
    "gmbh",
    "ag",
    "kg",
    "sa",
    "sas",
    "sarl",
    "pty",
}


def stage_company(company_dir: Path, connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """(Re)create staged.person and staged.organization from the company in `company_dir`; returns row counts."""
    company = _Company(company_dir)
    persons = pd.DataFrame(list(company.persons()), columns=column_names(PERSON))
    organizations = pd.DataFrame(list(company.organizations()), columns=column_names(ORGANIZATION))
    connection.execute("CREATE SCHEMA IF NOT EXISTS staged")
    for table, columns, frame in (
        ("staged.person", PERSON, persons),
        ("staged.organization", ORGANIZATION, organizations),
    ):
        connection.execute(f"DROP TABLE IF EXISTS {table}")
        connection.execute(create_table_sql(table, columns))
        connection.register("incoming", frame)
        connection.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming")
        connection.unregister("incoming")
    _flag(connection, company.flagged)
    return {"person": len(persons), "organization": len(organizations)}


def _flag(connection: duckdb.DuckDBPyConnection, rows: list[QuarantinedRow]) -> None:
    """Replace the fixture's quarantine rows in one bulk insert (`quarantine()` upserts row by row)."""
    ensure_table(connection)
    connection.execute("DELETE FROM quality.quarantine WHERE first_seen_run_id = ?", [RUN_ID])
    frame = pd.DataFrame([astuple(row) for row in rows], columns=[f.name for f in fields(QuarantinedRow)])
    connection.register("flagged", frame)
    connection.execute(
        "INSERT INTO quality.quarantine BY NAME SELECT *, ? AS first_seen_run_id, ? AS last_seen_run_id, "
        "now() AS quarantined_at FROM flagged",
        [RUN_ID, RUN_ID],
    )
    connection.unregister("flagged")


@cache
def _country_lookup() -> dict[str, str]:
    lookup = {}
    for country in COUNTRIES:
        for spelling in (country.code, country.name, *country.aliases):
            lookup[spelling.upper()] = country.code
    return lookup


def country_code(text: str | None) -> str | None:
    return _country_lookup().get(text.strip().upper()) if text else None


def e164(raw: Any, country: str | None) -> str | None:
    if raw in (None, ""):
        return None
    try:
        number = phonenumbers.parse(str(raw), country)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def name_normalized(name: str | None) -> str | None:
    if not name:
        return None
    words = "".join(ch if ch.isalnum() else " " for ch in name.lower().replace("&", " and ")).split()
    while words and words[-1] in LEGAL_WORDS:
        words.pop()
    return " ".join(words) or None


def _sf_time(text: str | None) -> datetime | None:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z") if text else None


def _day(year: int, month: int, day: int) -> datetime | None:
    try:
        return datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        return None


def _dd_mm_yyyy(text: str | None) -> datetime | None:
    if not text:
        return None
    day, month, year = (int(part) for part in text.split("/"))
    return _day(year, month, day)


def _dd_mon_yy(text: str | None) -> datetime | None:
    if not text:
        return None
    day, month, year = text.split("-")
    return _day(2000 + int(year), MONTHS[month], int(day))


def _yyyymmdd(value: int | None) -> datetime | None:
    return _day(value // 10000, value // 100 % 100, value % 100) if value else None


def _as_date(moment: datetime | None) -> date | None:
    return moment.date() if moment else None


def _decimal_comma(text: str | None) -> float | None:
    return float(text.replace(".", "").replace(",", ".")) if text else None


def _host(website: str | None) -> str | None:
    if not website:
        return None
    return website.lower().removeprefix("https://").removeprefix("http://").split("/")[0]


def _lineage(system: str, obj: str, source_id: Any, updated: datetime | None, deleted: bool = False) -> dict:
    return {
        "source_system": system,
        "source_object": obj,
        "source_id": str(source_id),
        "source_key": f"{system}:{obj}:{source_id}",
        "source_updated_at": updated,
        "is_deleted": deleted,
        "ingest_run_id": RUN_ID,
    }


class _Company:
    """Reads one generated company and yields canonical rows."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.inbound = directory / "inbound"
        self.flagged: list[QuarantinedRow] = []
        with sqlite3.connect(directory / "erp.sqlite") as erp:
            erp.row_factory = sqlite3.Row
            self.customers = [dict(row) for row in erp.execute("SELECT * FROM customers")]
            self.contacts = [dict(row) for row in erp.execute("SELECT * FROM customer_contacts")]
            addresses = erp.execute("SELECT * FROM addresses WHERE address_type = 'BILL'").fetchall()
        self.billing = {row["customer_id"]: dict(row) for row in addresses}
        self.legacy_customers = list(self._csv("CUSTEXPORT_*.csv", "cp1252", ";", control_records=True))
        self.legacy_countries = {
            row["LEGACY_ID"]: country_code(row["COUNTRY"]) for row in self.legacy_customers
        }
        self.legacy_places = {row["LEGACY_ID"]: row for row in self.legacy_customers}

    def _jsonl(self, obj: str) -> Iterator[dict[str, Any]]:
        path = self.directory / "salesforce" / f"{obj}.jsonl"
        if path.exists():
            with open(path, encoding="utf-8") as handle:
                for line in handle:
                    yield json.loads(line)

    def _csv(self, pattern: str, encoding: str, delimiter: str, control_records: bool) -> Iterator[dict]:
        for path in sorted(self.inbound.glob(pattern)):
            with open(path, encoding=encoding, newline="") as handle:
                lines = handle.read().lstrip("\ufeff").splitlines(keepends=True)
            if control_records:
                lines = lines[1:-1]
            for row in csv.DictReader(lines, delimiter=delimiter):
                yield {key: (value or None) for key, value in row.items()}

    def _erp_phone(
        self, obj: str, source_id: Any, field: str, value: int | None, country: str | None
    ) -> str | None:
        """E.164 of an ERP integer phone; a national number that lost its trunk zero is repaired and flagged
        under `<canonical table>.<field>` (an ERP customers row is both an organization and a person)."""
        if value is None:
            return None
        digits = str(value)
        if country is None:  # an orphan row: only a number written internationally can be read
            return e164("+" + digits, None)
        plan = next(c.phone for c in COUNTRIES if c.code == country)
        if digits.startswith(plan.calling_code):
            return "+" + digits
        if plan.trunk_prefix == "0":
            self.flagged.append(
                QuarantinedRow(
                    "erp", obj, str(source_id), field, "PHONE_LEADING_ZERO_LOST", "lost trunk zero"
                )
            )
        return e164(plan.trunk_prefix + digits, country)

    # --- persons -------------------------------------------------------------------------------------------

    def persons(self) -> Iterator[dict[str, Any]]:
        for obj in ("Contact", "Lead"):
            for record in self._jsonl(obj):
                country = country_code(record.get("MailingCountry") or record.get("Country"))
                account = record.get("AccountId") or record.get("ConvertedAccountId")
                yield {
                    **_lineage(
                        "salesforce",
                        obj,
                        record["Id"],
                        _sf_time(record.get("LastModifiedDate")),
                        bool(record.get("IsDeleted")),
                    ),
                    "FirstName": record.get("FirstName"),
                    "LastName": record.get("LastName"),
                    "Email": (record.get("Email") or "").lower() or None,
                    "Phone": e164(record.get("Phone"), country),
                    "MobilePhone": e164(record.get("MobilePhone"), country),
                    "Title": record.get("Title"),
                    "MailingCity": record.get("MailingCity") or record.get("City"),
                    "MailingPostalCode": record.get("MailingPostalCode") or record.get("PostalCode"),
                    "MailingCountry": country,
                    "organization_source_key": f"salesforce:Account:{account}" if account else None,
                    "ERP_Contact_Id__c": record.get("ERP_Contact_Id__c"),
                    "HasOptedOutOfEmail": record.get("HasOptedOutOfEmail"),
                    "DoNotCall": record.get("DoNotCall"),
                    "Golden_Id__c": record.get("Golden_Id__c"),
                }
        for row in self.customers:
            address = self.billing.get(row["customer_id"], {})
            country = address.get("country_code")
            yield {
                **_lineage("erp", "customers", row["customer_id"], _erp_time(row["updated_at"])),
                "FirstName": row["contact_first_name"],
                "LastName": row["contact_last_name"],
                "Email": (row["contact_email"] or "").lower() or None,
                "Phone": self._erp_phone(
                    "customers", row["customer_id"], "person.Phone", row["contact_phone"], country
                ),
                "Title": TITLE_BY_ROLE.get(row["contact_role"], row["contact_role"]),
                "MailingCity": address.get("city"),
                "MailingPostalCode": address.get("postal_code"),
                "MailingCountry": country,
                "organization_source_key": f"erp:customers:{row['customer_id']}",
            }
        for row in self.contacts:
            address = self.billing.get(row["customer_id"], {})
            country = address.get("country_code")
            contact_id = row["contact_id"]
            yield {
                **_lineage("erp", "customer_contacts", contact_id, _erp_time(row["updated_at"])),
                "FirstName": row["first_name"],
                "LastName": row["last_name"],
                "Email": (row["email"] or "").lower() or None,
                "Phone": self._erp_phone(
                    "customer_contacts", contact_id, "person.Phone", row["phone"], country
                ),
                "MobilePhone": self._erp_phone(
                    "customer_contacts", contact_id, "person.MobilePhone", row["mobile"], country
                ),
                "Title": TITLE_BY_ROLE.get(row["role_code"], row["role_code"]),
                "MailingCity": address.get("city"),
                "MailingPostalCode": address.get("postal_code"),
                "MailingCountry": country,
                "organization_source_key": f"erp:customers:{row['customer_id']}",
                "ERP_Contact_Id__c": str(contact_id),
            }
        for row in self.legacy_customers:
            country = self.legacy_countries[row["LEGACY_ID"]]
            yield {
                **_lineage("legacy_csv", "CUSTEXPORT", row["LEGACY_ID"], _dd_mm_yyyy(row["LAST_CHG"])),
                "FirstName": row["CONTACT_FIRST"],
                "LastName": row["CONTACT_LAST"],
                "Email": (row["CONTACT_EMAIL"] or "").lower() or None,
                "Phone": e164(row["CONTACT_PHONE"], country),
                "MailingCity": row["CITY"],
                "MailingPostalCode": row["POSTCODE"],
                "MailingCountry": country,
                "organization_source_key": f"legacy_csv:CUSTEXPORT:{row['LEGACY_ID']}",
            }
        for row in self._csv("CONTACTS_*.csv", "utf-8", ",", control_records=False):
            place = self.legacy_places.get(row["CUSTOMER_ID"], {})
            country = self.legacy_countries.get(row["CUSTOMER_ID"])
            yield {
                **_lineage("legacy_csv", "CONTACTS", row["CONTACT_ID"], _dd_mon_yy(row["LAST_UPDATED"])),
                "FirstName": row["FIRST_NAME"],
                "LastName": row["LAST_NAME"],
                "Email": (row["EMAIL"] or "").lower() or None,
                "Phone": e164(row["PHONE"], country),
                "Title": row["JOB_TITLE"],
                "MailingCity": place.get("CITY"),
                "MailingPostalCode": place.get("POSTCODE"),
                "MailingCountry": country,
                "organization_source_key": f"legacy_csv:CUSTEXPORT:{row['CUSTOMER_ID']}",
            }

    # --- organizations -------------------------------------------------------------------------------------

    def organizations(self) -> Iterator[dict[str, Any]]:
        for record in self._jsonl("Account"):
            country = country_code(record.get("BillingCountry"))
            yield {
                **_lineage(
                    "salesforce",
                    "Account",
                    record["Id"],
                    _sf_time(record.get("LastModifiedDate")),
                    bool(record.get("IsDeleted")),
                ),
                "Name": record.get("Name"),
                "name_normalized": name_normalized(record.get("Name")),
                "Phone": e164(record.get("Phone"), country),
                "Website": _host(record.get("Website")),
                "Industry": record.get("Industry"),
                "BillingStreet": record.get("BillingStreet"),
                "BillingCity": record.get("BillingCity"),
                "BillingPostalCode": record.get("BillingPostalCode"),
                "BillingCountry": country,
                "CurrencyIsoCode": record.get("CurrencyIsoCode"),
                "Credit_Limit__c": record.get("Credit_Limit__c"),
                "ERP_Customer_Id__c": record.get("ERP_Customer_Id__c"),
                "Golden_Id__c": record.get("Golden_Id__c"),
            }
        for record in self._jsonl("Customer_Profile__c"):
            yield {
                **_lineage(
                    "salesforce",
                    "Customer_Profile__c",
                    record["Id"],
                    _sf_time(record.get("LastModifiedDate")),
                    bool(record.get("IsDeleted")),
                ),
                "ERP_Customer_Id__c": record.get("ERP_Customer_Id__c"),
                "Payment_Terms__c": record.get("Payment_Terms__c"),
                "Credit_Rating__c": record.get("Credit_Rating__c"),
                "Preferred_Carrier__c": record.get("Preferred_Carrier__c"),
                "Tax_Id__c": record.get("Tax_Id__c"),
                "Incoterms__c": record.get("Incoterms__c"),
                "Customer_Since__c": record.get("Customer_Since__c"),
            }
        for row in self.customers:
            country = self.billing.get(row["customer_id"], {}).get("country_code")
            yield {
                **_lineage("erp", "customers", row["customer_id"], _erp_time(row["updated_at"])),
                "Name": row["name"],
                "name_normalized": name_normalized(row["name"]),
                "Phone": self._erp_phone(
                    "customers", row["customer_id"], "organization.Phone", row["phone"], country
                ),
                "Website": _host(row["website"]),
                "Industry": INDUSTRY_BY_CODE.get(row["industry_code"], row["industry_code"]),
                "CurrencyIsoCode": row["currency"],
                "Credit_Limit__c": row["credit_limit"],
                "ERP_Customer_Id__c": str(row["customer_id"]),
                "Payment_Terms__c": TERMS_BY_CODE.get(row["payment_terms"], row["payment_terms"]),
                "Credit_Rating__c": row["credit_rating"],
                "Preferred_Carrier__c": CARRIER_BY_CODE.get(row["carrier_code"], row["carrier_code"]),
                "Tax_Id__c": row["tax_id"],
                "Incoterms__c": row["incoterms"],
                "Customer_Since__c": row["customer_since"],
            }
        for address in self.billing.values():  # the ERP keeps billing addresses apart, on their own clock
            yield {
                **_lineage("erp", "addresses", address["address_id"], _erp_time(address["updated_at"])),
                "BillingStreet": address["street"],
                "BillingCity": address["city"],
                "BillingPostalCode": address["postal_code"],
                "BillingCountry": address["country_code"],
                "ERP_Customer_Id__c": str(address["customer_id"]),
            }
        for row in self.legacy_customers:
            country = self.legacy_countries[row["LEGACY_ID"]]
            yield {
                **_lineage("legacy_csv", "CUSTEXPORT", row["LEGACY_ID"], _dd_mm_yyyy(row["LAST_CHG"])),
                "Name": row["NAME"],
                "name_normalized": name_normalized(row["NAME"]),
                "Phone": e164(row["PHONE"], country),
                "BillingStreet": row["STREET"],
                "BillingCity": row["CITY"],
                "BillingPostalCode": row["POSTCODE"],
                "BillingCountry": country,
                "Credit_Limit__c": _decimal_comma(row["CREDIT_LIMIT"]),
                "ERP_Customer_Id__c": row["ERP_NO"],
                "Customer_Since__c": _as_date(_dd_mm_yyyy(row["CUSTOMER_SINCE"])),
            }
        yield from self._mainframe_customers()
        yield from self._ar_balances()

    def _mainframe_customers(self) -> Iterator[dict[str, Any]]:
        for path in sorted(self.inbound.glob("CUSTMAST_*.dat")):
            decoder = CopybookDecoder(
                load_copybook(self.inbound / "CUSTMAST.cpy"), DecodeOptions(encoding="cp037")
            )
            for batch in decoder.decode_file(path, FramingSpec(RecordFormat.F)):
                for row in batch.table.to_pylist():
                    field = {name.rsplit(".", 1)[-1]: value for name, value in row.items()}
                    us_layout = field["CM-COUNTRY"] in ("US", "CA")
                    name = field["CM-NAME"]
                    yield {
                        **_lineage(
                            "legacy_ebcdic",
                            "CUSTMAST",
                            field["CM-CUST-NO"],
                            _yyyymmdd(field["CM-LAST-MAINT"]),
                        ),
                        "Name": name,
                        "name_normalized": name_normalized(name),
                        "BillingStreet": field["CM-US-STREET"] if us_layout else field["CM-INTL-STREET"],
                        "BillingCity": field["CM-US-CITY"] if us_layout else field["CM-INTL-CITY"],
                        "BillingPostalCode": field["CM-US-ZIP"] if us_layout else field["CM-INTL-POSTCODE"],
                        "BillingCountry": field["CM-COUNTRY"],
                        "CurrencyIsoCode": field["CM-CURRENCY"],
                        "Credit_Limit__c": float(field["CM-CREDIT-LIMIT"]),
                        "Tax_Id__c": field["CM-TAX-ID"],
                        "Customer_Since__c": _as_date(_yyyymmdd(field["CM-CUSTOMER-SINCE"])),
                    }

    def _ar_balances(self) -> Iterator[dict[str, Any]]:
        for path in sorted(self.inbound.glob("ARBAL_*.txt")):
            stamp = path.stem.split("_")[1]
            balance_day = datetime.strptime(stamp, "%Y%m%d").replace(tzinfo=UTC) - timedelta(days=1)
            for line in path.read_text(encoding="ascii").splitlines():
                name = line[10:40].strip()
                yield {
                    **_lineage("legacy_fixed", "ARBAL", int(line[0:10]), balance_day),
                    "Name": name,
                    "name_normalized": name_normalized(name),
                    "Credit_Limit__c": _overpunched(line[51:62]) / 100,
                }


def _overpunched(text: str) -> int:
    last = text[-1]
    positive, negative = "{ABCDEFGHI", "}JKLMNOPQR"
    if last in positive:
        return int(text[:-1] + str(positive.index(last)))
    return -int(text[:-1] + str(negative.index(last)))


def _erp_time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text).replace(tzinfo=UTC) if text else None
