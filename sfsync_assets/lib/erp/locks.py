"""Recognising a DuckDB file held by another process, which dlt's duckdb destination reports without waiting."""

from __future__ import annotations

DUCKDB_LOCK_MESSAGE = "Could not set lock on file"


def is_duckdb_lock_error(error: BaseException | None) -> bool:
    """True when `error`, or any exception that caused it, is DuckDB refusing a file another process holds."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if DUCKDB_LOCK_MESSAGE in str(error):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False
