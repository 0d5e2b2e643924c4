"""The mainframe files decode back to the generated values with a reference decoder written here, from the
COBOL rules and the copybooks' offsets worked out by hand (not the generator's encoder, not lib/copybook)."""

from __future__ import annotations

import csv
import sqlite3
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sfsync_assets.lib.generator.ebcdic_files import binary, packed, text, zoned

# --- reference decoder --------------------------------------------------------------------------------------


def zoned_value(raw: bytes, signed: bool) -> int:
    """DISPLAY numeric: low nibble is the digit; zone F, except a signed field's last byte (C + / D -)."""
    value = 0
    for position, byte in enumerate(raw):
        zone, digit = byte >> 4, byte & 0x0F
        last = position == len(raw) - 1
        assert digit <= 9 and (zone == 0xF or (signed and last and zone in (0xC, 0xD))), raw.hex()
        value = value * 10 + digit
    return -value if signed and raw[-1] >> 4 == 0xD else value


def packed_value(raw: bytes) -> int:
    """COMP-3: two BCD digits per byte, the last nibble the sign (C/F positive, D negative)."""
    nibbles = raw.hex().upper()
    assert nibbles[-1] in "CDF" and nibbles[:-1].isdigit(), nibbles
    return -int(nibbles[:-1]) if nibbles[-1] == "D" else int(nibbles[:-1])


def text_value(raw: bytes) -> str:
    return raw.decode("cp037").rstrip(" ")


