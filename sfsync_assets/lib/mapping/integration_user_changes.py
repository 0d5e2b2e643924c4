"""What staging needs to keep sfsync's own writes from looking like edits of a source: the users sfsync writes as,
and the change time each record was staged with before.

A write by sfsync moves a Salesforce record's LastModifiedDate; taken at face value it would make the record the
newest edit of its entity and let its unchanged values win survivorship. Staging replaces its tables inside one
transaction, so the change times read here, before the replace, are the last ones no write of sfsync moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from duckdb import DuckDBPyConnection

from .raw_records import table_exists
from .spec import SourceMapping
from .staged_tables import staged_table


@dataclass(frozen=True)
class OwnWrites:
    """The users sfsync writes as, and each record's change time as staged before this run (by source_key)."""

    user_ids: frozenset[str]
    staged_updated_at: dict[str, datetime]  # by source_key, as staged before this run

    def made_by_integration_user(self, modified_by: object) -> bool:
        return modified_by is not None and str(modified_by) in self.user_ids


def load_integration_user_changes(connection: DuckDBPyConnection, mapping: SourceMapping) -> OwnWrites | None:
    """None when the mapping does not ask for it or no ingest has recorded a user yet: every change is an edit."""
    spec = mapping.spec.source.integration_user_changes
    if spec is None or not table_exists(connection, spec.users_table):
        return None
    user_ids = frozenset(
        row[0] for row in connection.execute(f"SELECT user_id FROM {spec.users_table}").fetchall() if row[0]
    )
    staged: dict[str, datetime] = {}
    for target in mapping.spec.targets:
        table = staged_table(mapping.spec.source.system, target.staged_as)
        if table_exists(connection, table):
            rows = connection.execute(
                f"SELECT source_key, source_updated_at FROM {table} WHERE source_updated_at IS NOT NULL"
            ).fetchall()
            for source_key, updated_at in rows:
                staged.setdefault(source_key, updated_at)
    return OwnWrites(user_ids, staged)
