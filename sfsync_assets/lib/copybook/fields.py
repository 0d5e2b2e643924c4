"""Per-usage decoders: a column of field bytes (records × field length) → one Arrow array.

Each decoder works on a whole 2-D uint8 block at once (uint64 word arithmetic on packed and zoned digits,
translation tables for text, big-endian views for binary) instead of looping over records in Python; that
is where the reader's speed comes from. Written by hand because no PyPI package decodes these encodings
correctly (see the package docstring).

Values are exact: fixed-point numbers are accumulated as integers (Python ints past 18 digits) and handed
to Arrow as unscaled decimal128 words. No float and no `decimal` arithmetic is involved, so the 28-digit
default context cannot round a PIC S9(31) value; Arrow's decimals convert to `decimal.Decimal` losslessly.
Integers (scale 0, up to 18 digits) become int64.

Bytes that are invalid for the picture make the value null and set a `Problem` code for that record; the
decoder turns those into quarantine entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .codepages import CodePage
from .parser import CopybookField, SignPosition, Usage
from .picture import EditRole, PictureCategory

_INT64_DIGITS = 18  # every 18-digit number fits an int64; wider ones become Python ints
_PACKED_SIGN = np.zeros(16, dtype=np.int8)
_PACKED_SIGN[[0xA, 0xC, 0xE, 0xF]] = 1  # C signed positive, F unsigned, A/E alternative positives
_PACKED_SIGN[[0xB, 0xD]] = -1


class FieldKind(StrEnum):
    TEXT = "text"
    ZONED = "zoned"  # DISPLAY numeric: one digit per byte, sign overpunched or separate
    EDITED = "edited"  # DISPLAY numeric-edited: a number printed for people (ZZ,ZZ9.99-)
    PACKED = "packed"
    BINARY = "binary"
    FLOAT = "float"


class TextTrim(StrEnum):
    NONE = "none"
    RIGHT = "right"
    BOTH = "both"


class FloatFormat(StrEnum):
    IBM = "ibm"  # IBM System/360 hexadecimal floating point, what COMP-1/COMP-2 hold on z/OS
    IEEE = "ieee"  # big-endian IEEE 754, e.g. z/OS with FLOAT(NATIVE) or exports converted upstream


class Problem(IntEnum):
    """Why a value could not be decoded (0: it could)."""

    NONE = 0
    BAD_DIGIT = 1
    BAD_SIGN = 2
    NEGATIVE_UNSIGNED = 3
    PADDING_DIGIT = 4
    BAD_EDITED = 5

    @property
    def message(self) -> str:
        return _PROBLEM_MESSAGES[self]


_PROBLEM_MESSAGES = {
    Problem.NONE: "",
    Problem.BAD_DIGIT: "invalid digit",
    Problem.BAD_SIGN: "invalid sign",
    Problem.NEGATIVE_UNSIGNED: "negative sign in an unsigned field",
    Problem.PADDING_DIGIT: "non-zero padding nibble: value wider than the PICTURE",
    Problem.BAD_EDITED: "text does not match the edited PICTURE",
}


@dataclass(frozen=True)
class DecodeOptions:
    """How to read values. Defaults follow Cobrix, the JVM reference reader, where it has one.

    - `encoding`: single-byte code page of text and zoned digits (cp037, cp500, cp1047, cp273, cp1140,
      ...; latin-1 or ascii for ASCII exports).
    - `trim`: spaces removed from text values.
    - `low_values_as_null`: a text, zoned, edited or packed field made only of 0x00 bytes is null (the
      COBOL "LOW-VALUES" idiom for "not set"). Binary and float fields keep 0x00 as the number zero.
    - `spaces_as_null`: a zoned or edited field made only of spaces is null instead of an error, unless
      its picture says blanks mean zero (BLANK WHEN ZERO, all-Z pictures); same for a packed field of
      spaces (a record area initialised with SPACES).
    - `float_format`: encoding of COMP-1/COMP-2.
    - `comp5_little_endian`: COMP-5 is "native" binary, big-endian on z/OS; set this for exports from
      little-endian platforms (Micro Focus on x86).
    """

    encoding: str = "cp037"
    trim: TextTrim = TextTrim.BOTH
    low_values_as_null: bool = True
    spaces_as_null: bool = True
    float_format: FloatFormat = FloatFormat.IBM
    comp5_little_endian: bool = False


@dataclass(frozen=True)
class FieldCodec:
    """Everything needed to decode one elementary field, worked out once per copybook."""

    kind: FieldKind
    length: int
    arrow_type: pa.DataType
    digits: int = 0
    scale: int = 0
    signed: bool = False
    sign_leading: bool = False
    sign_separate: bool = False
    blank_is_zero: bool = False
    little_endian: bool = False
    ibm_float: bool = False
    edit_roles: tuple[EditRole, ...] = ()

    @property
    def scale_up(self) -> int:
        """Factor turning the stored digits into the Arrow decimal's unscaled value (PIC 9PPP → 1000)."""
        return 10 ** max(-self.scale, 0)


