"""Bad bytes in one field do not stop the file: the value is null and a quarantine entry says where."""

from decimal import Decimal

import pyarrow as pa

from sfsync_assets.lib.copybook import (
    ISSUE_SCHEMA,
    CopybookDecoder,
    DecodeIssue,
    FramingSpec,
    RecordFormat,
    issues_table,
    parse_copybook,
)

from .support import copybook_text

ACCOUNT = copybook_text("ACCOUNT-ID  PIC 9(4).", "BALANCE  PIC S9(5)V99 COMP-3.", "OWNER  PIC X(3).")


def account(number: str, balance: bytes, owner: str) -> bytes:
    return number.encode("cp037") + balance + owner.encode("cp037")


def test_bad_packed_nibble_nulls_the_field_and_reports_it(tmp_path):
    records = [
        account("0001", b"\x00\x12\x34\x5c", "ANN"),
        account("0002", b"\x00\x1a\x34\x5c", "BOB"),  # 'A' is not a decimal digit
        account("0003", b"\x00\x00\x00\x7d", "CY "),
    ]
    path = tmp_path / "accounts.dat"
    path.write_bytes(b"".join(records))
    decoder = CopybookDecoder(parse_copybook(ACCOUNT))
    [batch] = decoder.decode_file(path, FramingSpec(RecordFormat.F))
    assert batch.table.to_pylist() == [
        {
            "_record_number": 1,
            "_record_offset": 0,
            "REC.ACCOUNT-ID": 1,
            "REC.BALANCE": Decimal("123.45"),
            "REC.OWNER": "ANN",
        },
        {
            "_record_number": 2,
            "_record_offset": 11,
            "REC.ACCOUNT-ID": 2,
            "REC.BALANCE": None,
            "REC.OWNER": "BOB",
        },
        {
            "_record_number": 3,
            "_record_offset": 22,
            "REC.ACCOUNT-ID": 3,
            "REC.BALANCE": Decimal("-0.07"),
            "REC.OWNER": "CY",
        },
    ]
    assert batch.issues == [
        DecodeIssue(
            file=str(path),
            record_number=2,
            byte_offset=15,
            field="REC.BALANCE",
            raw_hex="001A345C",
            reason="invalid digit",
        ),
    ]


def test_issue_offsets_count_the_rdw_and_the_file_header(tmp_path):
    record = account("0009", b"\x00\x12\x34\x56", "ZED")  # sign nibble 6 is not a sign
    path = tmp_path / "accounts.v"
    path.write_bytes(b"HEADER" + len(record).to_bytes(2, "big") + b"\0\0" + record)
    decoder = CopybookDecoder(parse_copybook(ACCOUNT))
    [batch] = decoder.decode_file(path, FramingSpec(RecordFormat.V, file_start_offset=6))
    [issue] = batch.issues
    assert (issue.record_number, issue.byte_offset, issue.raw_hex, issue.reason) == (
        1,
        6 + 4 + 4,
        "00123456",
        "invalid sign",
    )


def test_every_bad_field_of_a_record_is_reported():
    decoder = CopybookDecoder(parse_copybook(ACCOUNT))
    batch = decoder.decode_records([bytes.fromhex("F0F0C1F1") + b"\xff\xff\xff\xff" + b"ABC"])
    assert [(issue.field, issue.byte_offset, issue.raw_hex) for issue in batch.issues] == [
        ("REC.ACCOUNT-ID", 0, "F0F0C1F1"),
        ("REC.BALANCE", 4, "FFFFFFFF"),
    ]


REDEFINED = copybook_text(
    "KIND  PIC X.",
    "AS-NUMBER  PIC S9(5) COMP-3.",
    "AS-TEXT REDEFINES AS-NUMBER  PIC X(3).",
    "AS-COUNT REDEFINES AS-NUMBER  PIC S9(3)V9 COMP-3.",
)


def test_a_failing_redefines_view_is_not_reported_when_another_view_decodes():
    batch = CopybookDecoder(parse_copybook(REDEFINED)).decode_records([bytes.fromhex("E3C1C2C3")])
    row = batch.table.to_pylist()[0]
    assert (row["REC.AS-NUMBER"], row["REC.AS-TEXT"], row["REC.AS-COUNT"]) == (None, "ABC", None)
    assert batch.issues == []


def test_nested_redefines_are_reported_only_when_no_view_decodes():
    copybook = (
        "       01  REC.\n"
        "           05  AREA-A.\n"
        "               10  N1  PIC S9(3) COMP-3.\n"
        "               10  N2  PIC S9(3) COMP-3.\n"
        "           05  AREA-B REDEFINES AREA-A.\n"
        "               10  P1  PIC S9(5) COMP-3.\n"
        "               10  FILLER  PIC X.\n"
    )
    decoder = CopybookDecoder(parse_copybook(copybook))
    fine_as_b = decoder.decode_records([bytes.fromhex("12345C40")])
    assert fine_as_b.issues == []
    assert fine_as_b.table.column("REC.AREA-B.P1").to_pylist() == [12345]
    broken = decoder.decode_records([bytes.fromhex("FFFFFFFF")])
    assert sorted(issue.field for issue in broken.issues) == [
        "REC.AREA-A.N1",
        "REC.AREA-A.N2",
        "REC.AREA-B.P1",
    ]


def test_issues_become_an_arrow_table_for_the_quarantine():
    issue = DecodeIssue("f.dat", 7, 123, "REC.X", "FF", "invalid digit")
    table = issues_table([issue])
    assert table.schema == ISSUE_SCHEMA
    assert table.to_pylist() == [
        {
            "file": "f.dat",
            "record_number": 7,
            "byte_offset": 123,
            "field": "REC.X",
            "raw_hex": "FF",
            "reason": "invalid digit",
        }
    ]
    assert issues_table([]).num_rows == 0
    assert isinstance(table, pa.Table)


def test_short_records_leave_missing_fields_null_without_issues():
    batch = CopybookDecoder(parse_copybook(ACCOUNT)).decode_records(
        [account("0005", b"\x00\x00\x01\x0c", "")]
    )
    row = batch.table.to_pylist()[0]
    assert (row["REC.ACCOUNT-ID"], row["REC.BALANCE"], row["REC.OWNER"]) == (5, Decimal("0.10"), None)
    assert batch.issues == []
