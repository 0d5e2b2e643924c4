"""How a source value of a declared type becomes a Python value, with the source's own date and number formats.

Raw tables hold what the source sent: typed columns from databases (DATE, DECIMAL, BIGINT) and text from files
(`05-Mar-26`, `1.250.000,00`). Each mapped field declares which type it reads, so text is parsed with the
source's declared formats and typed values pass through. Blank text is null.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Literal

from .dates import parse_date
from .findings import Rejected, Rule
from .numbers import parse_decimal

SourceType = Literal["text", "integer", "decimal", "date", "timestamp", "boolean"]
# Which canonical SQL types each source type may fill.
FILLS = {
    "text": {"VARCHAR"},
    "integer": {"VARCHAR", "DOUBLE"},
    "decimal": {"DOUBLE"},
    "date": {"DATE"},
    "timestamp": {"TIMESTAMPTZ"},
    "boolean": {"BOOLEAN"},
}
_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")


def read_value(
    raw: Any,
    source_type: SourceType,
    date_formats: Sequence[str],
    decimal_separator: str = ".",
    thousands_separator: str | None = None,
) -> Any:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if source_type == "text":
        return raw if isinstance(raw, str) else str(raw)
    if source_type == "integer":
        return _integer(raw)
    if source_type == "decimal":
        if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
            return float(raw)
        return parse_decimal(str(raw), decimal_separator, thousands_separator)
    if source_type == "date":
        return _date(raw, date_formats)
    if source_type == "timestamp":
        return _timestamp(raw, date_formats)
    return _boolean(raw)


def _integer(raw: Any) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    text = str(raw).strip()
    if not _INTEGER.fullmatch(text):
        raise Rejected(Rule.INVALID_NUMBER, f"{raw!r} is not a whole number of at most 18 digits")
    return int(text)


def _date(raw: Any, date_formats: Sequence[str]) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    return parse_date(str(raw), date_formats)


def _timestamp(raw: Any, date_formats: Sequence[str]) -> datetime:
    """Zone-less timestamps (ERP local time) are taken as UTC; a date is its midnight."""
    if isinstance(raw, datetime):
        return raw if raw.tzinfo else raw.replace(tzinfo=UTC)
    day = raw if isinstance(raw, date) else parse_date(str(raw), date_formats)
    return datetime.combine(day, time(), tzinfo=UTC)


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise Rejected(Rule.INVALID_BOOLEAN, f"{raw!r} is not a yes/no value")