@dataclass(frozen=True)
class DecodedColumn:
    array: pa.Array
    problems: np.ndarray | None  # uint8 `Problem` per record; None when no record had one


def field_codec(item: CopybookField, options: DecodeOptions) -> FieldCodec:
    """Pick the decoder and the Arrow type for an elementary field."""
    length = item.storage_length
    if item.usage in (Usage.FLOAT_SINGLE, Usage.FLOAT_DOUBLE):
        return FieldCodec(
            FieldKind.FLOAT, length, pa.float64(), ibm_float=options.float_format is FloatFormat.IBM
        )
    picture = item.picture
    assert picture is not None  # the parser guarantees a PICTURE on non-float elementary items
    if picture.category is PictureCategory.ALPHANUMERIC:
        return FieldCodec(FieldKind.TEXT, length, pa.string())
    number = {"digits": picture.digits, "scale": picture.scale, "signed": picture.signed}
    if picture.category is PictureCategory.NUMERIC_EDITED:
        return FieldCodec(
            FieldKind.EDITED,
            length,
            _numeric_type(picture.digits, picture.scale),
            **number,
            blank_is_zero=item.blank_when_zero or EditRole.DIGIT not in picture.edit_roles,
            edit_roles=picture.edit_roles,
        )
    if item.usage is Usage.DISPLAY:
        sign = item.sign
        return FieldCodec(
            FieldKind.ZONED,
            length,
            _numeric_type(picture.digits, picture.scale),
            **number,
            sign_leading=sign is not None and sign.position is SignPosition.LEADING,
            sign_separate=sign is not None and sign.separate,
            blank_is_zero=item.blank_when_zero,
        )
    if item.usage is Usage.PACKED:
        return FieldCodec(FieldKind.PACKED, length, _numeric_type(picture.digits, picture.scale), **number)
    # COMP/COMP-4/BINARY and COMP-5: the full range of the 2, 4 or 8 bytes is decoded (no truncation to
    # the PICTURE's digits), so the Arrow type follows the byte count; a signed doubleword fits int64.
    range_digits = {2: 5, 4: 10, 8: 19 if picture.signed else 20}[length]
    fits_int64 = picture.scale <= 0 and (range_digits <= _INT64_DIGITS or (length == 8 and picture.signed))
    arrow_type = pa.int64() if fits_int64 else _numeric_type(range_digits, picture.scale)
    little = item.usage is Usage.NATIVE_BINARY and options.comp5_little_endian
    return FieldCodec(FieldKind.BINARY, length, arrow_type, **number, little_endian=little)


def _numeric_type(digits: int, scale: int) -> pa.DataType:
    """int64 for integers up to 18 digits, else decimal128 (scale >= 0; PIC 9PPP is scaled up to it)."""
    precision = max(digits - min(scale, 0), scale, 1)
    if scale <= 0 and precision <= _INT64_DIGITS:
        return pa.int64()
    return pa.decimal128(precision, max(scale, 0))


def decode_column(
    codec: FieldCodec, block: np.ndarray, usable: np.ndarray, code_page: CodePage, options: DecodeOptions
) -> DecodedColumn:
    """Decode `block` (records × codec.length uint8); records where `usable` is False become null."""
    decoder = _DECODERS[codec.kind]
    return decoder(codec, block, usable, code_page, options)


# -- text ---------------------------------------------------------------------------------------------------


