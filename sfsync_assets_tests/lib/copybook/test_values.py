"""One test per picture / usage / sign rule, on hand-built bytes with the expected value written out."""

from decimal import Decimal

import pytest

from sfsync_assets.lib.copybook import CopybookDecoder, FloatFormat, TextTrim, parse_copybook

from .support import decode_one

# -- packed decimal (COMP-3) ------------------------------------------------------------------------------


def test_packed_signed_positive_with_implied_decimals():
    assert decode_one("PIC S9(3)V99 COMP-3.", b"\x12\x34\x5c") == (Decimal("123.45"), [])


def test_packed_negative_sign_nibble_d():
    assert decode_one("PIC S9(3)V99 COMP-3.", b"\x12\x34\x5d") == (Decimal("-123.45"), [])


def test_packed_alternative_sign_nibbles_a_b_e_f():
    assert decode_one("PIC S9(3) COMP-3.", b"\x12\x3a")[0] == 123
    assert decode_one("PIC S9(3) COMP-3.", b"\x12\x3b")[0] == -123
    assert decode_one("PIC S9(3) COMP-3.", b"\x12\x3e")[0] == 123
    assert decode_one("PIC S9(3) COMP-3.", b"\x12\x3f")[0] == 123


def test_packed_unsigned_f_sign():
    assert decode_one("PIC 9(5) COMP-3.", b"\x12\x34\x5f") == (12345, [])


def test_packed_decimal_is_a_synonym_of_comp_3():
    assert decode_one("PIC S9(3)V99 USAGE IS PACKED-DECIMAL.", b"\x12\x34\x5d")[0] == Decimal("-123.45")


def test_packed_even_digit_count_keeps_a_zero_padding_nibble():
    assert decode_one("PIC S9(4) COMP-3.", b"\x01\x23\x4c") == (1234, [])


def test_packed_non_zero_padding_nibble_is_an_error():
    value, issues = decode_one("PIC S9(4) COMP-3.", b"\x11\x23\x4c")
    assert value is None
    assert issues[0].reason == "non-zero padding nibble: value wider than the PICTURE"


def test_packed_thirty_one_digits_are_exact():
    raw = bytes.fromhex("1234567890123456789012345678901D")
    value, _ = decode_one("PIC S9(29)V99 COMP-3.", raw)
    assert value == Decimal("-12345678901234567890123456789.01")
    assert str(value) == "-12345678901234567890123456789.01"


def test_packed_bad_sign_nibble_is_an_error():
    value, issues = decode_one("PIC S9(3) COMP-3.", b"\x12\x34")
    assert value is None
    assert issues[0].reason == "invalid sign"


def test_packed_negative_sign_in_unsigned_field_is_an_error():
    value, issues = decode_one("PIC 9(3) COMP-3.", b"\x12\x3d")
    assert value is None
    assert issues[0].reason == "negative sign in an unsigned field"


# -- zoned decimal (DISPLAY) --------------------------------------------------------------------------------


def test_zoned_trailing_overpunch_c_is_positive():
    assert decode_one("PIC S9(3).", bytes.fromhex("F1F2C3")) == (123, [])


def test_zoned_trailing_overpunch_d_is_negative():
    assert decode_one("PIC S9(3).", bytes.fromhex("F1F2D3")) == (-123, [])


def test_zoned_signed_field_with_f_zone_is_positive():
    assert decode_one("PIC S9(3).", bytes.fromhex("F1F2F3")) == (123, [])


def test_zoned_unsigned():
    assert decode_one("PIC 9(5).", bytes.fromhex("F0F1F2F3F4")) == (1234, [])


def test_zoned_implied_decimal_point():
    assert decode_one("PIC S9(3)V99.", bytes.fromhex("F1F2F3F4D5")) == (Decimal("-123.45"), [])


def test_zoned_twenty_digits_are_exact():
    raw = bytes.fromhex("F1" * 19 + "C9")
    assert decode_one("PIC S9(18)V99.", raw)[0] == Decimal("111111111111111111.19")


