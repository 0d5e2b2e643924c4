"""Byte layout field by field: REDEFINES inside OCCURS, nested OCCURS DEPENDING ON, per-record resolution."""

from decimal import Decimal

from sfsync_assets.lib.copybook import CopybookDecoder, Layout, parse_copybook

ORDER_COPYBOOK = """\
       01  ORDER-REC.
           05  ORDER-ID           PIC 9(6).
           05  ITEM-COUNT         PIC 9(2).
           05  KINDS OCCURS 2 TIMES.
               10  KIND           PIC X.
               10  AMOUNT         PIC S9(5)V99 COMP-3.
               10  QTY REDEFINES AMOUNT PIC S9(4) COMP.
               10  FILLER         PIC X(2).
           05  ITEMS OCCURS 0 TO 3 TIMES DEPENDING ON ITEM-COUNT.
               10  PART-COUNT     PIC 9.
               10  PARTS OCCURS 1 TO 2 TIMES DEPENDING ON PART-COUNT.
                   15  SKU        PIC X(3).
           05  TRAILER            PIC X(4).
"""

# ITEM-COUNT 2; ITEMS(1) has 1 part, ITEMS(2) has 2; KINDS(2) holds a QTY, so its AMOUNT view is invalid.
ORDER_RECORD = bytes.fromhex(
    "F0F0F0F0F4F2"
    "F0F2"  # ORDER-ID 000042, ITEM-COUNT 02
    "C1"
    "0012345C"
    "4040"  # KINDS(1): KIND A, AMOUNT +123.45, FILLER
    "D8"
    "00070000"
    "4040"  # KINDS(2): KIND Q, QTY 7 (AMOUNT view has sign nibble 0), FILLER
    "F1"
    "C1C2F1"  # ITEMS(1): PART-COUNT 1, SKU AB1
    "F2"
    "C3C4F2"
    "C5C6F3"  # ITEMS(2): PART-COUNT 2, SKU CD2, SKU EF3
    "C5D5C44B"  # TRAILER END.
)


def test_static_layout_field_by_field():
    rows = Layout(parse_copybook(ORDER_COPYBOOK)).rows()
    assert [(row.path, row.offset, row.length) for row in rows] == [
        ("ORDER-REC", 0, 47),
        ("ORDER-REC.ORDER-ID", 0, 6),
        ("ORDER-REC.ITEM-COUNT", 6, 2),
        ("ORDER-REC.KINDS(1)", 8, 7),
        ("ORDER-REC.KINDS(1).KIND", 8, 1),
        ("ORDER-REC.KINDS(1).AMOUNT", 9, 4),
        ("ORDER-REC.KINDS(1).QTY", 9, 2),
        ("ORDER-REC.KINDS(1).FILLER_1", 13, 2),
        ("ORDER-REC.KINDS(2)", 15, 7),
        ("ORDER-REC.KINDS(2).KIND", 15, 1),
        ("ORDER-REC.KINDS(2).AMOUNT", 16, 4),
        ("ORDER-REC.KINDS(2).QTY", 16, 2),
        ("ORDER-REC.KINDS(2).FILLER_1", 20, 2),
        ("ORDER-REC.ITEMS(1)", 22, 7),
        ("ORDER-REC.ITEMS(1).PART-COUNT", 22, 1),
        ("ORDER-REC.ITEMS(1).PARTS(1)", 23, 3),
        ("ORDER-REC.ITEMS(1).PARTS(1).SKU", 23, 3),
        ("ORDER-REC.ITEMS(1).PARTS(2)", 26, 3),
        ("ORDER-REC.ITEMS(1).PARTS(2).SKU", 26, 3),
        ("ORDER-REC.ITEMS(2)", 29, 7),
        ("ORDER-REC.ITEMS(2).PART-COUNT", 29, 1),
        ("ORDER-REC.ITEMS(2).PARTS(1)", 30, 3),
        ("ORDER-REC.ITEMS(2).PARTS(1).SKU", 30, 3),
        ("ORDER-REC.ITEMS(2).PARTS(2)", 33, 3),
        ("ORDER-REC.ITEMS(2).PARTS(2).SKU", 33, 3),
        ("ORDER-REC.ITEMS(3)", 36, 7),
        ("ORDER-REC.ITEMS(3).PART-COUNT", 36, 1),
        ("ORDER-REC.ITEMS(3).PARTS(1)", 37, 3),
        ("ORDER-REC.ITEMS(3).PARTS(1).SKU", 37, 3),
        ("ORDER-REC.ITEMS(3).PARTS(2)", 40, 3),
        ("ORDER-REC.ITEMS(3).PARTS(2).SKU", 40, 3),
        ("ORDER-REC.TRAILER", 43, 4),
    ]


