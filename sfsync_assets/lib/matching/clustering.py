"""Clustering: turn the links into entities with stable golden ids, touching only what the last matching changed.

The records queued in `identity.pending` and every entity they belonged to or now link into are regrouped
(connected components over their links); all other entities keep their records and ids untouched. The outcome
lands in `identity.xref` (record → golden id, with the strongest link that holds it there), the id registry
`identity.golden_ids`, and `identity.id_history` (issued, merged, split, retired, with the links as evidence).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count

import duckdb
import pandas as pd

from .golden_ids import IdEvent, assign_golden_ids
from .graph import components
from .links import MODEL_RULE
from .settings import EntityType, MatchingSettings
from .store import GOLDEN_IDS, ID_HISTORY, PENDING, XREF, features_table, matches_table

SINGLE = "single"


@dataclass(frozen=True)
class ClusterReport:
    entity_type: EntityType
    regrouped_records: int
    entities: int
    records: int
    events: Counter = field(default_factory=Counter)
    size_distribution: dict[str, int] = field(default_factory=dict)


def update_clusters(
    connection: duckdb.DuckDBPyConnection, entity_type: EntityType, settings: MatchingSettings, run_id: str
) -> ClusterReport:
    now = datetime.now(UTC)
    nodes, removed = _regroup_scope(connection, entity_type)
    links = _links_among(connection, entity_type)
    component = components(nodes["source_key"], links["source_key_l"], links["source_key_r"])
    del links
    previous = nodes.set_index("source_key")["golden_id"]
    stamped = nodes.set_index("source_key")["stamped_id"]
    assignment = assign_golden_ids(
        component,
        previous,
        stamped,
        _issue_order(connection),
        _new_ids(connection, settings.entity(entity_type).id_prefix),
        _stamps_in_use_elsewhere(connection, set(stamped.dropna()), set(previous.dropna())),
    )
    events = _with_evidence(connection, entity_type, assignment.events, removed)
    kept = set(assignment.golden_ids) | {event.golden_id for event in events if event.event == "merged"}
    events += _retirements(removed, kept)
    _write_xref(connection, entity_type, assignment.golden_ids, run_id, now)
    _mark_removed(connection, entity_type, list(removed))
    _mark_seen(connection, entity_type, run_id, now)
    _write_registry(connection, entity_type, events, run_id, now)
    _write_history(connection, entity_type, events, run_id, now)
    connection.execute(f"DELETE FROM {PENDING} WHERE entity_type = ?", [entity_type])
    return _report(connection, entity_type, len(nodes), events)


def _regroup_scope(
    connection: duckdb.DuckDBPyConnection, entity_type: EntityType
) -> tuple[pd.DataFrame, dict[str, str | None]]:
    """The records to regroup (source_key, golden_id before, stamped id), and the removed records with the golden
    id they had. The records are also left in the temporary table `sfsync_regrouped` (source_key)."""
    matches = matches_table(entity_type)
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE sfsync_touched_ids AS
        WITH pending AS (SELECT source_key FROM {PENDING} WHERE entity_type = '{entity_type}'),
        neighbours AS (
            SELECT source_key FROM pending
            UNION SELECT source_key_r FROM {matches} WHERE source_key_l IN (SELECT source_key FROM pending)
            UNION SELECT source_key_l FROM {matches} WHERE source_key_r IN (SELECT source_key FROM pending)
        )
        SELECT DISTINCT golden_id FROM {XREF}
        WHERE entity_type = '{entity_type}' AND source_key IN (SELECT source_key FROM neighbours)
        """
    )
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE sfsync_regrouped AS
        SELECT f.source_key, x.golden_id, f.golden_id AS stamped_id
        FROM {features_table(entity_type)} AS f
        LEFT JOIN {XREF} AS x ON x.entity_type = '{entity_type}' AND x.source_key = f.source_key
        WHERE f.source_key IN (SELECT source_key FROM {PENDING} WHERE entity_type = '{entity_type}')
           OR (x.is_active AND x.golden_id IN (SELECT golden_id FROM sfsync_touched_ids))
        ORDER BY f.source_key
        """
    )
    nodes = connection.sql("SELECT * FROM sfsync_regrouped").df()
    removed = dict(
        connection.execute(
            f"SELECT p.source_key, x.golden_id FROM {PENDING} AS p "
            f"LEFT JOIN {XREF} AS x ON x.entity_type = p.entity_type AND x.source_key = p.source_key "
            "WHERE p.entity_type = ? AND p.change = 'removed'",
            [entity_type],
        ).fetchall()
    )
    return nodes, removed


def _links_among(connection: duckdb.DuckDBPyConnection, entity_type: EntityType) -> pd.DataFrame:
    """The links between regrouped records, as key pairs only (a million links with their evidence would not
    fit beside the records; the evidence is read for the few that need it)."""
    return connection.sql(
        f"""
        SELECT m.source_key_l, m.source_key_r
        FROM {matches_table(entity_type)} AS m
        SEMI JOIN sfsync_regrouped AS l ON l.source_key = m.source_key_l
        SEMI JOIN sfsync_regrouped AS r ON r.source_key = m.source_key_r
        """
    ).df()


def _issue_order(connection: duckdb.DuckDBPyConnection) -> Callable[[str], tuple]:
    """Sort key of the ids being regrouped: issued earlier first (then by id)."""
    issued = dict(
        connection.execute(
            f"SELECT golden_id, epoch(issued_at) FROM {GOLDEN_IDS} "
            "WHERE golden_id IN (SELECT golden_id FROM sfsync_touched_ids)"
        ).fetchall()
    )
    return lambda golden_id: (issued.get(golden_id, float("inf")), golden_id)


def _new_ids(connection: duckdb.DuckDBPyConnection, prefix: str) -> Iterator[str]:
    last = connection.execute(
        f"SELECT max(TRY_CAST(split_part(golden_id, '-', 2) AS BIGINT)) FROM {GOLDEN_IDS} "
        "WHERE starts_with(golden_id, ?)",
        [prefix + "-"],
    ).fetchall()[0][0]
    return (f"{prefix}-{number:06d}" for number in count((last or 0) + 1))


def _stamps_in_use_elsewhere(
    connection: duckdb.DuckDBPyConnection, stamps: set[str], regrouped: set[str]
) -> set[str]:
    """Stamped ids the registry knows (active, merged or retired) outside the entities being regrouped."""
    known = connection.execute(
        f"SELECT golden_id FROM {GOLDEN_IDS} WHERE golden_id IN (SELECT unnest(?::VARCHAR[]))",
        [sorted(stamps)],
    ).fetchall()
    return {row[0] for row in known} - regrouped


def _with_evidence(
    connection: duckdb.DuckDBPyConnection,
    entity_type: EntityType,
    events: list[IdEvent],
    removed: dict[str, str | None],
) -> list[IdEvent]:
    """Attach the links behind each merge (links between the two former entities, directly or through new
    records) and the changes behind each split."""
    merged = [event for event in events if event.event == "merged"]
    links_of = _links_of(connection, entity_type, {key for event in merged for key in event.source_keys})
    enriched = []
    for event in events:
        if event.event == "merged":
            moved = set(event.source_keys)
            crossing = {
                (row["source_key_l"], row["source_key_r"]): row
                for key in moved
                for row in links_of[key]
                if (row["source_key_l"] in moved) != (row["source_key_r"] in moved)
            }
            evidence = {"links": [_link(row) for _, row in sorted(crossing.items())]}
        elif event.event == "split":
            gone = sorted(key for key, golden_id in removed.items() if golden_id == event.golden_id)
            evidence = {"moved": list(event.source_keys), "removed_records": gone}
        else:
            evidence = event.evidence
        enriched.append(
            IdEvent(event.event, event.golden_id, event.other_golden_id, event.source_keys, evidence)
        )
    return enriched


def _links_of(
    connection: duckdb.DuckDBPyConnection, entity_type: EntityType, keys: set[str]
) -> dict[str, list[dict]]:
    """Record → its links to other regrouped records (both ends), for the records in `keys`."""
    links_of: dict[str, list[dict]] = defaultdict(list)
    if not keys:
        return links_of
    rows = connection.execute(
        f"""
        SELECT m.source_key_l, m.source_key_r, m.rule, m.match_probability, m.agreeing
        FROM {matches_table(entity_type)} AS m
        SEMI JOIN sfsync_regrouped AS l ON l.source_key = m.source_key_l
        SEMI JOIN sfsync_regrouped AS r ON r.source_key = m.source_key_r
        WHERE m.source_key_l IN (SELECT unnest($keys::VARCHAR[]))
           OR m.source_key_r IN (SELECT unnest($keys::VARCHAR[]))
        """,
        {"keys": sorted(keys)},
    ).fetchall()
    for source_key_l, source_key_r, rule, probability, agreeing in rows:
        row = {
            "source_key_l": source_key_l,
            "source_key_r": source_key_r,
            "rule": rule,
            "match_probability": probability,
            "agreeing": agreeing,
        }
        links_of[source_key_l].append(row)
        links_of[source_key_r].append(row)
    return links_of


def _link(row: dict) -> dict:
    agreeing = row["agreeing"]
    return {
        "source_key_l": row["source_key_l"],
        "source_key_r": row["source_key_r"],
        "rule": row["rule"],
        "match_probability": round(float(row["match_probability"]), 6),
        "agreeing": list(agreeing) if agreeing is not None else [],
    }


def _retirements(removed: dict[str, str | None], still_used: set[str]) -> list[IdEvent]:
    """Ids whose records were all removed (and that no merge or regrouping kept)."""
    records_of: dict[str, list[str]] = defaultdict(list)
    for key, golden_id in sorted(removed.items()):
        if golden_id is not None and golden_id not in still_used:
            records_of[golden_id].append(key)
    return [
        IdEvent("retired", golden_id, None, tuple(keys), {"removed_records": keys})
        for golden_id, keys in sorted(records_of.items())
    ]


def _write_xref(
    connection: duckdb.DuckDBPyConnection,
    entity_type: EntityType,
    golden_ids: pd.Series,
    run_id: str,
    now: datetime,
) -> None:
    """Upsert each regrouped record's golden id with the strongest link to another record of its entity (the
    most probable; deterministic rules first), computed in DuckDB over every link of the regrouped records."""
    assigned = pd.DataFrame({"source_key": golden_ids.index, "golden_id": golden_ids.to_numpy()})
    connection.register("sfsync_assigned", assigned)
    try:
        connection.execute(
            f"""
            INSERT INTO {XREF} BY NAME
            WITH ends AS (
                SELECT source_key_l AS source_key, source_key_r AS other, rule, match_probability
                FROM {matches_table(entity_type)} SEMI JOIN sfsync_regrouped ON source_key = source_key_l
                UNION ALL
                SELECT source_key_r, source_key_l, rule, match_probability
                FROM {matches_table(entity_type)} SEMI JOIN sfsync_regrouped ON source_key = source_key_r
            ),
            strongest AS (
                SELECT e.source_key, arg_max(e.rule, (e.match_probability, e.rule <> '{MODEL_RULE}', e.other))
                           AS rule,
                       max(e.match_probability) AS match_probability
                FROM ends AS e
                JOIN sfsync_assigned AS a ON a.source_key = e.source_key
                JOIN sfsync_assigned AS b ON b.source_key = e.other AND b.golden_id = a.golden_id
                GROUP BY e.source_key
            )
            SELECT ? AS entity_type, f.source_key, f.source_system, f.source_object, f.source_id, a.golden_id,
                   s.match_probability, coalesce(s.rule, '{SINGLE}') AS match_rule,
                   true AS is_active, ?::TIMESTAMPTZ AS first_seen_at, ?::TIMESTAMPTZ AS last_seen_at,
                   ? AS first_seen_run_id, ? AS last_seen_run_id, ? AS assigned_run_id
            FROM sfsync_assigned AS a
            JOIN {features_table(entity_type)} AS f USING (source_key)
            LEFT JOIN strongest AS s USING (source_key)
            ON CONFLICT (entity_type, source_key) DO UPDATE SET
                assigned_run_id = CASE WHEN {XREF}.golden_id = excluded.golden_id THEN {XREF}.assigned_run_id
                                       ELSE excluded.assigned_run_id END,
                golden_id = excluded.golden_id,
                match_probability = excluded.match_probability,
                match_rule = excluded.match_rule,
                is_active = true,
                last_seen_at = excluded.last_seen_at,
                last_seen_run_id = excluded.last_seen_run_id
            """,
            [entity_type, now, now, run_id, run_id, run_id],
        )
    finally:
        connection.unregister("sfsync_assigned")


def _mark_removed(connection: duckdb.DuckDBPyConnection, entity_type: EntityType, removed: list[str]) -> None:
    """Records gone from the staged table keep their last golden id and last-seen time, flagged inactive."""
    if removed:
        connection.execute(
            f"UPDATE {XREF} SET is_active = false "
            "WHERE entity_type = ? AND source_key IN (SELECT unnest(?::VARCHAR[]))",
            [entity_type, removed],
        )


def _mark_seen(
    connection: duckdb.DuckDBPyConnection, entity_type: EntityType, run_id: str, now: datetime
) -> None:
    """Every record still staged was seen by this run, whether or not it was regrouped."""
    connection.execute(
        f"UPDATE {XREF} SET last_seen_at = ?, last_seen_run_id = ? WHERE entity_type = ? AND is_active",
        [now, run_id, entity_type],
    )


def _write_registry(
    connection: duckdb.DuckDBPyConnection,
    entity_type: EntityType,
    events: list[IdEvent],
    run_id: str,
    now: datetime,
) -> None:
    """Issued ids become active; merged and retired ids keep their row with the new status."""
    changes = pd.DataFrame(
        [
            (e.golden_id, e.event, e.other_golden_id)
            for e in events
            if e.event in ("issued", "merged", "retired")
        ],
        columns=["golden_id", "event", "merged_into"],
    )
    connection.register("sfsync_registry_changes", changes)
    try:
        connection.execute(
            f"""
            INSERT INTO {GOLDEN_IDS}
            SELECT golden_id, ?, 'active', NULL, ?::TIMESTAMPTZ, ?, ?::TIMESTAMPTZ, ?
            FROM sfsync_registry_changes WHERE event = 'issued'
            ON CONFLICT (golden_id) DO UPDATE SET status = 'active', merged_into = NULL,
                updated_at = excluded.updated_at, updated_run_id = excluded.updated_run_id
            """,
            [entity_type, now, run_id, now, run_id],
        )
        connection.execute(
            f"""
            UPDATE {GOLDEN_IDS} AS g SET status = c.event, merged_into = c.merged_into, updated_at = ?::TIMESTAMPTZ,
                updated_run_id = ?
            FROM sfsync_registry_changes AS c WHERE c.golden_id = g.golden_id AND c.event <> 'issued'
            """,
            [now, run_id],
        )
    finally:
        connection.unregister("sfsync_registry_changes")


def _write_history(
    connection: duckdb.DuckDBPyConnection,
    entity_type: EntityType,
    events: list[IdEvent],
    run_id: str,
    now: datetime,
) -> None:
    if not events:
        return
    frame = pd.DataFrame(
        {
            "run_id": run_id,
            "occurred_at": now,
            "entity_type": entity_type,
            "event": [event.event for event in events],
            "golden_id": [event.golden_id for event in events],
            "other_golden_id": [event.other_golden_id for event in events],
            "source_keys": [list(event.source_keys) for event in events],
            "evidence": [json.dumps(event.evidence, sort_keys=True) for event in events],
        }
    )
    connection.register("sfsync_events", frame)
    try:
        connection.execute(f"INSERT INTO {ID_HISTORY} BY NAME SELECT * FROM sfsync_events")
    finally:
        connection.unregister("sfsync_events")


def _report(
    connection: duckdb.DuckDBPyConnection, entity_type: EntityType, regrouped: int, events: list[IdEvent]
) -> ClusterReport:
    sizes = connection.execute(
        f"""
        SELECT CASE WHEN n = 1 THEN '1' WHEN n = 2 THEN '2' WHEN n <= 5 THEN '3-5' WHEN n <= 10 THEN '6-10'
                    ELSE '>10' END AS size, count(*) AS entities, sum(n) AS records
        FROM (SELECT golden_id, count(*) AS n FROM {XREF} WHERE entity_type = ? AND is_active GROUP BY golden_id)
        GROUP BY size
        """,
        [entity_type],
    ).fetchall()
    order = ["1", "2", "3-5", "6-10", ">10"]
    distribution = {
        size: entities for size, entities, _ in sorted(sizes, key=lambda row: order.index(row[0]))
    }
    return ClusterReport(
        entity_type=entity_type,
        regrouped_records=regrouped,
        entities=sum(distribution.values()),
        records=int(sum(row[2] for row in sizes)),
        events=Counter(event.event for event in events),
        size_distribution=distribution,
    )
