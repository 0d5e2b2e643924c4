"""One matching run: find the links of new and changed records, keep every other link as it was.

The staged records' features are compared with those stored by the previous run: new and changed records are
scored against all records (deterministic rules, then the model), links of changed and removed records are
dropped, and every record whose links may have changed is queued in `identity.pending` for clustering. A new
model or new matching settings (a different `model_version`) rescore everything once.

Some changes only add links, and only through the deterministic rules: a record that gained an identifier the
model does not compare (the `Golden_Id__c` or ERP id sfsync stamps on a Salesforce record) keeps its links and
the model's verdicts, and the rules run again for it (`relinked`); so does a record sfsync created in Salesforce
for an entity (the outbound audit knows it, its stamp names the entity's golden id), which joins that entity by
its stamp. Without this, every sync's own writes would send the records it wrote through the model again.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from ..config.files import config_version
from .deterministic import deterministic_pairs
from .features import FEATURE_COLUMNS, LINEAGE_FEATURES, CurrentFeatures, compute_features
from .models import MODEL_COLUMNS
from .scoring import blocking_rules, score_pairs
from .settings import MATCHING_DIR, NICKNAMES_FILE, SETTINGS_FILE, EntityType, MatchingSettings
from .stamps import created_by_sfsync_sql, created_for_entity_pairs_sql
from .store import MATCH_RUNS, PENDING, ensure_identity_tables, features_table, matches_table
from .training import training_facts_path

DELTA = "sfsync_delta"
SCORED = "sfsync_scored"
MODEL_RULE = "model"


@dataclass(frozen=True)
class LinkReport:
    entity_type: EntityType
    mode: str
    model_version: str
    records: int
    new_records: int  # new records scored
    changed_records: int  # changed records scored
    removed_records: int
    relinked_records: int  # new or changed records only the deterministic rules compared again (see above)
    links_added: int
    links_removed: int
    links_total: int
    links_by_rule: dict[str, int] = field(default_factory=dict)


def model_version(settings: MatchingSettings, entity_type: EntityType, model_dir: Path = MATCHING_DIR) -> str:
    """Changes whenever the saved model, the settings or the nickname table change ('untrained' without a
    model: matching then stops with ModelNotTrainedError)."""
    model = settings.model_path(entity_type, model_dir)
    if not model.exists():
        return "untrained"
    facts = training_facts_path(model)
    return config_version(model, *([facts] if facts.exists() else []), SETTINGS_FILE, NICKNAMES_FILE)


def update_links(
    connection: duckdb.DuckDBPyConnection,
    entity_type: EntityType,
    settings: MatchingSettings,
    run_id: str,
    *,
    model_dir: Path = MATCHING_DIR,
    full: bool = False,
) -> LinkReport:
    version = model_version(settings, entity_type, model_dir)
    stored = features_table(entity_type)
    reusable = not full and _stored_features_match(connection, entity_type, version)
    features = compute_features(
        connection, entity_type, settings, NICKNAMES_FILE, reuse=stored if reusable else None
    )
    current = features.relation
    ensure_identity_tables(connection, entity_type, current)
    links_before = _count(connection, matches_table(entity_type))
    if not reusable:
        full = True
        _forget_links(connection, entity_type, current)
    rules = settings.entity(entity_type).deterministic_rules
    changes = _changes(connection, entity_type, features, full, _added_identifiers(entity_type, rules))
    delta = current if full else DELTA
    _drop_links(connection, entity_type)
    det = deterministic_pairs(connection, rules, current, None if full else DELTA)
    if not full:
        created = "(SELECT source_key FROM sfsync_changes WHERE change = 'new' AND relinked)"
        connection.execute(f"INSERT INTO {det} {created_for_entity_pairs_sql(entity_type, current, created)}")
    scored = current if full else SCORED
    records = _count(connection, current)
    model_links = _model_links(connection, entity_type, settings, model_dir, current, records, scored, full)
    links_added, by_rule = _store_links(connection, entity_type, det, model_links, run_id)
    _store_features(connection, entity_type, features, delta, run_id)
    _queue(connection, entity_type, run_id)
    links_total = _count(connection, matches_table(entity_type))
    report = LinkReport(
        entity_type=entity_type,
        mode="full" if full else "incremental",
        model_version=version,
        records=records,
        new_records=changes["new"],
        changed_records=changes["changed"],
        removed_records=changes["removed"],
        relinked_records=changes["relinked"],
        links_added=links_added,
        links_removed=links_before - (links_total - links_added),
        links_total=links_total,
        links_by_rule=by_rule,
    )
    _log(connection, report, run_id)
    features.drop(connection)
    connection.execute(
        f"DROP TABLE IF EXISTS {DELTA}; DROP TABLE IF EXISTS {SCORED}; "
        f"DROP TABLE sfsync_changes; DROP TABLE {det}; "
        "DROP TABLE sfsync_new_links; DROP TABLE IF EXISTS sfsync_known"
    )
    return report


def _count(connection: duckdb.DuckDBPyConnection, table: str) -> int:
    return connection.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


def _stored_features_match(
    connection: duckdb.DuckDBPyConnection, entity_type: EntityType, version: str
) -> bool:
    """Whether the stored features are this model's and of today's shape: only then are they reused, and only
    the changed records scored (otherwise the run is a full one)."""
    stored = features_table(entity_type).split(".")
    columns = [
        row[0]
        for row in connection.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = ? AND table_name = ? "
            "ORDER BY column_index",
            stored,
        ).fetchall()
    ]
    expected = [*FEATURE_COLUMNS[entity_type], "source_hash", "fingerprint", "matched_run_id"]
    return columns == expected and _last_version(connection, entity_type) == version


def _last_version(connection: duckdb.DuckDBPyConnection, entity_type: EntityType) -> str | None:
    rows = connection.execute(
        f"SELECT model_version FROM {MATCH_RUNS} WHERE entity_type = ? ORDER BY matched_at DESC LIMIT 1",
        [entity_type],
    ).fetchall()
    return rows[0][0] if rows else None


def _forget_links(connection: duckdb.DuckDBPyConnection, entity_type: EntityType, current: str) -> None:
    """Before a full run: every current record counts as changed, and no link survives."""
    stored = features_table(entity_type)
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE sfsync_known AS SELECT source_key FROM {stored};
        CREATE OR REPLACE TABLE {stored} AS SELECT *, NULL::VARCHAR AS matched_run_id FROM {current} WHERE false;
        INSERT INTO {stored} (source_key) SELECT source_key FROM sfsync_known;
        DELETE FROM {matches_table(entity_type)};
        """
    )


