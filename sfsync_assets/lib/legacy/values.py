"""Reading one text value the way the profile declares it: dates, decimals, integers, overpunched numbers.

Nothing is guessed: a date is read only with the declared format, a number only with the declared separators,
and a value that does not fit raises `Rejected` with the rule and a sentence saying why, so the caller can
null that one field and quarantine it while the record loads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

INVALID_DATE = "INVALID_DATE"
INVALID_NUMBER = "INVALID_NUMBER"
INVALID_CODE = "INVALID_CODE"
INVALID_ENCODING = "INVALID_ENCODING"
MAX_DIGITS = 18  # DECIMAL(18, scale) and BIGINT hold every value up to 18 digits
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DATE_TOKENS = {
    "YYYY": r"(?P<year>[0-9]{4})",
    "YY": r"(?P<yy>[0-9]{2})",
    "MM": r"(?P<month>[0-9]{2})",
    "DD": r"(?P<day>[0-9]{2})",
    "Mon": r"(?P<mon>[A-Za-z]{3})",
}
_DATE_TOKEN = re.compile("|".join(_DATE_TOKENS))
_INTEGER = re.compile(r"[+-]?[0-9]+")
_OVERPUNCH_DIGITS = re.compile(r"[0-9]*")


class Rejected(ValueError):
    """A value that does not fit its column; the record loads with this field null."""

    def __init__(self, rule: str, reason: str) -> None:
        self.rule = rule
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class DateFormat:
    """A declared date format such as `DD/MM/YYYY`, `DD-Mon-YY` or `YYYYMMDD` (`Mon`: English month
    abbreviation, any case)."""

    text: str
    pattern: re.Pattern[str]

    @classmethod
    def parse(cls, text: str) -> DateFormat:
        parts, position, seen = [], 0, []
        for token in _DATE_TOKEN.finditer(text):
            parts.append(re.escape(text[position : token.start()]))
            parts.append(_DATE_TOKENS[token.group()])
            seen.append("year" if token.group() in ("YYYY", "YY") else token.group())
            position = token.end()
        parts.append(re.escape(text[position:]))
        month_tokens = seen.count("MM") + seen.count("Mon")
        if seen.count("year") != 1 or seen.count("DD") != 1 or month_tokens != 1:
            raise ValueError(
                f"date format {text!r} needs exactly one day (DD), one month (MM or Mon) and one year "
                "(YYYY or YY)"
            )
        return cls(text, re.compile("".join(parts)))

    @property
    def two_digit_year(self) -> bool:
        return "(?P<yy>" in self.pattern.pattern

    def read(self, value: str, two_digit_year_pivot: int | None = None) -> date:
        """The date, or `Rejected` for text of another shape or a day no calendar has (31/02)."""
        match = self.pattern.fullmatch(value.strip())
        if match is None:
            raise Rejected(INVALID_DATE, f"{value!r} is not a date in the declared format {self.text}")
        fields = match.groupdict()
        if fields.get("mon") is not None:
            if fields["mon"].upper() not in MONTHS:
                raise Rejected(INVALID_DATE, f"{value!r}: {fields['mon']!r} is not a month abbreviation")
            month = MONTHS.index(fields["mon"].upper()) + 1
        else:
            month = int(fields["month"])
        if fields.get("yy") is not None:
            if two_digit_year_pivot is None:
                raise ValueError(f"date format {self.text} has a two-digit year but no pivot is configured")
            yy = int(fields["yy"])
            year = (2000 if yy < two_digit_year_pivot else 1900) + yy
        else:
            year = int(fields["year"])
        try:
            return date(year, month, int(fields["day"]))
        except ValueError as error:
            raise Rejected(INVALID_DATE, f"{value!r} is not a calendar date ({error})") from None


def read_integer(value: str) -> int:
    text = value.strip()
    if not _INTEGER.fullmatch(text):
        raise Rejected(INVALID_NUMBER, f"{value!r} is not an integer")
    if len(text.lstrip("+-")) > MAX_DIGITS:
        raise Rejected(INVALID_NUMBER, f"{value!r} has more than {MAX_DIGITS} digits")
    return int(text)


@dataclass(frozen=True)
class DecimalFormat:
    """Declared separators and scale: `1.250.000,00` with decimal `,` and thousands `.`."""

    decimal_separator: str
    thousands_separator: str | None
    scale: int

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        point = re.escape(self.decimal_separator)
        plain = rf"[0-9]+(?:{point}[0-9]+)?"
        if self.thousands_separator:
            grouped = rf"[0-9]{{1,3}}(?:{re.escape(self.thousands_separator)}[0-9]{{3}})+(?:{point}[0-9]+)?"
            plain = f"(?:{grouped}|{plain})"
        return re.compile(rf"[+-]?{plain}")

    def read(self, value: str) -> Decimal:
        text = value.strip()
        if not self._pattern.fullmatch(text):
            thousands = (
                f" and thousands separator {self.thousands_separator!r}" if self.thousands_separator else ""
            )
            raise Rejected(
                INVALID_NUMBER,
                f"{value!r} is not a number with decimal separator {self.decimal_separator!r}{thousands}",
            )
        if self.thousands_separator:
            text = text.replace(self.thousands_separator, "")
        whole, _, fraction = text.partition(self.decimal_separator)
        if len(fraction) > self.scale:
            raise Rejected(INVALID_NUMBER, f"{value!r} has more than the declared {self.scale} decimals")
        if len(whole.lstrip("+-")) + self.scale > MAX_DIGITS:
            raise Rejected(INVALID_NUMBER, f"{value!r} has more than {MAX_DIGITS} digits")
        return Decimal(f"{whole}.{fraction.ljust(self.scale, '0')}" if self.scale else whole)


@dataclass(frozen=True)
class Overpunch:
    """Signed numbers whose last character carries the sign and the last digit (`{ABCDEFGHI` for +0..9,
    `}JKLMNOPQR` for -0..9), with an implied decimal point `scale` digits from the right."""

    positive: str
    negative: str

    def read(self, value: str, scale: int) -> Decimal:
        if not value or not _OVERPUNCH_DIGITS.fullmatch(value[:-1]):
            raise Rejected(
                INVALID_NUMBER, f"{value!r} is not an overpunched number (digits, then a sign character)"
            )
        last = value[-1]
        if last in self.positive:
            sign, digit = "", self.positive.index(last)
        elif last in self.negative:
            sign, digit = "-", self.negative.index(last)
        else:
            raise Rejected(
                INVALID_NUMBER,
                f"{value!r}: last character {last!r} is not a sign character ({self.positive} or {self.negative})",
            )
        digits = value[:-1] + str(digit)
        if len(digits.lstrip("0")) > MAX_DIGITS:
            raise Rejected(INVALID_NUMBER, f"{value!r} has more than {MAX_DIGITS} digits")
        return Decimal(f"{sign}{digits}").scaleb(-scale)
