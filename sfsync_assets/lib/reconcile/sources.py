"""The one place that knows the tables other parts of sfsync write; follow a change of their shape here.

| table | written by | what reconciliation relies on |
|---|---|---|
| `golden.organization`, `golden.person` | golden | through `outbound.golden_source.GoldenSource`, as the push does |
| `config/system_of_record.yaml` | golden | through `GoldenSource.owned_by`: which fields each system owns |
| `outbound.ledger` | outbound | `target, golden_id, record_id, pushed_values` (JSON), `fields_hash, pushed_at` |
| `outbound.audit` | outbound | `target, golden_id, written_at` (Salesforce confirmed the write) |
| `outbound.plan`, `outbound.dead_letter` | outbound | `target, golden_id`; `error_code, resolved` |
| `quality.quarantine` | quality, ingest | `system, source_object, record_ref, rule, resolved_at` |
| `staged.<system>_<name>` | mapping | canonical columns (Salesforce API names), `is_deleted`; row counts |
| `raw_salesforce.*`, `raw_erp.*`, `raw_legacy.*` | ingest | row counts; `is_deleted` where rows carry it |
| `raw_salesforce.<object>` | ingest | `id, system_modstamp, is_deleted` and fields under dlt's column names |

`golden.<entity>.source_updated_at` is when the newest source change reached a golden record (lag is measured
from it). The fields a push sends to a known record are the target's fields and parent reference, less those the
target system owns (`outbound.push.plan` decides the same way).

The one write: `requeue_in_ledger` tells the ledger what Salesforce really holds for drifted fields. The push
plans every field whose golden value differs from the ledger's, so the next push sends them again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from dlt.common.normalizers.naming.snake_case import NamingConvention

from ..canonical.model import SYSTEMS
from ..golden.survivorship import GOLDEN_TABLES
from ..outbound.golden_source import GOLDEN_ID, GoldenSource
from ..outbound.settings import TargetSettings
from ..outbound.wire import fields_hash, wire
from ..salesforce.ingest_settings import table_name
from .checksums import WireValues
from .drift import IngestedRecord, PushedRecord
from .lag import LagSample

GOLDEN_CHANGED_AT = "source_updated_at"
RAW_SCHEMAS = {"raw_salesforce": "salesforce", "raw_erp": "erp", "raw_legacy": "legacy"}
RAW_SALESFORCE = "raw_salesforce"
STAGED_SCHEMA = "staged"


def table_exists(connection: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(table_columns(connection, table))


def table_columns(connection: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    """The table's columns; empty if it does not exist."""
    schema, name = table.split(".")
    rows = connection.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
        [schema, name],
    ).fetchall()
    return {row[0] for row in rows}


def golden_table(entity: str) -> str:
    return GOLDEN_TABLES[entity]


def owned_fields(
    connection: duckdb.DuckDBPyConnection, system: str, entity: str, system_of_record: Path
) -> frozenset[str]:
    """The fields of an entity whose values come first from `system`."""
    return GoldenSource(connection, system_of_record).owned_by(system, entity)


@dataclass(frozen=True)
class GoldenView:
    """A target's golden records as the push sees them, in wire spelling, by golden id."""

    values: dict[str, WireValues]
    fields: tuple[str, ...]  # fields the golden records carry, and the parent reference
    pushable: frozenset[str]  # of those, the ones a push sends to a record Salesforce already holds


def golden_view(
    connection: duckdb.DuckDBPyConnection, target: TargetSettings, target_system: str, system_of_record: Path
) -> GoldenView:
    """Read the way `outbound.push.plan` reads, so "the push sends this field" means the same on both sides."""
    golden = GoldenSource(connection, system_of_record)
    owned = set(golden.owned_by(target_system, target.golden_entity))
    parent = target.parent_field
    if parent and golden.parent_column(target.golden_entity) in owned:
        owned.add(parent)
    read = golden.records(target.golden_entity, target.fields)
    fields = [
        *(name for name in target.fields if name not in read.unavailable),
        *([parent] if parent else []),
    ]
    values: dict[str, WireValues] = {}
    for record in read.records:
        row = {name: wire(value) for name, value in record.values.items()}
        if parent:
            row[parent] = record.parent_golden_id
        values[record.golden_id] = row
    return GoldenView(values, tuple(fields), frozenset(fields) - owned)


