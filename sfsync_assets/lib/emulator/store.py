"""The org's data: records in SQLite under the state directory, so a restart keeps everything.

Every write (REST, collections, Bulk, admin seeding) goes through `OrgStore`, which applies the org's rules that
need other records (lookups, unique fields, duplicate rules), maintains system fields, and appends one change
event per record to the change log that the change feed serves. One lock serialises writers, as one org would.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import SalesforceApiError, not_found
from .ids import make_id, normalize_id
from .schema import ObjectDef, OrgSchema
from .tables import create_object_tables, quote
from .validation import (
    CREATE,
    UPDATE,
    ParentReference,
    apply_business_rules,
    defaults_for_create,
    derive_calculated,
    normalize_record,
)
from .values import format_datetime

SYSTEM_WRITE_FIELDS = ("CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById", "SystemModstamp")

_META_DDL = """
CREATE TABLE IF NOT EXISTS _sequences (key_prefix TEXT PRIMARY KEY, next_value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS _settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS _change_events (
    replay_id INTEGER PRIMARY KEY AUTOINCREMENT,
    entity TEXT NOT NULL,
    record_id TEXT NOT NULL,
    change_type TEXT NOT NULL,
    changed_fields TEXT NOT NULL,
    nulled_fields TEXT NOT NULL,
    payload TEXT NOT NULL,
    commit_timestamp INTEGER NOT NULL,
    commit_user TEXT,
    transaction_key TEXT NOT NULL,
    sequence_number INTEGER NOT NULL,
    change_origin TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS _change_events_time ON _change_events (commit_timestamp);
CREATE INDEX IF NOT EXISTS _change_events_transaction ON _change_events (transaction_key, replay_id);
"""
_NO_FIELDS = json.dumps([])
_INSERT_CHANGE_EVENT = (
    "INSERT INTO _change_events (entity, record_id, change_type, changed_fields, nulled_fields, payload, "
    "commit_timestamp, commit_user, transaction_key, sequence_number, change_origin) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


@dataclass
class WriteContext:
    """Who writes, through which API, on behalf of which client: what the change feed reports as the origin."""

    user_id: str
    api: str = "rest"
    api_version: str = "59.0"
    client_id: str | None = None
    allow_duplicate_save: bool = False
    transaction_key: str = field(default_factory=lambda: str(uuid.uuid4()))
    sequence: int = 0

    @property
    def change_origin(self) -> str:
        if self.api == "admin":
            return ""
        origin = f"com/salesforce/api/{self.api}/{self.api_version}"
        return origin + (f";client={self.client_id}" if self.client_id else "")


def utc_now() -> datetime:
    return datetime.now(UTC)


class OrgStore:
    """Records of every object, with the rules an org enforces on writes."""

    def __init__(self, database: Path, schema: OrgSchema, clock: Callable[[], datetime] = utc_now) -> None:
        self.schema = schema
        self.clock = clock
        self.lock = threading.RLock()
        self.database = database
        self._readers = threading.local()
        self._transaction_thread: int | None = None
        self.connection = sqlite3.connect(str(database), check_same_thread=False, isolation_level=None)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=NORMAL")
        self.connection.executescript(_META_DDL)
        with self.transaction():
            create_object_tables(self.connection, schema)
            for obj in schema.objects.values():
                for rule in obj.duplicate_rules:
                    columns = ", ".join(quote(name) for name in rule.match_fields)
                    index = quote(f"{obj.table}_dup_{rule.name.lower()}")
                    self.connection.execute(
                        f"CREATE INDEX IF NOT EXISTS {index} ON {quote(obj.table)} ({columns})"
                    )

    def close(self) -> None:
        self.connection.close()

    # --- transactions -------------------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit of writes; nested use becomes a savepoint, so a failed item rolls back alone."""
        with self.lock:
            if self.connection.in_transaction:
                savepoint = f"sp_{uuid.uuid4().hex}"
                self.connection.execute(f"SAVEPOINT {savepoint}")
                try:
                    yield
                except BaseException:
                    self.connection.execute(f"ROLLBACK TO {savepoint}")
                    self.connection.execute(f"RELEASE {savepoint}")
                    raise
                self.connection.execute(f"RELEASE {savepoint}")
                return
            self.connection.execute("BEGIN IMMEDIATE")
            self._transaction_thread = threading.get_ident()
            try:
                yield
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            else:
                self.connection.execute("COMMIT")
            finally:
                self._transaction_thread = None

    # --- settings -----------------------------------------------------------------------------------------

    def setting(self, key: str, default: str | None = None) -> str | None:
        row = self.connection.execute("SELECT value FROM _settings WHERE key = ?", (key,)).fetchall()
        return row[0][0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self.lock:
            self.connection.execute(
                "INSERT INTO _settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # --- reads --------------------------------------------------------------------------------------------

    def object(self, name: str) -> ObjectDef:
        obj = self.schema.object(name)
        if obj is None:
            raise SalesforceApiError(404, "NOT_FOUND", "The requested resource does not exist")
        return obj

    def get(self, obj: ObjectDef, record_id: str, include_deleted: bool = False) -> dict[str, Any] | None:
        """The stored record with this Id (15 or 18 characters), keyed by canonical field names."""
        normalized = normalize_id(record_id)
        if normalized is None:
            return None
        names = [f.name for f in obj.fields.values()]
        rows = self.connection.execute(
            f"SELECT {', '.join(quote(n) for n in names)} FROM {quote(obj.table)} WHERE Id = ?", (normalized,)
        ).fetchall()
        if not rows:
            return None
        record = dict(zip(names, rows[0], strict=True))
        if record["IsDeleted"] and not include_deleted:
            return None
        return record

    def ids_by_external_id(self, obj: ObjectDef, field_name: str, value: Any) -> list[str]:
        """Ids of live records whose external id field equals `value`."""
        rows = self.connection.execute(
            f"SELECT Id FROM {quote(obj.table)} WHERE {quote(field_name)} = ? AND IsDeleted = 0 ORDER BY _seq",
            (value,),
        ).fetchall()
        return [row[0] for row in rows]

    def query(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> sqlite3.Cursor:
        """Run a read. Inside this thread's own transaction it sees that transaction's writes; otherwise it uses
        the thread's own connection, which sees committed data only and never waits for writers."""
        if self._transaction_thread == threading.get_ident():
            return self.connection.execute(sql, params)
        reader = getattr(self._readers, "connection", None)
        if reader is None:
            reader = sqlite3.connect(str(self.database), check_same_thread=False, isolation_level=None)
            self._readers.connection = reader
        return reader.execute(sql, params)

    # --- writes -------------------------------------------------------------------------------------------

    def create(
        self, obj: ObjectDef, incoming: dict[str, Any], ctx: WriteContext, *, system_fields: bool = False
    ) -> str:
        """Insert a record after the org's checks; returns its new 18-character Id."""
        with self.transaction():
            values = normalize_record(obj, incoming, CREATE, allow_system_fields=system_fields)
            self._resolve_parent_references(obj, values)
            merged = self._new_record(obj, values, ctx, defaults_for_create(obj))
            if not system_fields:
                apply_business_rules(obj, merged, set(values), CREATE)
                self._check_lookups(obj, values)
                self._check_unique(obj, merged, None)
                self._check_duplicate_rules(obj, merged, None, ctx)
            now = format_datetime(self.clock())
            record_id = make_id(obj.key_prefix, self._next_ids(obj, 1))
            _stamp_created(merged, record_id, now, ctx.user_id)
            stored = _set_fields(merged)
            _insert(self.connection, obj.table, tuple(stored), [tuple(stored.values())])
            payload = _created_payload(stored)
            self._log_change(obj, record_id, "CREATE", sorted(payload), [], payload, ctx)
            return record_id

    def seed(self, obj: ObjectDef, records: list[dict[str, Any]], ctx: WriteContext) -> list[str]:
        """Insert records as given, system fields included: what `create(..., system_fields=True)` stores for
        each in turn, written with one statement per table so large seeds are not paid per record.

        The batch is one transaction, so it has one moment: records that do not bring their own system dates
        all get the same CreatedDate, and their change events the same commit timestamp.
        """
        if not records:
            return []
        with self.transaction():
            now = self.clock()
            created, committed = format_datetime(now), int(now.timestamp() * 1000)
            defaults = defaults_for_create(obj)
            first = self._next_ids(obj, len(records))
            rows = _PendingRows(self.connection, obj.table)
            ids: list[str] = []
            events: list[tuple[Any, ...]] = []
            changed_fields: dict[tuple[str, ...], str] = {}  # seeded records mostly set the same fields
            for offset, incoming in enumerate(records):
                values = normalize_record(obj, incoming, CREATE, allow_system_fields=True)
                parents = [v.parent_object for v in values.values() if isinstance(v, ParentReference)]
                if parents:
                    if any(self.schema.object(parent) is obj for parent in parents):
                        rows.flush()  # the parent may be an earlier record of this batch
                    self._resolve_parent_references(obj, values)
                merged = self._new_record(obj, values, ctx, dict(defaults))
                record_id = make_id(obj.key_prefix, first + offset)
                _stamp_created(merged, record_id, created, ctx.user_id)
                stored = _set_fields(merged)
                rows.add(stored)
                payload = _created_payload(stored)
                names = tuple(payload)
                if names not in changed_fields:
                    changed_fields[names] = json.dumps(sorted(payload))
                events.append(
                    self._change_row(
                        obj,
                        record_id,
                        "CREATE",
                        changed_fields[names],
                        _NO_FIELDS,
                        json.dumps(payload),
                        ctx,
                        committed,
                    )
                )
                ids.append(record_id)
            rows.flush()
            self.connection.executemany(_INSERT_CHANGE_EVENT, events)
            return ids

    def update(
        self,
        obj: ObjectDef,
        record_id: str,
        incoming: dict[str, Any],
        ctx: WriteContext,
        *,
        system_fields: bool = False,
    ) -> None:
        with self.transaction():
            current = self.get(obj, record_id, include_deleted=True)
            if current is None:
                raise not_found()
            if current["IsDeleted"]:
                raise SalesforceApiError(400, "ENTITY_IS_DELETED", "entity is deleted")
            values = normalize_record(obj, incoming, UPDATE, allow_system_fields=system_fields)
            self._resolve_parent_references(obj, values)
            self._write_update(obj, current, values, ctx, system_fields)

    def upsert(
        self,
        obj: ObjectDef,
        external_field: str,
        external_value: str,
        incoming: dict[str, Any],
        ctx: WriteContext,
    ) -> tuple[str, bool]:
        """Update the one record whose `external_field` equals the value, or create it: (Id, created)."""
        ext = obj.field(external_field)
        if ext is None or not (ext.external_id or ext.name == "Id"):
            raise not_found()
        for key in incoming:
            if key.lower() == ext.name.lower() and ext.name != "Id":
                value = incoming[key]
                if value not in (None, "") and str(value) != str(external_value):
                    raise SalesforceApiError(
                        400,
                        "INVALID_FIELD",
                        f"The value of {ext.name} in the body ({value}) does not match the URL ({external_value})",
                        [ext.name],
                    )
        with self.transaction():
            if ext.name == "Id":
                matches = [external_value] if self.get(obj, external_value) else []
            else:
                matches = self.ids_by_external_id(obj, ext.name, external_value)
            if len(matches) > 1:
                raise SalesforceApiError(
                    300,
                    "MULTIPLE_CHOICES",
                    f"Multiple records found for {ext.name}={external_value}",
                    extra={
                        "urls": [
                            f"/services/data/v{ctx.api_version}/sobjects/{obj.name}/{m}" for m in matches
                        ]
                    },
                )
            body = {k: v for k, v in incoming.items() if k.lower() != ext.name.lower()}
            if matches:
                self.update(obj, matches[0], body, ctx)
                return matches[0], False
            if ext.name == "Id":
                raise not_found()
            body[ext.name] = external_value
            return self.create(obj, body, ctx), True

    def delete(self, obj: ObjectDef, record_id: str, ctx: WriteContext) -> None:
        """Soft delete: the record stays, with IsDeleted, visible to queryAll and getDeleted."""
        with self.transaction():
            current = self.get(obj, record_id, include_deleted=True)
            if current is None:
                raise not_found()
            if current["IsDeleted"]:
                raise SalesforceApiError(400, "ENTITY_IS_DELETED", "entity is deleted")
            now = format_datetime(self.clock())
            self.connection.execute(
                f"UPDATE {quote(obj.table)} SET IsDeleted = 1, LastModifiedDate = ?, SystemModstamp = ?, "
                "LastModifiedById = ? WHERE Id = ?",
                (now, now, ctx.user_id, current["Id"]),
            )
            self._log_change(obj, current["Id"], "DELETE", [], [], {}, ctx)

    def undelete(self, obj: ObjectDef, record_id: str, ctx: WriteContext) -> None:
        with self.transaction():
            current = self.get(obj, record_id, include_deleted=True)
            if current is None:
                raise not_found()
            if not current["IsDeleted"]:
                raise SalesforceApiError(400, "UNDELETE_FAILED", "Entity is not in the recycle bin")
            now = format_datetime(self.clock())
            self.connection.execute(
                f"UPDATE {quote(obj.table)} SET IsDeleted = 0, LastModifiedDate = ?, SystemModstamp = ? WHERE Id = ?",
                (now, now, current["Id"]),
            )
            payload = {k: v for k, v in current.items() if v is not None and k not in ("Id", "IsDeleted")}
            self._log_change(obj, current["Id"], "UNDELETE", sorted(payload), [], payload, ctx)

    def hard_delete(self, obj: ObjectDef, record_id: str, ctx: WriteContext) -> None:
        """Delete without the recycle bin (Bulk hardDelete): the row is gone, the change feed still says so."""
        with self.transaction():
            current = self.get(obj, record_id, include_deleted=True)
            if current is None:
                raise not_found()
            self.connection.execute(f"DELETE FROM {quote(obj.table)} WHERE Id = ?", (current["Id"],))
            self._log_change(obj, current["Id"], "DELETE", [], [], {}, ctx)

    def set_without_modstamp(self, obj: ObjectDef, record_id: str, values: dict[str, Any]) -> None:
        """Change values the way a formula or roll-up does: no SystemModstamp bump, no change event."""
        with self.transaction():
            current = self.get(obj, record_id, include_deleted=True)
            if current is None:
                raise not_found()
            stored = normalize_record(obj, values, UPDATE, allow_system_fields=True)
            assignments = ", ".join(f"{quote(name)} = ?" for name in stored)
            self.connection.execute(
                f"UPDATE {quote(obj.table)} SET {assignments} WHERE Id = ?", [*stored.values(), current["Id"]]
            )

    # --- internals ----------------------------------------------------------------------------------------

    def _write_update(
        self,
        obj: ObjectDef,
        current: dict[str, Any],
        values: dict[str, Any],
        ctx: WriteContext,
        system_fields: bool,
    ) -> None:
        merged = dict(current)
        merged.update(values)
        derive_calculated(obj, merged)
        if not system_fields:
            apply_business_rules(obj, merged, set(values), UPDATE)
            self._check_lookups(obj, values)
            self._check_unique(obj, merged, current["Id"])
            self._check_duplicate_rules(obj, merged, current["Id"], ctx)
        now = format_datetime(self.clock())
        changed = sorted(k for k, v in merged.items() if current.get(k) != v and k not in SYSTEM_WRITE_FIELDS)
        if not system_fields or "LastModifiedDate" not in values:
            merged["LastModifiedDate"] = now
            merged["LastModifiedById"] = ctx.user_id
        if not system_fields or "SystemModstamp" not in values:
            merged["SystemModstamp"] = merged["LastModifiedDate"]
        writes = {k: merged[k] for k in [*changed, "LastModifiedDate", "LastModifiedById", "SystemModstamp"]}
        assignments = ", ".join(f"{quote(name)} = ?" for name in writes)
        self.connection.execute(
            f"UPDATE {quote(obj.table)} SET {assignments} WHERE Id = ?", [*writes.values(), current["Id"]]
        )
        payload = {k: merged[k] for k in changed if merged[k] is not None}
        payload["LastModifiedDate"] = merged["LastModifiedDate"]
        nulled = [k for k in changed if merged[k] is None]
        self._log_change(obj, current["Id"], "UPDATE", [*changed, "LastModifiedDate"], nulled, payload, ctx)

    def _next_ids(self, obj: ObjectDef, count: int) -> int:
        """Reserve `count` consecutive record numbers of `obj`; returns the first."""
        row = self.connection.execute(
            "INSERT INTO _sequences (key_prefix, next_value) VALUES (?, ? + 1) "
            "ON CONFLICT(key_prefix) DO UPDATE SET next_value = next_value + ? RETURNING next_value - ?",
            (obj.key_prefix, count, count, count),
        ).fetchall()
        return row[0][0]

    def _new_record(
        self, obj: ObjectDef, values: dict[str, Any], ctx: WriteContext, defaults: dict[str, Any]
    ) -> dict[str, Any]:
        """A new record as the org completes it: defaults, the writer as owner, the values given, calculations."""
        merged = defaults
        if obj.field("OwnerId") is not None:
            merged["OwnerId"] = ctx.user_id
        merged.update(values)
        derive_calculated(obj, merged)
        return merged

    def _resolve_parent_references(self, obj: ObjectDef, values: dict[str, Any]) -> None:
        for name, value in list(values.items()):
            if not isinstance(value, ParentReference):
                continue
            parent = self.object(value.parent_object)
            parent_field = parent.field(value.external_field)
            if parent_field is None or not (parent_field.external_id or parent_field.name == "Id"):
                raise SalesforceApiError(
                    400,
                    "INVALID_FIELD",
                    f"Field name provided, {value.external_field} is not an External ID or indexed field for "
                    f"{parent.name}",
                    [name],
                )
            matches = self.ids_by_external_id(parent, parent_field.name, value.value)
            if not matches:
                raise SalesforceApiError(
                    400,
                    "INVALID_FIELD",
                    f"Foreign key external ID: {value.value} not found for field {parent_field.name} in entity "
                    f"{parent.name}",
                    [name],
                )
            if len(matches) > 1:
                raise SalesforceApiError(
                    400,
                    "INVALID_FIELD",
                    f"Foreign key external ID: {value.value} matches more than one record for field "
                    f"{parent_field.name} in entity {parent.name}",
                    [name],
                )
            values[name] = matches[0]

    def _check_lookups(self, obj: ObjectDef, values: dict[str, Any]) -> None:
        for name, value in values.items():
            field_def = obj.field(name)
            if value is None or field_def is None or field_def.type != "reference":
                continue
            parent = self.schema.object_by_prefix(value[:3])
            if parent is None or parent.name not in field_def.reference_to:
                raise SalesforceApiError(
                    400,
                    "FIELD_INTEGRITY_EXCEPTION",
                    f"{field_def.label}: id value of incorrect type: {value}",
                    [field_def.name],
                )
            rows = self.connection.execute(
                f"SELECT IsDeleted FROM {quote(parent.table)} WHERE Id = ?", (value,)
            ).fetchall()
            if not rows:
                raise SalesforceApiError(
                    400,
                    "INVALID_CROSS_REFERENCE_KEY",
                    f"invalid cross reference id: {field_def.name}={value}",
                    [field_def.name],
                )
            if rows[0][0]:
                raise SalesforceApiError(400, "ENTITY_IS_DELETED", "entity is deleted", [field_def.name])

    def _check_unique(self, obj: ObjectDef, merged: dict[str, Any], own_id: str | None) -> None:
        for field_def in obj.fields.values():
            value = merged.get(field_def.name)
            if not field_def.unique or field_def.system or value is None:
                continue
            rows = self.connection.execute(
                f"SELECT Id FROM {quote(obj.table)} WHERE {quote(field_def.name)} = ? AND IsDeleted = 0 "
                "AND Id IS NOT ? LIMIT 1",
                (value, own_id),
            ).fetchall()
            if rows:
                raise SalesforceApiError(
                    400,
                    "DUPLICATE_VALUE",
                    f"duplicate value found: {field_def.name} duplicates value on record with id: {rows[0][0]}",
                    [field_def.name],
                )

    def _check_duplicate_rules(
        self, obj: ObjectDef, merged: dict[str, Any], own_id: str | None, ctx: WriteContext
    ) -> None:
        for rule in obj.duplicate_rules:
            if not rule.block or ctx.allow_duplicate_save:
                continue
            if any(merged.get(name) in (None, "") for name in rule.match_fields):
                continue
            condition = " AND ".join(f"{quote(name)} = ?" for name in rule.match_fields)
            rows = self.connection.execute(
                f"SELECT Id FROM {quote(obj.table)} WHERE {condition} AND IsDeleted = 0 AND Id IS NOT ? "
                "ORDER BY _seq LIMIT 10",
                [*(merged[name] for name in rule.match_fields), own_id],
            ).fetchall()
            if rows:
                raise _duplicates_detected(obj, rule.name, [row[0] for row in rows], ctx.api_version)

    def _log_change(
        self,
        obj: ObjectDef,
        record_id: str,
        change_type: str,
        changed: list[str],
        nulled: list[str],
        payload: dict[str, Any],
        ctx: WriteContext,
    ) -> None:
        committed = int(self.clock().timestamp() * 1000)
        row = self._change_row(
            obj,
            record_id,
            change_type,
            json.dumps(changed),
            json.dumps(nulled),
            json.dumps(payload),
            ctx,
            committed,
        )
        self.connection.execute(_INSERT_CHANGE_EVENT, row)

    @staticmethod
    def _change_row(
        obj: ObjectDef,
        record_id: str,
        change_type: str,
        changed_json: str,
        nulled_json: str,
        payload_json: str,
        ctx: WriteContext,
        committed: int,
    ) -> tuple[Any, ...]:
        """The `_change_events` row of one record's change, numbered within the writer's transaction."""
        ctx.sequence += 1
        return (
            obj.name,
            record_id,
            change_type,
            changed_json,
            nulled_json,
            payload_json,
            committed,
            ctx.user_id,
            ctx.transaction_key,
            ctx.sequence,
            ctx.change_origin,
        )


class _PendingRows:
    """Rows for one table, inserted in order with one statement per run of rows that set the same columns."""

    def __init__(self, connection: sqlite3.Connection, table: str) -> None:
        self.connection = connection
        self.table = table
        self.columns: tuple[str, ...] = ()
        self.rows: list[tuple[Any, ...]] = []

    def add(self, values: dict[str, Any]) -> None:
        columns = tuple(values)
        if columns != self.columns:
            self.flush()
            self.columns = columns
        self.rows.append(tuple(values.values()))

    def flush(self) -> None:
        if self.rows:
            _insert(self.connection, self.table, self.columns, self.rows)
            self.rows = []


def _insert(
    connection: sqlite3.Connection, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """Insert rows that set `columns`; the others stay NULL. Unset columns are left out rather than bound as
    NULL: binding costs more per column than the insert itself, and records set few of an object's fields."""
    connection.executemany(
        f"INSERT INTO {quote(table)} ({', '.join(quote(n) for n in columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})",
        rows,
    )


def _stamp_created(merged: dict[str, Any], record_id: str, now: str, user_id: str) -> None:
    """Give a new record its Id and the system fields the writer did not set."""
    merged["Id"] = record_id
    merged.setdefault("IsDeleted", 0)
    for name, value in (
        ("CreatedDate", now),
        ("CreatedById", user_id),
        ("LastModifiedDate", now),
        ("LastModifiedById", user_id),
    ):
        merged.setdefault(name, value)
    merged.setdefault("SystemModstamp", merged["LastModifiedDate"])


def _set_fields(merged: dict[str, Any]) -> dict[str, Any]:
    """The fields of a record that hold a value (unset ones are NULL in the table and absent from events)."""
    return {name: value for name, value in merged.items() if value is not None}


def _created_payload(stored: dict[str, Any]) -> dict[str, Any]:
    """What a CREATE change event carries: every set field but Id and IsDeleted."""
    payload = dict(stored)
    del payload["Id"]
    payload.pop("IsDeleted", None)
    return payload


def _duplicates_detected(
    obj: ObjectDef, rule_name: str, matches: list[str], api_version: str
) -> SalesforceApiError:
    match_records = [
        {
            "additionalInformation": [],
            "fieldDiffs": [],
            "matchConfidence": 100.0,
            "record": {
                "attributes": {
                    "type": obj.name,
                    "url": f"/services/data/v{api_version}/sobjects/{obj.name}/{record_id}",
                },
                "Id": record_id,
            },
        }
        for record_id in matches
    ]
    duplicate_result = {
        "allowSave": False,
        "duplicateRule": rule_name,
        "duplicateRuleEntityType": obj.name,
        "errorMessage": "Use one of these records?",
        "matchResults": [
            {
                "entityType": obj.name,
                "errors": [],
                "matchEngine": "ExactMatchEngine",
                "matchRecords": match_records,
                "rule": rule_name.replace("Duplicate", "Match"),
                "size": len(match_records),
                "success": True,
            }
        ],
    }
    return SalesforceApiError(
        400, "DUPLICATES_DETECTED", "Use one of these records?", extra={"duplicateResult": duplicate_result}
    )
