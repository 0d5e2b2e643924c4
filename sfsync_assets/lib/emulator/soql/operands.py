"""A WHERE literal as the value its field stores, refused the way Salesforce refuses a wrong type.

Datetime literals in any offset become the stored UTC text; a date compared with a datetime field and every
relative date literal become a `Span` of stored values, which the compiler applies with range semantics.
Salesforce stores empty text as null, so `''` compares like `null`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ..errors import SalesforceApiError
from ..ids import normalize_id
from ..schema import NUMBER_TYPES, TEXT_TYPES, FieldDef
from ..values import format_datetime, parse_datetime
from .ast import FieldPath, Literal, LiteralKind
from .date_literals import date_range
from .query_errors import invalid_field_at, malformed_at

_ID_TYPES = frozenset({"id", "reference"})
# Type names as Salesforce's "value of filter criterion" message spells them.
_TYPE_NAMES = {
    "id": "id",
    "reference": "id",
    "boolean": "boolean",
    "int": "integer",
    "double": "double",
    "currency": "double",
    "percent": "double",
    "date": "date",
    "datetime": "dateTime",
}


@dataclass(frozen=True)
class Span:
    """Stored values from `start` (inclusive) to `end` (exclusive)."""

    start: str
    end: str


def stored_operand(field: FieldDef, path: FieldPath, literal: Literal, source: str, today: date) -> Any:
    """The stored form of `literal` for `field`: a value, None for null, or a `Span`."""
    kind = literal.kind
    if kind is LiteralKind.NULL:
        return None
    field_type = field.type
    if field_type in _ID_TYPES and kind is LiteralKind.STRING:
        return _record_id(literal, source)
    if field_type in TEXT_TYPES and field_type not in _ID_TYPES and kind is LiteralKind.STRING:
        return literal.value or None
    if field_type in NUMBER_TYPES and kind is LiteralKind.NUMBER:
        return literal.value
    if field_type == "boolean" and kind is LiteralKind.BOOLEAN:
        return int(literal.value)
    if field_type == "date":
        if kind is LiteralKind.DATE:
            return literal.value.isoformat()
        if kind is LiteralKind.DATE_RANGE:
            first, after_last = date_range(*literal.value, today)
            return Span(first.isoformat(), after_last.isoformat())
    if field_type == "datetime":
        if kind is LiteralKind.DATETIME:
            return format_datetime(parse_datetime(literal.value))
        if kind is LiteralKind.DATE:
            return _day_span(literal.value, literal.value + timedelta(days=1))
        if kind is LiteralKind.DATE_RANGE:
            return _day_span(*date_range(*literal.value, today))
    raise wrong_type(field, path, source)


def wrong_type(field: FieldDef, path: FieldPath, source: str) -> SalesforceApiError:
    quoted = field.type in TEXT_TYPES
    return invalid_field_at(
        source,
        path.offset,
        f"value of filter criterion for field '{path.names[-1]}' must be of type "
        f"{_TYPE_NAMES.get(field.type, 'string')} and should {'' if quoted else 'not '}be enclosed in quotes",
    )


def _record_id(literal: Literal, source: str) -> str | None:
    if not literal.value:
        return None
    normalized = normalize_id(literal.value)
    if normalized is None:
        raise malformed_at(source, literal.offset, f"invalid ID field: {literal.value}")
    return normalized


def _day_span(first: date, after_last: date) -> Span:
    """Midnight UTC starting `first` to midnight UTC starting `after_last`."""
    return Span(
        format_datetime(datetime.combine(first, time(), UTC)),
        format_datetime(datetime.combine(after_last, time(), UTC)),
    )
