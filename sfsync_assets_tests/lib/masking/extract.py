"""Reading a generated extract (original or masked) as records with the features matching compares, computed
with the product's own normalisers: emails, E.164 phones (national numbers read in the record's country),
folded last names, nickname groups, company-name keys and tax ids."""

from __future__ import annotations

import csv
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sfsync_assets.lib.mapping.countries import to_iso2
from sfsync_assets.lib.mapping.findings import Rejected
from sfsync_assets.lib.mapping.phones import parse_integer_phone, parse_phone
from sfsync_assets.lib.mapping.text import company_name_key, normalize_email, repair_mojibake
from sfsync_assets.lib.matching.nicknames import nickname_groups
from sfsync_assets.lib.matching.settings import NICKNAMES_FILE
from sfsync_assets.lib.matching.text import fold

RecordId = tuple[str, str, str]  # (system, object, source id)
GROUPS = nickname_groups(NICKNAMES_FILE)


def _optional(function, *arguments) -> Any:
    try:
        return function(*arguments)
    except Rejected:
        return None


def _region(country: str | None) -> str | None:
    return _optional(to_iso2, country) if country else None


def _phone(value: Any, region: str | None) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, int):
        parsed = _optional(parse_integer_phone, str(value), region)
    else:
        parsed = _optional(parse_phone, value, region)
    return parsed.e164 if parsed else None


def _name(value: str | None) -> str | None:
    return fold(repair_mojibake(value)[0]) or None if value else None


def person(
    first: str | None, last: str | None, email: str | None, phones: list[Any], region: str | None
) -> dict:
    first_name = _name(first)
    return {
        "email": _optional(normalize_email, email) if email else None,
        "phone": tuple(sorted(filter(None, (_phone(p, region) for p in phones)))) or None,
        "last_name": _name(last),
        "first_name_group": GROUPS.get(first_name, first_name) if first_name else None,
    }


def organization(name: str | None, phone: Any, tax_id: str | None, region: str | None) -> dict:
    return {
        "name_key": company_name_key(repair_mojibake(name)[0]) if name else None,
        "phone": _phone(phone, region),
        "tax_id": "".join(ch for ch in tax_id.upper() if ch.isalnum()) if tax_id else None,
    }


def _jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as handle:
        yield from (json.loads(line) for line in handle if line.strip())


def _csv(path: Path, encoding: str, delimiter: str) -> list[dict[str, str]]:
    lines = path.read_bytes().decode(encoding).removeprefix("\ufeff").splitlines(keepends=True)
    rows = [line for line in lines if not line.startswith(("H|", "T|"))]
    return list(csv.DictReader(rows, delimiter=delimiter))


def people(directory: Path) -> dict[RecordId, dict]:
    records: dict[RecordId, dict] = {}
    for lead in _jsonl(directory / "salesforce" / "Lead.jsonl"):
        region = _region(lead.get("Country"))
        phones = [lead.get("Phone"), lead.get("MobilePhone")]
        key = ("salesforce", "Lead", lead["Id"])
        records[key] = person(lead.get("FirstName"), lead.get("LastName"), lead.get("Email"), phones, region)
    for contact in _jsonl(directory / "salesforce" / "Contact.jsonl"):
        region = _region(contact.get("MailingCountry"))
        phones = [contact.get("Phone"), contact.get("MobilePhone")]
        key = ("salesforce", "Contact", contact["Id"])
        records[key] = person(
            contact.get("FirstName"), contact.get("LastName"), contact.get("Email"), phones, region
        )
    with sqlite3.connect(directory / "erp.sqlite") as erp:
        billing = dict(
            erp.execute("SELECT customer_id, country_code FROM addresses WHERE address_type = 'BILL'")
        )
        for row in erp.execute(
            "SELECT contact_id, customer_id, first_name, last_name, email, phone, mobile FROM customer_contacts"
        ):
            region = billing.get(row[1])
            records[("erp", "customer_contacts", str(row[0]))] = person(
                row[2], row[3], row[4], [row[5], row[6]], region
            )
        for row in erp.execute(
            "SELECT customer_id, contact_first_name, contact_last_name, contact_email, contact_phone FROM customers"
        ):
            region = billing.get(row[0])
            records[("erp", "customers", str(row[0]))] = person(row[1], row[2], row[3], [row[4]], region)
    inbound = directory / "inbound"
    customers = {}
    for row in _csv(next(inbound.glob("CUSTEXPORT_*.csv")), "cp1252", ";"):
        region = _region(row["COUNTRY"])
        customers[row["LEGACY_ID"]] = region
        phones = [row["CONTACT_PHONE"]]
        key = ("legacy_csv", "CUSTEXPORT", row["LEGACY_ID"])
        records[key] = person(row["CONTACT_FIRST"], row["CONTACT_LAST"], row["CONTACT_EMAIL"], phones, region)
    for row in _csv(next(inbound.glob("CONTACTS_*.csv")), "utf-8", ","):
        region = customers.get(row["CUSTOMER_ID"])
        key = ("legacy_csv", "CONTACTS", row["CONTACT_ID"])
        records[key] = person(row["FIRST_NAME"], row["LAST_NAME"], row["EMAIL"], [row["PHONE"]], region)
    return records


def organizations(directory: Path) -> dict[RecordId, dict]:
    records: dict[RecordId, dict] = {}
    for account in _jsonl(directory / "salesforce" / "Account.jsonl"):
        region = _region(account.get("BillingCountry"))
        key = ("salesforce", "Account", account["Id"])
        records[key] = organization(account.get("Name"), account.get("Phone"), None, region)
    for profile in _jsonl(directory / "salesforce" / "Customer_Profile__c.jsonl"):
        key = ("salesforce", "Customer_Profile__c", profile["Id"])
        records[key] = organization(None, None, profile.get("Tax_Id__c"), None)
    with sqlite3.connect(directory / "erp.sqlite") as erp:
        billing = dict(
            erp.execute("SELECT customer_id, country_code FROM addresses WHERE address_type = 'BILL'")
        )
        for customer_id, name, phone, tax_id in erp.execute(
            "SELECT customer_id, name, phone, tax_id FROM customers"
        ):
            records[("erp", "customers", str(customer_id))] = organization(
                name, phone, tax_id, billing.get(customer_id)
            )
    for row in _csv(next((directory / "inbound").glob("CUSTEXPORT_*.csv")), "cp1252", ";"):
        key = ("legacy_csv", "CUSTEXPORT", row["LEGACY_ID"])
        records[key] = organization(row["NAME"], row["PHONE"], None, _region(row["COUNTRY"]))
    return records


def partition(records: dict[RecordId, dict], feature: str) -> set[frozenset[RecordId]]:
    """Records grouped by equal (non-empty) values of one feature: the clusters an exact-match rule makes."""
    groups: dict[Any, set[RecordId]] = defaultdict(set)
    for record_id, features in records.items():
        if features[feature] is not None:
            groups[features[feature]].add(record_id)
    return {frozenset(group) for group in groups.values()}
