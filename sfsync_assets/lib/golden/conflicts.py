"""Conflicts: two systems holding different values for the same field of the same entity.

For every golden field that reports conflicts, each other system's own best value (its newest one that passes the
field's checks) is compared with the golden value; where they differ, both sides are listed with their source
records and change times, so a data steward can see which edit lost and fix it at the source. A value the quality
layer repaired and quarantined (a phone that lost its trunk zero) cannot win, but it is still that system's edit:
it is listed. Values are compared as numbers when
both are numbers, otherwise case-, space- and accent-insensitively.
"""

from __future__ import annotations

import duckdb

from .candidates import CANDIDATES
from .matrix import EntityType, SystemOfRecord
from .survivorship import rank_candidates

CONFLICTS = "golden.conflicts"
_COMPARABLE = (
    "coalesce(CAST(TRY_CAST({v} AS DOUBLE) AS VARCHAR), "
    "lower(strip_accents(regexp_replace(trim({v}), '\\s+', ' ', 'g'))))"
)


def build_conflicts(
    connection: duckdb.DuckDBPyConnection, entity_type: EntityType, matrix: SystemOfRecord, run_id: str
) -> int:
    """Replace the conflicts of `entity_type` in golden.conflicts; returns their count."""
    fields = [name for name, rule in matrix.fields[entity_type].items() if rule.conflicts]
    ranked = rank_candidates(connection, entity_type, matrix)
    connection.execute("CREATE SCHEMA IF NOT EXISTS golden")
    connection.execute(
        f"""
        CREATE TABLE IF NOT EXISTS {CONFLICTS} (
            entity_type VARCHAR, golden_id VARCHAR, field VARCHAR,
            golden_value VARCHAR, golden_system VARCHAR, golden_source_key VARCHAR, golden_updated_at TIMESTAMPTZ,
            other_value VARCHAR, other_system VARCHAR, other_source_key VARCHAR, other_updated_at TIMESTAMPTZ,
            detected_run_id VARCHAR
        )
        """
    )
    connection.execute(f"DELETE FROM {CONFLICTS} WHERE entity_type = ?", [entity_type])
    if not fields:
        return 0
    field_list = ", ".join(f"'{name}'" for name in fields)
    connection.execute(
        f"""
        INSERT INTO {CONFLICTS}
        WITH system_best AS (
            SELECT * FROM (
                SELECT *, row_number() OVER (PARTITION BY golden_id, field, system_group
                                             ORDER BY source_updated_at DESC NULLS LAST, source_key) AS n
                FROM {CANDIDATES} WHERE passes AND NOT deleted AND field IN ({field_list}))
            WHERE n = 1
        )
        SELECT ?, w.golden_id, w.field, w.value, w.source_system, w.source_key, w.source_updated_at,
               o.value, o.source_system, o.source_key, o.source_updated_at, ?
        FROM {ranked} AS w
        JOIN system_best AS o ON o.golden_id = w.golden_id AND o.field = w.field AND o.system_group <> w.system_group
        WHERE w.position = 1 AND {_COMPARABLE.format(v="w.value")} <> {_COMPARABLE.format(v="o.value")}
        ORDER BY w.golden_id, w.field, o.system_group
        """,
        [entity_type, run_id],
    )
    return connection.execute(
        f"SELECT count(*) FROM {CONFLICTS} WHERE entity_type = ?", [entity_type]
    ).fetchall()[0][0]
