"""Mainframe AR files in EBCDIC (cp037) with their COBOL copybooks: a fixed-length customer master and a
variable-length (RDW) transaction file.

The encoder is written here from the COBOL rules (packed decimal, zoned overpunch, big-endian binary, cp037
text) and is deliberately independent of the decoder in `lib/copybook/`: the two meet only in the files, so
each checks the other. Copybooks are rendered in reference format: sequence numbers in columns 1-6, code in
8-72, the member name in 73-80.
"""

from __future__ import annotations

from pathlib import Path

from .clock import DAY, to_date
from .dice import Dice
from .entities import Company, Invoice
from .legacy_files import encodable, impossible_date, write_profile
from .people import ascii_fold
from .truth import TruthWriter

SYSTEM = "legacy_ebcdic"
CODEPAGE = "cp037"
EBCDIC_SPACE = " ".encode(CODEPAGE)
CUSTMAST_RECORD_LENGTH = 258
AR_FIXED_LENGTH = 58
AR_LINE_LENGTH = 44
AR_MAX_LINES = 20
FIRST_MAINFRAME_NO = 4_000_000_000
US_LAYOUT_COUNTRIES = ("US", "CA")


class EncodingError(ValueError):
    """A value that does not fit its PIC clause (too many digits, or a sign in an unsigned field)."""


# --- field encoders -----------------------------------------------------------------------------------------


def text(value: str, length: int) -> bytes:
    """PIC X(n): cp037, left-justified, padded with EBCDIC spaces, truncated to `length`."""
    return encodable(value, CODEPAGE)[:length].ljust(length).encode(CODEPAGE)


def _digits(value: int, digits: int, signed: bool, field: str) -> str:
    if value < 0 and not signed:
        raise EncodingError(f"{field}: negative value {value} in an unsigned field")
    text_digits = str(abs(value))
    if len(text_digits) > digits:
        raise EncodingError(f"{field}: {value} does not fit {digits} digits")
    return text_digits.zfill(digits)


def zoned(value: int, digits: int, signed: bool, field: str = "zoned") -> bytes:
    """PIC [S]9(n) DISPLAY: one byte per digit (zone F); a signed field's last zone is C (+) or D (-)."""
    encoded = bytearray(0xF0 | int(d) for d in _digits(value, digits, signed, field))
    if signed:
        encoded[-1] = (0xD0 if value < 0 else 0xC0) | (encoded[-1] & 0x0F)
    return bytes(encoded)


def packed(value: int, digits: int, signed: bool, field: str = "packed") -> bytes:
    """PIC [S]9(n) COMP-3: two digits per byte, last nibble the sign (C +, D -, F unsigned)."""
    size = digits // 2 + 1
    nibbles = _digits(value, digits, signed, field).zfill(size * 2 - 1)
    sign = (0xD if value < 0 else 0xC) if signed else 0xF
    values = [int(d) for d in nibbles] + [sign]
    return bytes((values[i] << 4) | values[i + 1] for i in range(0, len(values), 2))


def binary(value: int, digits: int, signed: bool, field: str = "binary") -> bytes:
    """PIC [S]9(n) COMP: big-endian halfword (1-4 digits), fullword (5-9) or doubleword (10-18)."""
    _digits(value, digits, signed, field)
    size = 2 if digits <= 4 else 4 if digits <= 9 else 8
    return value.to_bytes(size, "big", signed=signed)


def cents(amount: float) -> int:
    return round(amount * 100)


def rdw(record: bytes) -> bytes:
    """A variable-length record with its Record Descriptor Word: 2-byte big-endian length (RDW included),
    0x0000."""
    return (len(record) + 4).to_bytes(2, "big") + b"\x00\x00" + record


# --- copybooks ----------------------------------------------------------------------------------------------


def copybook(member: str, lines: list[tuple[int, str]]) -> str:
    """Reference-format copybook text from (indent level, statement) pairs; comments start with `*`."""
    rendered = []
    for number, (depth, statement) in enumerate(lines, start=1):
        if statement.startswith("*"):
            body = "*" + statement[1:].rstrip()
            line = f"{number * 100:06d}{body}"
        else:
            line = f"{number * 100:06d} " + " " * (4 * depth) + statement
        if len(line) > 72:
            raise EncodingError(f"{member}: copybook line {number} passes column 72: {statement!r}")
        rendered.append(line.ljust(72) + member[:8].ljust(8))
    return "\n".join(rendered) + "\n"