def _added_identifiers(entity_type: EntityType, rules: list) -> list[str]:
    """Features only the deterministic rules join on (the model never compares them): a record that gains one
    of these, and changes nothing else, can only gain links."""
    joined = {column for rule in rules for column in rule.join_on}
    return sorted(joined - set(MODEL_COLUMNS[entity_type]) - set(LINEAGE_FEATURES))


def _changes(
    connection: duckdb.DuckDBPyConnection,
    entity_type: EntityType,
    features: CurrentFeatures,
    full: bool,
    added_identifiers: list[str],
) -> Counter:
    """Fill the changes table (source_key, change, relinked) and, unless every record is scored (`full`), the
    delta table of the new and changed records' features and the scored table of those the model compares
    again; count the scored new and changed records, the removed ones and the relinked ones. When features were
    reused, only the touched records (recomputed or gone) are compared: every other current record is its stored
    features."""
    stored, current = features_table(entity_type), features.relation
    if features.touched is not None:
        current = features.recomputed
        stored = f"(SELECT * FROM {stored} SEMI JOIN {features.touched} USING (source_key))"
    kept = [column for column in FEATURE_COLUMNS[entity_type] if column not in added_identifiers]
    unchanged = " AND ".join(
        [f"c.{column} IS NOT DISTINCT FROM s.{column}" for column in kept]
        + [f"(s.{column} IS NULL OR s.{column} = c.{column})" for column in added_identifiers]
    )
    created = created_by_sfsync_sql(connection, entity_type, "c")
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE sfsync_changes AS
            SELECT coalesce(c.source_key, s.source_key) AS source_key,
                   CASE WHEN s.source_key IS NULL THEN 'new'
                        WHEN c.source_key IS NULL THEN 'removed'
                        ELSE 'changed' END AS change,
                   NOT {full} AND CASE WHEN s.source_key IS NULL THEN {created}
                                       WHEN c.source_key IS NULL THEN false
                                       ELSE {unchanged} END AS relinked
            FROM {current} AS c FULL JOIN {stored} AS s USING (source_key)
            WHERE c.fingerprint IS DISTINCT FROM s.fingerprint
        """
    )
    if not full:
        connection.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE {DELTA} AS SELECT c.* FROM {current} AS c
            JOIN sfsync_changes USING (source_key) WHERE change <> 'removed';
            CREATE OR REPLACE TEMP TABLE {SCORED} AS SELECT d.* FROM {DELTA} AS d
            SEMI JOIN sfsync_changes AS r ON r.source_key = d.source_key AND NOT r.relinked
            """
        )
    return Counter(
        dict(
            connection.execute(
                "SELECT CASE WHEN relinked THEN 'relinked' ELSE change END, count(*) FROM sfsync_changes "
                "GROUP BY ALL"
            ).fetchall()
        )
    )


