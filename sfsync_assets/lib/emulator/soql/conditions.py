"""WHERE trees → SQLite boolean expressions with bound parameters and SOQL's null semantics.

SOQL compares null like any other value: `Industry != 'Retail'`, `NOT IN (...)` and `EXCLUDES (...)` keep
records whose field is null, and `NOT (...)` is two-valued. SQL's three-valued logic only differs under a
negation, so `!=` becomes `IS NOT` and each predicate under a NOT counts an unknown as false before it is
negated. Text columns are `COLLATE NOCASE`, which makes `=` and `IN` case-insensitive as in SOQL; SQLite's
LIKE already is.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from ..schema import OrgSchema
from ..tables import quote
from .ast import Comparison, Condition, FieldPath, Includes, InList, Junction, Like, Literal, Not, SemiJoin
from .joins import ParentJoins, ResolvedField
from .operands import Span, stored_operand, wrong_type
from .query_errors import invalid_field_at, malformed_at, unsupported_object

_ID_TYPES = frozenset({"id", "reference"})
_TEXT_LIKE_TYPES = frozenset({"string", "textarea", "email", "phone", "url", "picklist", "id", "reference"})
# How a comparison operator applies to a range of stored values: SQL and which bound(s) it takes.
_SPAN_OPERATORS = {
    "=": ("({column} >= ? AND {column} < ?)", ("start", "end")),
    "!=": ("({column} < ? OR {column} >= ? OR {column} IS NULL)", ("start", "end")),
    "<": ("{column} < ?", ("start",)),
    "<=": ("{column} < ?", ("end",)),
    ">": ("{column} >= ?", ("end",)),
    ">=": ("{column} >= ?", ("start",)),
}


class WhereCompiler:
    """Compiles a statement's conditions; `params` gets the bound values in the order the SQL uses them."""

    def __init__(
        self,
        schema: OrgSchema,
        source: str,
        today: date,
        include_deleted: bool,
        subquery_aliases: Iterator[str],
    ) -> None:
        self.schema = schema
        self.source = source
        self.today = today
        self.include_deleted = include_deleted
        self.subquery_aliases = subquery_aliases
        self.params: list[Any] = []
        self.joined_aliases: set[str] = set()  # parent joins the conditions read

    def compile(self, condition: Condition, joins: ParentJoins) -> str:
        return self._condition(condition, joins, negated=False)

    def _condition(self, node: Condition, joins: ParentJoins, negated: bool) -> str:
        if isinstance(node, Junction):
            operands = [self._condition(operand, joins, negated) for operand in node.operands]
            return "(" + f" {node.operator} ".join(operands) + ")"
        if isinstance(node, Not):
            return f"NOT {self._condition(node.operand, joins, negated=True)}"
        predicate = self._predicate(node, joins)
        return f"coalesce({predicate}, 0)" if negated else predicate

    def _predicate(self, node: Condition, joins: ParentJoins) -> str:
        if isinstance(node, Comparison):
            return self._comparison(node, joins)
        if isinstance(node, Like):
            return self._like(node, joins)
        if isinstance(node, InList):
            return self._in_list(node, joins)
        if isinstance(node, Includes):
            return self._includes(node, joins)
        assert isinstance(node, SemiJoin)
        return self._semi_join(node, joins)

    def _resolve(self, joins: ParentJoins, path: FieldPath) -> ResolvedField:
        resolved = joins.resolve(path)
        self.joined_aliases.update(hop.alias for hop in resolved.hops)
        return resolved

    def _operand(self, resolved: ResolvedField, path: FieldPath, literal: Literal) -> Any:
        return stored_operand(resolved.field, path, literal, self.source, self.today)

    def _comparison(self, node: Comparison, joins: ParentJoins) -> str:
        resolved = self._resolve(joins, node.path)
        operand = self._operand(resolved, node.path, node.literal)
        if isinstance(operand, Span):
            return self._span(resolved.column, node.operator, operand)
        if operand is None and node.operator in ("=", "!="):
            return f"{resolved.column} {'IS NULL' if node.operator == '=' else 'IS NOT NULL'}"
        self.params.append(operand)
        return f"{resolved.column} {'IS NOT' if node.operator == '!=' else node.operator} ?"

    def _span(self, column: str, operator: str, span: Span) -> str:
        template, bounds = _SPAN_OPERATORS[operator]
        self.params.extend(getattr(span, bound) for bound in bounds)
        return template.format(column=column)

    def _like(self, node: Like, joins: ParentJoins) -> str:
        resolved = self._resolve(joins, node.path)
        if resolved.field.type not in _TEXT_LIKE_TYPES:
            raise wrong_type(resolved.field, node.path, self.source)
        self.params.append(node.pattern.like_pattern)
        return f"{resolved.column} LIKE ? ESCAPE '\\'"

    def _in_list(self, node: InList, joins: ParentJoins) -> str:
        resolved = self._resolve(joins, node.path)
        operands = [self._operand(resolved, node.path, literal) for literal in node.literals]
        points = [operand for operand in operands if operand is not None and not isinstance(operand, Span)]
        alternatives = []
        if points:
            self.params.extend(points)
            alternatives.append(f"{resolved.column} IN ({', '.join('?' * len(points))})")
        alternatives += [self._span(resolved.column, "=", o) for o in operands if isinstance(o, Span)]
        if None in operands:
            alternatives.append(f"{resolved.column} IS NULL")
        matches = "(" + " OR ".join(alternatives) + ")"
        return f"NOT coalesce({matches}, 0)" if node.negated else matches

    def _includes(self, node: Includes, joins: ParentJoins) -> str:
        """Each literal is an alternative: all its `;`-separated values are selected (case-insensitively)."""
        resolved = self._resolve(joins, node.path)
        if resolved.field.type != "multipicklist":
            raise invalid_field_at(
                self.source,
                node.path.offset,
                "includes or excludes operator only valid on multipicklist field",
            )
        selected = f"';' || lower(coalesce({resolved.column}, '')) || ';'"
        alternatives = []
        for literal in node.literals:
            value = self._operand(resolved, node.path, literal) or ""
            wanted = [item.strip().lower() for item in value.split(";") if item.strip()]
            self.params.extend(f";{item};" for item in wanted)
            all_selected = " AND ".join(f"instr({selected}, ?) > 0" for _ in wanted) or "0"
            alternatives.append(f"({all_selected})")
        matches = "(" + " OR ".join(alternatives) + ")"
        return f"NOT {matches}" if node.excludes else matches

    def _semi_join(self, node: SemiJoin, joins: ParentJoins) -> str:
        outer = self._resolve(joins, node.path)
        subselect = node.subselect
        inner_object = self.schema.object(subselect.object_name)
        if inner_object is None:
            raise unsupported_object(self.source, subselect.object_offset, subselect.object_name)
        if inner_object is joins.root:
            raise malformed_at(
                self.source,
                subselect.object_offset,
                "The inner and outer selects should not be on the same object type",
            )
        if outer.field.type not in _ID_TYPES:
            raise malformed_at(
                self.source,
                node.path.offset,
                "The left operand field in the where expression"
                f" for outer query should be an id field, cannot use: '{node.path.names[-1]}'",
            )
        alias = next(self.subquery_aliases)
        inner_joins = ParentJoins(self.schema, inner_object, alias, self.source)
        inner = self._resolve(inner_joins, subselect.path)
        if inner.field.type not in _ID_TYPES:
            raise malformed_at(
                self.source,
                subselect.path.offset,
                "The selected field in the subquery should"
                f" be an id field, cannot use: '{subselect.path.names[-1]}'",
            )
        if not _targets(outer) & _targets(inner):
            raise malformed_at(
                self.source,
                node.path.offset,
                f"The selected field '{subselect.path.names[-1]}' in the subquery and the left operand field"
                f" in the where expression in the outer query '{node.path.names[-1]}' should point to the"
                " same object type",
            )
        filters = [] if self.include_deleted else [f"{quote(alias)}.{quote('IsDeleted')} = 0"]
        if subselect.where is not None:
            filters.append(self._condition(subselect.where, inner_joins, negated=False))
        where_sql = f" WHERE {' AND '.join(filters)}" if filters else ""
        matches = f"{outer.column} IN (SELECT {inner.column} FROM {inner_joins.from_clause()}{where_sql})"
        return f"NOT coalesce({matches}, 0)" if node.negated else matches


def _targets(resolved: ResolvedField) -> set[str]:
    """Objects an id or lookup field points to."""
    if resolved.field.type == "id":
        return {resolved.object.name.lower()}
    return {name.lower() for name in resolved.field.reference_to}
