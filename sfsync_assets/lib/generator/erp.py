"""The ERP database: customers (Account + primary Contact + profile fields in one row), contacts, addresses,
orders, invoices in local currency, and daily currency rates.

Like many real ERPs it enforces no foreign keys (that is how orphans exist) and stores phone numbers as
integers (that is how leading zeros get lost). Rows are written per chunk with executemany, so any SQLAlchemy
URL works and memory stays flat.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    create_engine,
    event,
    false,
)

from . import variations
from .clock import DAY, to_date, to_datetime
from .companies import USD_PER_UNIT
from .dice import Dice
from .entities import Company, Person, User
from .phones import as_erp_integer, e164
from .truth import TruthWriter
from .vocab import CARRIERS, INDUSTRIES, INVALID_PAYMENT_TERMS, PAYMENT_TERMS, ROLE_CODES

SYSTEM = "erp"
TABLES = ("customers", "customer_contacts", "addresses", "orders", "invoices", "currency_rates")
# Duplicate customer rows and orphan parents get ids from ranges no real row uses.
DUPLICATE_CUSTOMER_ID_BASE = 8_000_000
ORPHAN_ID_BASE = 9_000_000
RATE_HISTORY_DAYS = 3 * 365
TITLE_BY_ROLE = dict(ROLE_CODES)
TERMS_BY_CODE = dict(PAYMENT_TERMS)
CARRIER_BY_CODE = dict(CARRIERS)


def rate_history_start(interval_days: int) -> int:
    """Days before as-of of the first rate: three years rounded up to whole intervals, so every order date
    has a rate on or before it."""
    return -(-RATE_HISTORY_DAYS // interval_days) * interval_days


def currency_rate_rows(interval_days: int) -> int:
    return len(USD_PER_UNIT) * (rate_history_start(interval_days) // interval_days + 1)


def erp_metadata(schema: str | None = None) -> MetaData:
    """The ERP's tables; `schema` places them in a database schema (PostgreSQL)."""
    metadata = MetaData(schema=schema)
    Table(
        "customers",
        metadata,
        Column("customer_id", Integer, primary_key=True, autoincrement=False),
        Column("name", String(120)),
        Column("tax_id", String(30)),
        Column("phone", BigInteger),
        Column("email", String(120)),
        Column("website", String(120)),
        Column("industry_code", String(8)),
        Column("currency", String(3)),
        Column("credit_limit", Numeric(14, 2)),
        Column("payment_terms", String(12)),
        Column("credit_rating", String(1)),
        Column("carrier_code", String(6)),
        Column("incoterms", String(3)),
        Column("customer_since", Date),
        Column("contact_first_name", String(60)),
        Column("contact_last_name", String(80)),
        Column("contact_email", String(120)),
        Column("contact_phone", BigInteger),
        Column("contact_role", String(20)),
        Column("sales_rep", String(120)),
        Column("created_at", DateTime),
        Column("updated_at", DateTime, nullable=False),
    )
    Table(
        "customer_contacts",
        metadata,
        Column("contact_id", Integer, primary_key=True, autoincrement=False),
        Column("customer_id", Integer, nullable=False),
        Column("first_name", String(60)),
        Column("last_name", String(80)),
        Column("role_code", String(20)),
        Column("email", String(120)),
        Column("phone", BigInteger),
        Column("mobile", BigInteger),
        Column("email_opt_out", Boolean, nullable=False, default=False, server_default=false()),
        Column("created_at", DateTime),
        Column("updated_at", DateTime, nullable=False),
    )
    Table(
        "addresses",
        metadata,
        Column("address_id", Integer, primary_key=True, autoincrement=False),
        Column("customer_id", Integer, nullable=False),
        Column("address_type", String(4)),
        Column("street", String(200)),
        Column("city", String(60)),
        Column("region", String(60)),
        Column("postal_code", String(20)),
        Column("country_code", String(2)),
        Column("updated_at", DateTime, nullable=False),
    )
    Table(
        "orders",
        metadata,
        Column("order_id", Integer, primary_key=True, autoincrement=False),
        Column("customer_id", Integer, nullable=False),
        Column("order_no", String(20)),
        Column("order_date", Date),
        Column("currency", String(3)),
        Column("total_amount", Numeric(16, 2)),
        Column("status", String(12)),
        Column("created_at", DateTime),
        Column("updated_at", DateTime, nullable=False),
    )
    Table(
        "invoices",
        metadata,
        Column("invoice_id", Integer, primary_key=True, autoincrement=False),
        Column("order_id", Integer, nullable=False),
        Column("customer_id", Integer, nullable=False),
        Column("invoice_no", String(20)),
        Column("invoice_date", Date),
        Column("due_date", Date),
        Column("currency", String(3)),
        Column("amount", Numeric(16, 2)),
        Column("tax_amount", Numeric(16, 2)),
        Column("status", String(10)),
        Column("paid_date", Date),
        Column("updated_at", DateTime, nullable=False),
    )
    Table(
        "currency_rates",
        metadata,
        Column("rate_date", Date, primary_key=True),
        Column("currency", String(3), primary_key=True),
        Column("rate_to_usd", Numeric(18, 8), nullable=False),
        Column("updated_at", DateTime, nullable=False),
    )
    for table_name, column in (
        ("customer_contacts", "customer_id"),
        ("addresses", "customer_id"),
        ("orders", "customer_id"),
        ("invoices", "order_id"),
    ):
        table = metadata.tables[f"{schema}.{table_name}" if schema else table_name]
        Index(f"ix_{table_name}_{column}", table.c[column])
    return metadata


