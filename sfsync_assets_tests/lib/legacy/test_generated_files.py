"""The generator's drop folder read back: counts equal the trailers and profiles, every planted impossible date
is rejected at its line or record, values agree with the ERP and across feeds, damaged EBCDIC stays local."""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from sfsync_assets.lib.legacy.errors import ProfileError
from sfsync_assets.lib.legacy.records import MALFORMED_RECORD, UNDECODABLE_FIELD

from .support import FEEDS, FileRead, generate, planted_invalid_dates, read, read_generated

CUSTMAST_RECORD = 258
CREDIT_LIMIT_OFFSET = 143  # CM-CREDIT-LIMIT, PIC S9(9)V99 COMP-3: 6 bytes


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("company"))


@pytest.fixture(scope="module")
def feeds(company: Path) -> dict[str, FileRead]:
    return {name: read_generated(company / "inbound", name) for name in FEEDS}


@pytest.fixture(scope="module")
def erp(company: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(company / "erp.sqlite")
    yield connection
    connection.close()


def cents(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(Decimal("0.01"))


def entity_of(company: Path, system: str, obj: str) -> dict[str, str]:
    with (company / "truth" / "entities.csv").open(encoding="utf-8") as handle:
        return {
            row["source_id"]: row["entity_id"]
            for row in csv.DictReader(handle)
            if (row["system"], row["object"], row["entity_type"]) == (system, obj, "company")
        }


def conflicted_erp_customers(company: Path) -> set[str]:
    with (company / "truth" / "planted_problems.csv").open(encoding="utf-8") as handle:
        return {
            row["source_key"].removeprefix("customers-")
            for row in csv.DictReader(handle)
            if (row["system"], row["object"], row["kind"]) == ("erp", "customers", "conflicting_edit")
        }


def test_every_file_loads_all_its_records_and_matches_trailer_and_profile_counts(
    feeds: dict[str, FileRead],
) -> None:
    for name, result in feeds.items():
        counts = result.counts
        assert counts.mismatches() == [], name
        assert counts.profile_records and counts.data_records == counts.profile_records, name
        assert counts.rejected_records == 0 and result.table.num_rows == counts.data_records, name
    assert feeds["CUSTEXPORT"].counts.trailer_count == feeds["CUSTEXPORT"].table.num_rows
    assert feeds["ORDERS"].counts.header == "H|ORDERS|2026-11-01"


def test_exactly_the_planted_impossible_dates_are_rejected_where_they_are(
    company: Path, feeds: dict[str, FileRead]
) -> None:
    expected = {
        (row["object"], row["record_number"], row["line"] or None, row["field"], row["detail"])
        for row in planted_invalid_dates(company)
    }
    found = {
        (name, str(r.record_number), None if r.line_number is None else str(r.line_number), r.field, r.value)
        for name, result in feeds.items()
        for r in result.rejections
    }
    assert {row[0] for row in expected} == {"CUSTEXPORT", "CONTACTS", "ORDERS", "CUSTMAST"}
    assert found == expected
    assert all(r.rule == "INVALID_DATE" for result in feeds.values() for r in result.rejections)


def test_rejected_dates_leave_the_rest_of_their_record_loaded(
    company: Path, feeds: dict[str, FileRead]
) -> None:
    orders = {row["_record_number"]: row for row in feeds["ORDERS"].rows()}
    for problem in planted_invalid_dates(company):
        if problem["object"] == "ORDERS":
            row = orders[int(problem["record_number"])]
            assert row["order_date"] is None
            assert row["order_ref"] == problem["source_key"].removeprefix("ORDERS-")
            assert row["amount"] is not None and row["status"] in ("O", "S", "I", "X")


def test_mainframe_credit_limits_agree_with_arbal_and_the_erp_to_the_cent(
    company: Path, feeds: dict[str, FileRead], erp: sqlite3.Connection
) -> None:
    custmast = {row["cm_cust_no"]: row for row in feeds["CUSTMAST"].rows()}
    arbal = {int(row["cust_no"]): row for row in feeds["ARBAL"].rows()}
    assert arbal.keys() == custmast.keys()
    assert all(arbal[no]["credit_limit"] == custmast[no]["cm_credit_limit"] for no in custmast)

    mainframe_entity = entity_of(company, "legacy_ebcdic", "CUSTMAST")
    erp_entity = entity_of(company, "erp", "customers")
    conflicted = conflicted_erp_customers(company)
    erp_limits = {
        erp_entity[str(customer_id)]: cents(limit)
        for customer_id, limit in erp.execute(
            "SELECT customer_id, credit_limit FROM customers WHERE customer_id < 8000000"
        )
        if str(customer_id) not in conflicted
    }
    compared = [
        (custmast[no]["cm_credit_limit"], erp_limits[mainframe_entity[str(no)]])
        for no in custmast
        if mainframe_entity[str(no)] in erp_limits
    ]
    assert len(compared) > len(custmast) // 2
    assert all(mainframe == erp_value for mainframe, erp_value in compared)


def test_legacy_amounts_agree_with_erp_invoices_and_orders(
    feeds: dict[str, FileRead], erp: sqlite3.Connection
) -> None:
    invoices = {
        number: cents(amount) for number, amount in erp.execute("SELECT invoice_no, amount FROM invoices")
    }
    transactions = [row for row in feeds["ARTRANS"].rows() if row["ar_tran_type"] == "I"]
    assert transactions and all(row["ar_amount"] == invoices[row["ar_invoice_no"]] for row in transactions)
    assert all(
        sum(row[f"ar_line_amount_{i}"] for i in range(1, row["ar_line_count"] + 1)) == row["ar_amount"]
        for row in transactions
    )

    orders = {
        number: cents(total) for number, total in erp.execute("SELECT order_no, total_amount FROM orders")
    }
    known = [row for row in feeds["ORDERS"].rows() if row["erp_order_no"]]
    assert known and all(row["amount"] == orders[row["erp_order_no"]] for row in known)


def test_us_and_international_addresses_fill_only_their_own_redefines_view(
    feeds: dict[str, FileRead],
) -> None:
    for row in feeds["CUSTMAST"].rows():
        us = row["cm_country"] in ("US", "CA")
        assert (row["cm_us_street"] is not None) == us and (row["cm_intl_street"] is not None) == (not us)


def test_a_flipped_packed_nibble_is_quarantined_with_its_byte_offset(company: Path, tmp_path: Path) -> None:
    inbound = company / "inbound"
    (source,) = inbound.glob("CUSTMAST_*.dat")
    data = bytearray(source.read_bytes())
    record = 5
    offset = (record - 1) * CUSTMAST_RECORD + CREDIT_LIMIT_OFFSET
    data[offset + 1] = (data[offset + 1] & 0xF0) | 0x0B  # a digit nibble that no digit has
    damaged = tmp_path / source.name
    damaged.write_bytes(bytes(data))
    for companion in (f"{source.stem}.profile.yaml", "CUSTMAST.cpy"):
        (tmp_path / companion).write_bytes((inbound / companion).read_bytes())

    result = read(damaged, "CUSTMAST", FEEDS["CUSTMAST"])

    problem = next(r for r in result.rejections if r.rule == UNDECODABLE_FIELD)
    assert (problem.record_number, problem.byte_offset, problem.field) == (record, offset, "CM-CREDIT-LIMIT")
    assert problem.raw == bytes(data[(record - 1) * CUSTMAST_RECORD : record * CUSTMAST_RECORD]).hex().upper()
    assert problem.value == bytes(data[offset : offset + 6]).hex().upper()
    rows = result.rows()
    assert len(rows) == result.counts.data_records == result.counts.profile_records
    assert rows[record - 1]["cm_credit_limit"] is None and rows[record - 1]["cm_name"]
    assert all(row["cm_credit_limit"] is not None for row in rows if row["_record_number"] != record)


def test_a_truncated_rdw_file_loads_every_whole_record_and_quarantines_the_tail(
    company: Path, feeds: dict[str, FileRead], tmp_path: Path
) -> None:
    inbound = company / "inbound"
    (source,) = inbound.glob("ARTRANS_*.dat")
    data = source.read_bytes()
    truncated = tmp_path / source.name
    truncated.write_bytes(data[:-10])
    for companion in (f"{source.stem}.profile.yaml", "ARTRANS.cpy"):
        (tmp_path / companion).write_bytes((inbound / companion).read_bytes())

    result = read(truncated, "ARTRANS", FEEDS["ARTRANS"])

    whole = feeds["ARTRANS"].table.num_rows - 1
    assert result.table.num_rows == whole
    (tail,) = result.rejections
    last_start = feeds["ARTRANS"].rows()[-1]["_byte_offset"] - 4  # its RDW
    assert (tail.rule, tail.record_number, tail.byte_offset) == (MALFORMED_RECORD, whole + 1, last_start)
    assert (result.counts.data_records, result.counts.rejected_records) == (whole + 1, 1)


def test_a_profile_that_disagrees_with_the_feed_settings_is_refused(company: Path, tmp_path: Path) -> None:
    inbound = company / "inbound"
    (source,) = inbound.glob("CUSTMAST_*.dat")
    (tmp_path / source.name).write_bytes(source.read_bytes())
    (tmp_path / "CUSTMAST.cpy").write_bytes((inbound / "CUSTMAST.cpy").read_bytes())
    profile = (inbound / f"{source.stem}.profile.yaml").read_text(encoding="utf-8")
    (tmp_path / f"{source.stem}.profile.yaml").write_text(profile.replace("cp037", "cp500"), encoding="utf-8")

    with pytest.raises(
        ProfileError, match=r"CUSTMAST_\d{8}\.dat: .*encoding cp500 but the feed's code_page is cp037"
    ):
        read(tmp_path / source.name, "CUSTMAST", FEEDS["CUSTMAST"])
