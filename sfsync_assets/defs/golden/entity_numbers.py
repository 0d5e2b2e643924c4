"""The identity numbers a golden build reports for the UI to plot over time: entities, merges and splits.

Read from what identity/xref recorded (`identity.xref`, `identity.id_history`), never matched again here. Events
count from the previous golden build on, so each build's numbers are what changed the golden records it wrote,
however many identity runs came in between.
"""

from duckdb import DuckDBPyConnection

from ...lib.matching.store import ID_HISTORY, XREF

# id_history event → metadata label
EVENT_LABELS = {"merged": "merges", "split": "splits", "issued": "ids_issued", "retired": "ids_retired"}


def entity_numbers(connection: DuckDBPyConnection, entity_type: str, since: float | None) -> dict[str, int]:
    """Entities holding an active record now, and the id events recorded after `since` (a Unix time; None for
    a first build: every event so far)."""
    [(entities,)] = connection.execute(
        f"SELECT count(DISTINCT golden_id) FROM {XREF} WHERE entity_type = ? AND is_active", [entity_type]
    ).fetchall()
    events = dict(
        connection.execute(
            f"SELECT event, count(*) FROM {ID_HISTORY} WHERE entity_type = ? "
            "AND (?::DOUBLE IS NULL OR occurred_at > to_timestamp(?::DOUBLE)) GROUP BY event",
            [entity_type, since, since],
        ).fetchall()
    )
    return {"entities": entities, **{label: events.get(event, 0) for event, label in EVENT_LABELS.items()}}
