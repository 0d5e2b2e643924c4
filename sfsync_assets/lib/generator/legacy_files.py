"""The legacy drop folder: CSV exports of the old CRM and a fixed-width AR balance file, each with a profile.

Every feed is written the way its source system writes it (code page, delimiter, date and number formats,
control records) and gets `<feed>.profile.yaml` beside it, so ingest reads what is declared instead of
sniffing.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import yaml

from . import variations
from .clock import DAY, to_date
from .dice import Dice
from .entities import Company, Person
from .people import ascii_fold
from .phones import e164, render
from .truth import TruthWriter

SYSTEM_CSV = "legacy_csv"
SYSTEM_FIXED = "legacy_fixed"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Day/month pairs that no calendar has: what a hand-keyed legacy date field ends up holding.
IMPOSSIBLE_DAYS = ((31, 2), (30, 2), (29, 2), (31, 4), (31, 6), (31, 9), (31, 11), (0, 5), (32, 1))
LEGACY_ORDER_STATUS = {"OPEN": "O", "SHIPPED": "S", "INVOICED": "I", "CANCELLED": "X"}
NOTES = (
    "Call before delivery; dock closes at 3pm",
    'Customer prefers "paperless" invoices',
    "Old account merged from branch office\nsee ticket 4411",
    "Key account; escalate complaints to RM",
    "VAT exempt until further notice",
    "Deliveries to rear entrance\nring bell twice",
)


def encodable(text: str, encoding: str) -> str:
    """`text` with letters the code page lacks folded to ASCII (`Saitō` → `Saito` in cp1252)."""
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return "".join(ch if _fits(ch, encoding) else ascii_fold(ch) for ch in text)
    return text


def _fits(ch: str, encoding: str) -> bool:
    try:
        ch.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def decimal_comma(amount: float) -> str:
    """`1234567.5` → `1.234.567,50`."""
    return f"{amount:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


def dd_mm_yyyy(seconds: int) -> str:
    return to_date(seconds).strftime("%d/%m/%Y")


def dd_mon_yy(seconds: int) -> str:
    day = to_date(seconds)
    return f"{day.day:02d}-{MONTHS[day.month - 1]}-{day.year % 100:02d}"


def impossible_date(dice: Dice, seconds: int, style: str) -> str:
    day, month = dice.pick(IMPOSSIBLE_DAYS)
    year = to_date(seconds).year
    if style == "dd_mon_yy":
        return f"{day:02d}-{MONTHS[month - 1]}-{year % 100:02d}"
    if style == "yyyymmdd":
        return f"{year:04d}{month:02d}{day:02d}"
    return f"{day:02d}/{month:02d}/{year:04d}"


def overpunch(value: int, width: int) -> str:
    """Signed zoned decimal as ASCII text: the last digit carries the sign (`{A..I` positive, `}J..R`
    negative)."""
    digits = str(abs(value)).zfill(width)[-width:]
    last = int(digits[-1])
    sign_char = ("{ABCDEFGHI" if value >= 0 else "}JKLMNOPQR")[last]
    return digits[:-1] + sign_char


def write_profile(path: Path, profile: dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump(profile, sort_keys=False, allow_unicode=True), encoding="utf-8")


class CsvFeed:
    """One CSV export: encoding, optional BOM, optional `H|...` header and `T|count` trailer records."""

    def __init__(
        self,
        directory: Path,
        feed: str,
        stamp: str,
        columns: tuple[str, ...],
        *,
        encoding: str,
        delimiter: str,
        bom: bool,
        control_records: bool,
        line_terminator: str,
        as_of_iso: str,
    ) -> None:
        self.feed = feed
        self.path = directory / f"{feed}_{stamp}.csv"
        self.columns = columns
        self.encoding = encoding
        self.delimiter = delimiter
        self.bom = bom
        self.control_records = control_records
        self.line_terminator = line_terminator
        self.records = 0
        self.line = 0
        self._handle = open(self.path, "w", encoding=encoding, newline="")  # noqa: SIM115
        if bom:
            self._handle.write("\ufeff")
        self._writer = csv.writer(
            self._handle,
            delimiter=delimiter,
            quotechar='"',
            quoting=csv.QUOTE_MINIMAL,
            lineterminator=line_terminator,
        )
        if control_records:
            self._handle.write(f"H|{feed}|{as_of_iso}{line_terminator}")
            self.line += 1
        self._writer.writerow(columns)
        self.line += 1

    def write(self, row: list[Any]) -> tuple[int, int]:
        """Write one data record; returns (record number, physical line it starts on)."""
        cells = ["" if value is None else encodable(str(value), self.encoding) for value in row]
        self._writer.writerow(cells)
        self.records += 1
        start = self.line + 1
        self.line += 1 + sum(cell.count("\n") for cell in cells)
        return self.records, start

    def close(self) -> None:
        if self.control_records:
            self._handle.write(f"T|{self.records:06d}{self.line_terminator}")
        self._handle.close()

    def profile(self, column_types: dict[str, dict[str, Any]], **extra: Any) -> dict[str, Any]:
        return {
            "feed": self.feed,
            "file": self.path.name,
            "format": "csv",
            "encoding": self.encoding,
            "bom": self.bom,
            "delimiter": self.delimiter,
            "quote": '"',
            "line_terminator": "CRLF" if self.line_terminator == "\r\n" else "LF",
            "header_record": f"H|{self.feed}|<export date YYYY-MM-DD>" if self.control_records else None,
            "trailer_record": "T|<data record count, 6 digits>" if self.control_records else None,
            "column_header_row": True,
            "records": self.records,
            **extra,
            "columns": [{"name": name, **column_types[name]} for name in self.columns],
        }


CUSTOMER_COLUMNS = (
    "LEGACY_ID",
    "ERP_NO",
    "NAME",
    "STREET",
    "POSTCODE",
    "CITY",
    "COUNTRY",
    "PHONE",
    "CONTACT_FIRST",
    "CONTACT_LAST",
    "CONTACT_EMAIL",
    "CONTACT_PHONE",
    "CREDIT_LIMIT",
    "CUSTOMER_SINCE",
    "LAST_CHG",
    "NOTES",
)
CONTACT_COLUMNS = (
    "CONTACT_ID",
    "CUSTOMER_ID",
    "FIRST_NAME",
    "LAST_NAME",
    "JOB_TITLE",
    "EMAIL",
    "PHONE",
    "CREATED",
    "LAST_UPDATED",
    "NOTES",
)
ORDER_COLUMNS = ("ORDER_REF", "ERP_ORDER_NO", "CUSTOMER_ID", "ORDER_DATE", "CURRENCY", "AMOUNT", "STATUS")
ARBAL_LAYOUT = (
    ("CUST_NO", 1, 10, "zoned unsigned"),
    ("NAME", 11, 30, "text"),
    ("BALANCE", 41, 11, "overpunched signed, 2 implied decimals"),
    ("CREDIT_LIMIT", 52, 11, "overpunched signed, 2 implied decimals"),
    ("OVERDUE_DAYS", 63, 4, "unsigned"),
    ("LAST_PAYMENT", 67, 8, "date YYYYMMDD, 00000000 = none"),
)


class LegacyCrmWriter:
    """The old CRM's exports: customers (cp1252), contacts (UTF-8 with BOM) and orders (Latin-1)."""

    def __init__(self, out_dir: Path, truth: TruthWriter, as_of: int, stamp: str, as_of_iso: str) -> None:
        self.directory = out_dir / "inbound"
        self.directory.mkdir(parents=True, exist_ok=True)
        self.truth = truth
        self.as_of = as_of
        self.customers = CsvFeed(
            self.directory,
            "CUSTEXPORT",
            stamp,
            CUSTOMER_COLUMNS,
            encoding="cp1252",
            delimiter=";",
            bom=False,
            control_records=True,
            line_terminator="\r\n",
            as_of_iso=as_of_iso,
        )
        self.contacts = CsvFeed(
            self.directory,
            "CONTACTS",
            stamp,
            CONTACT_COLUMNS,
            encoding="utf-8",
            delimiter=",",
            bom=True,
            control_records=False,
            line_terminator="\n",
            as_of_iso=as_of_iso,
        )
        self.orders = orders_feed(self.directory, stamp, as_of_iso)
        self._legacy_ids = 0
        self._contact_ids = 0
        self._order_refs = 0

    def _problem(
        self, feed: CsvFeed, key: str, record: tuple[int, int], field: str, kind: str, detail: str = ""
    ) -> None:
        self.truth.problem(
            SYSTEM_CSV,
            feed.feed,
            key,
            field,
            kind,
            file=f"inbound/{feed.path.name}",
            record_number=record[0],
            line=record[1],
            detail=detail,
        )

    def _changed(self, dice: Dice, since: int) -> int:
        """A legacy change date: midnight of a day between `since` and the export."""
        since = min(since, self.as_of - 2 * DAY)
        day = since + dice.randrange(self.as_of - DAY - since)
        return day - day % DAY

    def write_company(self, dice: Dice, company: Company) -> None:
        if not company.in_legacy_crm:
            return
        legacy_id = self._customer(dice, company, duplicate=False)
        if dice.roll("duplicate_in_system"):
            self._customer(dice, company, duplicate=True)
        for person in company.persons:
            if person.in_legacy_contacts:
                self._contact(dice, company, person, legacy_id)
        for order in company.orders:
            self._order(dice, company, order, legacy_id)

    def _customer(self, dice: Dice, company: Company, duplicate: bool) -> str:
        self._legacy_ids += 1
        legacy_id = f"LC{self._legacy_ids:06d}"
        key = f"CUSTEXPORT-{legacy_id}"
        feed = self.customers
        name, name_kinds = variations.company_name(dice, company)
        name = encodable(name, feed.encoding)
        street, street_kinds = variations.street(dice, company.billing)
        primary = company.persons[0]
        first, last, person_kinds = variations.person_name(dice, primary)
        first, last = encodable(first, feed.encoding), encodable(last, feed.encoding)
        email, email_kinds = variations.person_email(dice, primary, first)
        changed = self._changed(dice, company.since)
        style = dice.pick(("national", "digits", "international"))
        erp_no = str(company.erp_id) if dice.chance(0.6) and not duplicate else None
        row = [
            legacy_id,
            erp_no,
            name,
            street,
            company.billing.postal_code,
            company.billing.city,
            dice.pick((company.country.name.upper(), company.country.code, *company.country.aliases)),
            render(company.country, company.phone, style),
            first,
            last,
            email,
            render(primary.country, primary.phone, style),
            decimal_comma(company.credit_limit),
            dd_mm_yyyy(company.since),
            dd_mm_yyyy(changed),
            dice.pick(NOTES) if dice.chance(0.3) else None,
        ]
        company_claims: dict[str, Any] = {
            "Name": name,
            "Phone": e164(company.country, company.phone),
            "BillingStreet": street,
            "BillingCity": company.billing.city,
            "BillingPostalCode": company.billing.postal_code,
            "BillingCountry": company.country.code,
            "Credit_Limit__c": company.credit_limit,
            "Customer_Since__c": to_date(company.since).isoformat(),
            "ERP_Customer_Id__c": erp_no,
        }
        person_claims = {
            "FirstName": first,
            "LastName": last,
            "Email": email.lower(),
            "Phone": e164(primary.country, primary.phone),
            "account_entity_id": company.entity_id,
        }
        planted: list[tuple[str, str, str]] = [("NAME", k, "") for k in name_kinds]
        planted += [("STREET", k, "") for k in street_kinds]
        planted += [
            ("CONTACT_FIRST" if k in ("nickname", "initial_only") else "CONTACT_LAST", k, "")
            for k in person_kinds
        ]
        planted += [("CONTACT_EMAIL", k, "") for k in email_kinds]
        if dice.roll("impossible_date"):
            row[13] = impossible_date(dice, company.since, "dd_mm_yyyy")
            company_claims.pop("Customer_Since__c")
            planted.append(("CUSTOMER_SINCE", "impossible_date", row[13]))
        if dice.roll("missing_required"):
            row[2] = None
            company_claims.pop("Name")
            planted.append(("NAME", "missing_required", ""))
        elif (garbled := variations.mojibake(name)) is not None and dice.roll("mojibake"):
            row[2] = garbled
            company_claims.pop("Name")
            planted.append(("NAME", "mojibake", garbled))
        if duplicate:
            planted.append(("", "duplicate", "customer exported twice under two legacy ids"))
        record = feed.write(row)
        for field, kind, detail in planted:
            self._problem(feed, key, record, field, kind, detail)
        self.truth.entity(SYSTEM_CSV, feed.feed, key, legacy_id, company.entity_id)
        self.truth.entity(SYSTEM_CSV, feed.feed, key, legacy_id, primary.entity_id)
        self.truth.claim(company.entity_id, SYSTEM_CSV, feed.feed, key, changed, company_claims)
        self.truth.claim(primary.entity_id, SYSTEM_CSV, feed.feed, key, changed, person_claims)
        return legacy_id

    def _contact(self, dice: Dice, company: Company, person: Person, legacy_id: str) -> None:
        self._contact_ids += 1
        contact_id = f"CT{self._contact_ids:07d}"
        key = f"CONTACTS-{contact_id}"
        feed = self.contacts
        first, last, kinds = variations.person_name(dice, person)
        email, email_kinds = variations.person_email(dice, person, first)
        created = self._changed(dice, company.since)
        updated = created + (self.as_of - DAY - created) // 2
        updated -= updated % DAY
        row = [
            contact_id,
            legacy_id,
            first,
            last,
            person.title,
            email,
            render(person.country, person.phone, dice.pick(("national", "international"))),
            dd_mon_yy(created),
            dd_mon_yy(updated),
            dice.pick(NOTES) if dice.chance(0.2) else None,
        ]
        claims = {
            "FirstName": first,
            "LastName": last,
            "Email": email.lower(),
            "Title": person.title,
            "Phone": e164(person.country, person.phone),
            "account_entity_id": company.entity_id,
        }
        planted = [("FIRST_NAME" if k in ("nickname", "initial_only") else "LAST_NAME", k, "") for k in kinds]
        planted += [("EMAIL", k, "") for k in email_kinds]
        if dice.roll("impossible_date"):
            row[8] = impossible_date(dice, updated, "dd_mon_yy")
            planted.append(("LAST_UPDATED", "impossible_date", row[8]))
            updated = 0  # a change date nobody can read ranks as the oldest record of its system
        field = 3 if not last.isascii() else 2
        if (garbled := variations.mojibake(row[field])) is not None and dice.roll("mojibake"):
            row[field] = garbled
            claims.pop("LastName" if field == 3 else "FirstName")
            planted.append((CONTACT_COLUMNS[field], "mojibake", garbled))
        record = feed.write(row)
        for column, kind, detail in planted:
            self._problem(feed, key, record, column, kind, detail)
        self.truth.entity(SYSTEM_CSV, feed.feed, key, contact_id, person.entity_id)
        self.truth.claim(person.entity_id, SYSTEM_CSV, feed.feed, key, updated, claims)

    def _order(self, dice: Dice, company: Company, order: Any, legacy_id: str) -> None:
        self._order_refs += 1
        order_ref = f"LO{self._order_refs:07d}"
        key = f"ORDERS-{order_ref}"
        feed = self.orders
        row = [
            order_ref,
            order.number if dice.chance(0.8) else None,
            legacy_id,
            dd_mon_yy(order.ordered),
            company.currency,
            decimal_comma(order.amount),
            LEGACY_ORDER_STATUS[order.status],
        ]
        planted = []
        if dice.roll("impossible_date"):
            row[3] = impossible_date(dice, order.ordered, "dd_mon_yy")
            planted.append(("ORDER_DATE", "impossible_date", row[3]))
        record = feed.write(row)
        for column, kind, detail in planted:
            self._problem(feed, key, record, column, kind, detail)
        self.truth.entity(SYSTEM_CSV, feed.feed, key, order_ref, order.entity_id)

    def close(self) -> dict[str, int]:
        text = {"type": "string"}
        for feed in (self.customers, self.contacts, self.orders):
            feed.close()
        write_profile(
            self.directory / f"{self.customers.path.stem}.profile.yaml",
            self.customers.profile(
                {
                    "LEGACY_ID": {**text, "key": True},
                    "ERP_NO": {"type": "integer", "nullable": True},
                    "NAME": {**text, "required": True},
                    "STREET": {**text, "multiline": True},
                    "POSTCODE": text,
                    "CITY": text,
                    "COUNTRY": {**text, "note": "country name, alias or ISO code"},
                    "PHONE": {"type": "phone"},
                    "CONTACT_FIRST": text,
                    "CONTACT_LAST": text,
                    "CONTACT_EMAIL": text,
                    "CONTACT_PHONE": {"type": "phone"},
                    "CREDIT_LIMIT": {"type": "decimal", "scale": 2},
                    "CUSTOMER_SINCE": {"type": "date", "format": "DD/MM/YYYY"},
                    "LAST_CHG": {"type": "date", "format": "DD/MM/YYYY"},
                    "NOTES": {**text, "multiline": True},
                },
                date_formats=["DD/MM/YYYY"],
                decimal_separator=",",
                thousands_separator=".",
            ),
        )
        write_profile(
            self.directory / f"{self.contacts.path.stem}.profile.yaml",
            self.contacts.profile(
                {
                    "CONTACT_ID": {**text, "key": True},
                    "CUSTOMER_ID": {**text, "references": "CUSTEXPORT.LEGACY_ID"},
                    "FIRST_NAME": text,
                    "LAST_NAME": text,
                    "JOB_TITLE": text,
                    "EMAIL": text,
                    "PHONE": {"type": "phone"},
                    "CREATED": {"type": "date", "format": "DD-Mon-YY"},
                    "LAST_UPDATED": {"type": "date", "format": "DD-Mon-YY"},
                    "NOTES": {**text, "multiline": True},
                },
                date_formats=["DD-Mon-YY"],
                decimal_separator=".",
            ),
        )
        write_profile(self.directory / f"{self.orders.path.stem}.profile.yaml", orders_profile(self.orders))
        return {
            f"inbound/{feed.path.name}": feed.records for feed in (self.customers, self.contacts, self.orders)
        }