def _drop_links(connection: duckdb.DuckDBPyConnection, entity_type: EntityType) -> None:
    """Remove the links of changed and removed records; they are scored again (or not at all). A relinked record
    keeps its links: it can only gain some."""
    matches = matches_table(entity_type)
    dropped = "SELECT source_key FROM sfsync_changes WHERE change <> 'new' AND NOT relinked"
    connection.execute(
        f"DELETE FROM {matches} WHERE source_key_l IN ({dropped}) OR source_key_r IN ({dropped})"
    )


def _model_links(
    connection: duckdb.DuckDBPyConnection,
    entity_type: EntityType,
    settings: MatchingSettings,
    model_dir: Path,
    current: str,
    population: int,
    delta: str,
    full: bool,
) -> pa.Table | None:
    """The model's links of the records in `delta` (all `population` records of `current` when `full`)."""
    if _count(connection, delta) == 0 or population < 2:
        return None
    options = settings.entity(entity_type)
    model_path = settings.model_path(entity_type, model_dir)
    columns = ", ".join(MODEL_COLUMNS[entity_type])
    if full:
        records = connection.sql(f"SELECT {columns} FROM {current}").to_arrow_table()
        delta_keys = None
    else:
        partners = _blocking_partners(model_path, current, delta)
        records = connection.sql(
            f"SELECT {columns} FROM {current} WHERE source_key IN ({partners})"
        ).to_arrow_table()
        delta_keys = connection.sql(f"SELECT source_key FROM {delta}").to_arrow_table()["source_key"]
    return score_pairs(
        records,
        entity_type,
        model_path,
        options.match_threshold,
        options.min_agreeing_features,
        delta_keys,
        population=population,
    )


def _blocking_partners(model_path: Path, current: str, delta: str) -> str:
    """SQL for the keys of the delta records and of every record one of the model's blocking rules pairs with a
    delta record (either side of the rule): only these can be in a pair the model scores, so only these leave
    the warehouse for Splink."""
    partners = [f"SELECT source_key FROM {delta}"]
    for rule in blocking_rules(model_path):
        partners.append(f"SELECT l.source_key FROM {current} AS l SEMI JOIN {delta} AS r ON ({rule})")
        partners.append(f"SELECT r.source_key FROM {current} AS r SEMI JOIN {delta} AS l ON ({rule})")
    return " UNION ".join(partners)