def _decode_text(
    codec: FieldCodec, block: np.ndarray, usable: np.ndarray, code_page: CodePage, options: DecodeOptions
) -> DecodedColumn:
    rows, width = block.shape
    contiguous = np.ascontiguousarray(block)
    valid = usable & ~_rows_equal(contiguous, 0) if options.low_values_as_null else usable
    if not valid.all():  # rows without a value may hold another record's bytes: keep them out of the way
        contiguous = np.where(valid[:, None], contiguous, np.uint8(code_page.space))
    ascii_bytes = contiguous.tobytes().translate(code_page.ascii)
    if np.frombuffer(ascii_bytes, dtype=np.uint8).max(initial=0) < 0x80:
        # Every character is ASCII, so the translated bytes already are UTF-8: Arrow does the rest in C++.
        fixed = pa.Array.from_buffers(pa.binary(width), rows, [_validity(valid), pa.py_buffer(ascii_bytes)])
        array = fixed.cast(pa.binary()).cast(pa.string())
        if options.trim is TextTrim.RIGHT:
            array = pc.utf8_rtrim(array, characters=" ")
        elif options.trim is TextTrim.BOTH:
            array = pc.utf8_trim(array, characters=" ")
        return DecodedColumn(array, None)
    return DecodedColumn(_text_from_utf8_table(block, valid, code_page, options), None)


def _text_from_utf8_table(
    block: np.ndarray, valid: np.ndarray, code_page: CodePage, options: DecodeOptions
) -> pa.Array:
    """Accented or other non-ASCII text: gather each byte's UTF-8 sequence and build Arrow's buffers."""
    rows, width = block.shape
    keep = np.broadcast_to(valid[:, None], block.shape)
    if options.trim is not TextTrim.NONE:
        not_space = block != code_page.space
        columns = np.arange(width)
        end = np.where(not_space.any(axis=1), width - np.argmax(not_space[:, ::-1], axis=1), 0)
        keep = keep & (columns < end[:, None])
        if options.trim is TextTrim.BOTH:
            keep = keep & (columns >= np.argmax(not_space, axis=1)[:, None])
    char_bytes = np.where(keep, code_page.utf8_length[block], 0)
    offsets = np.zeros(rows + 1, dtype=np.int32)
    np.cumsum(char_bytes.sum(axis=1), out=offsets[1:])
    data = code_page.utf8[block][np.arange(4) < char_bytes[..., None]]
    return pa.Array.from_buffers(
        pa.string(), rows, [_validity(valid), pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(data))]
    )


# -- zoned decimal ------------------------------------------------------------------------------------------


def _decode_zoned(
    codec: FieldCodec, block: np.ndarray, usable: np.ndarray, code_page: CodePage, options: DecodeOptions
) -> DecodedColumn:
    width = block.shape[1]
    sign_bytes = block[:, 0 if codec.sign_leading else width - 1]
    if codec.sign_separate:
        digit_count = width - 1
        words = _words(block[:, 1:] if codec.sign_leading else block[:, :-1])
        negative = sign_bytes == code_page.minus
        bad_sign = ~negative & (sign_bytes != code_page.plus)
        low_values = _words_all(words, digit_count, 0) & (sign_bytes == 0)
        blank = _words_all(words, digit_count, code_page.space) & (sign_bytes == code_page.space)
    else:
        digit_count = width
        words = _words(block)
        low_values = _words_all(words, width, 0)
        blank = _words_all(words, width, code_page.space)
        sign = code_page.overpunch_sign[sign_bytes]
        negative = sign < 0
        bad_sign = sign == 0
        # Put the plain digit back where the sign was overpunched, so the word arithmetic sees only digits.
        digit = np.maximum(code_page.overpunch_digit[sign_bytes], 0).astype(np.uint64)
        word, byte_in_word = divmod(8 * words.shape[1] - width + (0 if codec.sign_leading else width - 1), 8)
        shift = np.uint64(8 * (7 - byte_in_word))
        words[:, word] = (words[:, word] & ~(np.uint64(0xFF) << shift)) | ((code_page.zero + digit) << shift)
    zone_mask = _words(np.full((1, digit_count), 0xF0, dtype=np.uint8))[0]
    zones = zone_mask & np.uint64(code_page.zero * 0x0101010101010101)
    bad_digit = _any_word(
        ((words & zone_mask) != zones) | ((((words & _LOW_NIBBLES) + _SIX_PER_BYTE) & _BIT4_PER_BYTE) != 0)
    )
    problems = np.select(
        [bad_digit, bad_sign, negative & (not codec.signed)],
        [Problem.BAD_DIGIT, Problem.BAD_SIGN, Problem.NEGATIVE_UNSIGNED],
        Problem.NONE,
    ).astype(np.uint8)
    values = _signed(_join_words(_zoned_word_values(words), 10**8, digit_count), negative)
    return _finish_number(codec, values, problems, low_values, blank, usable, options)


