"""SOQL text → one SQLite SELECT, its row count, and the renderers of its rows: the emulator's query engine.

A query is compiled once; SQLite then does the filtering, parent joins, sorting and paging. ORDER BY always
ends with the root table's insertion order, so the pages of a cursor never overlap or skip. Deleted records
stay invisible unless the caller is queryAll. Bulk API 2.0 refuses what the real service refuses.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..errors import SalesforceApiError, malformed_query
from ..schema import FieldDef, ObjectDef, OrgSchema
from ..tables import quote
from .aggregates import aggregate_sql, check_groupable
from .ast import AggregateCall, AggregateItem, ChildSubqueryItem, FieldItem, FieldPath, FieldsItem, Query
from .conditions import WhereCompiler
from .joins import ParentJoins, ResolvedField
from .parser import parse
from .query_errors import malformed_at, unexpected_token, unsupported_object
from .rendering import RecordRenderer, aggregate_renderer, csv_renderer, record_renderer

_ROOT = "r"
_FIELDS_FUNCTION_LIMIT = 200
_MAX_OFFSET = 2000
_NO_CHILD_SUBQUERIES = "Parent-to-child relationship subqueries are not supported by the emulator"


@dataclass(frozen=True)
class SelectedColumn:
    """A column of the result, in SELECT order: its API-name path (`("Account", "Name")`) and field."""

    path: tuple[str, ...]
    field: FieldDef


@dataclass(frozen=True)
class CompiledQuery:
    """Run `sql` with `params` for the rows (one per record, or per group), `count_sql` for `totalSize`."""

    object: ObjectDef
    sql: str
    params: list[Any]
    count_sql: str
    count_params: list[Any]
    is_count: bool  # `SELECT COUNT() ...`: answer {"totalSize": N, "done": true, "records": []}
    is_aggregate: bool  # rows are AggregateResult records (Salesforce offers no queryMore for them)
    columns: list[SelectedColumn]
    _render_record: RecordRenderer = field(repr=False)
    _render_csv: Callable[[Sequence[Any]], list[str]] = field(repr=False)

    def row_to_record(self, row: Sequence[Any], api_version: str) -> dict[str, Any]:
        """The REST JSON record of `row`; `api_version` as in the request path (`59.0`)."""
        return self._render_record(row, f"/services/data/v{api_version}/sobjects/")

    def csv_header(self) -> list[str]:
        return [".".join(column.path) for column in self.columns]

    def row_to_csv(self, row: Sequence[Any]) -> list[str]:
        return self._render_csv(row)


def compile_soql(
    text: str,
    schema: OrgSchema,
    *,
    include_deleted: bool = False,
    now: datetime | None = None,
    bulk: bool = False,
) -> CompiledQuery:
    """Compile `text` for `schema`; raises `SalesforceApiError` shaped like Salesforce's answer to bad SOQL.

    `include_deleted` is queryAll; `now` (default: the current time, UTC) anchors relative date literals;
    `bulk` refuses what Bulk API 2.0 queries cannot do.
    """
    query = parse(text)
    root = schema.object(query.object_name)
    if root is None:
        raise unsupported_object(text, query.object_offset, query.object_name)
    if bulk and (refusal := _bulk_refusal(query)):
        raise SalesforceApiError(400, "API_ERROR", refusal)
    moment = now or datetime.now(UTC)
    today = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).date()
    where = WhereCompiler(schema, text, today, include_deleted, (f"s{n}" for n in itertools.count(1)))
    return _Compilation(text, schema, root, query, where, include_deleted).compile()


def _bulk_refusal(query: Query) -> str | None:
    """Why Bulk API 2.0 refuses `query`: it has no GROUP BY, OFFSET, aggregates or parent-to-child subqueries."""
    if any(isinstance(item, ChildSubqueryItem) for item in query.items):
        return "Aggregate Relationships not supported in Bulk V2 Query with CSV content type."
    if any(isinstance(item, AggregateItem) for item in query.items):
        return "Aggregate functions not supported in Bulk V2 Query"
    if query.group_by:
        return "GROUP BY not supported in Bulk V2 Query"
    if query.offset is not None:
        return "OFFSET not supported in Bulk V2 Query"
    return None


class _Compilation:
    def __init__(
        self,
        source: str,
        schema: OrgSchema,
        root: ObjectDef,
        query: Query,
        where: WhereCompiler,
        include_deleted: bool,
    ) -> None:
        self.source = source
        self.root = root
        self.query = query
        self.where = where
        self.include_deleted = include_deleted
        self.joins = ParentJoins(schema, root, _ROOT, source)
        self.grouped: set[tuple[str, ...]] = set()  # lower-cased paths of the GROUP BY fields

    def compile(self) -> CompiledQuery:
        query = self.query
        for item in query.items:
            if isinstance(item, ChildSubqueryItem):
                raise malformed_at(self.source, item.offset, _NO_CHILD_SUBQUERIES)
        self._check_paging()
        is_count = self._is_count()
        is_aggregate = not is_count and (
            bool(query.group_by) or any(isinstance(item, AggregateItem) for item in query.items)
        )
        if is_aggregate:
            columns, select_sql, render_record, group_columns = self._aggregate_select()
            stable_order = group_columns
        else:
            columns, select_sql, render_record = self._record_select([] if is_count else list(query.items))
            stable_order = [f"{quote(_ROOT)}.{quote('_seq')}"]
            group_columns = []
        filters = [] if self.include_deleted else [f"{quote(_ROOT)}.{quote('IsDeleted')} = 0"]
        if query.where is not None:
            filters.append(self.where.compile(query.where, self.joins))
        order_terms = [*self._order_terms(is_aggregate), *stable_order]
        where_sql = f" WHERE {' AND '.join(filters)}" if filters else ""
        group_sql = f" GROUP BY {', '.join(group_columns)}" if group_columns else ""
        order_sql = f" ORDER BY {', '.join(order_terms)}" if order_terms else ""
        paging_sql, paging_params = _paging(query.limit, query.offset)
        from_sql = self.joins.from_clause()
        sql = f"SELECT {', '.join(select_sql)} FROM {from_sql}{where_sql}{group_sql}{order_sql}{paging_sql}"
        params = [*self.where.params, *paging_params]
        if is_aggregate:
            count_sql = f"SELECT COUNT(*) FROM ({sql})"
        else:
            filtered = self.joins.from_clause(self.where.joined_aliases)
            count_sql = f"SELECT COUNT(*) FROM (SELECT 1 FROM {filtered}{where_sql}{paging_sql})"
        return CompiledQuery(
            object=self.root,
            sql=sql,
            params=params,
            count_sql=count_sql,
            count_params=list(params),
            is_count=is_count,
            is_aggregate=is_aggregate,
            columns=columns,
            _render_record=render_record,
            _render_csv=csv_renderer([column.field for column in columns]),
        )

    def _check_paging(self) -> None:
        query = self.query
        if query.offset is not None and query.offset > _MAX_OFFSET:
            raise SalesforceApiError(
                400, "NUMBER_OUTSIDE_VALID_RANGE", f"Maximum SOQL offset allowed is {_MAX_OFFSET}"
            )
        unbounded = any(isinstance(item, FieldsItem) and item.scope != "STANDARD" for item in query.items)
        if unbounded and (query.limit is None or query.limit > _FIELDS_FUNCTION_LIMIT):
            raise malformed_query(
                f"The SOQL FIELDS function must have a LIMIT of at most {_FIELDS_FUNCTION_LIMIT}"
            )

    def _is_count(self) -> bool:
        """`SELECT COUNT() FROM ...`, which must stand alone."""
        items = self.query.items
        counts = [
            item
            for item in items
            if isinstance(item, AggregateItem) and item.call.function == "COUNT" and item.call.path is None
        ]
        if counts and (len(items) > 1 or self.query.group_by):
            raise malformed_at(
                self.source,
                counts[0].call.offset,
                "COUNT() must be the only element in the SELECT list and cannot be grouped",
            )
        return bool(counts)

    # -- SELECT list -----------------------------------------------------------------------------------------

    def _record_select(
        self, items: list[FieldItem | FieldsItem]
    ) -> tuple[list[SelectedColumn], list[str], RecordRenderer]:
        selected: list[ResolvedField] = []
        seen: set[tuple[str, ...]] = set()
        for item in items:
            for path, explicit in self._paths_of(item):
                resolved = self.joins.resolve(path)
                key = tuple(name.lower() for name in resolved.names)
                if key in seen:
                    if explicit:
                        raise malformed_at(
                            self.source, path.offset, f"duplicate field selected: {'.'.join(resolved.names)}"
                        )
                    continue
                seen.add(key)
                selected.append(resolved)
        expressions = [resolved.column for resolved in selected]
        positions = {resolved.names: index for index, resolved in enumerate(selected)}

        def id_index(relationships: tuple[str, ...], alias: str) -> int:
            """Where the row holds a record's Id: its selected `...Id` column, else an appended hidden one."""
            if (*relationships, "Id") not in positions:
                positions[(*relationships, "Id")] = len(expressions)
                expressions.append(f"{quote(alias)}.{quote('Id')}")
            return positions[(*relationships, "Id")]

        root_id_index = id_index((), _ROOT)
        parent_id_indexes = {
            hop.relationships: id_index(hop.relationships, hop.alias)
            for resolved in selected
            for hop in resolved.hops
        }
        render = record_renderer(
            self.root.name, root_id_index, [(r, i) for i, r in enumerate(selected)], parent_id_indexes
        )
        columns = [SelectedColumn(resolved.names, resolved.field) for resolved in selected]
        return columns, expressions, render

    def _paths_of(self, item: FieldItem | FieldsItem) -> list[tuple[FieldPath, bool]]:
        """Field paths an item selects, each flagged as written by the user (else expanded from FIELDS())."""
        if isinstance(item, FieldItem):
            return [(item.path, True)]
        return [
            (FieldPath((candidate.name,), item.offset), False)
            for candidate in self.root.fields.values()
            if item.scope == "ALL" or candidate.custom == (item.scope == "CUSTOM")
        ]

    def _aggregate_select(self) -> tuple[list[SelectedColumn], list[str], RecordRenderer, list[str]]:
        group_columns = []
        for path in self.query.group_by:
            resolved = self.joins.resolve(path)
            check_groupable(path, resolved, self.source)
            group_columns.append(resolved.column)
            self.grouped.add(tuple(name.lower() for name in resolved.names))
        columns: list[SelectedColumn] = []
        expressions: list[str] = []
        unnamed = itertools.count()
        for item in self.query.items:
            if isinstance(item, AggregateItem):
                assert item.call.path is not None, "a lone COUNT() makes a count query"
                key = item.alias or f"expr{next(unnamed)}"
                resolved = self.joins.resolve(item.call.path)
                expression, result = aggregate_sql(item.call, resolved, key, self.source)
            elif isinstance(item, FieldItem):
                resolved = self._grouped(item.path, "Field must be grouped or aggregated")
                key, expression, result = resolved.field.name, resolved.column, resolved.field
            else:
                raise malformed_at(self.source, item.offset, "Field must be grouped or aggregated: FIELDS")
            columns.append(SelectedColumn((key,), result))
            expressions.append(expression)
        render = aggregate_renderer([(column.path[0], column.field) for column in columns])
        return columns, expressions, render, group_columns

    def _grouped(self, path: FieldPath, complaint: str) -> ResolvedField:
        resolved = self.joins.resolve(path)
        if tuple(name.lower() for name in resolved.names) not in self.grouped:
            raise malformed_at(self.source, path.offset, f"{complaint}: {path.names[-1]}")
        return resolved

    # -- ORDER BY --------------------------------------------------------------------------------------------

    def _order_terms(self, is_aggregate: bool) -> list[str]:
        terms = []
        for item in self.query.order_by:
            target = item.target
            if isinstance(target, AggregateCall):
                if not is_aggregate or target.path is None:
                    raise unexpected_token(self.source, target.offset, target.function)
                expression, _ = aggregate_sql(target, self.joins.resolve(target.path), "order", self.source)
            elif is_aggregate:
                expression = self._grouped(target, "Ordered field must be grouped or aggregated").column
            else:
                expression = self.joins.resolve(target).column
            nulls_first = not item.descending if item.nulls_first is None else item.nulls_first
            terms.append(
                f"{expression} {'DESC' if item.descending else 'ASC'} "
                f"NULLS {'FIRST' if nulls_first else 'LAST'}"
            )
        return terms


def _paging(limit: int | None, offset: int | None) -> tuple[str, list[int]]:
    if limit is None and offset is None:
        return "", []
    if offset is None:
        return " LIMIT ?", [limit]
    return " LIMIT ? OFFSET ?", [-1 if limit is None else limit, offset]
