"""A DuckDB warehouse copied whole (every schema, table, view, sequence) and masked in place in the copy.

Personal columns are found by name as everywhere else, in every schema (raw_*, staged, golden, identity,
outbound, ...), lists of text (the phones of a matching feature) element by element; text columns holding JSON
documents (dlt payloads, audit rows, ERP rows kept for deleted
records) are masked key by key; quarantine-like tables (a `field` and a `value` column) mask each value as its
field's kind, the value quoted inside `reason`, and the whole raw record in `raw`. Each column is masked through
a table of its distinct values, so a value repeated a million times is masked once. The copy is readable by its
owner only, like the warehouse it came from should be.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import duckdb

from .columns import Kind, column_kind
from .errors import MaskingError
from .records import mask_json_text
from .values import NUMERIC_KINDS, Masker

_TEXT_TYPES = ("VARCHAR", "JSON")
_INTEGER_TYPES = ("BIGINT", "INTEGER", "HUGEINT", "UBIGINT")
_TEXT_LIST = "VARCHAR[]"


def mask_warehouse(
    masker: Masker, source: Path, target: Path, progress: Callable[[str], None]
) -> dict[str, int]:
    """Copy `source` to `target` and mask the copy; returns the masked column count per table."""
    if target.exists():
        raise MaskingError(f"{target} exists; masking writes a new warehouse file")
    connection = duckdb.connect(str(target))
    try:
        catalog = connection.execute("SELECT current_database()").fetchall()[0][0]
        connection.execute("ATTACH ? AS masking_source (READ_ONLY)", [str(source)])
        connection.execute(f'COPY FROM DATABASE masking_source TO "{catalog}"')
        connection.execute("DETACH masking_source")
        masked = {}
        for schema, table, columns in _tables(connection, catalog):
            count = _mask_table(connection, masker, f'"{schema}"."{table}"', columns)
            if count:
                masked[f"{schema}.{table}"] = count
                progress(f"  warehouse {schema}.{table}: {count} column(s) masked")
        connection.execute("CHECKPOINT")
    finally:
        connection.close()
    os.chmod(target, 0o600)
    return masked


def _tables(connection: duckdb.DuckDBPyConnection, catalog: str) -> list[tuple[str, str, dict[str, str]]]:
    rows = connection.execute(
        """
        SELECT c.table_schema, c.table_name, c.column_name, c.data_type
        FROM information_schema.columns c
        JOIN information_schema.tables t USING (table_catalog, table_schema, table_name)
        WHERE c.table_catalog = ? AND t.table_type = 'BASE TABLE'
        ORDER BY c.table_schema, c.table_name, c.ordinal_position
        """,
        [catalog],
    ).fetchall()
    tables: dict[tuple[str, str], dict[str, str]] = {}
    for schema, table, column, data_type in rows:
        tables.setdefault((schema, table), {})[column] = data_type
    return [(schema, table, columns) for (schema, table), columns in tables.items()]


def _mask_table(
    connection: duckdb.DuckDBPyConnection, masker: Masker, table: str, columns: dict[str, str]
) -> int:
    count = 0
    textual = {name for name, data_type in columns.items() if data_type in _TEXT_TYPES}
    if {"field", "value"} <= textual:
        count += _mask_field_values(connection, masker, table, textual)
        textual -= {"field", "value", "reason", "raw"}
    for column, data_type in columns.items():
        kind = column_kind(column)
        mask: Callable[[Any], Any] | None = None
        if column in textual and kind is not None:
            mask = partial(masker.mask, kind)
        elif column in textual and _holds_json(connection, table, column):
            mask = partial(mask_json_text, masker)
        elif kind is not None and data_type == _TEXT_LIST:
            mask = partial(_mask_list, masker, kind)
        elif kind in NUMERIC_KINDS and data_type in _INTEGER_TYPES:
            mask = partial(masker.mask, kind)
        if mask is not None:
            count += _rewrite(connection, table, column, data_type, mask)
    return count


def _mask_list(masker: Masker, kind: Kind, values: list[Any]) -> list[Any]:
    return [masker.mask(kind, value) for value in values]


def _holds_json(connection: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    found = connection.execute(
        f'SELECT count(*) FROM (SELECT ltrim("{column}"::VARCHAR) AS text FROM {table}) '
        "WHERE text LIKE '{%' OR text LIKE '[%'"
    ).fetchall()
    return found[0][0] > 0


def _rewrite(
    connection: duckdb.DuckDBPyConnection, table: str, column: str, data_type: str, mask: Callable[[Any], Any]
) -> int:
    """Replace every value of one column by its mask, through a mapping of the column's distinct values (typed
    like the column, so lists and integers compare as themselves)."""
    values = connection.execute(
        f'SELECT DISTINCT "{column}" FROM {table} WHERE "{column}" IS NOT NULL'
    ).fetchall()
    pairs = [(value, masked) for (value,) in values if (masked := mask(value)) != value]
    if not pairs:
        return 1 if values else 0
    connection.execute(f"CREATE OR REPLACE TEMP TABLE masking_map (original {data_type}, masked {data_type})")
    connection.executemany("INSERT INTO masking_map VALUES (?, ?)", pairs)
    connection.execute(
        f'UPDATE {table} SET "{column}" = masking_map.masked FROM masking_map '
        f'WHERE {table}."{column}" = masking_map.original'
    )
    return 1


def _mask_field_values(
    connection: duckdb.DuckDBPyConnection, masker: Masker, table: str, textual: set[str]
) -> int:
    """Quarantine-like rows: `value` masked as the kind of the field it came from; the reason that quotes it and
    the raw record it came from masked along."""
    extra = [column for column in ("reason", "raw") if column in textual]
    selected = ", ".join(f'"{column}"' for column in ("field", "value", *extra))
    rows = connection.execute(f"SELECT DISTINCT {selected} FROM {table}").fetchall()
    updates = []
    for row in rows:
        field, value, *rest = row
        kind = column_kind(field or "") or Kind.TEXT
        masked_value = masker.mask(kind, value)
        masked_rest = []
        for column, text in zip(extra, rest, strict=True):
            if text is None:
                masked_rest.append(None)
            elif column == "reason":
                masked_rest.append(text.replace(value, masked_value) if value else text)
            else:
                masked_rest.append(masker.mask(Kind.TEXT, text))
        updates.append((field, value, *rest, masked_value, *masked_rest))
    if not updates:
        return 0
    keys = ["field", "value", *extra]
    definitions = (
        ", ".join(f"k_{c} VARCHAR" for c in keys) + ", " + ", ".join(f"m_{c} VARCHAR" for c in keys[1:])
    )
    connection.execute(f"CREATE OR REPLACE TEMP TABLE masking_rows ({definitions})")
    connection.executemany(
        f"INSERT INTO masking_rows VALUES ({', '.join('?' for _ in keys + keys[1:])})", updates
    )
    assignments = ", ".join(f'"{c}" = masking_rows.m_{c}' for c in keys[1:])
    matches = " AND ".join(f'{table}."{c}" IS NOT DISTINCT FROM masking_rows.k_{c}' for c in keys)
    connection.execute(f"UPDATE {table} SET {assignments} FROM masking_rows WHERE {matches}")
    return len(keys) - 1