# -- packed decimal -----------------------------------------------------------------------------------------


def _decode_packed(
    codec: FieldCodec, block: np.ndarray, usable: np.ndarray, code_page: CodePage, options: DecodeOptions
) -> DecodedColumn:
    width = block.shape[1]
    words = _words(block)
    sign = _PACKED_SIGN[(words[:, -1] & np.uint64(0x0F)).astype(np.intp)]
    negative = sign < 0
    # Shift the sign nibble out: what is left is 2 * width - 1 BCD digits.
    digits = words >> np.uint64(4)
    digits[:, 1:] |= words[:, :-1] << np.uint64(60)
    # A nibble above 9 has its 8-bit set together with its 4- or 2-bit.
    bad_digit = _any_word(
        (digits & ((digits << np.uint64(1)) | (digits << np.uint64(2))) & _NIBBLE_HIGH_BITS) != 0
    )
    # An even digit count leaves the first nibble as padding, which must be zero.
    bad_padding = (block[:, 0] >> 4) != 0 if codec.digits < 2 * width - 1 else False
    problems = np.select(
        [bad_digit, sign == 0, negative & (not codec.signed), bad_padding],
        [Problem.BAD_DIGIT, Problem.BAD_SIGN, Problem.NEGATIVE_UNSIGNED, Problem.PADDING_DIGIT],
        Problem.NONE,
    ).astype(np.uint8)
    values = _signed(_join_words(_packed_word_values(digits), 10**16, 2 * width - 1), negative)
    low_values = _words_all(words, width, 0)
    blank = _words_all(words, width, code_page.space)
    return _finish_number(codec, values, problems, low_values, blank, usable, options)


# -- binary and float ---------------------------------------------------------------------------------------


def _decode_binary(
    codec: FieldCodec, block: np.ndarray, usable: np.ndarray, code_page: CodePage, options: DecodeOptions
) -> DecodedColumn:
    dtype = np.dtype(f"{'<' if codec.little_endian else '>'}{'i' if codec.signed else 'u'}{codec.length}")
    values = np.ascontiguousarray(block).view(dtype).reshape(-1)
    values = values.astype(np.uint64 if values.dtype.kind == "u" and codec.length == 8 else np.int64)
    return DecodedColumn(_number_array(codec, values, usable), None)


def _decode_float(
    codec: FieldCodec, block: np.ndarray, usable: np.ndarray, code_page: CodePage, options: DecodeOptions
) -> DecodedColumn:
    raw = np.ascontiguousarray(block)
    if not codec.ibm_float:
        values = raw.view(f">f{codec.length}").reshape(-1).astype(np.float64)
    else:
        # IBM hex float: sign bit, 7-bit base-16 exponent biased by 64, fraction 0.F (24 or 56 bits).
        bits = raw.view(f">u{codec.length}").reshape(-1).astype(np.uint64)
        fraction_bits = 8 * codec.length - 8
        fraction = (bits & np.uint64((1 << fraction_bits) - 1)).astype(np.float64)
        exponent = ((bits >> np.uint64(fraction_bits)) & np.uint64(0x7F)).astype(np.int64)
        values = np.ldexp(fraction, 4 * (exponent - 64) - fraction_bits)
        values = np.where((bits >> np.uint64(8 * codec.length - 1)) == 1, -values, values)
    return DecodedColumn(primitive_array(values.astype(np.float64), pa.float64(), usable), None)


# -- numeric-edited -----------------------------------------------------------------------------------------