def orders_feed(directory: Path, stamp: str, as_of_iso: str) -> CsvFeed:
    """The old CRM's order export: Latin-1, `;`, `DD-Mon-YY` dates, decimal commas, H/T control records."""
    return CsvFeed(
        directory,
        "ORDERS",
        stamp,
        ORDER_COLUMNS,
        encoding="latin-1",
        delimiter=";",
        bom=False,
        control_records=True,
        line_terminator="\r\n",
        as_of_iso=as_of_iso,
    )


def orders_profile(feed: CsvFeed) -> dict[str, Any]:
    text = {"type": "string"}
    return feed.profile(
        {
            "ORDER_REF": {**text, "key": True},
            "ERP_ORDER_NO": {**text, "nullable": True},
            "CUSTOMER_ID": {**text, "references": "CUSTEXPORT.LEGACY_ID"},
            "ORDER_DATE": {"type": "date", "format": "DD-Mon-YY"},
            "CURRENCY": text,
            "AMOUNT": {"type": "decimal", "scale": 2},
            "STATUS": {**text, "codes": {code: status for status, code in LEGACY_ORDER_STATUS.items()}},
        },
        date_formats=["DD-Mon-YY"],
        decimal_separator=",",
        thousands_separator=".",
    )


class ArBalanceWriter:
    """`ARBAL_<date>.txt`: the mainframe's AR balances as fixed-width ASCII with overpunched amounts."""

    def __init__(self, out_dir: Path, truth: TruthWriter, as_of: int, stamp: str) -> None:
        self.directory = out_dir / "inbound"
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / f"ARBAL_{stamp}.txt"
        self.truth = truth
        self.as_of = as_of
        self.records = 0
        self._handle = open(self.path, "w", encoding="ascii", newline="")  # noqa: SIM115

    def write(self, company: Company, mainframe_no: int, balance: float) -> None:
        overdue = [i for o in company.orders for i in o.invoices if i.status == "OVERDUE"]
        overdue_days = max(((self.as_of - i.due) // DAY for i in overdue), default=0)
        paid = [i.paid for o in company.orders for i in o.invoices if i.paid is not None]
        last_payment = to_date(max(paid)).strftime("%Y%m%d") if paid else "00000000"
        name = ascii_fold(company.name).upper()[:30].ljust(30)
        line = (
            f"{mainframe_no:010d}{name}{overpunch(round(balance * 100), 11)}"
            f"{overpunch(round(company.credit_limit * 100), 11)}{min(overdue_days, 9999):04d}{last_payment}\n"
        )
        self._handle.write(line)
        self.records += 1
        key = f"ARBAL-{mainframe_no}"
        self.truth.entity(SYSTEM_FIXED, "ARBAL", key, mainframe_no, company.entity_id)
        self.truth.claim(
            company.entity_id,
            SYSTEM_FIXED,
            "ARBAL",
            key,
            self.as_of - DAY,
            {"Credit_Limit__c": company.credit_limit},
        )

    def close(self) -> dict[str, int]:
        self._handle.close()
        write_profile(
            self.directory / f"{self.path.stem}.profile.yaml",
            {
                "feed": "ARBAL",
                "file": self.path.name,
                "format": "fixed_width",
                "encoding": "ascii",
                "line_terminator": "LF",
                "record_length": 74,
                "records": self.records,
                "header_record": None,
                "trailer_record": None,
                "overpunch": {"positive": "{ABCDEFGHI = 0..9", "negative": "}JKLMNOPQR = 0..9"},
                "columns": [
                    {"name": name, "start": start, "length": length, "type": kind}
                    for name, start, length, kind in ARBAL_LAYOUT
                ],
            },
        )
        return {f"inbound/{self.path.name}": self.records}