CUSTMAST_COPYBOOK = copybook(
    "CUSTMAST",
    [
        (0, "* CUSTOMER MASTER - AR SUBSYSTEM. FIXED LENGTH 258, CP037."),
        (0, "* CM-ADDRESS: CM-ADDRESS-US WHEN CM-COUNTRY = 'US' OR 'CA',"),
        (0, "*             CM-ADDRESS-INTL OTHERWISE."),
        (0, "01  CUSTMAST-RECORD."),
        (1, "05  CM-CUST-NO              PIC 9(10)."),
        (1, "05  CM-RECORD-TYPE          PIC X."),
        (1, "05  CM-NAME                 PIC X(40)."),
        (1, "05  CM-COUNTRY              PIC X(2)."),
        (1, "05  CM-ADDRESS              PIC X(90)."),
        (1, "05  CM-ADDRESS-US REDEFINES CM-ADDRESS."),
        (2, "10  CM-US-STREET        PIC X(50)."),
        (2, "10  CM-US-CITY          PIC X(25)."),
        (2, "10  CM-US-STATE         PIC X(2)."),
        (2, "10  CM-US-ZIP           PIC X(10)."),
        (2, "10  FILLER              PIC X(3)."),
        (1, "05  CM-ADDRESS-INTL REDEFINES CM-ADDRESS."),
        (2, "10  CM-INTL-STREET      PIC X(50)."),
        (2, "10  CM-INTL-CITY        PIC X(30)."),
        (2, "10  CM-INTL-POSTCODE    PIC X(10)."),
        (1, "05  CM-CREDIT-LIMIT         PIC S9(9)V99 COMP-3."),
        (1, "05  CM-BALANCE              PIC S9(9)V99."),
        (1, "05  CM-OPEN-ORDERS          PIC S9(4) COMP."),
        (1, "05  CM-RISK-SCORE           PIC 9(8) COMP."),
        (1, "05  CM-CUSTOMER-SINCE       PIC 9(8)."),
        (1, "05  CM-LAST-MAINT           PIC 9(8)."),
        (1, "05  CM-TAX-ID               PIC X(20)."),
        (1, "05  CM-CURRENCY             PIC X(3)."),
        (1, "05  CM-PAYMENT-COUNT        PIC 9."),
        (1, "05  CM-PAYMENTS OCCURS 3 TIMES."),
        (2, "10  CM-PAY-DATE         PIC 9(8)."),
        (2, "10  CM-PAY-AMOUNT       PIC S9(9)V99 COMP-3."),
        (1, "05  FILLER                  PIC X(10)."),
    ],
)

ARTRANS_COPYBOOK = copybook(
    "ARTRANS",
    [
        (0, "* AR TRANSACTIONS. VARIABLE LENGTH WITH RDW, CP037."),
        (0, "* AR-TRAN-TYPE 'I' INVOICE, 'C' CREDIT NOTE (NEGATIVE AMOUNT,"),
        (0, "*              AR-INVOICE-NO 'CR' + THE INVOICE'S DIGITS)."),
        (0, "01  AR-TRANSACTION."),
        (1, "05  AR-CUST-NO              PIC 9(10)."),
        (1, "05  AR-INVOICE-NO           PIC X(12)."),
        (1, "05  AR-TRAN-TYPE            PIC X."),
        (1, "05  AR-INVOICE-DATE         PIC 9(8)."),
        (1, "05  AR-DUE-DATE             PIC 9(8)."),
        (1, "05  AR-CURRENCY             PIC X(3)."),
        (1, "05  AR-AMOUNT               PIC S9(11)V99 COMP-3."),
        (1, "05  AR-TAX                  PIC S9(9)V99 COMP-3."),
        (1, "05  AR-STATUS               PIC X."),
        (1, "05  AR-LINE-COUNT           PIC S9(4) COMP."),
        (1, "05  AR-LINES OCCURS 1 TO 20 TIMES"),
        (2, "DEPENDING ON AR-LINE-COUNT."),
        (2, "10  AR-LINE-DESC        PIC X(30)."),
        (2, "10  AR-LINE-QTY         PIC S9(5) COMP-3."),
        (2, "10  AR-LINE-AMOUNT      PIC S9(9)V99."),
    ],
)


def yyyymmdd(seconds: int | None) -> int:
    return int(to_date(seconds).strftime("%Y%m%d")) if seconds is not None else 0


