"""Copybook text → field tree: source columns, clauses, and error messages that name line and text."""

import pytest

from sfsync_assets.lib.copybook import (
    CopybookSyntaxError,
    Layout,
    LayoutError,
    UnsupportedFeatureError,
    Usage,
    load_copybook,
    parse_copybook,
)
from sfsync_assets.lib.copybook.parser import SignPosition
from sfsync_assets.lib.copybook.picture import PictureCategory


def fields_by_name(text, **kwargs):
    return {item.name: item for item in parse_copybook(text, **kwargs).fields()}


def test_fixed_columns_sequence_area_comments_and_identification_area():
    text = (
        "000100 01  CUSTOMER.                                                     CUST0001\n"
        "000200*    a comment line, ignored                                       CUST0002\n"
        "000300/    a page-eject comment line, ignored                            CUST0003\n"
        "000400     05  CUST-ID        PIC 9(6).                                  CUST0004\n"
        "000500     05  CUST-NAME      PIC X(30).                                 CUST0005\n"
    )
    fields = fields_by_name(text)
    assert list(fields) == ["CUSTOMER", "CUST-ID", "CUST-NAME"]
    assert fields["CUST-ID"].picture.size == 6
    assert fields["CUST-NAME"].line == 5


def test_clauses_may_span_lines_until_the_period():
    text = (
        "       01  REC.\n"
        "           05  AMOUNT\n"
        "               PIC S9(7)V99\n"
        "               USAGE IS\n"
        "               COMP-3.\n"
    )
    amount = fields_by_name(text)["AMOUNT"]
    assert (amount.picture.text, amount.usage, amount.storage_length) == ("S9(7)V99", Usage.PACKED, 5)


def test_tabs_are_expanded_to_eight_column_stops():
    fields = fields_by_name("\t01  REC.\n\t    05  A  PIC X(2).\n")
    assert fields["A"].storage_length == 2


def test_free_format_reads_whole_lines():
    fields = fields_by_name(
        "01 REC.\n  05 A PIC 9(3). *> inline comment\n* full-line comment\n", source_format="free"
    )
    assert fields["A"].picture.digits == 3


def test_level_77_and_filler_and_implicit_filler():
    fields = list(
        parse_copybook(
            "       77  COUNTER  PIC 9(2).\n"
            "       01  REC.\n"
            "           05  FILLER  PIC X(2).\n"
            "           05  PIC X(3).\n"
        ).fields()
    )
    assert [(item.level, item.name) for item in fields] == [
        (77, "COUNTER"),
        (1, "REC"),
        (5, "FILLER"),
        (5, "FILLER"),
    ]


def test_level_88_entries_are_ignored():
    fields = fields_by_name(
        "       01  REC.\n"
        "           05  STATUS-CODE  PIC X.\n"
        "               88  ACTIVE  VALUE 'A' 'B'\n"
        "                           'C'.\n"
        "           05  NEXT-FIELD  PIC X.\n"
    )
    assert list(fields) == ["REC", "STATUS-CODE", "NEXT-FIELD"]


def test_value_clause_literal_with_period_and_spaces_is_skipped():
    fields = fields_by_name(
        "       01  REC.\n           05  A  PIC X(4) VALUE 'A. B'.\n           05  B PIC X.\n"
    )
    assert list(fields) == ["REC", "A", "B"]


def test_literal_continued_on_the_next_line():
    fields = fields_by_name(
        "       01  REC.\n"
        "           05  A  PIC X(80) VALUE 'A LONG LITERAL THAT RUNS ON UNTIL THE VERY END OF AREA\n"
        "      -    'B. AND ENDS HERE'.\n"
        "           05  B  PIC X.\n"
    )
    assert list(fields) == ["REC", "A", "B"]


def test_group_usage_is_inherited_unless_overridden():
    fields = fields_by_name(
        "       01  REC.\n"
        "           05  G  COMP-3.\n"
        "               10  A  PIC S9(5).\n"
        "               10  B  PIC S9(4) COMP.\n"
    )
    assert (fields["A"].usage, fields["B"].usage) == (Usage.PACKED, Usage.BINARY)


def test_sign_clause_forms():
    fields = fields_by_name(
        "       01  REC.\n"
        "           05  A  PIC S9(3) SIGN IS LEADING SEPARATE CHARACTER.\n"
        "           05  B  PIC S9(3) SIGN TRAILING.\n"
        "           05  C  PIC S9(3) LEADING.\n"
    )
    assert (fields["A"].sign.position, fields["A"].sign.separate, fields["A"].storage_length) == (
        SignPosition.LEADING,
        True,
        4,
    )
    assert (fields["B"].sign.position, fields["B"].sign.separate) == (SignPosition.TRAILING, False)
    assert fields["C"].sign.position is SignPosition.LEADING


def test_occurs_clause_forms():
    fields = fields_by_name(
        "       01  REC.\n"
        "           05  N  PIC 9.\n"
        "           05  T1 OCCURS 3 TIMES INDEXED BY IX1 PIC X.\n"
        "           05  T2 OCCURS 0 TO 5 TIMES DEPENDING ON N ASCENDING KEY IS K INDEXED BY IX2.\n"
        "               10  K  PIC X.\n"
    )
    assert fields["T1"].occurs.describe() == "3"
    assert fields["T2"].occurs.describe() == "0 TO 5 DEPENDING ON N"