def test_zoned_sign_leading_overpunch():
    assert decode_one("PIC S9(3) SIGN IS LEADING.", bytes.fromhex("D1F2F3")) == (-123, [])


def test_zoned_sign_leading_separate_character():
    assert decode_one("PIC S9(4) SIGN IS LEADING SEPARATE CHARACTER.", "-0012".encode("cp037")) == (-12, [])
    assert decode_one("PIC S9(4) SIGN LEADING SEPARATE.", "+0012".encode("cp037")) == (12, [])


def test_zoned_sign_trailing_separate():
    assert decode_one("PIC S9(3)V9 SIGN TRAILING SEPARATE.", bytes.fromhex("F1F2F3F460")) == (
        Decimal("-123.4"),
        [],
    )


def test_zoned_bad_separate_sign_is_an_error():
    value, issues = decode_one("PIC S9(4) SIGN LEADING SEPARATE.", bytes.fromhex("5CF0F0F1F2"))
    assert value is None
    assert issues[0].reason == "invalid sign"


def test_zoned_non_digit_is_an_error():
    value, issues = decode_one("PIC 9(3).", bytes.fromhex("F1C1F3"))
    assert value is None
    assert issues[0].reason == "invalid digit"


def test_zoned_bad_overpunch_byte_is_a_sign_error():
    value, issues = decode_one("PIC S9(3).", bytes.fromhex("F1F243"))
    assert value is None
    assert issues[0].reason == "invalid sign"


def test_zoned_negative_overpunch_in_unsigned_field_is_an_error():
    value, issues = decode_one("PIC 9(3).", bytes.fromhex("F1F2D3"))
    assert value is None
    assert issues[0].reason == "negative sign in an unsigned field"


def test_zoned_ascii_overpunch_in_ascii_exports():
    assert decode_one("PIC S9(3).", b"12}", encoding="latin-1")[0] == -120
    assert decode_one("PIC S9(3).", b"12L", encoding="latin-1")[0] == -123
    assert decode_one("PIC S9(3).", b"12{", encoding="latin-1")[0] == 120
    assert decode_one("PIC S9(3).", b"12C", encoding="latin-1")[0] == 123
    assert decode_one("PIC S9(3).", b"123", encoding="latin-1")[0] == 123
    assert decode_one("PIC S9(3).", b"12s", encoding="latin-1")[0] == -123  # Micro Focus negative


def test_trailing_p_scales_the_value_up():
    assert decode_one("PIC 9(3)PPP.", bytes.fromhex("F1F2F3")) == (123000, [])


def test_leading_p_scales_the_value_down():
    assert decode_one("PIC VPP99.", bytes.fromhex("F1F2")) == (Decimal("0.0012"), [])


# -- binary (COMP, COMP-4, BINARY, COMP-5) ------------------------------------------------------------------


def test_comp_halfword_signed():
    assert decode_one("PIC S9(4) COMP.", b"\xff\xfe") == (-2, [])


def test_comp_halfword_unsigned():
    assert decode_one("PIC 9(4) COMP.", b"\xff\xfe") == (65534, [])


def test_comp_4_fullword_big_endian():
    assert decode_one("PIC S9(9) COMP-4.", b"\x00\x01\x00\x00") == (65536, [])


def test_binary_doubleword_signed():
    assert decode_one("PIC S9(18) BINARY.", b"\xff" * 7 + b"\x85") == (-123, [])


def test_binary_doubleword_unsigned_uses_all_64_bits():
    assert decode_one("PIC 9(18) COMP.", b"\xff" * 8) == (Decimal(18446744073709551615), [])


def test_binary_with_implied_decimals():
    assert decode_one("PIC S9(5)V99 COMP.", b"\x00\x00\x30\x39") == (Decimal("123.45"), [])