def golden_count(connection: duckdb.DuckDBPyConnection, entity: str) -> int | None:
    """Live golden records of the entity; None before the first golden build."""
    table = golden_table(entity)
    columns = table_columns(connection, table)
    if not columns:
        return None
    live = "WHERE NOT coalesce(is_deleted, false)" if "is_deleted" in columns else ""
    return connection.execute(f"SELECT count(*) FROM {table} {live}").fetchall()[0][0]


def golden_by_key(
    connection: duckdb.DuckDBPyConnection,
    entity: str,
    key: str,
    fields: Sequence[str],
    system_of_record: Path,
) -> dict[str, WireValues]:
    """Live golden records that carry `key` (e.g. the ERP customer id), by that key."""
    keyed = {}
    for record in GoldenSource(connection, system_of_record).records(entity, [key, *fields]).records:
        value = wire(record.values.get(key))
        if value is not None:
            keyed[value] = {field: wire(record.values.get(field)) for field in fields}
    return keyed


def staged_by_key(
    connection: duckdb.DuckDBPyConnection, table: str, key: str, fields: Sequence[str]
) -> dict[str, WireValues]:
    """A system's live staged rows (canonical spelling), by `key`."""
    columns = ", ".join(f'"{name}"' for name in [key, *fields])
    live = "WHERE NOT coalesce(is_deleted, false)" if "is_deleted" in table_columns(connection, table) else ""
    keyed = {}
    for row in connection.execute(f"SELECT {columns} FROM {table} {live}").fetchall():
        value = wire(row[0])
        if value is not None:
            keyed[value] = {field: wire(cell) for field, cell in zip(fields, row[1:], strict=True)}
    return keyed


def ledger(connection: duckdb.DuckDBPyConnection, target: str) -> dict[str, PushedRecord]:
    if not table_exists(connection, "outbound.ledger"):
        return {}
    rows = connection.execute(
        "SELECT golden_id, record_id, pushed_values::VARCHAR, pushed_at FROM outbound.ledger WHERE target = ?",
        [target],
    ).fetchall()
    return {
        golden_id: PushedRecord(record_id, json.loads(values), pushed_at)
        for golden_id, record_id, values, pushed_at in rows
    }


def ingested_records(
    connection: duckdb.DuckDBPyConnection, object_name: str, fields: Sequence[str]
) -> dict[str, IngestedRecord]:
    """The object's records as the last Salesforce ingest landed them, by record Id, in wire spelling.

    Fields the raw table lacks (a parent's golden id, a field added since) are left out, not read as null.
    """
    table = f"{RAW_SALESFORCE}.{table_name(object_name)}"
    columns = table_columns(connection, table)
    if not columns:
        return {}
    naming = NamingConvention()  # dlt names a column as a path: `ERP_Id__c` lands as `erp_id__c`
    present = {name: naming.normalize_path(name) for name in fields}
    present = {name: column for name, column in present.items() if column in columns}
    selected = "".join(f', "{column}"' for column in present.values())
    rows = connection.execute(
        f"SELECT id, system_modstamp, coalesce(is_deleted, false){selected} FROM {table}"
    ).fetchall()
    return {
        record_id: IngestedRecord(
            modstamp,
            is_deleted,
            {name: wire(_utc(value)) for name, value in zip(present, values, strict=True)},
        )
        for record_id, modstamp, is_deleted, *values in rows
    }


def _utc(value: object) -> object:
    """DuckDB hands timestamps back in the session's time zone; Salesforce reads are in UTC."""
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def requeue_in_ledger(
    connection: duckdb.DuckDBPyConnection,
    target: str,
    golden_id: str,
    held_in_target: WireValues,
    pushed_at: datetime,
) -> bool:
    """Record what Salesforce holds for these fields, unless a push confirmed the record since it was judged."""
    rows = connection.execute(
        "SELECT pushed_values::VARCHAR FROM outbound.ledger WHERE target = ? AND golden_id = ? AND pushed_at = ?",
        [target, golden_id, pushed_at],
    ).fetchall()
    if not rows:
        return False
    values = {**json.loads(rows[0][0]), **held_in_target}
    connection.execute(
        "UPDATE outbound.ledger SET pushed_values = ?, fields_hash = ? "
        "WHERE target = ? AND golden_id = ? AND pushed_at = ?",
        [json.dumps(values, sort_keys=True), fields_hash(values), target, golden_id, pushed_at],
    )
    return True


