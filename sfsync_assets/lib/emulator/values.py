"""How field values are stored in the emulator's SQLite tables and how they travel on the wire.

Storage is chosen so SQL can compare and sort values directly: datetimes as UTC text
`YYYY-MM-DDTHH:MM:SS.fffZ` (sorts lexicographically), dates as `YYYY-MM-DD`, booleans as 0/1, numbers as SQLite
numbers, everything else as text. REST renders datetimes as `...000+0000`, Bulk 2.0 CSV as `...000Z`.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from .errors import SalesforceApiError
from .ids import normalize_id
from .schema import FieldDef

_DATETIME_INPUT = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def format_datetime(moment: datetime) -> str:
    """Stored (and Bulk CSV) form of a datetime: UTC with milliseconds and `Z`."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_datetime(text: str) -> datetime:
    """A tz-aware datetime from the forms clients send (`Z`, `+00:00`, `+0000`, fractions, date only → UTC)."""
    match = _DATETIME_INPUT.match(text.strip())
    if not match:
        raise ValueError(f"not a datetime: {text!r}")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    moment = datetime(
        int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro, tzinfo=UTC
    )
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        offset_minutes = sign * (int(digits[:2]) * 60 + int(digits[2:]))
        moment = moment.replace(tzinfo=timezone(timedelta(minutes=offset_minutes))).astimezone(UTC)
    return moment


def to_storage(field: FieldDef, value: Any, object_name: str) -> Any:
    """Validate an incoming value for `field` and return what is stored; errors are Salesforce-shaped."""
    if value is None or (isinstance(value, str) and value == "" and field.type != "boolean"):
        return None
    kind = field.type
    try:
        if kind == "boolean":
            if isinstance(value, bool):
                return int(value)
            if isinstance(value, str) and value.lower() in {"true", "false", "1", "0"}:
                return int(value.lower() in {"true", "1"})
            raise ValueError
        if kind == "int":
            if isinstance(value, bool):
                raise ValueError
            number = float(value)
            if number != int(number):
                raise ValueError
            return int(number)
        if kind in {"double", "currency", "percent"}:
            if isinstance(value, bool):
                raise ValueError
            return round(float(value), field.scale) if field.scale else float(value)
        if kind == "date":
            return date.fromisoformat(str(value)[:10]).isoformat()
        if kind == "datetime":
            return format_datetime(parse_datetime(str(value)))
        if kind in {"reference", "id"}:
            normalized = normalize_id(str(value))
            if normalized is None:
                raise SalesforceApiError(
                    400, "MALFORMED_ID", f"{field.label}: id value of incorrect type: {value}", [field.name]
                )
            return normalized
    except (ValueError, TypeError, OverflowError) as error:
        raise SalesforceApiError(
            400,
            "INVALID_TYPE_ON_FIELD_IN_RECORD",
            f"{field.label}: value not of required type: {value}",
            [field.name],
        ) from error
    text = value if isinstance(value, str) else str(value)
    if kind == "email" and not _EMAIL.match(text):
        raise SalesforceApiError(
            400, "INVALID_EMAIL_ADDRESS", f"{field.label}: invalid email address: {text}", [field.name]
        )
    if field.length and len(text) > field.length:
        raise SalesforceApiError(
            400,
            "STRING_TOO_LONG",
            f"{field.label}: data value too large: {text[:40]} (max length={field.length})",
            [field.name],
        )
    return text


def to_json(field: FieldDef, stored: Any) -> Any:
    """REST JSON form of a stored value."""
    if stored is None:
        return None
    if field.type == "boolean":
        return bool(stored)
    if field.type == "datetime":
        return stored[:-1] + "+0000"
    if field.type == "int":
        return int(stored)
    if field.type in {"double", "currency", "percent"}:
        return float(stored)
    return stored


def to_csv(field: FieldDef, stored: Any) -> str:
    """Bulk 2.0 CSV form of a stored value (null → empty cell)."""
    if stored is None:
        return ""
    if field.type == "boolean":
        return "true" if stored else "false"
    if field.type == "int":
        return str(int(stored))
    if field.type in {"double", "currency", "percent"}:
        number = float(stored)
        return str(int(number)) if number.is_integer() else repr(number)
    return str(stored)