def test_comp_5_uses_the_full_range_of_its_bytes():
    assert decode_one("PIC S9(4) COMP-5.", b"\x80\x00") == (-32768, [])
    assert decode_one("PIC 9(4) COMP-5.", b"\xff\xff") == (65535, [])


def test_comp_5_little_endian_option():
    assert decode_one("PIC S9(4) COMP-5.", b"\xfe\xff", comp5_little_endian=True)[0] == -2
    assert decode_one("PIC S9(4) COMP.", b"\xff\xfe", comp5_little_endian=True)[0] == -2


def test_binary_zero_bytes_are_the_number_zero_not_null():
    assert decode_one("PIC S9(4) COMP.", b"\x00\x00") == (0, [])


# -- floating point (COMP-1, COMP-2) ------------------------------------------------------------------------


def test_comp_1_ibm_hex_float():
    assert decode_one("COMP-1.", b"\x41\x10\x00\x00") == (1.0, [])
    assert decode_one("COMP-1.", b"\xc2\x76\xa0\x00") == (-118.625, [])


def test_comp_2_ibm_hex_float():
    assert decode_one("COMP-2.", b"\x41\x10\x00\x00\x00\x00\x00\x00")[0] == 1.0
    assert decode_one("COMP-2.", b"\x40\x80\x00\x00\x00\x00\x00\x00")[0] == 0.5


def test_comp_1_and_comp_2_ieee_option():
    assert decode_one("COMP-1.", b"\x3f\x80\x00\x00", float_format=FloatFormat.IEEE)[0] == 1.0
    assert decode_one("COMP-2.", b"\xbf\xf0" + bytes(6), float_format=FloatFormat.IEEE)[0] == -1.0


# -- text ---------------------------------------------------------------------------------------------------


def test_text_cp037():
    assert decode_one("PIC X(5).", bytes.fromhex("C8C5D3D3D6")) == ("HELLO", [])


def test_text_non_ascii_cp037():
    assert decode_one("PIC X(6).", bytes.fromhex("E9DC99898388")) == ("Zürich", [])


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("cp037", "¢![]"),
        ("cp500", "[]¬|"),
        ("cp1047", "¢!Ý¨"),
        ("cp273", "ÄÜ¬|"),
        ("cp1140", "¢![]"),
    ],
)
def test_code_pages_differ_on_the_same_bytes(encoding, expected):
    assert decode_one("PIC X(4).", b"\x4a\x5a\xba\xbb", encoding=encoding)[0] == expected


def test_cp1140_has_the_euro_sign():
    assert decode_one("PIC X(1).", b"\x9f", encoding="cp1140")[0] == "€"
    assert decode_one("PIC X(1).", b"\x9f", encoding="cp037")[0] == "¤"


@pytest.mark.parametrize(
    ("trim", "expected"),
    [
        (TextTrim.NONE, "  AB  "),
        (TextTrim.RIGHT, "  AB"),
        (TextTrim.BOTH, "AB"),
    ],
)
def test_text_trim_policy(trim, expected):
    assert decode_one("PIC X(6).", bytes.fromhex("4040C1C24040"), trim=trim)[0] == expected


def test_text_trim_policy_with_non_ascii_text():
    assert decode_one("PIC X(4).", bytes.fromhex("40DC4040"), trim=TextTrim.RIGHT)[0] == " ü"
    assert decode_one("PIC X(4).", bytes.fromhex("40DC4040"), trim=TextTrim.BOTH)[0] == "ü"


def test_alphabetic_picture_is_text():
    assert decode_one("PIC A(3).", bytes.fromhex("C1C2C3"))[0] == "ABC"


# -- low values and spaces ----------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", ["PIC X(3).", "PIC S9(3).", "PIC S9(5) COMP-3.", "PIC ZZ9."])
def test_all_low_values_is_null_without_an_issue(entry):
    assert decode_one(entry, bytes(3)) == (None, [])