def test_layout_rows_describe_each_field():
    rows = {row.path: row for row in Layout(parse_copybook(ORDER_COPYBOOK)).rows()}
    amount = rows["ORDER-REC.KINDS(1).AMOUNT"]
    assert (amount.level, amount.picture, amount.usage, amount.digits, amount.scale, amount.signed) == (
        10,
        "S9(5)V99",
        "COMP-3",
        7,
        2,
        True,
    )
    assert rows["ORDER-REC.KINDS(1).QTY"].redefines == "AMOUNT"
    assert rows["ORDER-REC.ITEMS(2)"].occurs == "0 TO 3 DEPENDING ON ITEM-COUNT"
    assert rows["ORDER-REC.ITEMS(2)"].usage == "GROUP"
    assert rows["ORDER-REC.TRAILER"].digits is None


def test_layout_resolved_for_one_record_moves_the_fields_after_each_table():
    decoder = CopybookDecoder(parse_copybook(ORDER_COPYBOOK))
    rows = decoder.record_layout(ORDER_RECORD)
    elementary = [(row.path, row.offset, row.length) for row in rows if row.usage != "GROUP"]
    assert elementary[-6:] == [
        ("ORDER-REC.ITEMS(1).PART-COUNT", 22, 1),
        ("ORDER-REC.ITEMS(1).PARTS(1).SKU", 23, 3),
        ("ORDER-REC.ITEMS(2).PART-COUNT", 26, 1),
        ("ORDER-REC.ITEMS(2).PARTS(1).SKU", 27, 3),
        ("ORDER-REC.ITEMS(2).PARTS(2).SKU", 30, 3),
        ("ORDER-REC.TRAILER", 33, 4),
    ]


def test_variable_records_decode_with_absent_elements_null():
    empty_order = bytes.fromhex("F0F0F0F0F0F7F0F0C10000001C4040C10000002C4040C5D5C44B")
    batch = CopybookDecoder(parse_copybook(ORDER_COPYBOOK)).decode_records([ORDER_RECORD, empty_order])
    first, second = batch.table.to_pylist()
    assert batch.issues == []  # KINDS(2).AMOUNT fails, but its QTY view decodes: a REDEFINES alternative
    assert first["ORDER-REC.KINDS(1).AMOUNT"] == Decimal("123.45")
    assert first["ORDER-REC.KINDS(1).QTY"] == 0x0012
    assert (first["ORDER-REC.KINDS(2).AMOUNT"], first["ORDER-REC.KINDS(2).QTY"]) == (None, 7)
    assert first["ORDER-REC.ITEMS(1).PARTS(1).SKU"] == "AB1"
    assert first["ORDER-REC.ITEMS(1).PARTS(2).SKU"] is None
    assert first["ORDER-REC.ITEMS(2).PARTS(2).SKU"] == "EF3"
    assert first["ORDER-REC.ITEMS(3).PART-COUNT"] is None
    assert first["ORDER-REC.TRAILER"] == "END."
    assert second["ORDER-REC.ORDER-ID"] == 7
    assert second["ORDER-REC.ITEMS(1).PART-COUNT"] is None
    assert second["ORDER-REC.TRAILER"] == "END."
    assert "ORDER-REC.KINDS(1).FILLER_1" not in first


def test_counter_out_of_range_is_reported_and_clamped():
    record = bytes.fromhex("F0F0F0F0F0F1F0F5" + "C10000001C4040" * 2 + ("F1C1C2F1") * 3 + "C5D5C44B")
    batch = CopybookDecoder(parse_copybook(ORDER_COPYBOOK)).decode_records([record])
    assert [(issue.field, issue.byte_offset, issue.raw_hex, issue.reason) for issue in batch.issues] == [
        (
            "ORDER-REC.ITEM-COUNT",
            6,
            "F0F5",
            "counter value 5 outside OCCURS 0 TO 3 of ORDER-REC.ITEMS; read 3 elements",
        ),
    ]
    assert batch.table.column("ORDER-REC.ITEMS(3).PARTS(1).SKU").to_pylist() == ["AB1"]


def test_several_01_records_overlay_the_same_bytes():
    layout = Layout(
        parse_copybook(
            "       01  HEADER-REC.\n"
            "           05  REC-TYPE  PIC X.\n"
            "           05  RUN-DATE  PIC 9(8).\n"
            "       01  DETAIL-REC.\n"
            "           05  REC-TYPE  PIC X.\n"
            "           05  AMOUNT    PIC S9(7)V99 COMP-3.\n"
            "           05  NOTE      PIC X(20).\n"
        )
    )
    rows = {row.path: (row.offset, row.length) for row in layout.rows()}
    assert layout.record_length == 26
    assert rows["HEADER-REC.RUN-DATE"] == (1, 8)
    assert rows["DETAIL-REC.AMOUNT"] == (1, 5)
    assert rows["DETAIL-REC.NOTE"] == (6, 20)


def test_redefines_area_is_sized_by_its_largest_alternative():
    layout = Layout(
        parse_copybook(
            "       01  REC.\n"
            "           05  SHORT-VIEW     PIC X(2).\n"
            "           05  LONG-VIEW REDEFINES SHORT-VIEW PIC X(6).\n"
            "           05  AFTER          PIC X.\n"
        )
    )
    assert {row.path: row.offset for row in layout.rows()}["REC.AFTER"] == 6
    assert layout.record_length == 7
