"""Dates read with the formats a source declares, never guessed: `02/03/2026` is 2 March under `DD/MM/YYYY`.

Format tokens: `YYYY`, `YY`, `MM`, `Mon` (English month abbreviation), `DD`; anything else is a literal. Two-digit
years follow the POSIX rule (`69`–`99` → 19xx, `00`–`68` → 20xx). A string that matches a format but names no
real day (`31/02/2026`, `20190230`) is rejected, as is one that matches none of the declared formats.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from functools import lru_cache

from .findings import Rejected, Rule

MONTH_ABBREVIATIONS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# (token, the part of the date it gives, pattern)
_TOKENS = (
    ("YYYY", "year", r"(?P<year>\d{4})"),
    ("YY", "year", r"(?P<year2>\d{2})"),
    ("Mon", "month", r"(?P<month_name>[A-Za-z]{3})"),
    ("MM", "month", r"(?P<month>\d{2})"),
    ("DD", "day", r"(?P<day>\d{2})"),
)
TWO_DIGIT_YEAR_PIVOT = 69


class DateFormatError(ValueError):
    """A declared date format that cannot be read; the message names the format and the problem."""


@lru_cache(maxsize=64)
def compile_format(declared: str) -> re.Pattern[str]:
    """The pattern of a declared format such as `DD/MM/YYYY`, `DD-Mon-YY` or `YYYYMMDD`."""
    pattern, position, parts = "", 0, []
    while position < len(declared):
        for token, part, regex in _TOKENS:
            if declared.startswith(token, position):
                parts.append(part)
                pattern += regex
                position += len(token)
                break
        else:
            char = declared[position]
            if char.isalpha():
                raise DateFormatError(
                    f"date format {declared!r}: unknown letter {char!r} at position {position + 1} "
                    "(use YYYY, YY, MM, Mon, DD and literal separators)"
                )
            pattern += re.escape(char)
            position += 1
    if sorted(parts) != ["day", "month", "year"]:
        raise DateFormatError(f"date format {declared!r} needs exactly one year, one month and one day")
    return re.compile(pattern + r"\Z")


def parse_date(text: str, formats: Sequence[str]) -> date:
    """The day `text` names under the first of `formats` it matches."""
    value = text.strip()
    for declared in formats:
        match = compile_format(declared).match(value)
        if match is None:
            continue
        parts = match.groupdict()
        year = int(parts["year"]) if parts.get("year") else _expand_year(int(parts["year2"]))
        if parts.get("month_name"):
            name = parts["month_name"].lower()
            if name not in MONTH_ABBREVIATIONS:
                raise Rejected(
                    Rule.INVALID_DATE, f"{text!r} has no month {parts['month_name']!r} ({declared})"
                )
            month = MONTH_ABBREVIATIONS.index(name) + 1
        else:
            month = int(parts["month"])
        try:
            return date(year, month, int(parts["day"]))
        except ValueError as error:
            raise Rejected(
                Rule.INVALID_DATE, f"{text!r} is not a real date under {declared}: {error}"
            ) from error
    raise Rejected(Rule.INVALID_DATE, f"{text!r} matches none of the declared date formats {list(formats)}")


def _expand_year(two_digits: int) -> int:
    return (1900 if two_digits >= TWO_DIGIT_YEAR_PIVOT else 2000) + two_digits