class MainframeWriter:
    """Writes CUSTMAST (fixed 258-byte records) and ARTRANS (RDW records) for the mainframe's customers."""

    def __init__(self, out_dir: Path, truth: TruthWriter, as_of: int, stamp: str) -> None:
        self.directory = out_dir / "inbound"
        self.directory.mkdir(parents=True, exist_ok=True)
        self.truth = truth
        self.as_of = as_of
        self.custmast_path = self.directory / f"CUSTMAST_{stamp}.dat"
        self.artrans_path = self.directory / f"ARTRANS_{stamp}.dat"
        self._custmast = open(self.custmast_path, "wb")  # noqa: SIM115
        self._artrans = open(self.artrans_path, "wb")  # noqa: SIM115
        self.customers = 0
        self.transactions = 0

    def write_company(self, dice: Dice, company: Company) -> tuple[int, float]:
        """Write the customer and its invoices; returns its mainframe number and AR balance (for ARBAL)."""
        self.customers += 1
        number = FIRST_MAINFRAME_NO + self.customers
        key = f"CUSTMAST-{number}"
        invoices = [i for o in company.orders for i in o.invoices]
        balance = round(sum(i.amount for i in invoices if i.status != "PAID"), 2)
        if not balance and dice.chance(0.1):
            balance = -round(dice.uniform(10, 5000), 2)  # an unapplied payment: a credit balance
        payments = sorted((i for i in invoices if i.paid is not None), key=lambda i: (i.paid, i.invoice_id))[
            -3:
        ]
        maintained = company.since + int((self.as_of - DAY - company.since) * dice.random())
        maintained -= maintained % DAY
        street = (
            ascii_fold(company.billing.street().replace("\n", ", ")).upper()
            if dice.chance(0.5)
            else (company.billing.street().replace("\n", ", ").upper())
        )
        name = company.name.upper()
        since = yyyymmdd(company.since)
        claims = {
            "Name": encodable(name[:40], CODEPAGE),
            "BillingStreet": encodable(street[:50], CODEPAGE),
            "BillingCity": encodable(company.billing.city.upper(), CODEPAGE),
            "BillingPostalCode": company.billing.postal_code,
            "BillingCountry": company.country.code,
            "Credit_Limit__c": company.credit_limit,
            "Customer_Since__c": to_date(company.since).isoformat(),
            "Tax_Id__c": company.tax_id,
            "CurrencyIsoCode": company.currency,
        }
        since_field = zoned(since, 8, signed=False)
        if dice.roll("impossible_date"):
            bad = impossible_date(dice, company.since, "yyyymmdd")
            since_field = zoned(int(bad), 8, signed=False)
            claims.pop("Customer_Since__c")
            self.truth.problem(
                SYSTEM,
                "CUSTMAST",
                key,
                "CM-CUSTOMER-SINCE",
                "impossible_date",
                file=f"inbound/{self.custmast_path.name}",
                record_number=self.customers,
                detail=bad,
            )
        billing = company.billing
        if company.country.code in US_LAYOUT_COUNTRIES:
            address = (
                text(street, 50)
                + text(billing.city.upper(), 25)
                + text(billing.region, 2)
                + text(billing.postal_code, 10)
                + text("", 3)
            )
        else:
            address = text(street, 50) + text(billing.city.upper(), 30) + text(billing.postal_code, 10)
        payment_area = b"".join(
            zoned(yyyymmdd(i.paid), 8, signed=False) + packed(cents(i.amount), 11, signed=True)
            for i in payments
        )
        payment_area += (zoned(0, 8, signed=False) + packed(0, 11, signed=True)) * (3 - len(payments))
        record = b"".join(
            (
                zoned(number, 10, signed=False),
                text("C", 1),
                text(name, 40),
                text(company.country.code, 2),
                address,
                packed(cents(company.credit_limit), 11, signed=True),
                zoned(cents(balance), 11, signed=True),
                binary(sum(1 for o in company.orders if o.status == "OPEN"), 4, signed=True),
                binary(dice.randrange(10**8), 8, signed=False),
                since_field,
                zoned(yyyymmdd(maintained), 8, signed=False),
                text(company.tax_id, 20),
                text(company.currency, 3),
                zoned(len(payments), 1, signed=False),
                payment_area,
                text("", 10),
            )
        )
        if len(record) != CUSTMAST_RECORD_LENGTH:
            raise EncodingError(f"CUSTMAST record of {len(record)} bytes, expected {CUSTMAST_RECORD_LENGTH}")
        self._custmast.write(record)
        self.truth.entity(SYSTEM, "CUSTMAST", key, number, company.entity_id)
        self.truth.claim(company.entity_id, SYSTEM, "CUSTMAST", key, maintained, claims)
        for invoice in invoices:
            self._transaction(dice, number, company, invoice, credit=False)
            if invoice.status == "PAID" and dice.chance(0.03):
                self._transaction(dice, number, company, invoice, credit=True)
        return number, balance

    def _transaction(self, dice: Dice, number: int, company: Company, invoice: Invoice, credit: bool) -> None:
        sign = -1 if credit else 1
        document = "CR" + invoice.number.removeprefix("INV") if credit else invoice.number
        amount = cents(invoice.amount) if not credit else cents(round(invoice.amount * 0.1, 2))
        line_count = dice.randint(1, 4) if amount >= 400 else 1
        shares = sorted(dice.randrange(1, amount) for _ in range(line_count - 1)) if line_count > 1 else []
        bounds = [0, *shares, amount]
        lines = b"".join(
            text(
                dice.pick(("SPARE PARTS", "SERVICE HOURS", "FREIGHT", "UNITS", "INSTALLATION", "LICENCE")), 30
            )
            + packed(sign * dice.randint(1, 500), 5, signed=True)
            + zoned(sign * (bounds[i + 1] - bounds[i]), 11, signed=True)
            for i in range(line_count)
        )
        record = b"".join(
            (
                zoned(number, 10, signed=False),
                text(document, 12),
                text("C" if credit else "I", 1),
                zoned(yyyymmdd(invoice.issued), 8, signed=False),
                zoned(yyyymmdd(invoice.due), 8, signed=False),
                text(company.currency, 3),
                packed(sign * amount, 13, signed=True),
                packed(sign * cents(invoice.tax) if not credit else 0, 11, signed=True),
                text({"PAID": "P", "OPEN": "O", "OVERDUE": "D"}[invoice.status], 1),
                binary(line_count, 4, signed=True),
                lines,
            )
        )
        self._artrans.write(rdw(record))
        self.transactions += 1
        entity_id = ("N" if credit else "I") + invoice.entity_id[1:]
        self.truth.entity(SYSTEM, "ARTRANS", f"ARTRANS-{document}", document, entity_id)

    def close(self) -> dict[str, int]:
        self._custmast.close()
        self._artrans.close()
        (self.directory / "CUSTMAST.cpy").write_text(CUSTMAST_COPYBOOK, encoding="ascii")
        (self.directory / "ARTRANS.cpy").write_text(ARTRANS_COPYBOOK, encoding="ascii")
        write_profile(
            self.directory / f"{self.custmast_path.stem}.profile.yaml",
            {
                "feed": "CUSTMAST",
                "file": self.custmast_path.name,
                "format": "ebcdic",
                "encoding": CODEPAGE,
                "record_format": "FB",
                "record_length": CUSTMAST_RECORD_LENGTH,
                "copybook": "CUSTMAST.cpy",
                "records": self.customers,
                "redefines": {
                    "CM-ADDRESS": {
                        "CM-ADDRESS-US": "CM-COUNTRY in ('US', 'CA')",
                        "CM-ADDRESS-INTL": "otherwise",
                    }
                },
                "dates": {
                    "CM-CUSTOMER-SINCE": "YYYYMMDD",
                    "CM-LAST-MAINT": "YYYYMMDD",
                    "CM-PAY-DATE": "YYYYMMDD, 0 = unused slot",
                },
            },
        )
        write_profile(
            self.directory / f"{self.artrans_path.stem}.profile.yaml",
            {
                "feed": "ARTRANS",
                "file": self.artrans_path.name,
                "format": "ebcdic",
                "encoding": CODEPAGE,
                "record_format": "VB",
                "record_descriptor_word": "4 bytes: 2-byte big-endian length including the RDW, "
                "then 2 zero bytes",
                "copybook": "ARTRANS.cpy",
                "records": self.transactions,
                "occurs_depending_on": {"AR-LINES": "AR-LINE-COUNT"},
                "dates": {"AR-INVOICE-DATE": "YYYYMMDD", "AR-DUE-DATE": "YYYYMMDD"},
            },
        )
        return {
            f"inbound/{self.custmast_path.name}": self.customers,
            f"inbound/{self.artrans_path.name}": self.transactions,
        }
