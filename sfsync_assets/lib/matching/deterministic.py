"""Deterministic links: pairs of records that share an identifier are the same entity, no model needed.

Each rule is an equi-join on feature columns plus an optional condition (`config/matching/settings.yaml`). In an
incremental run only pairs with at least one changed or new record are produced (`delta_table`).
"""

from __future__ import annotations

import duckdb

from .settings import DeterministicRule


def pairs_sql(rule: DeterministicRule, features_table: str, delta_table: str | None = None) -> str:
    """SELECT source_key_l, source_key_r, rule: one row per linked pair, the smaller key on the left."""
    equal = " AND ".join(f"l.{column} = r.{column}" for column in rule.join_on)
    condition = f" AND ({rule.where})" if rule.where else ""
    left = delta_table or features_table
    order = "l.source_key < r.source_key" if delta_table is None else "l.source_key <> r.source_key"
    return f"""
        SELECT DISTINCT least(l.source_key, r.source_key) AS source_key_l,
               greatest(l.source_key, r.source_key) AS source_key_r,
               '{rule.name}' AS rule
        FROM {left} AS l JOIN {features_table} AS r ON {equal} AND {order}{condition}
    """


def deterministic_pairs(
    connection: duckdb.DuckDBPyConnection,
    rules: list[DeterministicRule],
    features_table: str,
    delta_table: str | None = None,
) -> str:
    """Materialise every rule's pairs into a temporary table (a pair found by two rules appears twice, once per
    rule); returns its name."""
    table = "sfsync_deterministic_pairs"
    selects = [pairs_sql(rule, features_table, delta_table) for rule in rules]
    body = (
        " UNION ALL ".join(selects)
        if selects
        else (
            "SELECT NULL::VARCHAR AS source_key_l, NULL::VARCHAR AS source_key_r, NULL::VARCHAR AS rule WHERE false"
        )
    )
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {body}")
    return table
