"""What the product needs to know of an object's fields, read from describe, and typed values for them.

REST answers JSON (`2026-01-01T10:00:00.000+0000`, numbers, booleans) and Bulk 2.0 answers CSV text
(`2026-01-01T10:00:00.000Z`, `true`, empty for null); both become the same Python values here, so a record reads
the same whichever API fetched it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pyarrow as pa

# Compound and binary fields cannot be selected in Bulk queries; their parts are separate fields.
UNSELECTABLE_TYPES = {"address", "location", "base64"}
DLT_TYPES = {
    "boolean": "bool",
    "int": "bigint",
    "double": "double",
    "currency": "double",
    "percent": "double",
    "date": "date",
    "datetime": "timestamp",
    "time": "text",
}


ARROW_TYPES = {
    "boolean": pa.bool_(),
    "int": pa.int64(),
    "double": pa.float64(),
    "currency": pa.float64(),
    "percent": pa.float64(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us", tz="UTC"),  # DuckDB's TIMESTAMPTZ precision: dlt keeps the time zone
}


@dataclass(frozen=True)
class FieldShape:
    name: str
    type: str
    calculated: bool = False
    external_id: bool = False
    nillable: bool = True
    reference_to: tuple[str, ...] = ()
    picklist_values: tuple[str, ...] = ()  # active values only

    @property
    def dlt_type(self) -> str:
        return DLT_TYPES.get(self.type, "text")


@dataclass(frozen=True)
class ObjectShape:
    name: str
    fields: tuple[FieldShape, ...]

    @classmethod
    def from_describe(cls, describe: dict[str, Any]) -> ObjectShape:
        return cls(
            name=describe["name"],
            fields=tuple(
                FieldShape(
                    name=f["name"],
                    type=f["type"],
                    calculated=bool(f.get("calculated")),
                    external_id=bool(f.get("externalId")),
                    nillable=bool(f.get("nillable", True)),
                    reference_to=tuple(f.get("referenceTo") or ()),
                    picklist_values=tuple(
                        v["value"] for v in f.get("picklistValues") or () if v.get("active", True)
                    ),
                )
                for f in describe["fields"]
                if f["type"] not in UNSELECTABLE_TYPES
            ),
        )

    @property
    def selectable(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def formula_fields(self) -> list[str]:
        """Fields Salesforce computes; their changes do not move SystemModstamp, so deltas cannot see them."""
        return [f.name for f in self.fields if f.calculated]

    def arrow_schema(self) -> pa.Schema:
        """The records' Arrow schema: what Bulk CSV pages are parsed into and REST pages converted to."""
        return pa.schema([pa.field(f.name, ARROW_TYPES.get(f.type, pa.string())) for f in self.fields])

    def field(self, name: str) -> FieldShape | None:
        return next((f for f in self.fields if f.name.lower() == name.lower()), None)


def typed_value(field: FieldShape, value: Any) -> Any:
    """A REST JSON value or a Bulk CSV cell as a Python value of the field's type (empty text is null)."""
    if value is None or value == "":
        return None
    kind = field.type
    if kind == "boolean":
        return value if isinstance(value, bool) else str(value).lower() == "true"
    if kind == "int":
        return int(float(value))
    if kind in {"double", "currency", "percent"}:
        return float(value)
    if kind == "date":
        return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    if kind == "datetime":
        return parse_salesforce_datetime(str(value))
    return value if isinstance(value, str) else str(value)


def parse_salesforce_datetime(text: str) -> datetime:
    """`2026-01-01T10:00:00.000+0000` (REST) or `2026-01-01T10:00:00.000Z` (Bulk) as an aware UTC datetime."""
    normalized = text.replace("Z", "+00:00")
    if len(normalized) >= 5 and normalized[-5] in "+-" and normalized[-3] != ":":
        normalized = normalized[:-2] + ":" + normalized[-2:]
    return datetime.fromisoformat(normalized).astimezone(UTC)


def soql_datetime(moment: datetime) -> str:
    """A SOQL datetime literal, in UTC with milliseconds (years zero-padded to four digits)."""
    moment = moment.astimezone(UTC)
    return f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


_SOQL_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}


def soql_string(value: str) -> str:
    """A SOQL string literal: single-quoted, with Salesforce's backslash escapes (never Python's repr)."""
    return "'" + "".join(_SOQL_ESCAPES.get(char, char) for char in value) + "'"
