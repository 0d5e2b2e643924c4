"""The plan: golden records whose pushable values differ from what Salesforce last confirmed.

The comparison is against the ledger, field by field in wire spelling, so a record nobody changed costs no call.
- A record Salesforce has never confirmed and does not hold is created with every value it has.
- A record Salesforce holds but never got from us (a source of the entity, per identity) is adopted: updated by
  Id, stamping the golden id, with the values of the fields Salesforce does not own.
- A known record sends only the fields that changed, less those Salesforce owns (system-of-record matrix): an
  upsert leaves the others alone, so edits made in Salesforce to its own fields survive. Nor does it send a value
  the record holds already (its golden value came from that very record): that would only echo it back.
A child that names a parent Salesforce has not confirmed yet waits: sent now, it could only fail.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from .golden_source import GoldenRecord
from .ledger import LedgerEntry
from .outcomes import Write
from .wire import fields_hash, json_value, wire

NEW = "new"
ADOPT = "adopt"
CHANGED = "changed"
RETRY = "retry"
RECORD_GONE = frozenset({"ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY", "NOT_FOUND", "MALFORMED_ID"})


@dataclass(frozen=True)
class PlannedWrite:
    write: Write
    reason: str
    fields_hash: str
    waiting_for_parent: bool = False


@dataclass(frozen=True)
class TargetState:
    """What Salesforce holds for a target, as far as we know it."""

    entries: Mapping[str, LedgerEntry]
    failing: Mapping[str, str]
    in_target: Mapping[str, str]  # golden id -> a record the target holds that is a source of the entity
    confirmed_parents: Collection[str] = frozenset()
    held: Mapping[str, Collection[str]] = field(default_factory=dict)  # golden id -> fields the record holds


def plan_writes(
    golden: Iterable[GoldenRecord],
    fields: Sequence[str],
    owned: Collection[str],
    parent_field: str | None,
    state: TargetState,
    known_only: bool = False,
) -> Iterator[PlannedWrite]:
    """Writes that bring Salesforce to the golden values of `fields` (and the parent, if `parent_field`).

    `owned` fields are only sent to records we create. `state.failing` maps golden ids with an open dead letter
    to its error code: they are planned as retries, and an adoption that failed because the record is gone
    becomes a creation. `known_only` plans only records the ledger knows (the consent fast path changes flags,
    it does not create people).
    """
    for record in golden:
        values = {name: json_value(record.values[name]) for name in fields}
        if parent_field:
            values[parent_field] = record.parent_golden_id
        wires = {name: wire(value) for name, value in values.items()}
        entry = state.entries.get(record.golden_id)
        if (entry is None and known_only) or (entry is not None and entry.fields_hash == fields_hash(wires)):
            continue
        failure = state.failing.get(record.golden_id)
        adopt = None if entry or failure in RECORD_GONE else state.in_target.get(record.golden_id)
        if entry is None and adopt is None:
            reason, base = NEW, {}
            send = {name: value for name, value in values.items() if value is not None}
        else:
            reason, base = (CHANGED, entry.values) if entry else (ADOPT, {})
            held = state.held.get(record.golden_id, ()) if entry else ()
            send = {
                name: value
                for name, value in values.items()
                if name not in owned and name not in held and wires[name] != base.get(name)
            }
            if entry and not send:
                continue
        parent = send.get(parent_field) if parent_field else None
        yield PlannedWrite(
            Write(record.golden_id, send, record.parent_golden_id, adopt),
            RETRY if failure else reason,
            fields_hash({**base, **{name: wires[name] for name in send}}),
            waiting_for_parent=parent is not None and parent not in state.confirmed_parents,
        )


def save_plan(
    connection: duckdb.DuckDBPyConnection, target: str, planned: Sequence[PlannedWrite], run_id: str | None
) -> None:
    """Replace the target's rows of `outbound.plan`, the plan as analysts and the UI see it."""
    now = datetime.now(UTC)
    batch = pa.table(
        {
            "golden_id": pa.array([p.write.golden_id for p in planned], pa.string()),
            "parent_golden_id": pa.array([p.write.parent_golden_id for p in planned], pa.string()),
            "reason": pa.array([p.reason for p in planned], pa.string()),
            "waiting_for_parent": pa.array([p.waiting_for_parent for p in planned], pa.bool_()),
            "send": pa.array([json.dumps(p.write.send, sort_keys=True) for p in planned], pa.string()),
            "fields_hash": pa.array([p.fields_hash for p in planned], pa.string()),
        }
    )
    connection.register("plan_batch", batch)
    connection.execute("BEGIN TRANSACTION")
    connection.execute("DELETE FROM outbound.plan WHERE target = ?", [target])
    connection.execute(
        "INSERT INTO outbound.plan SELECT ?, golden_id, parent_golden_id, reason, waiting_for_parent, send, "
        "fields_hash, ?, ? FROM plan_batch",
        [target, now, run_id],
    )
    connection.execute("COMMIT")
    connection.unregister("plan_batch")
