"""Fixed-width text (ARBAL-like) on hand-written lines: positions, overpunched signs, implied decimals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from sfsync_assets.lib.legacy.records import MALFORMED_RECORD

from .support import feed, read, write_feed_file

PROFILE = {
    "format": "fixed_width",
    "encoding": "ascii",
    "line_terminator": "LF",
    "record_length": 30,
    "records": 4,
    "overpunch": {"positive": "{ABCDEFGHI = 0..9", "negative": "}JKLMNOPQR = 0..9"},
    "columns": [
        {"name": "CUST_NO", "start": 1, "length": 6, "type": "zoned unsigned"},
        {"name": "NAME", "start": 7, "length": 8, "type": "text"},
        {"name": "BALANCE", "start": 15, "length": 7, "type": "overpunched signed, 2 implied decimals"},
        {"name": "LAST_PAYMENT", "start": 23, "length": 8, "type": "date YYYYMMDD, 00000000 = none"},
    ],
}


def write(tmp_path: Path, lines: list[str]) -> Path:
    return write_feed_file(tmp_path, "TEST_1.dat", ("\n".join(lines) + "\n").encode("ascii"), PROFILE)


def test_overpunched_signs_implied_decimals_and_zero_dates(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            "000042ACME    012345{ 20260131",
            "000043BETA    012345} 00000000",
            "000044GAMMA   000000J 20251231",
            "000045DELTA   000010I 20240229",
        ],
    )

    result = read(path, "TEST", feed("fixed", keep_as_text=["CUST_NO"]))

    assert result.rejections == []
    assert [(r["cust_no"], r["name"], r["balance"], r["last_payment"]) for r in result.rows()] == [
        ("000042", "ACME", Decimal("1234.50"), date(2026, 1, 31)),
        ("000043", "BETA", Decimal("-1234.50"), None),
        ("000044", "GAMMA", Decimal("-0.01"), date(2025, 12, 31)),
        ("000045", "DELTA", Decimal("1.09"), date(2024, 2, 29)),
    ]
    assert result.counts.mismatches() == []


def test_bad_values_null_one_field_and_a_short_line_is_quarantined_whole(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            "000042ACME    012345X 20260131",
            "00004BBETA    0123450 20250230",
            "000044SHORT",
            "000045DELTA   000010I 20240229",
        ],
    )

    result = read(path, "TEST", feed("fixed"))

    assert [(r["cust_no"], r["balance"], r["last_payment"], r["_line_number"]) for r in result.rows()] == [
        (42, None, date(2026, 1, 31), 1),
        (None, None, None, 2),
        (45, Decimal("1.09"), date(2024, 2, 29), 4),
    ]
    assert [(r.rule, r.field, r.value, r.line_number) for r in result.rejections] == [
        ("INVALID_NUMBER", "BALANCE", "012345X", 1),
        ("INVALID_NUMBER", "CUST_NO", "00004B", 2),
        ("INVALID_NUMBER", "BALANCE", "0123450", 2),
        ("INVALID_DATE", "LAST_PAYMENT", "20250230", 2),
        (MALFORMED_RECORD, "", None, 3),
    ]
    assert "11 characters where records have 30" in result.rejections[-1].reason
    assert (result.counts.data_records, result.counts.rejected_records) == (4, 1)