def erp_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files are written without a rollback journal for speed."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _fast_sqlite(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=MEMORY")
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.close()

    return engine


class ErpWriter:
    """Renders chunks of the world as ERP rows and inserts them in bulk."""

    def __init__(
        self, engine: Engine, schema: str | None, truth: TruthWriter, as_of: int, users: list[User]
    ) -> None:
        self.engine = engine
        self.metadata = erp_metadata(schema)
        self.tables = {name: self.metadata.tables[f"{schema}.{name}" if schema else name] for name in TABLES}
        self.truth = truth
        self.as_of = as_of
        self.users = users
        self.counts = dict.fromkeys(TABLES, 0)
        self._rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
        self._duplicates = 0
        self._orphans = 0
        self._addresses = 0
        self.metadata.drop_all(engine)
        self.metadata.create_all(engine)

    def _problem(self, table: str, key: str, field: str, kind: str, detail: str = "") -> None:
        self.truth.problem(SYSTEM, table, key, field, kind, detail=detail)

    def _add(self, table: str, row: dict[str, Any]) -> None:
        self._rows[table].append(row)
        self.counts[table] += 1

    def _orphan(self) -> int:
        self._orphans += 1
        return ORPHAN_ID_BASE + self._orphans

    def _updated(self, dice: Dice, since: int) -> int:
        since = min(since, self.as_of - DAY)
        return since + int((self.as_of - since) * dice.random() ** 0.5)

    def _phone(
        self,
        dice: Dice,
        table: str,
        key: str,
        field: str,
        person_or_company: Person | Company,
        nsn: str | None,
    ) -> tuple[int | None, str | None]:
        """(stored integer, E.164 claim or None when the stored number lost its leading zero)."""
        if nsn is None:
            return None, None
        stored, lost = as_erp_integer(person_or_company.country, nsn, dice.roll("erp_phone_national_format"))
        if lost:
            # detail: the number as typed, and the number it is
            number = e164(person_or_company.country, nsn)
            self._problem(table, key, field, "phone_leading_zero_lost", f"0{stored} {number}")
            return stored, None
        return stored, e164(person_or_company.country, nsn)

    def write_currency_rates(self, dice: Dice, interval_days: int) -> None:
        """Rates to USD every `interval_days` over the last three years: a random walk per currency.

        Lookups take the latest rate on or before a date, so any interval serves every order date.
        """
        for currency in sorted(USD_PER_UNIT):
            level = USD_PER_UNIT[currency]
            for day in range(rate_history_start(interval_days), -1, -interval_days):
                moment = self.as_of - day * DAY
                if currency != "USD":
                    level *= math.exp(dice.gauss(0, 0.004))
                self._add(
                    "currency_rates",
                    {
                        "rate_date": to_date(moment),
                        "currency": currency,
                        "rate_to_usd": round(level, 8),
                        "updated_at": to_datetime(moment + 6 * 3600),
                    },
                )
        self.flush()

    def write_company(self, dice: Dice, company: Company, consent: Dice) -> None:
        """`consent` is a stream of its own, so the opt-outs leave every other value of the seed as it was."""
        if not company.is_customer:
            return
        self._customer(dice, company, company.erp_id, duplicate=False)
        if dice.roll("duplicate_in_system"):
            self._duplicates += 1
            self._customer(dice, company, DUPLICATE_CUSTOMER_ID_BASE + self._duplicates, duplicate=True)
        self._address(dice, company, "BILL")
        if company.shipping is not None:
            self._address(dice, company, "SHIP")
        for person in company.persons:
            if person.erp_contact_id is not None:
                self._contact(dice, company, person, consent.roll("erp_email_opt_out"))
        for order in company.orders:
            self._order(dice, company, order)

    def _customer(self, dice: Dice, company: Company, customer_id: int, duplicate: bool) -> None:
        key = f"customers-{customer_id}"
        name, name_kinds = variations.company_name(dice, company)
        primary = company.persons[0]
        first, last, person_kinds = variations.person_name(dice, primary)
        primary_email, email_kinds = variations.person_email(dice, primary, first)
        terms_code = PAYMENT_TERMS[company.payment_terms][0]
        credit_limit = company.credit_limit
        phone_nsn = company.phone
        conflict = None if duplicate else company.conflict
        updated = self._updated(dice, company.since)
        if conflict is not None:
            updated = conflict.erp_at
            if conflict.field == "Phone":
                phone_nsn = str(conflict.erp_value)
            else:
                credit_limit = float(conflict.erp_value)
            self._problem(
                "customers",
                key,
                "phone" if conflict.field == "Phone" else "credit_limit",
                "conflicting_edit",
                f"erp={conflict.erp_value}; salesforce={conflict.salesforce_value}",
            )
        phone, phone_claim = self._phone(dice, "customers", key, "phone", company, phone_nsn)
        contact_phone, contact_phone_claim = self._phone(
            dice, "customers", key, "contact_phone", primary, primary.phone
        )
        row = {
            "customer_id": customer_id,
            "name": name,
            "tax_id": company.tax_id,
            "phone": phone,
            "email": f"{dice.pick(('accounts', 'ap', 'info', 'purchasing'))}@{company.domain}",
            "website": "www." + company.domain,
            "industry_code": INDUSTRIES[company.industry][1],
            "currency": company.currency,
            "credit_limit": credit_limit,
            "payment_terms": terms_code,
            "credit_rating": company.credit_rating,
            "carrier_code": CARRIERS[company.carrier][0],
            "incoterms": company.incoterms,
            "customer_since": to_date(company.since),
            "contact_first_name": first,
            "contact_last_name": last,
            "contact_email": primary_email,
            "contact_phone": contact_phone,
            "contact_role": primary.role_code,
            "sales_rep": self.users[company.owner].email,
            "created_at": to_datetime(company.since),
            "updated_at": to_datetime(updated),
        }
        company_claims: dict[str, Any] = {
            "Name": name,
            "Phone": phone_claim,
            "Website": row["website"],
            "Industry": INDUSTRIES[company.industry][0],
            "CurrencyIsoCode": company.currency,
            "Credit_Limit__c": credit_limit,
            "Payment_Terms__c": TERMS_BY_CODE[terms_code],
            "Credit_Rating__c": company.credit_rating,
            "Preferred_Carrier__c": CARRIERS[company.carrier][1],
            "Tax_Id__c": company.tax_id,
            "Incoterms__c": company.incoterms,
            "Customer_Since__c": to_date(company.since).isoformat(),
            # A duplicate row's own id is not a candidate for the company's ERP id.
            "ERP_Customer_Id__c": None if duplicate else str(customer_id),
        }
        person_claims: dict[str, Any] = {
            "FirstName": first,
            "LastName": last,
            "Email": primary_email.lower(),
            "Phone": contact_phone_claim,
            "Title": TITLE_BY_ROLE[primary.role_code],
            "account_entity_id": company.entity_id,
        }
        for kind in name_kinds:
            self._problem("customers", key, "name", kind)
        for kind in person_kinds:
            self._problem(
                "customers",
                key,
                "contact_first_name" if kind in ("nickname", "initial_only") else "contact_last_name",
                kind,
            )
        for kind in email_kinds:
            self._problem("customers", key, "contact_email", kind)
        if dice.roll("invalid_picklist"):
            row["payment_terms"] = dice.pick(INVALID_PAYMENT_TERMS)
            company_claims.pop("Payment_Terms__c")
            self._problem("customers", key, "payment_terms", "invalid_picklist", row["payment_terms"])
        if (garbled := variations.mojibake(name)) is not None and dice.roll("mojibake"):
            row["name"] = garbled
            company_claims.pop("Name")
            self._problem("customers", key, "name", "mojibake", garbled)
        if duplicate:
            self._problem("customers", key, "", "duplicate", f"second customer row of {company.erp_id}")
        self._add("customers", row)
        self.truth.entity(SYSTEM, "customers", key, customer_id, company.entity_id)
        self.truth.entity(SYSTEM, "customers", key, customer_id, primary.entity_id)
        self.truth.claim(company.entity_id, SYSTEM, "customers", key, updated, company_claims)
        self.truth.claim(primary.entity_id, SYSTEM, "customers", key, updated, person_claims)

    def _address(self, dice: Dice, company: Company, address_type: str) -> None:
        self._addresses += 1
        address = company.billing if address_type == "BILL" else company.shipping
        key = f"addresses-{self._addresses}"
        street, kinds = variations.street(dice, address)
        updated = self._updated(dice, company.since)
        self._add(
            "addresses",
            {
                "address_id": self._addresses,
                "customer_id": company.erp_id,
                "address_type": address_type,
                "street": street,
                "city": address.city,
                "region": address.region or None,
                "postal_code": address.postal_code,
                "country_code": company.country.code,
                "updated_at": to_datetime(updated),
            },
        )
        for kind in kinds:
            self._problem("addresses", key, "street", kind)
        self.truth.entity(SYSTEM, "addresses", key, self._addresses, company.entity_id)
        if address_type == "BILL":
            self.truth.claim(
                company.entity_id,
                SYSTEM,
                "addresses",
                key,
                updated,
                {
                    "BillingStreet": street,
                    "BillingCity": address.city,
                    "BillingPostalCode": address.postal_code,
                    "BillingCountry": company.country.code,
                },
            )

    def _contact(self, dice: Dice, company: Company, person: Person, opted_out: bool) -> None:
        contact_id = person.erp_contact_id
        key = f"customer_contacts-{contact_id}"
        first, last, kinds = variations.person_name(dice, person)
        email, email_kinds = variations.person_email(dice, person, first)
        phone_nsn = person.phone
        updated = self._updated(dice, company.since)
        conflict = person.conflict
        if conflict is not None:
            updated = conflict.erp_at
            if conflict.field == "Phone":
                phone_nsn = str(conflict.erp_value)
            else:
                email = str(conflict.erp_value)
            self._problem(
                "customer_contacts",
                key,
                conflict.field.lower(),
                "conflicting_edit",
                f"erp={conflict.erp_value}; salesforce={conflict.salesforce_value}",
            )
        phone, phone_claim = self._phone(dice, "customer_contacts", key, "phone", person, phone_nsn)
        mobile, mobile_claim = self._phone(dice, "customer_contacts", key, "mobile", person, person.mobile)
        row = {
            "contact_id": contact_id,
            "customer_id": company.erp_id,
            "first_name": first,
            "last_name": last,
            "role_code": person.role_code,
            "email": email,
            "phone": phone,
            "mobile": mobile,
            "email_opt_out": opted_out,
            "created_at": to_datetime(company.since),
            "updated_at": to_datetime(updated),
        }
        claims: dict[str, Any] = {
            "FirstName": first,
            "LastName": last,
            "Email": email.lower(),
            "Phone": phone_claim,
            "MobilePhone": mobile_claim,
            "Title": TITLE_BY_ROLE[person.role_code],
            "ERP_Contact_Id__c": str(contact_id),
            "account_entity_id": company.entity_id,
            **({"HasOptedOutOfEmail": True} if opted_out else {}),
        }
        for kind in kinds:
            self._problem(
                "customer_contacts",
                key,
                "first_name" if kind in ("nickname", "initial_only") else "last_name",
                kind,
            )
        for kind in email_kinds:
            self._problem("customer_contacts", key, "email", kind)
        field = "last_name" if not last.isascii() else "first_name"
        if (garbled := variations.mojibake(row[field])) is not None and dice.roll("mojibake"):
            row[field] = garbled
            claims.pop("LastName" if field == "last_name" else "FirstName")
            self._problem("customer_contacts", key, field, "mojibake", garbled)
        if dice.roll("orphan_lookup"):
            row["customer_id"] = self._orphan()
            claims.pop("account_entity_id")
            self._problem("customer_contacts", key, "customer_id", "orphan_lookup", str(row["customer_id"]))
        self._add("customer_contacts", row)
        self.truth.entity(SYSTEM, "customer_contacts", key, contact_id, person.entity_id)
        self.truth.claim(person.entity_id, SYSTEM, "customer_contacts", key, updated, claims)

    def _order(self, dice: Dice, company: Company, order: Any) -> None:
        key = f"orders-{order.order_id}"
        updated = min(order.ordered + dice.randrange(40 * DAY), self.as_of - 1)
        row = {
            "order_id": order.order_id,
            "customer_id": company.erp_id,
            "order_no": order.number,
            "order_date": to_date(order.ordered),
            "currency": company.currency,
            "total_amount": order.amount,
            "status": order.status,
            "created_at": to_datetime(order.ordered),
            "updated_at": to_datetime(updated),
        }
        if dice.roll("orphan_lookup"):
            row["customer_id"] = self._orphan()
            self._problem("orders", key, "customer_id", "orphan_lookup", str(row["customer_id"]))
        self._add("orders", row)
        self.truth.entity(SYSTEM, "orders", key, order.order_id, order.entity_id)
        for invoice in order.invoices:
            invoice_key = f"invoices-{invoice.invoice_id}"
            invoice_row = {
                "invoice_id": invoice.invoice_id,
                "order_id": order.order_id,
                "customer_id": company.erp_id,
                "invoice_no": invoice.number,
                "invoice_date": to_date(invoice.issued),
                "due_date": to_date(invoice.due),
                "currency": company.currency,
                "amount": invoice.amount,
                "tax_amount": invoice.tax,
                "status": invoice.status,
                "paid_date": to_date(invoice.paid) if invoice.paid is not None else None,
                "updated_at": to_datetime(max(invoice.paid or invoice.issued, invoice.issued)),
            }
            if dice.roll("orphan_lookup"):
                invoice_row["order_id"] = self._orphan()
                self._problem(
                    "invoices", invoice_key, "order_id", "orphan_lookup", str(invoice_row["order_id"])
                )
            self._add("invoices", invoice_row)
            self.truth.entity(SYSTEM, "invoices", invoice_key, invoice.invoice_id, invoice.entity_id)

    def flush(self) -> None:
        """Insert the buffered rows, one executemany per table, in one transaction."""
        with self.engine.begin() as connection:
            for name in TABLES:
                if self._rows[name]:
                    connection.execute(self.tables[name].insert(), self._rows[name])
                    self._rows[name] = []
