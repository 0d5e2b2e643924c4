"""COBOL PICTURE strings: what kind of value a field holds and how many characters it takes.

Supported symbols: X A (text); S 9 V P (numeric); Z * + - $ . , B 0 / CR DB (numeric-edited, i.e. a number
printed for humans). `DECIMAL-POINT IS COMMA`, CURRENCY SIGN, floating-point edited (E) and national (N)
pictures are rejected rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from .errors import PictureError

_REPEAT = re.compile(r"(.)\((\d+)\)")
_LEADING_SCALING = re.compile(r"V?P+9+")
_TRAILING_SCALING = re.compile(r"9+P+V?")
_TEXT_SYMBOLS = frozenset("XA9B0/")
_NUMERIC_SYMBOLS = frozenset("S9VP")
_EDITED_SYMBOLS = frozenset("9ZV.,+-*$B0/") | {"CR", "DB"}
_FLOATING_SYMBOLS = ("+", "-", "$")


class PictureCategory(StrEnum):
    ALPHANUMERIC = "alphanumeric"
    NUMERIC = "numeric"
    NUMERIC_EDITED = "numeric-edited"


class EditRole(StrEnum):
    """What one character position of a numeric-edited field carries."""

    DIGIT = "digit"  # '9': always a digit
    SUPPRESSIBLE_DIGIT = "suppressible"  # Z, *, or a floating +/-/$ past the first: digit, blank or symbol
    SIGN = "sign"  # a lone + or - (or the first of a floating run): '+', '-' or blank
    CREDIT_DEBIT = "credit-debit"  # the two positions of CR / DB: the letters mean negative
    INSERTION = "insertion"  # . , B 0 / $: printed decoration carrying no value


@dataclass(frozen=True)
class Picture:
    """A parsed PICTURE clause.

    `size` is the number of character positions when stored as DISPLAY (a separate sign is the field's
    business, not the picture's). `scale` is the number of decimal places; it is negative when trailing P
    symbols scale the value up (PIC 99PPP holds thousands) and exceeds `digits` for leading P symbols.
    """

    text: str
    category: PictureCategory
    size: int
    digits: int
    scale: int
    signed: bool
    edit_roles: tuple[EditRole, ...] = ()

    @property
    def is_numeric(self) -> bool:
        return self.category is not PictureCategory.ALPHANUMERIC


# The longest record z/OS allows; no picture can be longer.
MAX_PICTURE_SIZE = 32_760


def parse_picture(text: str) -> Picture:
    """Parse a PICTURE character string such as `S9(5)V99`, `X(20)` or `ZZ,ZZ9.99-`."""
    expanded = _expand_repeats(text)
    symbols = _split_symbols(expanded)
    distinct = set(symbols)
    if distinct & {"X", "A"}:
        if not distinct <= _TEXT_SYMBOLS:
            raise PictureError(f"PICTURE {text!r} mixes text symbols with {sorted(distinct - _TEXT_SYMBOLS)}")
        return Picture(text, PictureCategory.ALPHANUMERIC, len(symbols), 0, 0, signed=False)
    if distinct <= _NUMERIC_SYMBOLS:
        return _numeric_picture(text, expanded)
    if distinct <= _EDITED_SYMBOLS:
        return _edited_picture(text, symbols)
    unknown = sorted(distinct - _TEXT_SYMBOLS - _NUMERIC_SYMBOLS - _EDITED_SYMBOLS)
    raise PictureError(f"PICTURE {text!r} uses unsupported symbols {unknown}")


def _expand_repeats(text: str) -> str:
    size = 0

    def repeat(match: re.Match[str]) -> str:
        nonlocal size
        count = int(match.group(2))
        if count == 0:
            raise PictureError(f"PICTURE {text!r} repeats a symbol zero times")
        size += count
        if size > MAX_PICTURE_SIZE:
            # Checked before expanding: PIC X(999999999) must not build a gigabyte string first.
            raise PictureError(
                f"PICTURE {text!r} is longer than {MAX_PICTURE_SIZE:,} positions, the largest record"
            )
        return match.group(1) * count

    expanded = _REPEAT.sub(repeat, text.upper())
    if "(" in expanded or ")" in expanded or not expanded:
        raise PictureError(f"PICTURE {text!r} has an unbalanced or misplaced repeat count")
    return expanded


def _split_symbols(expanded: str) -> list[str]:
    """Characters, except that CR and DB are one two-character symbol."""
    symbols: list[str] = []
    position = 0
    while position < len(expanded):
        pair = expanded[position : position + 2]
        if pair in ("CR", "DB"):
            symbols.append(pair)
            position += 2
        else:
            symbols.append(expanded[position])
            position += 1
    return symbols


def _numeric_picture(text: str, expanded: str) -> Picture:
    signed = expanded.startswith("S")
    body = expanded[1:] if signed else expanded
    if "S" in body:
        raise PictureError(f"PICTURE {text!r}: S must be the first symbol")
    if body.count("V") > 1:
        raise PictureError(f"PICTURE {text!r} has more than one V")
    digits = body.count("9")
    if digits == 0:
        raise PictureError(f"PICTURE {text!r} has no digit positions")
    scaling = body.count("P")
    if scaling == 0:
        scale = body.partition("V")[2].count("9")
    elif _LEADING_SCALING.fullmatch(body):
        scale = scaling + digits
    elif _TRAILING_SCALING.fullmatch(body):
        scale = -scaling
    else:
        raise PictureError(f"PICTURE {text!r}: P symbols must sit at one end of the digits")
    return Picture(text, PictureCategory.NUMERIC, digits, digits, scale, signed)


def _edited_picture(text: str, symbols: list[str]) -> Picture:
    if symbols.count("V") + symbols.count(".") > 1:
        raise PictureError(f"PICTURE {text!r} has more than one decimal point")
    floating = next((s for s in _FLOATING_SYMBOLS if symbols.count(s) > 1), None)
    roles: list[EditRole] = []
    digits = scale = 0
    seen_point = seen_floating = False
    for symbol in symbols:
        if symbol in (".", "V"):
            seen_point = True
            if symbol == ".":
                roles.append(EditRole.INSERTION)
            continue
        if symbol == floating and not seen_floating:
            seen_floating = True
            role = EditRole.SIGN if symbol in "+-" else EditRole.INSERTION
        elif symbol == floating or symbol in ("Z", "*"):
            role = EditRole.SUPPRESSIBLE_DIGIT
        elif symbol == "9":
            role = EditRole.DIGIT
        elif symbol in ("+", "-"):
            role = EditRole.SIGN
        elif symbol in ("CR", "DB"):
            roles.extend([EditRole.CREDIT_DEBIT, EditRole.CREDIT_DEBIT])
            continue
        else:
            role = EditRole.INSERTION
        if role in (EditRole.DIGIT, EditRole.SUPPRESSIBLE_DIGIT):
            digits += 1
            scale += seen_point
        roles.append(role)
    if digits == 0:
        raise PictureError(f"PICTURE {text!r} has no digit positions")
    signed = bool({"+", "-", "CR", "DB"} & set(symbols))
    return Picture(text, PictureCategory.NUMERIC_EDITED, len(roles), digits, scale, signed, tuple(roles))
