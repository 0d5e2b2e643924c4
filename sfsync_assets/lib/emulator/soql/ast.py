"""The parsed shape of a SOQL statement, before any name is checked against the org schema.

Every node keeps the offset of its first character in the query text so that schema and type errors found
later can point at the token that caused them, as Salesforce's messages do.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


@dataclass(frozen=True)
class FieldPath:
    """`Name` or `Account.Owner.Name` as written (relationship names, then the field name)."""

    names: tuple[str, ...]
    offset: int


@dataclass(frozen=True)
class AggregateCall:
    """`COUNT(Id)`, `SUM(Amount)`, ...; `path` is None only for `COUNT()`."""

    function: str
    path: FieldPath | None
    offset: int


@dataclass(frozen=True)
class FieldItem:
    path: FieldPath


@dataclass(frozen=True)
class AggregateItem:
    call: AggregateCall
    alias: str | None


@dataclass(frozen=True)
class FieldsItem:
    """`FIELDS(ALL|STANDARD|CUSTOM)`."""

    scope: str
    offset: int


@dataclass(frozen=True)
class ChildSubqueryItem:
    """A parent-to-child subquery in the SELECT list (`(SELECT Id FROM Contacts)`), kept only to refuse it."""

    offset: int


SelectItem = FieldItem | AggregateItem | FieldsItem | ChildSubqueryItem


class LiteralKind(Enum):
    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    NULL = "null"
    DATE = "date"
    DATETIME = "datetime"
    DATE_RANGE = "date range"


@dataclass(frozen=True)
class Literal:
    """A value on the right of a comparison.

    `value` is the decoded string, the number, the bool, None, the `date`, the datetime text as written, or
    `(name, count)` of a relative date literal such as `("LAST_N_DAYS", 7)`. `like_pattern` is the string as a
    SQLite LIKE pattern with `\\` as escape character (set for strings only).
    """

    kind: LiteralKind
    value: Any
    offset: int
    like_pattern: str | None = None


@dataclass(frozen=True)
class Comparison:
    path: FieldPath
    operator: str  # = != < <= > >=  (`<>` is normalised to `!=`)
    literal: Literal


@dataclass(frozen=True)
class Like:
    path: FieldPath
    pattern: Literal


@dataclass(frozen=True)
class InList:
    path: FieldPath
    literals: tuple[Literal, ...]
    negated: bool


@dataclass(frozen=True)
class Includes:
    """`INCLUDES (...)` / `EXCLUDES (...)` on a multi-select picklist; literals may hold `;`-joined values."""

    path: FieldPath
    literals: tuple[Literal, ...]
    excludes: bool


@dataclass(frozen=True)
class SubSelect:
    """The `SELECT field FROM Object [WHERE ...]` of a semi-join or anti-join."""

    path: FieldPath
    object_name: str
    object_offset: int
    where: Condition | None


@dataclass(frozen=True)
class SemiJoin:
    path: FieldPath
    subselect: SubSelect
    negated: bool


@dataclass(frozen=True)
class Not:
    operand: Condition


@dataclass(frozen=True)
class Junction:
    """Operands joined by one operator: SOQL refuses `a AND b OR c` without parentheses."""

    operator: str  # AND | OR
    operands: tuple[Condition, ...]


Condition = Comparison | Like | InList | Includes | SemiJoin | Not | Junction


@dataclass(frozen=True)
class OrderItem:
    target: FieldPath | AggregateCall
    descending: bool
    nulls_first: bool | None  # None: Salesforce's default (first ascending, last descending)


@dataclass(frozen=True)
class Query:
    items: tuple[SelectItem, ...]
    object_name: str
    object_offset: int
    where: Condition | None
    group_by: tuple[FieldPath, ...]
    order_by: tuple[OrderItem, ...]
    limit: int | None
    offset: int | None