def _decode_edited(
    codec: FieldCodec, block: np.ndarray, usable: np.ndarray, code_page: CodePage, options: DecodeOptions
) -> DecodedColumn:
    """Read a number printed for people. Rare in bulk exports, so this one loops in Python."""
    rows, width = block.shape
    text = code_page.decode(block.tobytes())
    values = np.zeros(rows, dtype=object)
    problems = np.zeros(rows, dtype=np.uint8)
    for row in range(rows):
        parsed = _parse_edited(text[row * width : (row + 1) * width], codec.edit_roles)
        if parsed is None:
            problems[row] = Problem.BAD_EDITED
        else:
            values[row] = parsed
    if not pa.types.is_decimal(codec.arrow_type) or codec.arrow_type.precision <= _INT64_DIGITS:
        values = np.where(problems == 0, values, 0).astype(np.int64)
    contiguous = np.ascontiguousarray(block)
    low_values = _rows_equal(contiguous, 0)
    blank = _rows_equal(contiguous, code_page.space)
    return _finish_number(codec, values, problems, low_values, blank, usable, options)


def _parse_edited(text: str, roles: tuple[EditRole, ...]) -> int | None:
    """Unscaled integer value of `text` printed with `roles`, or None if it does not fit the picture."""
    value = 0
    negative = False
    position = 0
    while position < len(roles):
        role, char = roles[position], text[position]
        if role is EditRole.CREDIT_DEBIT:
            pair = text[position : position + 2]
            if pair in ("CR", "DB"):
                negative = True
            elif pair != "  ":
                return None
            position += 2
            continue
        if role in (EditRole.DIGIT, EditRole.SUPPRESSIBLE_DIGIT):
            if char in "0123456789":
                value = value * 10 + int(char)
            elif role is EditRole.DIGIT or char not in " *+-$":
                return None
            else:
                value *= 10
                negative = negative or char == "-"
        elif role is EditRole.SIGN:
            if char not in " +-":
                return None
            negative = negative or char == "-"
        position += 1
    return -value if negative else value


# -- shared number helpers ----------------------------------------------------------------------------------
#
# Zoned and packed digits are converted "SIMD within a register": each record's field is loaded as
# big-endian uint64 words, and a few masks, shifts and multiplies turn all 16 BCD nibbles (or 8 zoned
# bytes) of a word into one binary number, for every record at once.

_LOW_NIBBLES = np.uint64(0x0F0F0F0F0F0F0F0F)
_NIBBLE_HIGH_BITS = np.uint64(0x8888888888888888)
_SIX_PER_BYTE = np.uint64(0x0606060606060606)
_BIT4_PER_BYTE = np.uint64(0x1010101010101010)
_BYTE_LANES = np.uint64(0x00FF00FF00FF00FF)
_HALF_LANES = np.uint64(0x0000FFFF0000FFFF)
_WORD_LANE = np.uint64(0xFFFFFFFF)