def yyyymmdd(value: int) -> date:
    return date(value // 10000, value // 100 % 100, value % 100)


# CUSTMAST (FB 258): offsets from CUSTMAST.cpy.
CUSTMAST = {
    "cust_no": (0, 10),
    "type": (10, 11),
    "name": (11, 51),
    "country": (51, 53),
    "us_street": (53, 103),
    "us_city": (103, 128),
    "us_state": (128, 130),
    "us_zip": (130, 140),
    "intl_street": (53, 103),
    "intl_city": (103, 133),
    "intl_postcode": (133, 143),
    "credit_limit": (143, 149),
    "balance": (149, 160),
    "open_orders": (160, 162),
    "risk": (162, 166),
    "since": (166, 174),
    "maintained": (174, 182),
    "tax_id": (182, 202),
    "currency": (202, 205),
    "payment_count": (205, 206),
    "payments": (206, 248),
    "filler": (248, 258),
}


def decode_custmast(record: bytes) -> dict[str, Any]:
    field = {name: record[start:end] for name, (start, end) in CUSTMAST.items()}
    country = text_value(field["country"])
    us_layout = country in ("US", "CA")
    payments = [
        (zoned_value(field["payments"][i : i + 8], False), packed_value(field["payments"][i + 8 : i + 14]))
        for i in range(0, 42, 14)
    ]
    return {
        "cust_no": zoned_value(field["cust_no"], False),
        "type": text_value(field["type"]),
        "name": text_value(field["name"]),
        "country": country,
        "street": text_value(field["us_street" if us_layout else "intl_street"]),
        "city": text_value(field["us_city" if us_layout else "intl_city"]),
        "state": text_value(field["us_state"]) if us_layout else None,
        "postal": text_value(field["us_zip" if us_layout else "intl_postcode"]),
        "credit_limit": packed_value(field["credit_limit"]),
        "balance": zoned_value(field["balance"], True),
        "open_orders": int.from_bytes(field["open_orders"], "big", signed=True),
        "risk": int.from_bytes(field["risk"], "big", signed=False),
        "since": zoned_value(field["since"], False),
        "maintained": zoned_value(field["maintained"], False),
        "tax_id": text_value(field["tax_id"]),
        "currency": text_value(field["currency"]),
        "payment_count": zoned_value(field["payment_count"], False),
        "payments": payments,
        "filler": field["filler"],
    }


def read_rdw_records(data: bytes) -> list[bytes]:
    records, position = [], 0
    while position < len(data):
        length = int.from_bytes(data[position : position + 2], "big")
        assert data[position + 2 : position + 4] == b"\x00\x00"
        records.append(data[position + 4 : position + length])
        position += length
    assert position == len(data)
    return records


def decode_artrans(record: bytes) -> dict[str, Any]:
    line_count = int.from_bytes(record[56:58], "big", signed=True)
    assert 1 <= line_count <= 20 and len(record) == 58 + 44 * line_count
    lines = [record[58 + 44 * i : 58 + 44 * (i + 1)] for i in range(line_count)]
    return {
        "cust_no": zoned_value(record[0:10], False),
        "invoice_no": text_value(record[10:22]),
        "type": text_value(record[22:23]),
        "issued": zoned_value(record[23:31], False),
        "due": zoned_value(record[31:39], False),
        "currency": text_value(record[39:42]),
        "amount": packed_value(record[42:49]),
        "tax": packed_value(record[49:55]),
        "status": text_value(record[55:56]),
        "lines": [
            (text_value(line[:30]), packed_value(line[30:33]), zoned_value(line[33:44], True))
            for line in lines
        ],
    }


def overpunch_value(field: str) -> int:
    positive, negative = "{ABCDEFGHI", "}JKLMNOPQR"
    last = field[-1]
    if last in positive:
        return int(field[:-1] + str(positive.index(last)))
    return -int(field[:-1] + str(negative.index(last)))


# --- fixtures -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def custmast(company: Path) -> list[dict[str, Any]]:
    data = (company / "inbound" / "CUSTMAST_20261101.dat").read_bytes()
    assert len(data) % 258 == 0
    return [decode_custmast(data[i : i + 258]) for i in range(0, len(data), 258)]


@pytest.fixture(scope="module")
def artrans(company: Path) -> list[dict[str, Any]]:
    return [
        decode_artrans(r)
        for r in read_rdw_records((company / "inbound" / "ARTRANS_20261101.dat").read_bytes())
    ]


@pytest.fixture(scope="module")
def arbal(company: Path) -> dict[int, dict[str, int]]:
    lines = (company / "inbound" / "ARBAL_20261101.txt").read_text(encoding="ascii").splitlines()
    assert all(len(line) == 74 for line in lines)
    return {
        int(line[0:10]): {
            "balance": overpunch_value(line[40:51]),
            "credit_limit": overpunch_value(line[51:62]),
        }
        for line in lines
    }


@pytest.fixture(scope="module")
def erp_customer_of(entities: list[dict[str, str]]) -> dict[int, int]:
    """Mainframe customer number → ERP customer id, through the ground-truth entity."""
    erp_by_entity = {
        row["entity_id"]: int(row["source_id"])
        for row in entities
        if row["object"] == "customers"
        and row["entity_id"].startswith("C")
        and int(row["source_id"]) < 8_000_000
    }
    return {
        int(row["source_id"]): erp_by_entity[row["entity_id"]]
        for row in entities
        if row["object"] == "CUSTMAST"
    }


# --- tests --------------------------------------------------------------------------------------------------


def test_encoder_primitives_match_hand_computed_bytes() -> None:
    assert packed(12345, 5, signed=True) == bytes.fromhex("12345C")
    assert packed(-1, 3, signed=True) == bytes.fromhex("001D")
    assert packed(7, 2, signed=False) == bytes.fromhex("007F")
    assert zoned(-123, 3, signed=True) == bytes.fromhex("F1F2D3")
    assert zoned(45, 4, signed=False) == bytes.fromhex("F0F0F4F5")
    assert binary(-2, 4, signed=True) == bytes.fromhex("FFFE")
    assert binary(70000, 8, signed=False) == bytes.fromhex("00011170")
    assert text("Zürich", 8) == bytes.fromhex("E9DC9989838840 40".replace(" ", ""))


def test_customer_master_decodes_to_the_generated_company(
    company: Path,
    custmast: list[dict[str, Any]],
    arbal: dict[int, dict[str, int]],
    erp_customer_of: dict[int, int],
    manifest: dict,
) -> None:
    assert len(custmast) == manifest["counts"]["legacy"]["inbound/CUSTMAST_20261101.dat"] > 100
    connection = sqlite3.connect(company / "erp.sqlite")
    addresses = {
        row[0]: row[1:]
        for row in connection.execute(
            "SELECT customer_id, region, postal_code, country_code FROM addresses WHERE address_type = 'BILL'"
        )
    }
    since = dict(connection.execute("SELECT customer_id, customer_since FROM customers"))
    open_orders = dict(
        connection.execute(
            "SELECT customer_id, COUNT(*) FROM orders WHERE status = 'OPEN' GROUP BY customer_id"
        )
    )
    connection.close()
    with open(company / "truth" / "planted_problems.csv", encoding="utf-8", newline="") as handle:
        impossible = {
            int(row["source_key"].split("-")[1])
            for row in csv.DictReader(handle)
            if row["object"] == "CUSTMAST" and row["kind"] == "impossible_date"
        }
    us_layout = matched_orders = 0
    for record in custmast:
        customer_id = erp_customer_of[record["cust_no"]]
        region, postal, country = addresses[customer_id]
        assert record["type"] == "C" and record["country"] == country and record["filler"] == b"\x40" * 10
        assert record["postal"] == postal
        if country in ("US", "CA"):
            us_layout += 1
            assert record["state"] == region
        assert record["credit_limit"] == arbal[record["cust_no"]]["credit_limit"]
        assert record["balance"] == arbal[record["cust_no"]]["balance"]
        if record["cust_no"] in impossible:
            with pytest.raises(ValueError):
                yyyymmdd(record["since"])
        else:
            assert yyyymmdd(record["since"]).isoformat() == since[customer_id]
        assert 0 <= record["payment_count"] <= 3
        for slot, (paid, amount) in enumerate(record["payments"]):
            assert (paid == 0 and amount == 0) == (slot >= record["payment_count"])
        assert 0 <= record["open_orders"] <= 8 and 0 <= record["risk"] < 10**8
        matched_orders += record["open_orders"] == open_orders.get(customer_id, 0)
    assert 0 < us_layout < len(custmast)
    assert matched_orders >= 0.9 * len(custmast)  # orphaned ERP orders no longer count for their customer


def test_transactions_decode_to_the_erp_invoices(
    company: Path, artrans: list[dict[str, Any]], custmast: list[dict[str, Any]], manifest: dict
) -> None:
    assert len(artrans) == manifest["counts"]["legacy"]["inbound/ARTRANS_20261101.dat"]
    connection = sqlite3.connect(company / "erp.sqlite")
    invoices = {
        row[0]: row[1:]
        for row in connection.execute(
            "SELECT invoice_no, amount, tax_amount, invoice_date, due_date, currency FROM invoices"
        )
    }
    connection.close()
    paid_amounts = defaultdict(set)
    credit_notes = 0
    for record in artrans:
        assert sum(line[2] for line in record["lines"]) == record["amount"]
        if record["type"] == "C":
            credit_notes += 1
            assert record["amount"] < 0 and record["invoice_no"].startswith("CR")
            assert "INV" + record["invoice_no"][2:] in invoices
            continue
        amount, tax, issued, due, currency = invoices[record["invoice_no"]]
        assert record["amount"] == round(amount * 100) and record["tax"] == round(tax * 100)
        assert yyyymmdd(record["issued"]).isoformat() == issued and yyyymmdd(record["due"]).isoformat() == due
        assert record["currency"] == currency
        if record["status"] == "P":
            paid_amounts[record["cust_no"]].add(record["amount"])
    assert credit_notes > 0
    for customer in custmast:
        for paid, amount in customer["payments"][: customer["payment_count"]]:
            assert amount in paid_amounts[customer["cust_no"]]
            yyyymmdd(paid)


def test_copybooks_are_in_reference_format(company: Path) -> None:
    for member in ("CUSTMAST", "ARTRANS"):
        lines = (company / "inbound" / f"{member}.cpy").read_text(encoding="ascii").splitlines()
        assert lines
        for line in lines:
            assert len(line) == 80 and line[:6].isdigit() and line[6] in " *"
            assert line[72:].rstrip() == member
            if line[6] == " ":  # level 01 in area A (column 8), everything else in area B (column 12 on)
                code = line[7:72]
                assert code.startswith("01  ") or (code[:4] == "    " and code.strip())
    custmast = (company / "inbound" / "CUSTMAST.cpy").read_text(encoding="ascii")
    assert "REDEFINES CM-ADDRESS" in custmast and "OCCURS 3 TIMES" in custmast and "COMP-3" in custmast
    artrans = (company / "inbound" / "ARTRANS.cpy").read_text(encoding="ascii")
    assert "DEPENDING ON AR-LINE-COUNT" in artrans
