"""One spelling for every pushed value, so "unchanged" means the same thing to the plan and to the ledger.

The plan reads typed values from DuckDB; the ledger learns what was written from Salesforce's results, which for
Bulk 2.0 are the CSV text we sent. Both are brought to the Bulk CSV spelling (`true`/`false`, ISO dates,
shortest round-trip numbers, text as is, empty text as null) before they are compared or hashed.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .errors import UnpushableValue

JsonValue = str | int | float | bool | None
_RECORD, _UNIT = "\x1e", "\x1f"  # ASCII record and unit separators: no field name or value spells them


def json_value(value: Any) -> JsonValue:
    """A golden value as JSON can carry it to the sObject Collections API."""
    if isinstance(value, str):
        return value or None
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float | Decimal):
        number = float(value)
        if math.isnan(number):
            return None
        return int(number) if number.is_integer() else number
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    raise UnpushableValue(f"cannot push a value of type {type(value).__name__}: {value!r}")


def wire(value: Any) -> str | None:
    """The CSV spelling of a value; None for null."""
    if type(value) is str:
        return value or None
    value = json_value(value)
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if not isinstance(value, float) else repr(value)


def fields_hash(values: Mapping[str, str | None]) -> str:
    """A hash of wire values, independent of field order; a null field counts as an absent one."""
    encoded = _RECORD.join(
        f"{name}{_UNIT}{value}" for name, value in sorted(values.items()) if value is not None
    )
    return hashlib.blake2b(encoded.encode(), digest_size=16).hexdigest()
