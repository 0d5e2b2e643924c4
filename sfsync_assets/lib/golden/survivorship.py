"""Survivorship: one golden record per entity, each field taken from the source value the matrix ranks first.

`golden.<entity type>` holds the values (Salesforce field names, canonical types); `golden.provenance` says for
every golden field where the value came from (source record, system, object, change time) and why it won
(the rule, how many usable candidates competed, how many values were refused).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from ..matching.store import XREF
from .candidates import CANDIDATES, build_candidates
from .matrix import MOST_CORROBORATED, MOST_RESTRICTIVE, EntityType, FieldRule, SystemOfRecord

GOLDEN_TABLES = {"person": "golden.person", "organization": "golden.organization"}
PROVENANCE = "golden.provenance"
RANKED = "sfsync_ranked"


@dataclass(frozen=True)
class GoldenReport:
    entity_type: EntityType
    records: int
    fields_filled: dict[str, int]
    values_refused: int


def rule_text(matrix: SystemOfRecord, rule: FieldRule) -> str:
    text = f"{rule.field_class}: {' > '.join(matrix.classes[rule.field_class])}, newest record first"
    if rule.prefer == MOST_CORROBORATED:
        text = "value held by most records first; then " + text
    if rule.prefer == MOST_RESTRICTIVE:
        text = "true (opted out) in any record wins; then " + text
    if rule.ignore:
        text += f"; never from {', '.join(rule.ignore)}"
    return text


def build_golden(
    connection: duckdb.DuckDBPyConnection, entity_type: EntityType, matrix: SystemOfRecord, run_id: str
) -> GoldenReport:
    """(Re)build `golden.<entity type>` and its rows of `golden.provenance`."""
    rank_candidates(connection, entity_type, matrix)
    connection.execute("CREATE SCHEMA IF NOT EXISTS golden")
    _write_golden(connection, entity_type, matrix, run_id)
    _write_provenance(connection, entity_type, matrix, run_id)
    table = GOLDEN_TABLES[entity_type]
    filled = connection.execute(
        "SELECT " + ", ".join(f'count("{name}")' for name in matrix.fields[entity_type]) + f" FROM {table}"
    ).fetchall()[0]
    return GoldenReport(
        entity_type=entity_type,
        records=connection.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0],
        fields_filled=dict(zip(matrix.fields[entity_type], filled, strict=True)),
        values_refused=connection.execute(f"SELECT count(*) FROM {CANDIDATES} WHERE NOT usable").fetchall()[
            0
        ][0],
    )


def rank_candidates(
    connection: duckdb.DuckDBPyConnection, entity_type: EntityType, matrix: SystemOfRecord
) -> str:
    """Collect the candidates and order the usable ones of each (entity, field): deleted records last, then an
    opt-out before anything else where the most restrictive value wins, then the matrix; position 1 wins.
    Returns the temporary table of ranked candidates."""
    build_candidates(connection, entity_type, matrix)
    rules = matrix.fields[entity_type].items()
    corroborated = [name for name, rule in rules if rule.prefer == MOST_CORROBORATED]
    restrictive = [name for name, rule in rules if rule.prefer == MOST_RESTRICTIVE]
    support = f"CASE WHEN field IN ({_names(corroborated)}) THEN -support ELSE 0 END"
    restriction = f"CASE WHEN field IN ({_names(restrictive)}) AND lower(value) = 'true' THEN 0 ELSE 1 END"
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {RANKED} AS
        SELECT *,
               row_number() OVER (PARTITION BY golden_id, field ORDER BY deleted, {restriction}, {support}, system_rank,
                                  source_updated_at DESC NULLS LAST, source_key) AS position,
               count(*) OVER (PARTITION BY golden_id, field) AS competing
        FROM (SELECT *, count(*) OVER (PARTITION BY golden_id, field, value) AS support
              FROM {CANDIDATES} WHERE usable)
        """
    )
    return RANKED


def _names(names: list[str]) -> str:
    return ", ".join(f"'{name}'" for name in names) or "NULL"


def _write_golden(
    connection: duckdb.DuckDBPyConnection, entity_type: EntityType, matrix: SystemOfRecord, run_id: str
) -> None:
    columns = ",\n".join(
        f"TRY_CAST(max(w.value) FILTER (WHERE w.field = '{name}') AS {matrix.sql_type(entity_type, name)}) "
        f'AS "{name}"'
        for name in matrix.fields[entity_type]
    )
    connection.execute(
        f"""
        CREATE OR REPLACE TABLE {GOLDEN_TABLES[entity_type]} AS
        WITH entities AS (
            SELECT golden_id, count(*) AS source_records, list(DISTINCT source_system ORDER BY source_system)
                   AS source_systems
            FROM {XREF} WHERE entity_type = '{entity_type}' AND is_active GROUP BY golden_id
        ),
        deletion AS (
            SELECT golden_id, bool_and(deleted) AS is_deleted, max(source_updated_at) AS source_updated_at
            FROM {CANDIDATES} GROUP BY golden_id
        )
        SELECT e.golden_id,
               {columns},
               e.source_records, e.source_systems,
               coalesce(d.is_deleted, false) AS is_deleted,
               d.source_updated_at,
               ? AS built_run_id,
               ?::TIMESTAMPTZ AS built_at
        FROM entities AS e
        LEFT JOIN (SELECT * FROM {RANKED} WHERE position = 1) AS w USING (golden_id)
        LEFT JOIN deletion AS d USING (golden_id)
        GROUP BY ALL
        ORDER BY e.golden_id
        """,
        [run_id, datetime.now(UTC)],
    )


def _write_provenance(
    connection: duckdb.DuckDBPyConnection, entity_type: EntityType, matrix: SystemOfRecord, run_id: str
) -> None:
    rules = " ".join(
        "WHEN '{}' THEN '{}'".format(name, rule_text(matrix, rule).replace("'", "''"))
        for name, rule in matrix.fields[entity_type].items()
    )
    connection.execute(
        f"""
        CREATE TABLE IF NOT EXISTS {PROVENANCE} (
            entity_type VARCHAR, golden_id VARCHAR, field VARCHAR, value VARCHAR, source_key VARCHAR,
            source_system VARCHAR, source_object VARCHAR, source_updated_at TIMESTAMPTZ, rule VARCHAR,
            competing BIGINT, refused BIGINT, built_run_id VARCHAR
        )
        """
    )
    connection.execute(f"DELETE FROM {PROVENANCE} WHERE entity_type = ?", [entity_type])
    connection.execute(
        f"""
        INSERT INTO {PROVENANCE}
        SELECT ?, w.golden_id, w.field, w.value, w.source_key, w.source_system, w.source_object,
               w.source_updated_at, CASE w.field {rules} END, w.competing, coalesce(r.refused, 0), ?
        FROM {RANKED} AS w
        LEFT JOIN (SELECT golden_id, field, count(*) AS refused FROM {CANDIDATES} WHERE NOT usable GROUP BY ALL) AS r
             USING (golden_id, field)
        WHERE w.position = 1
        """,
        [entity_type, run_id],
    )