def lag_samples(
    connection: duckdb.DuckDBPyConnection, target: str, entity: str, since: datetime
) -> list[LagSample] | None:
    """Golden changes since `since`: when Salesforce first confirmed them, or None while a plan still holds them.

    None when the golden table does not say when its records changed.
    """
    table = golden_table(entity)
    if GOLDEN_CHANGED_AT not in table_columns(connection, table):
        return None
    if not (table_exists(connection, "outbound.audit") and table_exists(connection, "outbound.plan")):
        return []
    rows = connection.execute(
        f"""
        SELECT g."{GOLDEN_CHANGED_AT}", min(a.written_at), count(p.golden_id) > 0
        FROM {table} AS g
        LEFT JOIN outbound.audit AS a
          ON a.target = ? AND a.golden_id = g."{GOLDEN_ID}" AND a.written_at >= g."{GOLDEN_CHANGED_AT}"
        LEFT JOIN outbound.plan AS p ON p.target = ? AND p.golden_id = g."{GOLDEN_ID}"
        WHERE g."{GOLDEN_CHANGED_AT}" >= ?
        GROUP BY g."{GOLDEN_ID}", g."{GOLDEN_CHANGED_AT}"
        """,
        [target, target, since],
    ).fetchall()
    return [
        LagSample(changed_at, visible_at) for changed_at, visible_at, planned in rows if visible_at or planned
    ]


def outbound_counts(connection: duckdb.DuckDBPyConnection, table: str) -> dict[str, int]:
    """Rows per target of `outbound.plan` or `outbound.ledger`."""
    if not table_exists(connection, table):
        return {}
    return dict(connection.execute(f"SELECT target, count(*) FROM {table} GROUP BY target").fetchall())


def open_dead_letters(connection: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    """(target, error code, records) of failures no push has got through yet."""
    if not table_exists(connection, "outbound.dead_letter"):
        return []
    return connection.execute(
        "SELECT target, error_code, count(DISTINCT golden_id) FROM outbound.dead_letter WHERE NOT resolved "
        "GROUP BY target, error_code ORDER BY target, error_code"
    ).fetchall()


def open_quarantine(connection: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, int]]:
    """(system, source object, rule, records) of unresolved quarantined rows."""
    if not table_exists(connection, "quality.quarantine"):
        return []
    return connection.execute(
        "SELECT system, source_object, rule, count(DISTINCT record_ref) FROM quality.quarantine "
        "WHERE resolved_at IS NULL GROUP BY system, source_object, rule ORDER BY system, source_object, rule"
    ).fetchall()


@dataclass(frozen=True)
class LayerCount:
    layer: str  # raw or staged
    system: str
    object: str
    records: int
    deleted: int


def _count(connection: duckdb.DuckDBPyConnection, schema: str, name: str) -> tuple[int, int]:
    flagged = "is_deleted" in table_columns(connection, f"{schema}.{name}")
    deleted = "count(*) FILTER (WHERE is_deleted)" if flagged else "0"
    return connection.execute(f'SELECT count(*), {deleted} FROM {schema}."{name}"').fetchall()[0]


def _tables(connection: duckdb.DuckDBPyConnection, schemas: Sequence[str]) -> list[tuple[str, str]]:
    """Base tables of the schemas, less bookkeeping tables (their names start with `_`)."""
    return connection.execute(
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
        f"AND table_schema IN ({', '.join('?' for _ in schemas)}) AND table_name NOT LIKE '\\_%' ESCAPE '\\' "
        "ORDER BY table_schema, table_name",
        list(schemas),
    ).fetchall()


def layer_counts(connection: duckdb.DuckDBPyConnection) -> list[LayerCount]:
    """Rows (and rows flagged deleted) per raw table and per staged table (`staged.<system>_<name>`)."""
    counts = [
        LayerCount("raw", RAW_SCHEMAS[schema], name, *_count(connection, schema, name))
        for schema, name in _tables(connection, list(RAW_SCHEMAS))
    ]
    for _, name in _tables(connection, [STAGED_SCHEMA]):
        system = next((s for s in sorted(SYSTEMS, key=len, reverse=True) if name.startswith(f"{s}_")), None)
        if system is not None:
            records, deleted = _count(connection, STAGED_SCHEMA, name)
            counts.append(LayerCount("staged", system, name.removeprefix(f"{system}_"), records, deleted))
    return counts
