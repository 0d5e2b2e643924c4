"""A fingerprint of every golden opt-out flag, so that the consent fast path runs when one changed, and only then.

Opt-out flags are the fields where the most restrictive value wins (`prefer: most_restrictive` in the matrix).
The golden asset reports the fingerprint as metadata; the consent sensor compares it without opening DuckDB.
"""

from __future__ import annotations

import duckdb

from .matrix import MOST_RESTRICTIVE, EntityType, SystemOfRecord
from .survivorship import GOLDEN_TABLES


def consent_fields(matrix: SystemOfRecord, entity_type: EntityType) -> list[str]:
    return [
        name for name, rule in matrix.fields.get(entity_type, {}).items() if rule.prefer == MOST_RESTRICTIVE
    ]


def consent_version(
    connection: duckdb.DuckDBPyConnection, entity_type: EntityType, matrix: SystemOfRecord
) -> str | None:
    """md5 of (golden id, flags) of every live golden record, in golden id order; None without opt-out fields."""
    fields = consent_fields(matrix, entity_type)
    if not fields:
        return None
    flags = " || '|' || ".join(f"coalesce(CAST(\"{name}\" AS VARCHAR), '')" for name in fields)
    return connection.execute(
        f"SELECT md5(coalesce(string_agg(golden_id || '|' || {flags}, ',' ORDER BY golden_id), '')) "
        f"FROM {GOLDEN_TABLES[entity_type]} WHERE NOT coalesce(is_deleted, false)"
    ).fetchall()[0][0]
