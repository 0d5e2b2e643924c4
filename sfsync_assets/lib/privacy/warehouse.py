"""Erasing a person from the warehouse: every table is searched, none is named by hand.

Any row of any table (raw, staged, quarantine, identity, golden, outbound, reconciliation, dlt's staging copies)
in which one of the person's identifiers appears as a whole token — in a plain column, inside JSON, a list or a
raw file line — is deleted. `config/privacy.yaml` names the exceptions: rows an organization shares, where only
the person's columns are cleared, and the golden id registry, which is kept. Tables that name a source record by
system, object and id (the quarantine) lose the rows of the person's records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from .person import Person, SourceRecord
from .register import CLEARED, DELETED
from .settings import RecordReference, WarehouseSettings

PRIVACY_SCHEMA = "privacy"
PERSON_FIELD_PREFIX = "person."
_TEXT_TYPES = ("VARCHAR", "JSON")


@dataclass(frozen=True)
class Erased:
    """What happened to one table: rows deleted or rows whose person columns were cleared."""

    table: str
    action: str
    rows: int


def quote_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def text_columns(connection: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Every base table outside the privacy schema, with its columns that can hold text (lists included)."""
    rows = connection.execute(
        "SELECT c.table_schema || '.' || c.table_name, c.column_name, c.data_type "
        "FROM information_schema.columns AS c JOIN information_schema.tables AS t "
        "USING (table_catalog, table_schema, table_name) "
        "WHERE t.table_type = 'BASE TABLE' AND c.table_schema <> ? AND c.table_catalog = current_database() "
        "ORDER BY 1, c.ordinal_position",
        [PRIVACY_SCHEMA],
    ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, [])
        if data_type.startswith(_TEXT_TYPES) or data_type.endswith("[]"):
            tables[table].append(column)
    return tables


def token_pattern(values: set[str]) -> str:
    """An RE2 pattern matching any of `values` as a whole token (not inside a longer id or address)."""
    alternatives = "|".join(re.escape(value) for value in sorted(values, key=len, reverse=True))
    return f"(^|[^a-z0-9_.@-])({alternatives})($|[^a-z0-9_.@-]|\\.($|[^a-z0-9]))"


def _mentions(table_columns: list[str]) -> str:
    return " OR ".join(
        f"regexp_matches(lower(CAST({quote_name(column)} AS VARCHAR)), $pattern)" for column in table_columns
    )


def table_name(table: str) -> str:
    schema, name = table.split(".", 1)
    return f"{quote_name(schema)}.{quote_name(name)}"


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _references(reference: RecordReference, records: set[SourceRecord], person_fields_only: bool) -> str:
    """A condition true for rows about one of `records` (only their person fields, if asked)."""
    if not records:
        return "false"
    columns = (reference.system, reference.object, reference.id)
    condition = " OR ".join(
        "("
        + " AND ".join(f"{quote_name(c)} = {_literal(v)}" for c, v in zip(columns, values, strict=True))
        + ")"
        for values in sorted((r.system, r.object, r.id) for r in records)
    )
    if person_fields_only:
        condition = f"({condition}) AND starts_with({quote_name(reference.field)}, '{PERSON_FIELD_PREFIX}')"
    return f"({condition})"


def erase_from_warehouse(
    connection: duckdb.DuckDBPyConnection, person: Person, settings: WarehouseSettings
) -> list[Erased]:
    """Delete (or clear) every row of the person; one entry per table that had any."""
    identifiers = {value.lower() for value in person.row_identifiers()}
    if not identifiers:
        return []
    parameters = {"pattern": token_pattern(identifiers)}
    erased = []
    for table, columns in text_columns(connection).items():
        if table in settings.keep_rows:
            continue
        conditions = [_mentions(columns)] if columns else []
        reference = settings.record_references.get(table)
        if reference:
            conditions += [
                _references(reference, person.records, person_fields_only=False),
                _references(reference, person.shared_records, person_fields_only=True),
            ]
        if not conditions:
            continue
        where = " OR ".join(conditions)
        shared = settings.shared_rows.get(table)
        if shared:
            assignments = ", ".join(f"{quote_name(column)} = NULL" for column in shared)
            statement, action = f"UPDATE {table_name(table)} SET {assignments} WHERE {where}", CLEARED
        else:
            statement, action = f"DELETE FROM {table_name(table)} WHERE {where}", DELETED
        rows = connection.execute(statement, parameters).fetchall()[0][0]
        if rows:
            erased.append(Erased(table, action, rows))
    return erased
