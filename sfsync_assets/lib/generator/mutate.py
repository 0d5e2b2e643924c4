"""A day of business on a generated company: updates, creates and deletes in Salesforce and the ERP, a new
drop-folder file, same-field edits in two systems, formula drift, and the truth files brought along.

About PCT % of the mutable records (Salesforce Accounts, Contacts, Leads, Opportunities; ERP customers,
contacts, orders, invoices) change. Salesforce changes go through the normal API (simple-salesforce) when an
emulator is given, and are mirrored into `salesforce/*.jsonl` either way, so the directory always describes
the org. Deletes only take records that hold no winning golden value (junk Leads, stale duplicate Contacts),
which is what a user cleaning up deletes; golden records therefore change only through updates and creates,
exactly by the rule in `truth.py`.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError, SalesforceMalformedRequest
from sqlalchemy import Engine, bindparam, select

from sfsync_assets.lib.emulator.admin_client import EmulatorAdmin
from sfsync_assets.lib.emulator.ids import make_id

from .clock import DAY, parse_as_of, sf_datetime, to_date, to_datetime
from .companies import local_amount
from .dice import Dice, Tally
from .erp import DUPLICATE_CUSTOMER_ID_BASE, TITLE_BY_ROLE, erp_engine, erp_metadata
from .errors import OutputDirError, SalesforceLoadError
from .legacy_files import dd_mon_yy, decimal_comma, orders_feed, orders_profile, write_profile
from .people import new_person
from .phones import e164, new_number, render
from .pipeline import read_manifest, write_manifest
from .rates import rates_from_mapping
from .salesforce_org import FIRST_SEQUENCE
from .truth import COMPANY_FIELDS, EXPECTED_ERRORS, PERSON_FIELDS, RANKS, system_group
from .vocab import (
    COMPANY_STEMS,
    COUNTRIES,
    INDUSTRIES,
    LEAD_SOURCES,
    LEAD_STATUSES,
    PAYMENT_TERMS,
    RATINGS,
    ROLE_CODES,
)

SF_OBJECTS = ("Account", "Contact", "Lead", "Opportunity")
ERP_TABLES = {
    "customers": "customer_id",
    "customer_contacts": "contact_id",
    "orders": "order_id",
    "invoices": "invoice_id",
}
# Fields a day of business edits, per record kind; (field, golden field or None).
SF_UPDATES = {
    "Account": (("Phone", "Phone"), ("Credit_Limit__c", "Credit_Limit__c"), ("Rating", None)),
    "Contact": (("Phone", "Phone"), ("Email", "Email"), ("Title", "Title")),
    "Lead": (("Status", None), ("Phone", "Phone"), ("Title", "Title")),
    "Opportunity": (("Amount", None), ("StageName", None)),
}
ERP_UPDATES = {
    "customers": (
        ("credit_limit", "Credit_Limit__c"),
        ("phone", "Phone"),
        ("payment_terms", "Payment_Terms__c"),
    ),
    "customer_contacts": (("phone", "Phone"), ("email", "Email"), ("role_code", "Title")),
    "orders": (("status", None),),
    "invoices": (("status", None),),
}
# The same field in the other system: where a conflicting edit lands.
TWIN_FIELDS = {
    ("Account", "Phone"): ("customers", "phone"),
    ("Account", "Credit_Limit__c"): ("customers", "credit_limit"),
    ("Contact", "Phone"): ("customer_contacts", "phone"),
    ("Contact", "Email"): ("customer_contacts", "email"),
}
TWIN_FIELDS.update({value: key for key, value in list(TWIN_FIELDS.items())})
COUNTRY_BY_SPELLING = {
    spelling.lower(): country
    for country in COUNTRIES
    for spelling in (country.name, country.code, *country.aliases)
}
MUTATION_COLUMNS = ("day", "at", "system", "object", "source_key", "action", "field", "value")
BUSINESS_HOURS = 10 * 3600
GOLDEN_LINE_PREFIX = '{"entity_id":"'
REJECTED = "rejected"


@dataclass
class Change:
    system: str
    obj: str
    source_key: str
    action: str  # update / create / delete / silent_update / rejected
    field: str = ""
    value: Any = None
    golden_field: str | None = None
    claim: Any = None
    at: int = 0


@dataclass
class SalesforceTarget:
    """Where Salesforce changes go besides the JSONL mirror: the API as a user, and the admin API for
    formulas."""

    api: Salesforce
    admin: EmulatorAdmin


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def _country_of(text: str | None) -> Any:
    return COUNTRY_BY_SPELLING.get((text or "").lower())


class DayOfBusiness:
    """Plans and applies one day's changes; see the module docstring for what changes."""

    def __init__(
        self,
        out_dir: Path,
        pct: float,
        seed: int,
        engine: Engine,
        erp_schema: str | None,
        target: SalesforceTarget | None,
        progress: Callable[[str], None],
    ) -> None:
        self.out_dir = out_dir
        self.manifest = read_manifest(out_dir)
        self.rates = rates_from_mapping(self.manifest["rates"], "manifest.json")
        self.day = len(self.manifest["mutations"]) + 1
        self.as_of = parse_as_of(self.manifest["as_of"])
        self.day_start = self.as_of + (self.day - 1) * DAY + 8 * 3600
        self.tally = Tally()
        self.dice = Dice(seed, self.day, "mutate", self.rates.as_dict(), self.tally)
        self.pct = pct
        self.seed = seed
        self.engine = engine
        self.tables = erp_metadata(erp_schema).tables
        self.schema_prefix = f"{erp_schema}." if erp_schema else ""
        self.target = target
        self.progress = progress
        self.changes: list[Change] = []
        self.conflicts: list[tuple[Change, Change]] = []
        self.new_problems: list[tuple[Any, ...]] = []
        self.new_entities: list[tuple[str, str, str, Any, str, str]] = []
        self.new_golden: list[dict[str, Any]] = []

    def _table(self, name: str) -> Any:
        return self.tables[self.schema_prefix + name]

    def _moment(self) -> int:
        return self.day_start + self.dice.randrange(BUSINESS_HOURS)

    # --- population -----------------------------------------------------------------------------------------

    def _salesforce_keys(self) -> dict[str, list[str]]:
        keys = {}
        for obj in SF_OBJECTS:
            keys[obj] = [record["_source_key"] for record in _read_jsonl(self._jsonl(obj))]
        return keys

    def _jsonl(self, obj: str) -> Path:
        return self.out_dir / "salesforce" / f"{obj}.jsonl"

    def _erp_keys(self) -> dict[str, list[int]]:
        with self.engine.connect() as connection:
            return {
                table: list(
                    connection.execute(
                        select(self._table(table).c[pk]).order_by(self._table(table).c[pk])
                    ).scalars()
                )
                for table, pk in ERP_TABLES.items()
            }

    def run(self) -> dict[str, Any]:
        sf_keys = self._salesforce_keys()
        erp_keys = self._erp_keys()
        population = [(("salesforce", obj), key) for obj in SF_OBJECTS for key in sf_keys[obj]]
        population += [(("erp", table), f"{table}-{pk}") for table in ERP_TABLES for pk in erp_keys[table]]
        total = len(population)
        wanted = round(total * self.pct / 100)
        deletes = round(wanted * self.rates.mutate_delete_share)
        creates = round(wanted * self.rates.mutate_create_share)
        updates = wanted - deletes - creates
        self.progress(
            f"mutate day {self.day}: {total:,} mutable records, {wanted:,} changes planned "
            f"({updates:,} updates, {creates:,} creates, {deletes:,} deletes)"
        )
        chosen = [population[i] for i in sorted(self.dice.sample(range(total), updates))]
        entity_of = self._entities_of({key for _, key in chosen})
        problems = self._problem_fields({key for _, key in chosen})
        winners = self._winning_keys()
        self._plan_updates(chosen, problems)
        updated_keys = {change.source_key for change in self.changes}
        candidates = [
            key
            for obj in ("Lead", "Contact")
            for key in sf_keys[obj]
            if key not in winners and key not in updated_keys
        ]
        for key in sorted(self.dice.sample(candidates, min(deletes, len(candidates)))):
            self.changes.append(Change("salesforce", key.split("-", 1)[0], key, "delete", at=self._moment()))
        self._plan_conflicts(entity_of)
        # Half the creates are web Leads, half ERP orders (each an order row and its invoice row).
        self._apply_salesforce(creates // 2)
        new_orders = self._apply_erp((creates - creates // 2) // 2)
        files = self._write_orders_feed(new_orders)
        self._update_truth(entity_of)
        return self._record(total, wanted, files)

    # --- truth lookups --------------------------------------------------------------------------------------

    def _entities_of(self, keys: set[str]) -> dict[str, list[str]]:
        """source_key → entity ids (an ERP customers row is a company and its primary contact)."""
        found: dict[str, list[str]] = {}
        with open(self.out_dir / "truth" / "entities.csv", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["source_key"] in keys:
                    found.setdefault(row["source_key"], []).append(row["entity_id"])
        return found

    def _problem_fields(self, keys: set[str]) -> set[tuple[str, str]]:
        with open(self.out_dir / "truth" / "planted_problems.csv", encoding="utf-8", newline="") as handle:
            return {
                (row["source_key"], row["field"])
                for row in csv.DictReader(handle)
                if row["source_key"] in keys and row["expected_error"]
            }

    def _winning_keys(self) -> set[str]:
        winners = set()
        with open(self.out_dir / "truth" / "golden_expected.jsonl", encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                winners.update(record["sources"][index][2] for index in record["winners"].values())
        return winners

    # --- planning -------------------------------------------------------------------------------------------

    def _plan_updates(
        self, chosen: list[tuple[tuple[str, str], str]], problems: set[tuple[str, str]]
    ) -> None:
        """One field per chosen record; fields carrying a planted error are left alone (they stay planted)."""
        for (system, obj), key in chosen:
            options = SF_UPDATES[obj] if system == "salesforce" else ERP_UPDATES[obj]
            usable = [option for option in options if (key, option[0]) not in problems]
            if not usable:
                continue
            field, golden_field = self.dice.pick(usable)
            self.changes.append(
                Change(system, obj, key, "update", field, golden_field=golden_field, at=self._moment())
            )

    def _plan_conflicts(self, entity_of: dict[str, list[str]]) -> None:
        """Some updates of a field the other system also holds get a second, different edit there."""
        candidates = [c for c in self.changes if c.action == "update" and (c.obj, c.field) in TWIN_FIELDS]
        conflicted = [c for c in candidates if self.dice.roll("mutate_conflict")]
        if not conflicted:
            return
        entities = {entity for c in conflicted for entity in entity_of.get(c.source_key, [])}
        busy = {c.source_key for c in self.changes}
        twins: dict[tuple[str, str], str] = {}
        with open(self.out_dir / "truth" / "entities.csv", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if (
                    row["entity_id"] in entities
                    and row["source_key"] not in busy
                    and not (
                        row["object"] == "customers" and int(row["source_id"]) >= DUPLICATE_CUSTOMER_ID_BASE
                    )
                ):
                    twins.setdefault((row["entity_id"], row["object"]), row["source_key"])
        for change in conflicted:
            twin_obj, twin_field = TWIN_FIELDS[(change.obj, change.field)]
            entity = self._entity_for(change, entity_of)
            twin_key = twins.pop((entity, twin_obj), None) if entity else None
            if twin_key is None:
                continue
            golden = next(g for f, g in (SF_UPDATES | ERP_UPDATES)[twin_obj] if f == twin_field)
            twin = Change(
                "erp" if change.system == "salesforce" else "salesforce",
                twin_obj,
                twin_key,
                "update",
                twin_field,
                golden_field=golden,
                at=change.at + self.dice.randint(60, 3 * 3600),
            )
            self.changes.append(twin)
            self.conflicts.append((change, twin))

    @staticmethod
    def _entity_for(change: Change, entity_of: dict[str, list[str]]) -> str | None:
        entities = entity_of.get(change.source_key, [])
        wanted = "C" if change.obj in ("Account", "customers") else "P"
        return next((e for e in entities if e.startswith(wanted)), None)

    # --- Salesforce -----------------------------------------------------------------------------------------

    def _new_value(self, change: Change, record: dict[str, Any], country: Any) -> None:
        """Decide the new stored value and its golden claim for an update of `record`."""
        if change.field == "Phone" and country is None:
            change.field, change.golden_field = (
                ("Rating", None) if change.obj == "Account" else ("Title", "Title")
            )
        if change.field == "StageName" and record.get("IsClosed"):
            change.field = "Amount"
        field = change.field
        if field == "Phone":
            nsn = new_number(self.dice, country, mobile=False)
            change.value, change.claim = render(country, nsn, "international"), e164(country, nsn)
        elif field == "Rating":
            change.value = self.dice.pick(RATINGS)
        elif field == "Credit_Limit__c":
            current = float(record.get("Credit_Limit__c") or 10_000)
            factor = self.dice.choice((0.5, 0.75, 1.25, 1.5, 2.0))
            change.value = change.claim = max(1000.0, float(round(current * factor, -3)))
        elif field == "Email":
            local, _, domain = (record.get("Email") or "someone@example.com").lower().partition("@")
            stem, _, tld = domain.partition(".")
            change.value = change.claim = f"{local}@{stem}-new.{tld}"
        elif field == "Title":
            change.value = change.claim = self.dice.pick(ROLE_CODES)[1]
        elif field == "Status":
            change.value = self.dice.pick(LEAD_STATUSES[:2] + LEAD_STATUSES[3:])
        elif field == "Amount":
            change.value = round(float(record.get("Amount") or 1000) * self.dice.uniform(0.8, 1.3), 2)
        else:
            change.value = self.dice.pick(("Negotiation/Review", "Proposal/Price Quote"))

    def _apply_salesforce(self, new_leads: int) -> None:
        """Rewrite each object's JSONL with the day's changes (and send them to the org when there is one)."""
        by_key = {c.source_key: c for c in self.changes if c.system == "salesforce"}
        drift_accounts: list[tuple[str, str, float]] = []
        for obj in SF_OBJECTS:
            path = self._jsonl(obj)
            rewritten = path.with_suffix(".jsonl.tmp")
            highest = 0
            with open(rewritten, "w", encoding="utf-8", newline="") as target:
                for record in _read_jsonl(path):
                    key = record["_source_key"]
                    highest = max(highest, int(key.rsplit("-", 1)[1]))
                    change = by_key.get(key)
                    if change is not None and change.action == "delete":
                        self._api(obj, "delete", record["Id"])
                        continue
                    if change is not None:
                        country = _country_of(
                            record.get("BillingCountry")
                            or record.get("MailingCountry")
                            or record.get("Country")
                        )
                        self._new_value(change, record, country)
                        if self._api(obj, "update", record["Id"], {change.field: change.value}) == REJECTED:
                            change.action = REJECTED
                        else:
                            record[change.field] = change.value
                            record["LastModifiedDate"] = record["SystemModstamp"] = sf_datetime(change.at)
                    elif (
                        obj == "Account"
                        and record.get("Lifetime_Value__c")
                        and self.dice.roll("lifetime_value_drift")
                    ):
                        drift_accounts.append((key, record["Id"], record["Lifetime_Value__c"]))
                        record["Lifetime_Value__c"] = round(
                            record["Lifetime_Value__c"] * self.dice.uniform(1.01, 1.2), 2
                        )
                        self._silent(obj, record["Id"], {"Lifetime_Value__c": record["Lifetime_Value__c"]})
                        self.changes.append(
                            Change(
                                "salesforce",
                                obj,
                                key,
                                "silent_update",
                                "Lifetime_Value__c",
                                record["Lifetime_Value__c"],
                                at=self.day_start,
                            )
                        )
                    target.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
                if obj == "Lead":
                    for _ in range(new_leads):
                        highest += 1
                        target.write(self._new_lead(highest))
            os.replace(rewritten, path)
        for key, _, before in drift_accounts:
            self.new_problems.append(
                (
                    "salesforce",
                    "Account",
                    "salesforce/Account.jsonl",
                    key,
                    "",
                    "",
                    "Lifetime_Value__c",
                    "lifetime_value_drift",
                    EXPECTED_ERRORS["lifetime_value_drift"],
                    f"was {before}; SystemModstamp unchanged",
                )
            )

    def _new_lead(self, number: int) -> str:
        """A web-form Lead from a new prospect: a new person entity."""
        key = f"Lead-{number:07d}"
        country = self.dice.pick(COUNTRIES)
        industry = self.dice.pick(INDUSTRIES)
        company = f"{self.dice.pick(COMPANY_STEMS)} {self.dice.pick(industry[2])}"
        domain = company.lower().replace(" ", "-") + "." + country.tld
        person = new_person(self.dice, self._next_entity("P"), country, domain)
        at = self._moment()
        record = {
            "Id": make_id("00Q", number - 1 + FIRST_SEQUENCE.get("Lead", 1)),
            "_source_key": key,
            "FirstName": person.first,
            "LastName": person.last,
            "Title": person.title,
            "Email": person.email,
            "Phone": render(country, person.phone, "international"),
            "Company": company,
            "Status": "Open - Not Contacted",
            "LeadSource": self.dice.pick(LEAD_SOURCES),
            "Country": country.name,
            "CreatedDate": sf_datetime(at),
            "LastModifiedDate": sf_datetime(at),
            "SystemModstamp": sf_datetime(at),
        }
        api_fields = {
            k: v
            for k, v in record.items()
            if k not in ("Id", "_source_key", "CreatedDate", "LastModifiedDate", "SystemModstamp")
        }
        record["Id"] = self._api("Lead", "create", None, api_fields) or record["Id"]
        self.new_entities.append(("salesforce", "Lead", key, record["Id"], person.entity_id, "person"))
        values = {
            "FirstName": person.first,
            "LastName": person.last,
            "Email": person.email,
            "Phone": e164(country, person.phone),
            "Title": person.title,
        }
        self.new_golden.append(
            {
                "entity_id": person.entity_id,
                "entity_type": "person",
                "values": values,
                "winners": dict.fromkeys(values, 0),
                "sources": [["salesforce", "Lead", key]],
            }
        )
        self.changes.append(Change("salesforce", "Lead", key, "create", at=at))
        return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"

    def _api(
        self, obj: str, action: str, record_id: str | None, values: dict[str, Any] | None = None
    ) -> str | None:
        if self.target is None:
            return None
        handler = getattr(self.target.api, obj)
        try:
            if action == "create":
                return handler.create(values)["id"]
            if action == "update":
                handler.update(record_id, values)
            else:
                handler.delete(record_id)
        except SalesforceMalformedRequest as error:
            if action != "update":
                raise SalesforceLoadError(f"{action} {obj} through the API failed: {error}") from error
            # The org refused the edit (duplicate value, validation), as it refuses users: logged, not applied.
            self.progress(f"mutate: update of {obj} {record_id} rejected by the org: {error.content}")
            return REJECTED
        except SalesforceError as error:
            raise SalesforceLoadError(
                f"{action} {obj} {record_id or ''} through the API failed: {error}"
            ) from error
        return None

    def _silent(self, obj: str, record_id: str, values: dict[str, Any]) -> None:
        if self.target is not None:
            self.target.admin.silent_update(obj, record_id, values)

    # --- ERP ------------------------------------------------------------------------------------------------

    def _apply_erp(self, new_order_count: int) -> list[dict[str, Any]]:
        changes = [c for c in self.changes if c.system == "erp"]
        with self.engine.begin() as connection:
            countries = self._erp_countries(connection, changes)
            for change in changes:
                self._erp_value(connection, change, countries.get(change.source_key))
            groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
            for change in changes:
                pk_value = int(change.source_key.rsplit("-", 1)[1])
                values = {"pk": pk_value, "value": change.value, "at": to_datetime(change.at)}
                if change.obj == "invoices":
                    values["paid"] = to_date(change.at)
                groups.setdefault((change.obj, change.field), []).append(values)
            for (table_name, field), rows in groups.items():
                table = self._table(table_name)
                statement = (
                    table.update()
                    .where(table.c[ERP_TABLES[table_name]] == bindparam("pk"))
                    .values({field: bindparam("value"), "updated_at": bindparam("at")})
                )
                if table_name == "invoices":
                    statement = statement.values(paid_date=bindparam("paid"))
                connection.execute(statement, rows)
            return self._new_orders(connection, new_order_count)

    def _erp_countries(self, connection: Any, changes: list[Change]) -> dict[str, Any]:
        """Country of each customer/contact row being changed, from the customer's billing address."""
        addresses = self._table("addresses")
        contacts = self._table("customer_contacts")
        found = {}
        for change in changes:
            pk_value = int(change.source_key.rsplit("-", 1)[1])
            customer_id = pk_value
            if change.obj == "customer_contacts":
                customer_id = connection.execute(
                    select(contacts.c.customer_id).where(contacts.c.contact_id == pk_value)
                ).scalar()
            elif change.obj != "customers":
                continue
            code = connection.execute(
                select(addresses.c.country_code).where(
                    addresses.c.customer_id == customer_id, addresses.c.address_type == "BILL"
                )
            ).scalar()
            found[change.source_key] = _country_of(code)
        return found

    def _erp_value(self, connection: Any, change: Change, country: Any) -> None:
        table = self._table(change.obj)
        pk_value = int(change.source_key.rsplit("-", 1)[1])
        current = (
            connection.execute(select(table).where(table.c[ERP_TABLES[change.obj]] == pk_value))
            .mappings()
            .one()
        )
        field = change.field
        if field == "phone" and country is None:
            field = change.field = "email" if change.obj == "customer_contacts" else "credit_limit"
            change.golden_field = "Email" if change.obj == "customer_contacts" else "Credit_Limit__c"
        if field == "phone":
            nsn = new_number(self.dice, country, mobile=False)
            change.value, change.claim = int(country.phone.calling_code + nsn), e164(country, nsn)
        elif field == "credit_limit":
            change.value = change.claim = (
                float(
                    round(
                        float(current["credit_limit"] or 10_000) * self.dice.choice((0.5, 0.8, 1.2, 1.5)), -3
                    )
                )
                or 1000.0
            )
        elif field == "payment_terms":
            code, label = self.dice.pick(PAYMENT_TERMS)
            change.value, change.claim = code, label
        elif field == "email":
            local, _, domain = (current["email"] or "someone@example.com").lower().partition("@")
            change.value = change.claim = f"{local}@{domain.partition('.')[0]}-erp.{domain.partition('.')[2]}"
        elif field == "role_code":
            change.value = self.dice.pick(ROLE_CODES)[0]
            change.claim = TITLE_BY_ROLE[change.value]
        elif change.obj == "orders":
            change.value = {"OPEN": "SHIPPED", "SHIPPED": "INVOICED"}.get(
                current["status"], current["status"]
            )
        else:
            change.value = "PAID"

    def _new_orders(self, connection: Any, count: int) -> list[dict[str, Any]]:
        customers = self._table("customers")
        orders = self._table("orders")
        invoices = self._table("invoices")
        first = 100_001
        last = self.manifest["customers"] + first - 1
        next_order = (
            connection.execute(select(orders.c.order_id).order_by(orders.c.order_id.desc())).first() or (0,)
        )[0] + 1
        next_invoice = (
            connection.execute(select(invoices.c.invoice_id).order_by(invoices.c.invoice_id.desc())).first()
            or (0,)
        )[0] + 1
        created = []
        for offset in range(count):
            customer_id = self.dice.randint(first, last)
            currency = (
                connection.execute(
                    select(customers.c.currency).where(customers.c.customer_id == customer_id)
                ).scalar()
                or "USD"
            )
            at = self._moment()
            order_id = next_order + offset
            order = {
                "order_id": order_id,
                "customer_id": customer_id,
                "order_no": f"SO-{to_date(at).year}-{order_id:07d}",
                "order_date": to_date(at),
                "currency": currency,
                "total_amount": local_amount(self.dice, currency, 500, 250_000),
                "status": "INVOICED",
                "created_at": to_datetime(at),
                "updated_at": to_datetime(at),
            }
            invoice_id = next_invoice + offset
            invoice = {
                "invoice_id": invoice_id,
                "order_id": order_id,
                "customer_id": customer_id,
                "invoice_no": f"INV{invoice_id:08d}",
                "invoice_date": to_date(at),
                "due_date": to_date(at + 30 * DAY),
                "currency": currency,
                "amount": order["total_amount"],
                "tax_amount": 0.0,
                "status": "OPEN",
                "paid_date": None,
                "updated_at": to_datetime(at),
            }
            connection.execute(orders.insert(), [order])
            connection.execute(invoices.insert(), [invoice])
            order_entity, invoice_entity = self._next_entity("O"), self._next_entity("I")
            self.new_entities.append(("erp", "orders", f"orders-{order_id}", order_id, order_entity, "order"))
            self.new_entities.append(
                ("erp", "invoices", f"invoices-{invoice_id}", invoice_id, invoice_entity, "invoice")
            )
            self.changes.append(Change("erp", "orders", f"orders-{order_id}", "create", at=at))
            self.changes.append(Change("erp", "invoices", f"invoices-{invoice_id}", "create", at=at))
            created.append({**order, "entity_id": order_entity})
        return created

    def _next_entity(self, prefix: str) -> str:
        counters = self.manifest.setdefault("entity_counters", {})
        if prefix not in counters:
            counters[prefix] = self._highest_entity(prefix)
        counters[prefix] += 1
        return f"{prefix}{counters[prefix]:08d}"

    def _highest_entity(self, prefix: str) -> int:
        highest = 0
        with open(self.out_dir / "truth" / "entities.csv", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["entity_id"].startswith(prefix):
                    highest = max(highest, int(row["entity_id"][1:]))
        return highest

    # --- drop folder ----------------------------------------------------------------------------------------

    def _write_orders_feed(self, new_orders: list[dict[str, Any]]) -> dict[str, int]:
        """The legacy CRM's daily order file: today's orders of the customers it knows."""
        company_of = {}
        legacy_of = {}
        customer_keys = {f"customers-{o['customer_id']}" for o in new_orders}
        with open(self.out_dir / "truth" / "entities.csv", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["source_key"] in customer_keys and row["entity_id"].startswith("C"):
                    company_of[row["source_key"]] = row["entity_id"]
                elif row["object"] == "CUSTEXPORT" and row["entity_id"].startswith("C"):
                    legacy_of.setdefault(row["entity_id"], row["source_id"])
        day = self.as_of + self.day * DAY
        feed = orders_feed(
            self.out_dir / "inbound", to_date(day).strftime("%Y%m%d"), to_date(day).isoformat()
        )
        for order in new_orders:
            legacy_id = legacy_of.get(company_of.get(f"customers-{order['customer_id']}", ""))
            if legacy_id is None:
                continue
            ref = f"LD{self.day:03d}{feed.records + 1:05d}"
            feed.write(
                [
                    ref,
                    order["order_no"],
                    legacy_id,
                    dd_mon_yy(int(self.day_start)),
                    order["currency"],
                    decimal_comma(order["total_amount"]),
                    "I",
                ]
            )
            self.new_entities.append(
                ("legacy_csv", "ORDERS", f"ORDERS-{ref}", ref, order["entity_id"], "order")
            )
        feed.close()
        write_profile(self.out_dir / "inbound" / f"{feed.path.stem}.profile.yaml", orders_profile(feed))
        return {f"inbound/{feed.path.name}": feed.records}

    # --- truth ----------------------------------------------------------------------------------------------

    def _update_truth(self, entity_of: dict[str, list[str]]) -> None:
        truth = self.out_dir / "truth"
        claiming = [
            c for c in self.changes if c.action == "update" and c.golden_field and c.claim is not None
        ]
        missing = {c.source_key for c in claiming} - set(entity_of)
        entity_of = {**entity_of, **(self._entities_of(missing) if missing else {})}
        claims: dict[str, list[Change]] = {}
        for change in sorted(claiming, key=lambda c: (c.at, c.source_key)):
            entity = self._entity_for(change, entity_of)
            if entity is not None:
                claims.setdefault(entity, []).append(change)
        for first, second in self.conflicts:
            detail = (
                f"{first.system}={first.value} at {sf_datetime(first.at)}; "
                f"{second.system}={second.value} at {sf_datetime(second.at)} (mutate day {self.day})"
            )
            for change in (first, second):
                self.new_problems.append(
                    (
                        change.system,
                        change.obj,
                        "",
                        change.source_key,
                        "",
                        "",
                        change.field,
                        "conflicting_edit",
                        EXPECTED_ERRORS["conflicting_edit"],
                        detail,
                    )
                )
        golden = truth / "golden_expected.jsonl"
        rewritten = golden.with_suffix(".jsonl.tmp")
        with (
            open(golden, encoding="utf-8") as source,
            open(rewritten, "w", encoding="utf-8", newline="") as target,
        ):
            for line in source:
                entity_id = line[len(GOLDEN_LINE_PREFIX) : line.index('"', len(GOLDEN_LINE_PREFIX))]
                if entity_id in claims:
                    record = json.loads(line)
                    for change in claims[entity_id]:
                        apply_claim(record, change)
                    line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
                target.write(line)
            for record in self.new_golden:
                target.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        os.replace(rewritten, golden)
        with open(truth / "entities.csv", "a", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(self.new_entities)
        with open(truth / "planted_problems.csv", "a", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(self.new_problems)
        log = truth / "mutations.csv"
        fresh = not log.exists()
        with open(log, "a", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            if fresh:
                writer.writerow(MUTATION_COLUMNS)
            writer.writerows(
                (
                    self.day,
                    sf_datetime(c.at),
                    c.system,
                    c.obj,
                    c.source_key,
                    c.action,
                    c.field,
                    "" if c.value is None else c.value,
                )
                for c in sorted(self.changes, key=lambda c: (c.at, c.source_key))
            )

    def _record(self, total: int, wanted: int, files: dict[str, int]) -> dict[str, Any]:
        actions: dict[str, int] = {}
        for change in self.changes:
            actions[f"{change.system}.{change.action}"] = (
                actions.get(f"{change.system}.{change.action}", 0) + 1
            )
        counts = self.manifest["counts"]
        for change in self.changes:
            if change.action in ("create", "delete"):
                step = 1 if change.action == "create" else -1
                counts[change.system][change.obj] = counts[change.system].get(change.obj, 0) + step
        counts["legacy"].update(files)
        changed_records = len(
            {c.source_key for c in self.changes if c.action not in ("silent_update", REJECTED)}
        )
        entry = {
            "day": self.day,
            "seed": self.seed,
            "pct": self.pct,
            "mutable_records": total,
            "planned_changes": wanted,
            "changed_records": changed_records,
            "actions": actions,
            "planted_rates": self.tally.as_dict(self.rates.as_dict()),
            "salesforce_api": self.target is not None,
        }
        self.manifest["mutations"].append(entry)
        self.manifest["total_records"] = sum(sum(system.values()) for system in counts.values())
        write_manifest(self.out_dir, self.manifest)
        self.progress(f"mutate day {self.day}: {changed_records:,} records changed ({actions})")
        return entry


def apply_claim(record: dict[str, Any], change: Change) -> None:
    """Apply one newer claim to a golden record by the survivorship rule (newest within a system wins)."""
    field = change.golden_field
    field_class = (COMPANY_FIELDS if record["entity_type"] == "company" else PERSON_FIELDS).get(field)
    if field_class is None:
        return
    ranks = RANKS[field_class]
    current = record["winners"].get(field)
    if current is not None:
        winner_system = record["sources"][current][0]
        if ranks[system_group(winner_system)] < ranks[system_group(change.system)]:
            return
    source = [change.system, change.obj, change.source_key]
    if source not in record["sources"]:
        record["sources"].append(source)
    record["values"][field] = change.claim
    record["winners"][field] = record["sources"].index(source)


def mutate_company(
    out_dir: Path,
    pct: float,
    seed: int,
    *,
    erp_url: str | None = None,
    erp_schema: str | None = None,
    target: SalesforceTarget | None = None,
    progress: Callable[[str], None] = lambda _line: None,
) -> dict[str, Any]:
    """Apply one day of business to the company in `out_dir`; returns the manifest's entry for the day."""
    if not 0 < pct <= 100:
        raise OutputDirError(f"--mutate takes a percentage in (0, 100], got {pct}")
    engine = erp_engine(erp_url or f"sqlite:///{out_dir / 'erp.sqlite'}")
    try:
        return DayOfBusiness(out_dir, pct, seed, engine, erp_schema, target, progress).run()
    finally:
        engine.dispose()
