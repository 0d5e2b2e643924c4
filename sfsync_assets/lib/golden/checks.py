"""Field checks as SQL: a value that fails its field's checks is never a golden value.

Picklist checks read the allowed values from the org schema (the standard objects plus `config/org_schema.yaml`),
the same description the Salesforce side validates against, so a value Salesforce would refuse never wins.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ..emulator.schema import load_schema
from ..matching.text import MOJIBAKE_PATTERN
from .matrix import PICKLIST_CHECK, FieldRule

ORG_SCHEMA_FILE = Path(__file__).resolve().parents[2] / "config" / "org_schema.yaml"

_NAMED = {
    "e164": r"regexp_full_match(value, '\+[1-9][0-9]{6,14}')",
    "email": r"regexp_full_match(value, '[^@\s]+@[^@\s]+\.[^@\s]+')",
    "iso_country": "regexp_full_match(value, '[A-Z]{2}')",
    "iso_currency": "regexp_full_match(value, '[A-Z]{3}')",
    "no_mojibake": f"NOT regexp_matches(value, '{MOJIBAKE_PATTERN}')",
    "non_negative": "TRY_CAST(value AS DOUBLE) >= 0",
}


class UnknownPicklistError(ValueError):
    """A picklist check names an object or field the org schema does not have."""


@cache
def picklist_values(object_name: str, field_name: str) -> tuple[str, ...]:
    schema_object = load_schema(ORG_SCHEMA_FILE).object(object_name)
    field = schema_object.field(field_name) if schema_object else None
    if field is None or not field.picklist_values:
        raise UnknownPicklistError(f"{ORG_SCHEMA_FILE}: {object_name}.{field_name} is not a picklist field")
    return field.picklist_values


def check_sql(check: str) -> str:
    """A SQL condition over the column `value` (VARCHAR) that holds for valid values."""
    if check in _NAMED:
        return _NAMED[check]
    match = PICKLIST_CHECK.fullmatch(check)
    if match is None:
        raise ValueError(f"unknown check {check!r}")
    allowed = ", ".join("'" + value.replace("'", "''") + "'" for value in picklist_values(*match.groups()))
    return f"value IN ({allowed})"


def field_valid_sql(rule: FieldRule) -> str:
    return " AND ".join(f"({check_sql(check)})" for check in rule.checks) or "true"
