"""The identity tables in DuckDB: what was matched, the links found, and the golden ids with their history.

| table | one row per | purpose |
|---|---|---|
| `identity.<type>_features` | source record | the features as last matched; a changed fingerprint means "score again" |
| `identity.<type>_matches` | linked pair | every accepted link, with the rule(s), probability and agreeing features |
| `identity.pending` | record | records whose links changed since the last clustering (new, changed, removed) |
| `identity.match_runs` | run and type | counts of each matching run and the model it used (a new model rescores all) |
| `identity.xref` | source record | source_key → golden_id, the evidence that put it there, first/last seen |
| `identity.golden_ids` | golden id | every id ever issued: active, merged (into which) or retired |
| `identity.id_history` | event | issued, merged, split, retired: which ids, which records, and why |
"""

from __future__ import annotations

import duckdb

from .settings import EntityType


def features_table(entity_type: EntityType) -> str:
    return f"identity.{entity_type}_features"


def matches_table(entity_type: EntityType) -> str:
    return f"identity.{entity_type}_matches"


PENDING = "identity.pending"
MATCH_RUNS = "identity.match_runs"
XREF = "identity.xref"
GOLDEN_IDS = "identity.golden_ids"
ID_HISTORY = "identity.id_history"


def ensure_identity_tables(
    connection: duckdb.DuckDBPyConnection, entity_type: EntityType, features: str
) -> None:
    """Create the identity tables that do not exist yet; `features` is a table of the current feature rows
    whose shape the stored features copy."""
    connection.execute("CREATE SCHEMA IF NOT EXISTS identity")
    connection.execute(
        f"""
        CREATE TABLE IF NOT EXISTS {features_table(entity_type)} AS
            SELECT *, NULL::VARCHAR AS matched_run_id FROM {features} WHERE false;
        CREATE TABLE IF NOT EXISTS {matches_table(entity_type)} (
            source_key_l VARCHAR NOT NULL,
            source_key_r VARCHAR NOT NULL,
            rule VARCHAR NOT NULL,               -- 'model', a deterministic rule, or several joined by '+'
            match_probability DOUBLE NOT NULL,   -- 1.0 for deterministic links
            match_weight DOUBLE,                 -- the model's log2 Bayes factor (NULL if only rules linked)
            agreeing VARCHAR[],                  -- the model's features that spoke for the link
            matched_run_id VARCHAR NOT NULL,
            matched_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (source_key_l, source_key_r)
        );
        CREATE TABLE IF NOT EXISTS {PENDING} (
            entity_type VARCHAR NOT NULL,
            source_key VARCHAR NOT NULL,
            change VARCHAR NOT NULL,             -- new, changed, removed
            run_id VARCHAR NOT NULL,
            PRIMARY KEY (entity_type, source_key)
        );
        CREATE TABLE IF NOT EXISTS {MATCH_RUNS} (
            run_id VARCHAR NOT NULL,
            entity_type VARCHAR NOT NULL,
            mode VARCHAR NOT NULL,               -- full or incremental
            model_version VARCHAR NOT NULL,
            records BIGINT NOT NULL,
            new_records BIGINT NOT NULL,
            changed_records BIGINT NOT NULL,
            removed_records BIGINT NOT NULL,
            links_added BIGINT NOT NULL,
            links_removed BIGINT NOT NULL,
            matched_at TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE IF NOT EXISTS {XREF} (
            entity_type VARCHAR NOT NULL,
            source_key VARCHAR NOT NULL,
            source_system VARCHAR NOT NULL,
            source_object VARCHAR NOT NULL,
            source_id VARCHAR NOT NULL,
            golden_id VARCHAR NOT NULL,
            match_probability DOUBLE,            -- strongest link of the record inside its entity
            match_rule VARCHAR NOT NULL,         -- rule of that link; 'single' when the record stands alone
            is_active BOOLEAN NOT NULL,          -- still present in the staged table
            first_seen_at TIMESTAMPTZ NOT NULL,
            last_seen_at TIMESTAMPTZ NOT NULL,
            first_seen_run_id VARCHAR NOT NULL,
            last_seen_run_id VARCHAR NOT NULL,
            assigned_run_id VARCHAR NOT NULL,    -- the run that last changed this record's golden id
            PRIMARY KEY (entity_type, source_key)
        );
        CREATE TABLE IF NOT EXISTS {GOLDEN_IDS} (
            golden_id VARCHAR PRIMARY KEY,
            entity_type VARCHAR NOT NULL,
            status VARCHAR NOT NULL,             -- active, merged, retired
            merged_into VARCHAR,
            issued_at TIMESTAMPTZ NOT NULL,
            issued_run_id VARCHAR NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL,
            updated_run_id VARCHAR NOT NULL
        );
        CREATE TABLE IF NOT EXISTS {ID_HISTORY} (
            run_id VARCHAR NOT NULL,
            occurred_at TIMESTAMPTZ NOT NULL,
            entity_type VARCHAR NOT NULL,
            event VARCHAR NOT NULL,              -- issued, merged, split, retired
            golden_id VARCHAR NOT NULL,          -- the id the event happened to
            other_golden_id VARCHAR,             -- merged: the survivor; split: where the records went
            source_keys VARCHAR[] NOT NULL,      -- the records concerned
            evidence VARCHAR NOT NULL            -- JSON: the links (or lost links) behind the event
        );
        """
    )
