"""CSV exports read per profile, on small hand-written files: one rule of the profile per test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sfsync_assets.lib.legacy.errors import ProfileError, UnreadableFileError
from sfsync_assets.lib.legacy.records import CONTROL_RECORD, MALFORMED_RECORD

from .support import feed, read, write_feed_file


def profile(columns: list[dict[str, Any]], **settings: Any) -> dict[str, Any]:
    return {
        "format": "csv",
        "encoding": "utf-8",
        "delimiter": ",",
        "line_terminator": "LF",
        "columns": columns,
        **settings,
    }


CUSTOMERS = profile(
    [
        {"name": "ID", "type": "string", "key": True},
        {"name": "ERP", "type": "integer", "nullable": True},
        {"name": "NAME", "type": "string"},
        {"name": "STREET", "type": "string", "multiline": True},
        {"name": "LIMIT", "type": "decimal", "scale": 2},
        {"name": "SINCE", "type": "date", "format": "DD/MM/YYYY"},
    ],
    encoding="cp1252",
    delimiter=";",
    line_terminator="CRLF",
    header_record="H|CUST|<export date YYYY-MM-DD>",
    trailer_record="T|<data record count, 6 digits>",
    date_formats=["DD/MM/YYYY"],
    decimal_separator=",",
    thousands_separator=".",
    records=2,
)
CUSTOMER_LINES = [
    "H|CUST|2026-11-01",
    "ID;ERP;NAME;STREET;LIMIT;SINCE",
    'C01;007;"Müller; Söhne";"Hauptstraße 1\nHinterhaus";1.250.000,50;31/12/2020',
    "C02;;Café Crème;Rue 2;12,00;01/02/2021",
    "T|000002",
]
CONTACTS = profile(
    [
        {"name": "ID", "type": "string"},
        {"name": "NAME", "type": "string"},
        {"name": "CREATED", "type": "date", "format": "DD-Mon-YY"},
        {"name": "NOTES", "type": "string", "multiline": True},
    ],
    bom=True,
    date_formats=["DD-Mon-YY"],
)


def cp1252_file(tmp_path: Path, lines: list[str], **changes: Any) -> Path:
    content = "\r\n".join(lines).encode("cp1252") + b"\r\n"
    return write_feed_file(tmp_path, "TEST_1.dat", content, {**CUSTOMERS, **changes})


def test_cp1252_semicolons_control_records_quoted_newline_and_decimal_commas(tmp_path: Path) -> None:
    result = read(cp1252_file(tmp_path, CUSTOMER_LINES), "TEST", feed(keep_as_text=["ERP"]))

    assert result.rejections == []
    assert result.rows() == [
        {
            "id": "C01",
            "erp": "007",
            "name": "Müller; Söhne",
            "street": "Hauptstraße 1\nHinterhaus",
            "limit": Decimal("1250000.50"),
            "since": date(2020, 12, 31),
            "_record_number": 1,
            "_line_number": 3,
        },
        {
            "id": "C02",
            "erp": None,
            "name": "Café Crème",
            "street": "Rue 2",
            "limit": Decimal("12.00"),
            "since": date(2021, 2, 1),
            "_record_number": 2,
            "_line_number": 5,
        },
    ]
    assert (result.counts.header, result.counts.trailer_count, result.counts.data_records) == (
        "H|CUST|2026-11-01",
        2,
        2,
    )
    assert result.counts.mismatches() == []


def test_utf8_bom_dd_mon_yy_dates_and_quoted_quotes(tmp_path: Path) -> None:
    content = (
        "\ufeffID,NAME,CREATED,NOTES\n"
        'P1,Åsa,05-Mar-24,"said ""hi""\nthen left"\n'
        "P2,Jürgen,17-aug-99,\n"
        "P3,Saitō,01-JAN-70,x\n"
    ).encode()
    path = write_feed_file(tmp_path, "TEST_1.dat", content, CONTACTS)

    result = read(path, "TEST", feed(two_digit_year_pivot=70))

    assert result.rejections == []
    assert [(r["id"], r["name"], r["created"], r["notes"], r["_line_number"]) for r in result.rows()] == [
        ("P1", "Åsa", date(2024, 3, 5), 'said "hi"\nthen left', 2),
        ("P2", "Jürgen", date(1999, 8, 17), None, 4),
        ("P3", "Saitō", date(1970, 1, 1), "x", 5),
    ]


def test_latin1_file_is_decoded_as_declared_and_undecodable_bytes_reject_one_field(tmp_path: Path) -> None:
    columns = [{"name": "ID"}, {"name": "NAME"}]
    latin = write_feed_file(
        tmp_path / "a",
        "TEST_1.dat",
        "ID,NAME\n1,Crème brûlée\n".encode("latin-1"),
        profile(columns, encoding="latin-1"),
    )
    broken_utf8 = write_feed_file(
        tmp_path / "b", "TEST_1.dat", b"ID,NAME\n1,Cr\xe8me\n2,ok\n", profile(columns)
    )

    assert read(latin, "TEST", feed()).rows()[0]["name"] == "Crème brûlée"
    result = read(broken_utf8, "TEST", feed())
    assert [row["name"] for row in result.rows()] == [None, "ok"]
    (rejection,) = result.rejections
    assert (rejection.rule, rejection.field, rejection.value, rejection.line_number) == (
        "INVALID_ENCODING",
        "NAME",
        "Cr\\xe8me",
        2,
    )


def test_impossible_date_nulls_only_that_field_and_is_rejected_with_its_line(tmp_path: Path) -> None:
    lines = [*CUSTOMER_LINES]
    lines[3] = "C02;;Café Crème;Rue 2;12,00;31/02/2021"

    result = read(cp1252_file(tmp_path, lines), "TEST", feed())

    assert [row["since"] for row in result.rows()] == [date(2020, 12, 31), None]
    assert result.rows()[1]["limit"] == Decimal("12.00")
    (rejection,) = result.rejections
    assert (
        rejection.rule,
        rejection.field,
        rejection.value,
        rejection.line_number,
        rejection.record_number,
    ) == (
        "INVALID_DATE",
        "SINCE",
        "31/02/2021",
        5,
        2,
    )
    assert "not a calendar date" in rejection.reason
    assert rejection.raw == "C02;;Café Crème;Rue 2;12,00;31/02/2021"


@pytest.mark.parametrize(
    ("field", "rule"),
    [("1,250.00", "INVALID_NUMBER"), ("1.25.000,00", "INVALID_NUMBER"), ("12,345", "INVALID_NUMBER")],
)
def test_numbers_must_use_the_declared_separators_and_scale(tmp_path: Path, field: str, rule: str) -> None:
    lines = [*CUSTOMER_LINES]
    lines[3] = f"C02;;Café;Rue 2;{field};01/02/2021"

    result = read(cp1252_file(tmp_path, lines), "TEST", feed())

    assert [(r.rule, r.field, r.value) for r in result.rejections] == [(rule, "LIMIT", field)]
    assert result.rows()[1]["limit"] is None


def test_a_line_with_the_wrong_field_count_is_quarantined_whole_and_the_rest_loads(tmp_path: Path) -> None:
    lines = [*CUSTOMER_LINES[:3], "C99;;too;few", CUSTOMER_LINES[3], "T|000003"]

    result = read(cp1252_file(tmp_path, lines, records=3), "TEST", feed())

    assert [(row["id"], row["_line_number"], row["_record_number"]) for row in result.rows()] == [
        ("C01", 3, 1),
        ("C02", 6, 3),
    ]
    (rejection,) = result.rejections
    assert (rejection.rule, rejection.line_number, rejection.record_number, rejection.raw) == (
        MALFORMED_RECORD,
        5,
        2,
        "C99;;too;few",
    )
    assert "4 fields where the profile has 6 columns" in rejection.reason
    assert (result.counts.data_records, result.counts.rejected_records, result.counts.mismatches()) == (
        3,
        1,
        [],
    )


def test_an_unclosed_quote_loses_only_its_own_line(tmp_path: Path) -> None:
    lines = [*CUSTOMER_LINES[:3], 'C98;;"never closed;Rue;1,00;01/01/2020', CUSTOMER_LINES[3], "T|000003"]

    result = read(cp1252_file(tmp_path, lines, records=3), "TEST", feed(max_lines_per_record=2))

    assert [row["id"] for row in result.rows()] == ["C01", "C02"]
    (rejection,) = result.rejections
    assert (rejection.rule, rejection.line_number) == (MALFORMED_RECORD, 5)
    assert "quote opened on line 5 is not closed" in rejection.reason


def test_trailer_count_that_differs_from_the_data_records_is_reported(tmp_path: Path) -> None:
    lines = [*CUSTOMER_LINES[:-1], "T|000005"]

    result = read(cp1252_file(tmp_path, lines), "TEST", feed())

    assert len(result.rows()) == 2
    assert result.counts.trailer_count == 5
    assert result.counts.mismatches() == ["the trailer announces 5 data records, the file has 2"]


def test_missing_control_records_are_rejections_not_data(tmp_path: Path) -> None:
    result = read(cp1252_file(tmp_path, CUSTOMER_LINES[1:-1]), "TEST", feed())

    assert [row["id"] for row in result.rows()] == ["C01", "C02"]
    assert [(r.rule, r.line_number) for r in result.rejections] == [(CONTROL_RECORD, 1), (CONTROL_RECORD, 4)]
    assert result.counts.trailer_count is None


def test_a_trailer_lookalike_in_the_middle_is_a_malformed_record(tmp_path: Path) -> None:
    lines = [*CUSTOMER_LINES[:3], "T|000001", *CUSTOMER_LINES[3:]]

    result = read(cp1252_file(tmp_path, lines), "TEST", feed())

    assert [row["id"] for row in result.rows()] == ["C01", "C02"]
    assert [(r.rule, r.line_number, r.record_number) for r in result.rejections] == [(MALFORMED_RECORD, 5, 2)]
    assert result.counts.mismatches() == [
        "the trailer announces 2 data records, the file has 3",
        "the profile announces 2 data records, the file has 3",
    ]


def test_codes_outside_the_declared_list_are_rejected(tmp_path: Path) -> None:
    columns = [{"name": "REF"}, {"name": "STATUS", "codes": {"O": "OPEN", "X": "CANCELLED"}}]
    path = write_feed_file(tmp_path, "TEST_1.dat", b"REF,STATUS\n1,O\n2,Q\n", profile(columns))

    result = read(path, "TEST", feed())

    assert [row["status"] for row in result.rows()] == ["O", None]
    assert [(r.rule, r.field, r.value) for r in result.rejections] == [("INVALID_CODE", "STATUS", "Q")]


def test_a_column_header_that_differs_from_the_profile_stops_the_file(tmp_path: Path) -> None:
    lines = [CUSTOMER_LINES[0], "ID;ERP;NAME;STREET;LIMIT;SINCE;EXTRA", *CUSTOMER_LINES[2:]]

    with pytest.raises(UnreadableFileError, match=r"TEST_1\.dat, line 2: the column header .*EXTRA"):
        read(cp1252_file(tmp_path, lines), "TEST", feed())


def test_two_digit_years_need_a_configured_pivot(tmp_path: Path) -> None:
    path = write_feed_file(tmp_path, "TEST_1.dat", b"\xef\xbb\xbfID,NAME,CREATED,NOTES\n", CONTACTS)

    with pytest.raises(ProfileError, match=r"CREATED has two-digit years .* two_digit_year_pivot"):
        read(path, "TEST", feed())
