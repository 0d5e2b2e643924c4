"""Numbers written with the separators a source declares: `1.250.000,00` is 1250000.0 under a decimal comma."""

from __future__ import annotations

import math
import re

from .findings import Rejected, Rule

_PLAIN = re.compile(r"^[+-]?\d+(\.\d+)?$")


def parse_decimal(text: str, decimal_separator: str = ".", thousands_separator: str | None = None) -> float:
    """`text` as a number; any other separator, letter or second decimal mark is a rejection."""
    value = text.strip().replace(" ", "")
    if thousands_separator:
        groups = value.split(decimal_separator, 1)
        whole = groups[0]
        if thousands_separator in whole and not re.fullmatch(
            rf"[+-]?\d{{1,3}}({re.escape(thousands_separator)}\d{{3}})+", whole
        ):
            raise Rejected(Rule.INVALID_NUMBER, f"{text!r} has misplaced thousands separators")
        value = whole.replace(thousands_separator, "") + (
            decimal_separator + groups[1] if len(groups) > 1 else ""
        )
    if decimal_separator != ".":
        if "." in value:
            raise Rejected(
                Rule.INVALID_NUMBER, f"{text!r} is not a number with decimal separator {decimal_separator!r}"
            )
        value = value.replace(decimal_separator, ".")
    if not _PLAIN.match(value):
        raise Rejected(Rule.INVALID_NUMBER, f"{text!r} is not a number")
    number = float(value)
    if not math.isfinite(number):
        raise Rejected(Rule.INVALID_NUMBER, f"{text!r} is beyond the range of a number")
    return number
