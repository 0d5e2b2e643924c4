"""People who come back: an erased person's email turning up again in a later load is found by its hash.

A source sfsync cannot change (a legacy file dropped again, a record keyed in anew) may bring an erased person
back. Tombstones keep only hashes, so every text cell that could be an email is hashed the same way and compared;
each email found is filed as a new forget request, which erases the person again everywhere.
"""

from __future__ import annotations

import duckdb

from .person import hash_sql
from .register import EMAIL, FILED_ON_RETURN, ensure_tables, file_request
from .warehouse import quote_name, table_name, text_columns


def returning_emails(connection: duckdb.DuckDBPyConnection, keep: list[str]) -> set[str]:
    """Emails anywhere in the warehouse (outside `keep` tables) whose hash is a tombstone."""
    ensure_tables(connection)
    if not connection.execute("SELECT count(*) FROM privacy.tombstones").fetchall()[0][0]:
        return set()
    found: set[str] = set()
    for table, columns in text_columns(connection).items():
        if table in keep:
            continue
        for column in columns:
            cell = quote_name(column)
            rows = connection.execute(
                f"SELECT DISTINCT lower(trim(CAST({cell} AS VARCHAR))) FROM {table_name(table)} "
                f"WHERE contains(CAST({cell} AS VARCHAR), '@') "
                f"AND {hash_sql(cell)} IN (SELECT identifier_hash FROM privacy.tombstones)"
            ).fetchall()
            found |= {row[0] for row in rows}
    return found


def file_returning(connection: duckdb.DuckDBPyConnection, keep: list[str]) -> int:
    """File a forget request for every erased person who came back; returns how many were filed."""
    emails = returning_emails(connection, keep)
    for email in sorted(emails):
        file_request(connection, EMAIL, email, filed_by=FILED_ON_RETURN)
    return len(emails)
