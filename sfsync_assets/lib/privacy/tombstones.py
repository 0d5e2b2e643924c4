"""People who come back: an erased person's email turning up again in a later load is found by its hash.

A source sfsync cannot change (a legacy file dropped again, a record keyed in anew) may bring an erased person
back. Tombstones keep only keyed hashes, so every distinct cell shaped like an email is hashed the same way and
compared (in Python: DuckDB has no HMAC); each email found is filed as a new forget request, which erases the
person again everywhere.
"""

from __future__ import annotations

import duckdb

from .hashing import IdentifierHasher
from .register import EMAIL, FILED_ON_RETURN, ensure_tables, file_request
from .warehouse import quote_name, table_name, text_columns

# A whole cell shaped like one address: documents and lists holding one are not an email as filed.
_EMAIL_SHAPED = r"[^@\s\"{}\[\],;<>]+@[^@\s\"{}\[\],;<>]+"


def returning_emails(
    connection: duckdb.DuckDBPyConnection, keep: list[str], hasher: IdentifierHasher
) -> set[str]:
    """Emails anywhere in the warehouse (outside `keep` tables) whose hash is a tombstone."""
    ensure_tables(connection)
    tombstones = {
        row[0] for row in connection.execute("SELECT identifier_hash FROM privacy.tombstones").fetchall()
    }
    if not tombstones:
        return set()
    found: set[str] = set()
    for table, columns in text_columns(connection).items():
        if table in keep:
            continue
        for column in columns:
            cell = f"lower(trim(CAST({quote_name(column)} AS VARCHAR)))"
            rows = connection.execute(
                f"SELECT DISTINCT {cell} FROM {table_name(table)} WHERE regexp_full_match({cell}, ?)",
                [_EMAIL_SHAPED],
            ).fetchall()
            found |= {row[0] for row in rows if hasher(row[0]) in tombstones}
    return found


def file_returning(connection: duckdb.DuckDBPyConnection, keep: list[str], hasher: IdentifierHasher) -> int:
    """File a forget request for every erased person who came back; returns how many were filed."""
    emails = returning_emails(connection, keep, hasher)
    for email in sorted(emails):
        file_request(connection, EMAIL, email, hasher, filed_by=FILED_ON_RETURN)
    return len(emails)
