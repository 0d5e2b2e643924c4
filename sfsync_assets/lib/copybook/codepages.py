"""Single-byte code pages as 256-entry lookup tables.

Translating through a table (`bytes.translate`, `table[byte_array]`) handles a whole column of records in
one C-level pass, which is what makes the decoder fast; Python's codecs would need a call per value. The
tables also say which bytes carry an overpunched sign, because zoned decimals spell it differently in
EBCDIC (zone nibble C/F positive, D negative) and in ASCII exports (`{ A-I` positive, `} J-R p-y`
negative).
"""

from __future__ import annotations

import codecs
import functools
from dataclasses import dataclass

import ebcdic  # noqa: F401  # registers cp1047 and other EBCDIC codecs the standard library lacks
import numpy as np

from .errors import DecodeConfigError

_POSITIVE_ZONES = (0xC, 0xA, 0xE, 0xF)  # IBM accepts all four as "+" (F = unsigned, C = signed)
_NEGATIVE_ZONES = (0xD, 0xB)


@dataclass(frozen=True, eq=False)
class CodePage:
    """Lookup tables for one single-byte code page (arrays are indexed by the byte value)."""

    name: str
    utf8: np.ndarray  # (256, 4) uint8: UTF-8 encoding of each byte's character, zero padded
    utf8_length: np.ndarray  # (256,) uint8: how many of those bytes are used
    ascii: bytes  # bytes.translate table: the character if it is ASCII, else 0x80 (never valid alone)
    zero: int  # the byte of digit 0; digits 1-9 follow it
    space: int
    plus: int
    minus: int
    overpunch_digit: np.ndarray  # (256,) int8: digit of a byte that may carry a sign, -1 if invalid
    overpunch_sign: np.ndarray  # (256,) int8: +1 / -1 for that byte's sign, 0 if it carries no valid sign

    def decode(self, raw: bytes) -> str:
        return raw.decode(self.name, errors="replace")


@functools.cache
def code_page(name: str) -> CodePage:
    """Tables for `name` (any single-byte Python codec: cp037, cp500, cp1047, cp273, cp1140, latin-1 ...)."""
    try:
        canonical = codecs.lookup(name).name
    except LookupError as exc:
        raise DecodeConfigError(f"unknown encoding {name!r}") from exc
    if len(b"\xc3\xa9".decode(canonical, errors="replace")) != 2 or len(" ".encode(canonical)) != 1:
        raise DecodeConfigError(f"encoding {name!r} is not a single-byte code page")
    chars = [_char(canonical, value) for value in range(256)]
    utf8 = np.zeros((256, 4), dtype=np.uint8)
    utf8_length = np.zeros(256, dtype=np.uint8)
    for value, char in enumerate(chars):
        encoded = char.encode("utf-8")
        utf8[value, : len(encoded)] = np.frombuffer(encoded, dtype=np.uint8)
        utf8_length[value] = len(encoded)
    zero = _byte_of(canonical, "0")
    ascii_table = bytes(ord(char) if ord(char) < 0x80 else 0x80 for char in chars)
    overpunch_digit = np.full(256, -1, dtype=np.int8)
    overpunch_sign = np.zeros(256, dtype=np.int8)
    if zero == 0xF0:  # EBCDIC
        for zones, sign in ((_POSITIVE_ZONES, 1), (_NEGATIVE_ZONES, -1)):
            for zone in zones:
                overpunch_digit[zone << 4 : (zone << 4) + 10] = np.arange(10)
                overpunch_sign[zone << 4 : (zone << 4) + 10] = sign
    else:
        # ASCII exports: plain digits are positive; IBM-style '{' 'A'-'I' positive and '}' 'J'-'R'
        # negative; Micro Focus writes negatives as 'p'-'y'.
        for spelled, sign in (("0123456789", 1), ("{ABCDEFGHI", 1), ("}JKLMNOPQR", -1), ("pqrstuvwxy", -1)):
            for value, char in enumerate(spelled):
                overpunch_digit[ord(char)] = value
                overpunch_sign[ord(char)] = sign
    return CodePage(
        name=canonical,
        utf8=utf8,
        utf8_length=utf8_length,
        ascii=ascii_table,
        zero=zero,
        space=_byte_of(canonical, " "),
        plus=_byte_of(canonical, "+"),
        minus=_byte_of(canonical, "-"),
        overpunch_digit=overpunch_digit,
        overpunch_sign=overpunch_sign,
    )


def _char(encoding: str, value: int) -> str:
    char = bytes([value]).decode(encoding, errors="replace")
    return char if len(char) == 1 else "\ufffd"


def _byte_of(encoding: str, char: str) -> int:
    try:
        encoded = char.encode(encoding)
    except UnicodeEncodeError as exc:
        raise DecodeConfigError(f"encoding {encoding!r} has no {char!r}") from exc
    return encoded[0]