def _words(block: np.ndarray) -> np.ndarray:
    """Rows of `block` as big-endian uint64 words, right-aligned behind zero bytes: (rows, words)."""
    rows, width = block.shape
    padded_width = 8 * -(-width // 8)
    padded = np.zeros((rows, padded_width), dtype=np.uint8)
    padded[:, padded_width - width :] = block
    return padded.view(">u8").astype(np.uint64)


def _words_all(words: np.ndarray, width: int, byte_value: int) -> np.ndarray:
    """Rows whose `width` field bytes (as laid out by `_words`) all equal `byte_value`."""
    pattern = _words(np.full((1, width), byte_value, dtype=np.uint8))[0]
    result = words[:, 0] == pattern[0]
    for column in range(1, words.shape[1]):
        result &= words[:, column] == pattern[column]
    return result


def _packed_word_values(words: np.ndarray) -> np.ndarray:
    """Each word's 16 BCD nibbles as a number below 10**16."""
    pairs = ((words >> np.uint64(4)) & _LOW_NIBBLES) * np.uint64(10) + (words & _LOW_NIBBLES)
    return _byte_lane_values(pairs, 100)


def _zoned_word_values(words: np.ndarray) -> np.ndarray:
    """Each word's 8 zoned bytes (digit in the low nibble) as a number below 10**8."""
    return _byte_lane_values(words & _LOW_NIBBLES, 10)


def _byte_lane_values(lanes: np.ndarray, byte_base: int) -> np.ndarray:
    """Combine 8 byte lanes holding base-`byte_base` digits (most significant first) into one number."""
    lanes = ((lanes >> np.uint64(8)) & _BYTE_LANES) * np.uint64(byte_base) + (lanes & _BYTE_LANES)
    lanes = ((lanes >> np.uint64(16)) & _HALF_LANES) * np.uint64(byte_base**2) + (lanes & _HALF_LANES)
    return (lanes >> np.uint64(32)) * np.uint64(byte_base**4) + (lanes & _WORD_LANE)


def _join_words(parts: np.ndarray, base: int, digits: int) -> np.ndarray:
    """Per-word values (most significant first) → the number: int64 up to 18 digits, else Python ints."""
    if parts.shape[1] == 1:
        return parts[:, 0].astype(np.int64)
    if digits <= _INT64_DIGITS:
        total = parts[:, 0].astype(np.int64)
        for column in range(1, parts.shape[1]):
            total = total * base + parts[:, column].astype(np.int64)
        return total
    total = parts[:, 0].astype(object)
    for column in range(1, parts.shape[1]):
        total = total * base + parts[:, column].astype(object)
    return total


def _any_word(flags: np.ndarray) -> np.ndarray:
    """Row-wise OR over the (few) words of a field."""
    result = flags[:, 0].copy()
    for column in range(1, flags.shape[1]):
        result |= flags[:, column]
    return result


def _rows_equal(contiguous: np.ndarray, byte_value: int) -> np.ndarray:
    """Rows made only of `byte_value`, each compared whole (one memcmp, not byte by byte)."""
    width = contiguous.shape[1]
    expected = np.frombuffer(bytes([byte_value]) * width, dtype=f"V{width}")[0]
    return contiguous.view(f"V{width}").reshape(-1) == expected


def _signed(values: np.ndarray, negative: np.ndarray) -> np.ndarray:
    return np.where(negative, -values, values)


def _finish_number(
    codec: FieldCodec,
    values: np.ndarray,
    problems: np.ndarray,
    low_values: np.ndarray,
    blank: np.ndarray,
    usable: np.ndarray,
    options: DecodeOptions,
) -> DecodedColumn:
    """Apply the null policies, then build the Arrow array; problems only count where a value was due."""
    expected = usable & ~low_values if options.low_values_as_null else usable.copy()
    if codec.blank_is_zero:
        values = np.where(blank, 0, values)
        problems = np.where(blank, Problem.NONE, problems).astype(np.uint8)
    elif options.spaces_as_null:
        expected &= ~blank
    problems = np.where(expected, problems, Problem.NONE).astype(np.uint8)
    valid = expected & (problems == Problem.NONE)
    return DecodedColumn(_number_array(codec, values, valid), problems if problems.any() else None)


def _number_array(codec: FieldCodec, values: np.ndarray, valid: np.ndarray) -> pa.Array:
    if codec.scale_up != 1:
        values = values * (codec.scale_up if values.dtype != object else int(codec.scale_up))
    arrow_type = codec.arrow_type
    if not pa.types.is_decimal(arrow_type):
        return primitive_array(values.astype(np.int64), pa.int64(), valid)
    words = np.zeros((len(values), 2), dtype=np.int64)
    if values.dtype == object:
        words = np.frombuffer(
            b"".join(
                int(value).to_bytes(16, "little", signed=True) if ok else bytes(16)
                for value, ok in zip(values, valid, strict=True)
            ),
            dtype=np.int64,
        )
    elif values.dtype == np.uint64:
        words[:, 0] = values.view(np.int64)
    else:
        words[:, 0] = values
        words[:, 1] = values >> 63
    return pa.Array.from_buffers(arrow_type, len(values), [_validity(valid), pa.py_buffer(words)])


def primitive_array(values: np.ndarray, arrow_type: pa.DataType, valid: np.ndarray | None = None) -> pa.Array:
    """Wrap a numpy int64/float64 array without copying (and without pa.array, which imports pandas)."""
    buffers = [None if valid is None else _validity(valid), pa.py_buffer(np.ascontiguousarray(values))]
    return pa.Array.from_buffers(arrow_type, len(values), buffers)


def _validity(valid: np.ndarray) -> pa.Buffer | None:
    """Arrow validity bitmap (None: no nulls)."""
    if valid.all():
        return None
    return pa.py_buffer(np.packbits(valid, bitorder="little"))


_DECODERS = {
    FieldKind.TEXT: _decode_text,
    FieldKind.ZONED: _decode_zoned,
    FieldKind.PACKED: _decode_packed,
    FieldKind.BINARY: _decode_binary,
    FieldKind.FLOAT: _decode_float,
    FieldKind.EDITED: _decode_edited,
}
