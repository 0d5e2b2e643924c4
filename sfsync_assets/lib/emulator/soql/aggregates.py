"""Aggregate functions and GROUP BY: the fields Salesforce lets them use, their SQL and their result type."""

from __future__ import annotations

from dataclasses import replace

from ..schema import NUMBER_TYPES, FieldDef
from .ast import AggregateCall, FieldPath
from .joins import ResolvedField
from .query_errors import malformed_at

_NOT_AGGREGATABLE = {
    "COUNT": frozenset(),
    "COUNT_DISTINCT": frozenset({"textarea", "multipicklist"}),
    "MIN": frozenset({"boolean", "textarea", "multipicklist"}),
    "MAX": frozenset({"boolean", "textarea", "multipicklist"}),
}
_NOT_GROUPABLE = frozenset({"datetime", "textarea", "multipicklist", "double", "currency", "percent"})


def aggregate_sql(
    call: AggregateCall, resolved: ResolvedField, key: str, source: str
) -> tuple[str, FieldDef]:
    """SQL of `call` over `resolved`, and a field describing its result (named `key`) for rendering."""
    assert call.path is not None, "COUNT() counts rows and is compiled as a count query"
    function = call.function
    field = resolved.field
    numeric_only = function in ("SUM", "AVG")
    if (numeric_only and field.type not in NUMBER_TYPES) or field.type in _NOT_AGGREGATABLE.get(function, ()):
        raise malformed_at(
            source,
            call.path.offset,
            f"field {call.path.names[-1]} does not support aggregate operator {function}",
        )
    if function == "COUNT_DISTINCT":
        return f"COUNT(DISTINCT {resolved.column})", FieldDef(key, "int", key)
    sql = f"{function}({resolved.column})"
    if function == "COUNT":
        return sql, FieldDef(key, "int", key)
    if numeric_only:
        return sql, FieldDef(key, "double", key)
    return sql, replace(field, name=key)


def check_groupable(path: FieldPath, resolved: ResolvedField, source: str) -> None:
    if resolved.field.type in _NOT_GROUPABLE:
        name = path.names[-1]
        raise malformed_at(source, path.offset, f"field '{name}' can not be grouped in a query call")
