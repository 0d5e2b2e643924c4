"""The outbound side's one view of golden records: tables, columns, asset keys, ownership, and the Salesforce
records that already stand for them.

Golden records are built by `lib/golden` (survivorship) and identity by `lib/matching`; everything outbound reads
them through this module, so following a change there means changing this file only. What is read:

- `golden.<entity>`: `golden_id`, the Salesforce API fields, `is_deleted`, and for persons the organization's
  golden id in the field the system-of-record matrix derives from `organization_golden_id` (`account_golden_id`).
- `config/system_of_record.yaml` through `lib/golden/matrix.py`: a field whose class ranks a system first is
  owned by that system; outbound never overwrites it there (it still fills it on a record it creates).
- `identity.xref`: the Salesforce records that are sources of an entity. The first push adopts one of them (an
  update by Id that stamps `Golden_Id__c`) instead of creating a duplicate of a record Salesforce already holds.
- `golden.provenance`: which source record each golden value came from. A value taken from the very record a
  write goes to is one that record holds already (an edit made there, or the default Salesforce gave a field a
  created record was not sent): sending it back would be an echo, not a change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from ..golden.matrix import (
    MOST_RESTRICTIVE,
    SYSTEM_OF_RECORD_FILE,
    EntityType,
    SystemOfRecord,
    load_system_of_record,
)
from ..golden.survivorship import GOLDEN_TABLES, PROVENANCE
from ..matching.store import XREF
from .errors import GoldenSourceError

GOLDEN_ID = "golden_id"
DELETED = "is_deleted"
PARENT_DERIVATION = "organization_golden_id"


def golden_asset_key(entity: EntityType) -> tuple[str, ...]:
    return ("golden", entity)


@dataclass(frozen=True)
class GoldenRecord:
    golden_id: str
    parent_golden_id: str | None
    values: dict[str, Any]


@dataclass(frozen=True)
class GoldenRead:
    """Live golden records, and the requested fields golden records do not carry (yet)."""

    records: list[GoldenRecord]
    unavailable: list[str] = field(default_factory=list)


class GoldenSource:
    def __init__(
        self, connection: duckdb.DuckDBPyConnection, matrix_file: Path = SYSTEM_OF_RECORD_FILE
    ) -> None:
        self.connection = connection
        self.matrix: SystemOfRecord = load_system_of_record(matrix_file)

    def parent_column(self, entity: EntityType) -> str | None:
        rules = self.matrix.fields.get(entity, {})
        return next((name for name, rule in rules.items() if rule.derived == PARENT_DERIVATION), None)

    def owned_by(self, system: str, entity: EntityType) -> frozenset[str]:
        """Golden fields whose system of record is `system` (the parent column included).

        No system owns a field where the most restrictive value wins (opt-outs): the golden value is at least as
        restrictive as every source's, so writing it can never undo anyone's choice.
        """
        return frozenset(
            name
            for name, rule in self.matrix.fields.get(entity, {}).items()
            if self.matrix.rank(rule.field_class, system) == 0
            and system not in rule.ignore
            and rule.prefer != MOST_RESTRICTIVE
        )

    def records(self, entity: EntityType, fields: Sequence[str]) -> GoldenRead:
        """Golden records not deleted everywhere, in golden id order, with those of `fields` the table has."""
        table = GOLDEN_TABLES[entity]
        present = self._columns(table)
        if not present:
            raise GoldenSourceError(
                f"{table} does not exist yet: materialize {'/'.join(golden_asset_key(entity))}"
            )
        parent = self.parent_column(entity)
        if GOLDEN_ID not in present or (parent and parent not in present):
            raise GoldenSourceError(f"{table} lacks {GOLDEN_ID} or {parent}: not the shape outbound reads")
        available = [name for name in fields if name in present]
        selected = ", ".join([GOLDEN_ID, f'"{parent}"' if parent else "NULL", *(f'"{n}"' for n in available)])
        alive = f"WHERE NOT coalesce({DELETED}, false)" if DELETED in present else ""
        rows = self.connection.execute(
            f"SELECT {selected} FROM {table} {alive} ORDER BY {GOLDEN_ID}"
        ).fetchall()
        return GoldenRead(
            [GoldenRecord(row[0], row[1], dict(zip(available, row[2:], strict=True))) for row in rows],
            [name for name in fields if name not in present],
        )

    def salesforce_ids(self, entity: EntityType, object_name: str) -> dict[str, str]:
        """golden id -> Id of a live Salesforce record of `object_name` that is a source of the entity."""
        return self.source_ids(entity, "salesforce", object_name)

    def source_ids(self, entity: EntityType, system: str, object_name: str) -> dict[str, str]:
        """golden id -> id of an active source record of the entity in `system`'s `object_name`."""
        if not self._columns(XREF):
            return {}
        rows = self.connection.execute(
            f"SELECT golden_id, min(source_id) FROM {XREF} WHERE entity_type = ? AND source_system = ? "
            "AND source_object = ? AND is_active GROUP BY golden_id",
            [entity, system, object_name],
        ).fetchall()
        return dict(rows)

    def held_by_written_record(
        self, entity: EntityType, system: str, object_name: str, target: str
    ) -> dict[str, frozenset[str]]:
        """golden id -> fields whose golden value came from the record the ledger of `target` writes to, where
        the ledger does not hold that value as pushed (only those could be planned)."""
        if not self._columns(PROVENANCE) or not self._columns(XREF):
            return {}
        rows = self.connection.execute(
            f"""
            SELECT l.golden_id, list(p.field)
            FROM outbound.ledger AS l
            JOIN {XREF} AS x ON x.entity_type = ? AND x.source_system = ? AND x.source_object = ?
                 AND x.source_id = l.record_id
            JOIN {PROVENANCE} AS p ON p.entity_type = x.entity_type AND p.golden_id = l.golden_id
                 AND p.source_key = x.source_key
            WHERE l.target = ?
              AND json_extract_string(l.pushed_values, '$."' || p.field || '"') IS DISTINCT FROM p.value
            GROUP BY l.golden_id
            """,
            [entity, system, object_name, target],
        ).fetchall()
        return {golden_id: frozenset(fields) for golden_id, fields in rows}

    def _columns(self, table: str) -> set[str]:
        schema, name = table.split(".")
        rows = self.connection.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
            [schema, name],
        ).fetchall()
        return {row[0] for row in rows}