def test_low_values_kept_when_the_policy_is_off():
    assert decode_one("PIC X(2).", bytes(2), low_values_as_null=False)[0] == "\x00\x00"
    value, issues = decode_one("PIC S9(5) COMP-3.", bytes(3), low_values_as_null=False)
    assert value is None
    assert issues[0].reason == "invalid sign"


@pytest.mark.parametrize(
    ("entry", "width"), [("PIC S9(3).", 3), ("PIC S9(5) COMP-3.", 3), ("PIC 9(3).99.", 6)]
)
def test_numeric_field_of_spaces_is_null_without_an_issue(entry, width):
    assert decode_one(entry, b"\x40" * width) == (None, [])


def test_spaces_in_numeric_field_are_an_error_when_the_policy_is_off():
    value, issues = decode_one("PIC S9(3).", b"\x40\x40\x40", spaces_as_null=False)
    assert value is None
    assert issues[0].reason == "invalid digit"


def test_blank_when_zero_reads_spaces_as_zero():
    assert decode_one("PIC 9(3) BLANK WHEN ZERO.", b"\x40\x40\x40") == (0, [])


# -- numeric-edited -----------------------------------------------------------------------------------------


def test_edited_with_comma_point_and_trailing_minus():
    raw = " 1,234.50-".encode("cp037")
    assert decode_one("PIC ZZ,ZZ9.99-.", raw) == (Decimal("-1234.50"), [])


def test_edited_explicit_decimal_point():
    assert decode_one("PIC 9(3).99.", "123.45".encode("cp037")) == (Decimal("123.45"), [])


def test_edited_zero_suppression():
    assert decode_one("PIC ZZZ9.", "   7".encode("cp037")) == (7, [])
    assert decode_one("PIC ZZZ.", "   ".encode("cp037")) == (0, [])


def test_edited_leading_plus_sign_shows_minus_for_negatives():
    assert decode_one("PIC +ZZ9.", "- 12".encode("cp037")) == (-12, [])
    assert decode_one("PIC +ZZ9.", "+ 12".encode("cp037")) == (12, [])


def test_edited_floating_currency():
    assert decode_one("PIC $$$9.99.", "  $5.00".encode("cp037")) == (Decimal("5.00"), [])


def test_edited_credit_symbol():
    assert decode_one("PIC 999.99CR.", "012.34CR".encode("cp037")) == (Decimal("-12.34"), [])
    assert decode_one("PIC 999.99CR.", "012.34  ".encode("cp037")) == (Decimal("12.34"), [])


def test_edited_text_that_does_not_fit_is_an_error():
    value, issues = decode_one("PIC ZZ9.99.", "1X2.00".encode("cp037"))
    assert value is None
    assert issues[0].reason == "text does not match the edited PICTURE"


# -- clauses that do not change the bytes -------------------------------------------------------------------


def test_value_sync_and_level_88_do_not_change_the_layout():
    copybook = parse_copybook(
        "       01  REC.\n"
        "           05  A  PIC S9(4) COMP SYNC VALUE 12.\n"
        "               88  A-IS-ONE  VALUE 1 THRU 5.\n"
        "           05  B  PIC X(2) VALUE 'X. Y'.\n"
    )
    row = CopybookDecoder(copybook).decode_records([b"\x00\x07" + bytes.fromhex("C1C2")]).table.to_pylist()[0]
    assert row == {"_record_number": 1, "_record_offset": 0, "REC.A": 7, "REC.B": "AB"}


def test_group_usage_is_inherited_by_its_children():
    copybook = parse_copybook(
        "       01  REC.\n"
        "           05  AMOUNTS USAGE COMP-3.\n"
        "               10  A  PIC S9(3).\n"
        "               10  B  PIC S9(3) DISPLAY.\n"
    )
    row = (
        CopybookDecoder(copybook).decode_records([b"\x12\x3d" + bytes.fromhex("F4F5C6")]).table.to_pylist()[0]
    )
    assert (row["REC.AMOUNTS.A"], row["REC.AMOUNTS.B"]) == (-123, 456)
