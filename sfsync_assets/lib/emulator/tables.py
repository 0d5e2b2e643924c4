"""SQLite layout of the org's records: one table per object, one column per field.

Columns carry the field's API name. Text columns use `COLLATE NOCASE` because SOQL compares and sorts text
case-insensitively; `_seq` is the insertion order, used to keep paging stable when a query has no ORDER BY.
"""

from __future__ import annotations

import sqlite3

from .schema import NUMBER_TYPES, FieldDef, ObjectDef, OrgSchema


def column_type(field: FieldDef) -> str:
    if field.type == "boolean" or field.type == "int":
        return "INTEGER"
    if field.type in NUMBER_TYPES:
        return "REAL"
    if field.type in {"date", "datetime"}:
        return "TEXT"
    return "TEXT COLLATE NOCASE"


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def create_object_table(connection: sqlite3.Connection, obj: ObjectDef) -> None:
    """Create (or extend with new fields) the table of `obj`."""
    existing = {row[1].lower() for row in connection.execute(f"PRAGMA table_info({quote(obj.table)})")}
    if not existing:
        columns = ["_seq INTEGER PRIMARY KEY AUTOINCREMENT"]
        columns += [f"{quote(f.name)} {column_type(f)}" for f in obj.fields.values()]
        connection.execute(f"CREATE TABLE {quote(obj.table)} ({', '.join(columns)})")
        connection.execute(f"CREATE UNIQUE INDEX {quote(obj.table + '_id')} ON {quote(obj.table)} (Id)")
        connection.execute(
            f"CREATE INDEX {quote(obj.table + '_modstamp')} ON {quote(obj.table)} (SystemModstamp)"
        )
    else:
        for field in obj.fields.values():
            if field.name.lower() not in existing:
                connection.execute(
                    f"ALTER TABLE {quote(obj.table)} ADD COLUMN {quote(field.name)} {column_type(field)}"
                )
    for field in obj.fields.values():
        if field.external_id or field.type == "reference":
            index = quote(f"{obj.table}_{field.name.lower()}")
            connection.execute(
                f"CREATE INDEX IF NOT EXISTS {index} ON {quote(obj.table)} ({quote(field.name)})"
            )


def create_object_tables(connection: sqlite3.Connection, schema: OrgSchema) -> None:
    for obj in schema.objects.values():
        create_object_table(connection, obj)