def test_picture_categories_and_sizes():
    fields = fields_by_name(
        "       01  REC.\n"
        "           05  A  PIC XXX.\n"
        "           05  B  PIC S9(5)V99.\n"
        "           05  C  PIC ZZ,ZZ9.99-.\n"
        "           05  D  PIC 9(3)PP.\n"
    )
    assert (fields["A"].picture.category, fields["A"].picture.size) == (PictureCategory.ALPHANUMERIC, 3)
    picture = fields["B"].picture
    assert (picture.category, picture.digits, picture.scale, picture.signed, picture.size) == (
        PictureCategory.NUMERIC,
        7,
        2,
        True,
        7,
    )
    picture = fields["C"].picture
    assert (picture.category, picture.digits, picture.scale, picture.size) == (
        PictureCategory.NUMERIC_EDITED,
        7,
        2,
        10,
    )
    assert (fields["D"].picture.digits, fields["D"].picture.scale) == (3, -2)


def test_binary_sizes_follow_the_digit_count():
    fields = fields_by_name(
        "       01  REC.\n"
        "           05  H  PIC S9(4) COMP.\n"
        "           05  F  PIC S9(9) COMP.\n"
        "           05  D  PIC S9(18) COMP.\n"
        "           05  S  PIC S9(5) COMP-5.\n"
        "           05  E  COMP-1.\n"
        "           05  L  COMP-2.\n"
    )
    assert [fields[name].storage_length for name in "HFDSEL"] == [2, 4, 8, 4, 4, 8]


# -- errors name the copybook, the line and the offending text ----------------------------------------------


def test_level_66_renames_is_reported_as_unsupported():
    text = "       01  REC.\n           05  A  PIC X.\n       66  ALIAS RENAMES A.\n"
    with pytest.raises(UnsupportedFeatureError) as raised:
        parse_copybook(text, source="cust.cpy")
    assert raised.value.line == 3
    assert "cust.cpy, line 3: level 66 RENAMES is not supported" in str(raised.value)
    assert "66  ALIAS RENAMES A." in str(raised.value)


def test_bad_picture_names_line_and_text():
    text = "       01  REC.\n           05  A  PIC S9(3.\n"
    with pytest.raises(CopybookSyntaxError) as raised:
        parse_copybook(text, source="bad.cpy")
    message = str(raised.value)
    assert raised.value.line == 2
    assert message.startswith("bad.cpy, line 2: PICTURE 'S9(3'")
    assert "05  A  PIC S9(3." in message


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("A PIC Q(3).", "unsupported symbols ['Q']"),
        ("A PIC 9V9V9.", "more than one V"),
        ("A PIC 9S9.", "S must be the first symbol"),
        ("A PIC X(0).", "repeats a symbol zero times"),
        ("A PIC X COMP-3.", "USAGE COMP-3 needs a numeric PICTURE"),
        ("A PIC 9(19) COMP.", "binary items hold at most 18 digits"),
        ("A.", "elementary item A has no PICTURE"),
        ("A PIC X USAGE NATIONAL.", "USAGE NATIONAL is not supported"),
        ("A PIC X(2) OCCURS 1 TO 3.", "OCCURS m TO n needs DEPENDING ON"),
        ("A PIC 9(3) SIGN LEADING.", "SIGN needs a signed DISPLAY numeric PICTURE"),
        ("A PIC X B PIC X.", "unexpected 'B' (missing period?)"),
    ],
)
def test_invalid_entries_are_reported_with_their_line(entry, reason):
    with pytest.raises(CopybookSyntaxError if "NATIONAL" not in entry else UnsupportedFeatureError) as raised:
        parse_copybook(f"       01  REC.\n           05  {entry}\n")
    assert raised.value.line == 2
    assert reason in str(raised.value)


def test_missing_final_period_is_reported():
    with pytest.raises(CopybookSyntaxError, match="line 2: entry is not ended by a period"):
        parse_copybook("       01  REC.\n           05  A  PIC X\n")


def test_layout_errors_name_the_line():
    with pytest.raises(LayoutError, match=r"line 3: REDEFINES C does not name the item just before it"):
        Layout(
            parse_copybook("       01  REC.\n           05  A PIC X.\n           05  B REDEFINES C PIC X.\n")
        )
    with pytest.raises(LayoutError, match=r"line 2: DEPENDING ON N names no item declared before the table"):
        Layout(parse_copybook("       01  REC.\n           05  T OCCURS 0 TO 3 DEPENDING ON N PIC X.\n"))


def test_load_copybook_names_the_file(tmp_path):
    path = tmp_path / "broken.cpy"
    path.write_text("       01  REC.\n           05  A  PIC 9(3)Q.\n")
    with pytest.raises(CopybookSyntaxError, match=r"broken\.cpy, line 2"):
        load_copybook(path)
