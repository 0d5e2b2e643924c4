"""Round trips through an encoder written here, independently of the decoder under test."""

from decimal import Context, Decimal, localcontext

from hypothesis import given, settings
from hypothesis import strategies as st

from sfsync_assets.lib.copybook import CopybookDecoder, parse_copybook

from .support import copybook_text


def encode_packed(value: int, digits: int, signed: bool) -> bytes:
    """IBM packed decimal: digits two per byte, sign nibble C/D (signed) or F (unsigned) last."""
    text = str(abs(value)).rjust(digits + 1 - digits % 2, "0")  # odd nibble count incl. the sign
    sign = "F" if not signed else "D" if value < 0 else "C"
    return bytes.fromhex(text + sign)


def encode_zoned(value: int, digits: int, signed: bool) -> bytes:
    """EBCDIC zoned decimal: F-zoned digits, the last one overpunched with C/D when signed."""
    text = str(abs(value)).rjust(digits, "0")
    zones = ["F"] * digits
    if signed:
        zones[-1] = "D" if value < 0 else "C"
    return bytes.fromhex("".join(zone + digit for zone, digit in zip(zones, text, strict=True)))


@st.composite
def numbers(draw):
    digits = draw(st.integers(min_value=1, max_value=31))
    scale = draw(st.integers(min_value=0, max_value=min(digits, 9)))
    signed = draw(st.booleans())
    bound = 10**digits - 1
    values = draw(
        st.lists(st.integers(min_value=-bound if signed else 0, max_value=bound), min_size=1, max_size=20)
    )
    return digits, scale, signed, values


def picture(digits: int, scale: int, signed: bool) -> str:
    integer = f"9({digits - scale})" if digits > scale else ""
    fraction = f"V9({scale})" if scale else ""
    return ("S" if signed else "") + (integer + fraction if integer else fraction)


def expected(value: int, scale: int) -> Decimal | int:
    # scaleb rounds to the context precision: the default 28 digits would corrupt 29-31 digit values.
    with localcontext(Context(prec=64)):
        return Decimal(value).scaleb(-scale) if scale else value


@settings(max_examples=60, deadline=None)
@given(numbers())
def test_packed_round_trip(case):
    digits, scale, signed, values = case
    decoder = CopybookDecoder(
        parse_copybook(copybook_text(f"F PIC {picture(digits, scale, signed)} COMP-3."))
    )
    batch = decoder.decode_records([encode_packed(value, digits, signed) for value in values])
    assert batch.issues == []
    assert batch.table.column("REC.F").to_pylist() == [expected(value, scale) for value in values]


@settings(max_examples=60, deadline=None)
@given(numbers())
def test_zoned_round_trip(case):
    digits, scale, signed, values = case
    decoder = CopybookDecoder(parse_copybook(copybook_text(f"F PIC {picture(digits, scale, signed)}.")))
    batch = decoder.decode_records([encode_zoned(value, digits, signed) for value in values])
    assert batch.issues == []
    assert batch.table.column("REC.F").to_pylist() == [expected(value, scale) for value in values]
