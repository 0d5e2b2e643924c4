"""Candidate values: every non-empty value every source record offers for every golden field of its entity.

One row per (golden id, field, source record), with what survivorship ranks by (system rank in the field's
class, change time, deletion), whether the value is one the field takes at all (`passes`: its checks hold and its
system is not ignored for the field) and whether it may win (`usable`: it passes and the quality layer has not
quarantined it).
"""

from __future__ import annotations

import duckdb

from ..matching.store import XREF
from ..warehouse.quarantine import VALUES_VIEW as QUARANTINED_VALUES
from .checks import field_valid_sql
from .matrix import EntityType, FieldRule, SystemOfRecord

CANDIDATES = "sfsync_candidates"
STAGED_TABLES = {"person": "staged.person", "organization": "staged.organization"}


def build_candidates(
    connection: duckdb.DuckDBPyConnection, entity_type: EntityType, matrix: SystemOfRecord
) -> str:
    """Materialise the candidates of `entity_type` into a temporary table; returns its name."""
    records = _records_sql(entity_type)
    selects = [
        _field_sql(matrix, entity_type, field_name, rule)
        for field_name, rule in matrix.fields[entity_type].items()
    ]
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {CANDIDATES} AS
        WITH records AS ({records}),
        offered AS ({" UNION ALL ".join(selects)})
        SELECT offered.* EXCLUDE (staged_field),
               passes AND NOT {_quarantined_sql(connection, entity_type)} AS usable
        FROM offered
        """
    )
    return CANDIDATES


def _records_sql(entity_type: EntityType) -> str:
    """Staged rows of records that belong to an entity, with their golden id (and, for persons, the golden id
    of the organization each record points to)."""
    organization = ""
    if entity_type == "person":
        organization = f"""
            LEFT JOIN {XREF} AS employer ON employer.entity_type = 'organization' AND employer.is_active
                 AND employer.source_key = s.organization_source_key"""
    employer_id = "employer.golden_id" if entity_type == "person" else "NULL::VARCHAR"
    return f"""
        SELECT x.golden_id, s.*, coalesce(s.is_deleted, false) AS deleted, {employer_id} AS organization_golden_id
        FROM {STAGED_TABLES[entity_type]} AS s
        JOIN {XREF} AS x ON x.entity_type = '{entity_type}' AND x.is_active AND x.source_key = s.source_key
        {organization}
    """


def _field_sql(matrix: SystemOfRecord, entity_type: EntityType, field_name: str, rule: FieldRule) -> str:
    source = rule.derived or field_name
    value = f'trim(CAST("{source}" AS VARCHAR))'
    systems = {system for members in matrix.system_groups.values() for system in members}
    systems |= {system for order in matrix.classes.values() for system in order}
    rank = " ".join(
        f"WHEN '{system}' THEN {matrix.rank(rule.field_class, system)}" for system in sorted(systems)
    )
    group = " ".join(f"WHEN '{system}' THEN '{matrix.group_of(system)}'" for system in sorted(systems))
    ignored = " OR ".join(
        f"source_system || ':' || source_object = '{item}'" if ":" in item else f"source_system = '{item}'"
        for item in rule.ignore
    )
    return f"""
        SELECT golden_id, '{field_name}' AS field, '{source}' AS staged_field, value, source_key,
               source_system, source_object, source_id,
               source_updated_at, deleted,
               CASE source_system {group} ELSE source_system END AS system_group,
               CASE source_system {rank} ELSE 99 END AS system_rank,
               ({field_valid_sql(rule)}) AND NOT ({ignored or "false"}) AS passes
        FROM (SELECT *, {value} AS value FROM records)
        WHERE value IS NOT NULL AND value <> ''
    """


def _quarantined_sql(connection: duckdb.DuckDBPyConnection, entity_type: EntityType) -> str:
    """Condition true for a candidate whose staged value the quality layer quarantined (and did not resolve):
    an emptied value cannot offer itself, but a repaired one still wrong at the source must not win either."""
    exists = connection.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema || '.' || table_name = ?",
        [QUARANTINED_VALUES],
    ).fetchall()[0][0]
    if not exists:
        return "false"
    return f"""EXISTS (
        SELECT 1 FROM {QUARANTINED_VALUES} AS q
        WHERE q.source_key = offered.source_key AND q.entity = '{entity_type}' AND q.field = offered.staged_field)"""