def _store_links(
    connection: duckdb.DuckDBPyConnection,
    entity_type: EntityType,
    deterministic: str,
    model_links: pa.Table | None,
    run_id: str,
) -> tuple[int, dict[str, int]]:
    """Insert the new links, one row per pair with every rule that found it (a relinked record's pair keeps the
    rules that found it before, and is left alone if no rule is new); returns (pairs added, new findings per
    rule)."""
    model_select = (
        f"SELECT source_key_l, source_key_r, '{MODEL_RULE}' AS rule, match_probability, match_weight, agreeing "
        "FROM sfsync_model_links"
    )
    if model_links is None:
        model_select += " WHERE false"
        model_links = pa.table(
            {
                "source_key_l": [],
                "source_key_r": [],
                "match_probability": [],
                "match_weight": [],
                "agreeing": pa.array([], pa.list_(pa.string())),
            }
        )
    matches = matches_table(entity_type)
    connection.register("sfsync_model_links", model_links)
    try:
        connection.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE sfsync_new_links AS
            WITH found AS (
                SELECT source_key_l, source_key_r, rule, 1.0 AS match_probability, NULL::DOUBLE AS match_weight,
                       NULL::VARCHAR[] AS agreeing
                FROM {deterministic}
                UNION ALL {model_select}
            ),
            known AS (
                SELECT m.source_key_l, m.source_key_r, unnest(string_split(m.rule, '+')) AS rule,
                       m.match_probability, m.match_weight, m.agreeing
                FROM {matches} AS m SEMI JOIN found USING (source_key_l, source_key_r)
            )
            SELECT source_key_l, source_key_r,
                   string_agg(DISTINCT rule, '+' ORDER BY rule) AS rule,
                   max(match_probability) AS match_probability,
                   max(match_weight) AS match_weight,
                   max(agreeing) AS agreeing
            FROM (SELECT * FROM found UNION ALL SELECT * FROM known)
            GROUP BY source_key_l, source_key_r
            """
        )
    finally:
        connection.unregister("sfsync_model_links")
    connection.execute(
        f"""
        DELETE FROM sfsync_new_links AS n USING {matches} AS m
        WHERE m.source_key_l = n.source_key_l AND m.source_key_r = n.source_key_r AND m.rule = n.rule
          AND m.match_probability = n.match_probability;
        """
    )
    added = connection.execute(
        f"SELECT count(*) FROM sfsync_new_links ANTI JOIN {matches} USING (source_key_l, source_key_r)"
    ).fetchall()[0][0]
    connection.execute(
        f"""
        INSERT OR REPLACE INTO {matches}
        SELECT *, ? AS matched_run_id, ? AS matched_at FROM sfsync_new_links
        """,
        [run_id, datetime.now(UTC)],
    )
    by_rule = dict(
        connection.execute(
            "SELECT rule, count(*) FROM (SELECT unnest(string_split(rule, '+')) AS rule FROM sfsync_new_links) "
            "GROUP BY rule ORDER BY rule"
        ).fetchall()
    )
    return added, by_rule


def _store_features(
    connection: duckdb.DuckDBPyConnection,
    entity_type: EntityType,
    features: CurrentFeatures,
    delta: str,
    run_id: str,
) -> None:
    """Store the features of the new and changed records, and the source hash of records whose source changed
    in ways the features ignore (so the next run does not compute them again)."""
    stored = features_table(entity_type)
    connection.execute(f"DELETE FROM {stored} WHERE source_key IN (SELECT source_key FROM sfsync_changes)")
    connection.execute(f"INSERT INTO {stored} SELECT *, ? FROM {delta}", [run_id])
    if features.touched is None:  # a full run stored every record just now
        return
    connection.execute(
        f"""
        UPDATE {stored} AS s SET source_hash = c.source_hash FROM {features.recomputed} AS c
        WHERE c.source_key = s.source_key AND c.source_hash <> s.source_hash
        """
    )


def _queue(connection: duckdb.DuckDBPyConnection, entity_type: EntityType, run_id: str) -> None:
    """Queue the records whose links changed; a record queued twice keeps its strongest change."""
    connection.execute(
        f"""
        INSERT INTO {PENDING} SELECT ?, source_key, change, ? FROM sfsync_changes
        ON CONFLICT (entity_type, source_key) DO UPDATE SET
            change = CASE WHEN {PENDING}.change = 'new' AND excluded.change = 'changed' THEN 'new'
                          ELSE excluded.change END,
            run_id = excluded.run_id
        """,
        [entity_type, run_id],
    )


def _log(connection: duckdb.DuckDBPyConnection, report: LinkReport, run_id: str) -> None:
    connection.execute(
        f"INSERT INTO {MATCH_RUNS} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            report.entity_type,
            report.mode,
            report.model_version,
            report.records,
            report.new_records,
            report.changed_records,
            report.removed_records,
            report.links_added,
            report.links_removed,
            datetime.now(UTC),
        ],
    )
