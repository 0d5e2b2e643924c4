"""The change feed: Change Data Capture events made from the store's change log, served the way Salesforce's
Streaming API serves them (Bayeux over HTTPS long polling, as CometD clients speak it).

The store appends one `_change_events` row per record written. `ChangeLog` turns committed rows into the event
messages Salesforce delivers on `/data/ChangeEvents` and `/data/<Entity>ChangeEvent`, applies the 72-hour
retention (expired events are never delivered, a replay id that would skip them is refused) and marks injected
gap events. `CometdServer` keeps each client's subscriptions and cursors in memory, as Salesforce does: after a
restart a client hears `403::Unknown client` and handshakes again with the replay ids it kept itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from .schema import OrgSchema
from .store import OrgStore

RETENTION = timedelta(hours=72)
ALL_CHANGES_CHANNEL = "/data/ChangeEvents"
MAX_CONNECT_TIMEOUT_MS = 110_000
MAX_EVENTS_PER_CONNECT = 500
CLIENT_EXPIRY_SECONDS = 120
GAP_CHANGE_TYPES = {
    "CREATE": "GAP_CREATE",
    "UPDATE": "GAP_UPDATE",
    "DELETE": "GAP_DELETE",
    "UNDELETE": "GAP_UNDELETE",
}

_EXPIRED_THROUGH_SETTING = "change_feed.expired_through"
_GAPS_SETTING = "change_feed.gaps"
_NOT_IN_EVENTS = {"Id", "IsDeleted", "SystemModstamp"}  # change events never carry these fields
_JSON_TYPES = {"boolean": bool, "int": int, "double": float, "currency": float, "percent": float}
_CONNECT_ADVICE = {"interval": 0, "timeout": MAX_CONNECT_TIMEOUT_MS, "reconnect": "retry"}
# Namespace of EventUuid values, so an event has the same uuid every time it is delivered.
_EVENT_UUIDS = uuid.UUID("5f0c1c1e-6b1f-4c55-9d0a-2f4c7e2d9a10")


class BayeuxError(Exception):
    """A message the server refuses; `error` is the Bayeux `code::text` string the reply carries."""

    def __init__(self, error: str, advice: dict[str, Any] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.advice = advice


def invalid_replay_id(replay_id: Any) -> BayeuxError:
    """Salesforce's answer to a replay id it cannot resume from (expired, never issued, or nonsense)."""
    return BayeuxError(
        f"400::The replayId {{{replay_id}}} you provided was invalid. Please provide a valid ID, -2 to replay all "
        "events, or -1 to replay only new events."
    )


def unknown_client() -> BayeuxError:
    return BayeuxError("403::Unknown client", {"reconnect": "handshake", "interval": 0})


def channel_for(entity: str) -> str:
    """`Account` → `/data/AccountChangeEvent`; custom `Customer_Profile__c` → `/data/Customer_Profile__ChangeEvent`."""
    base = entity.removesuffix("__c") + "__" if entity.endswith("__c") else entity
    return f"/data/{base}ChangeEvent"


def entity_for_channel(schema: OrgSchema, channel: Any) -> str | None:
    """The entity a channel carries, None for `/data/ChangeEvents`; refuses channels Salesforce would refuse."""
    if not isinstance(channel, str) or not channel:
        raise BayeuxError("400::Channel name not specified")
    if not channel.startswith("/"):
        raise BayeuxError("400::Channel subscriptions must start with a leading '/'")
    if channel == ALL_CHANGES_CHANNEL:
        return None
    obj = None
    if channel.startswith("/data/") and channel.endswith("ChangeEvent"):
        name = channel.removeprefix("/data/").removesuffix("ChangeEvent")
        obj = schema.object(name + "c" if name.endswith("__") else name)
    if obj is None or channel_for(obj.name) != channel:
        raise BayeuxError(f"400::The channel you requested to subscribe to does not exist {{{channel}}}")
    return obj.name


class ChangeLog:
    """Committed change events, read through a connection of its own.

    The store's connection is shared by every writer thread, so a read on it can see rows of a transaction that
    is still open and may yet roll back (an all-or-none collection). A second connection sees only commits;
    because the store commits one transaction at a time, replay ids become visible in increasing order.
    """

    def __init__(self, store: OrgStore) -> None:
        self.store = store
        database = store.connection.execute("PRAGMA database_list").fetchall()[0][2]
        self._reader = sqlite3.connect(database, check_same_thread=False, isolation_level=None)
        self._reader_lock = threading.Lock()
        with store.lock:
            # commitNumber and isTransactionEnd look up the other events of a transaction.
            store.connection.execute(
                "CREATE INDEX IF NOT EXISTS _change_events_transaction "
                "ON _change_events (transaction_key, replay_id)"
            )

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._reader_lock:
            return self._reader.execute(sql, params).fetchall()

    def _cutoff_ms(self) -> int:
        return int((self.store.clock() - RETENTION).timestamp() * 1000)

    def latest(self) -> int:
        """The highest replay id ever committed (ids keep growing after purges and resets)."""
        rows = self._read("SELECT seq FROM sqlite_sequence WHERE name = '_change_events'")
        return int(rows[0][0]) if rows else 0

    def expired_through(self) -> int:
        """The highest replay id no longer delivered: purged already, or older than the retention window."""
        rows = self._read(
            "SELECT MAX(replay_id), (SELECT value FROM _settings WHERE key = ?) FROM _change_events "
            "WHERE commit_timestamp < ?",
            (_EXPIRED_THROUGH_SETTING, self._cutoff_ms()),
        )
        return max(int(rows[0][0] or 0), int(rows[0][1] or 0))

    def start_position(self, replay_from: Any) -> int:
        """The cursor a subscription starts after: -1 = now, -2 = oldest retained, N = after N if nothing after N
        has expired and N was issued."""
        if isinstance(replay_from, str) and replay_from.lstrip("-").isdigit():
            replay_from = int(replay_from)
        if not isinstance(replay_from, int) or isinstance(replay_from, bool) or replay_from < -2:
            raise invalid_replay_id(replay_from)
        if replay_from == -1:
            return self.latest()
        if replay_from == -2:
            return self.expired_through()
        if not self.expired_through() <= replay_from <= self.latest():
            raise invalid_replay_id(replay_from)
        return replay_from

    def has_events(self, after: int, entity: str | None) -> tuple[bool, int]:
        """Whether an event is deliverable after `after`, and how far that answer reaches (a cursor that found
        nothing may move there, since later commits get higher ids)."""
        high = self.latest()
        rows = self._read(
            "SELECT 1 FROM _change_events WHERE replay_id > ? AND replay_id <= ? AND commit_timestamp >= ? "
            "AND (? IS NULL OR entity = ?) LIMIT 1",
            (after, high, self._cutoff_ms(), entity, entity),
        )
        return bool(rows), high

    def events(self, after: int, entity: str | None, limit: int) -> tuple[list[dict[str, Any]], int]:
        """Up to `limit` event messages' `data` after `after`, in replay order, and the cursor to continue from."""
        high = self.latest()
        rows = self._read(
            "SELECT e.replay_id, e.entity, e.record_id, e.change_type, e.changed_fields, e.nulled_fields, "
            "e.payload, e.commit_timestamp, e.commit_user, e.transaction_key, e.sequence_number, e.change_origin, "
            "(SELECT MIN(t.replay_id) FROM _change_events t WHERE t.transaction_key = e.transaction_key), "
            "NOT EXISTS (SELECT 1 FROM _change_events t WHERE t.transaction_key = e.transaction_key "
            "AND t.replay_id > e.replay_id) "
            "FROM _change_events e WHERE e.replay_id > ? AND e.replay_id <= ? AND e.commit_timestamp >= ? "
            "AND (? IS NULL OR e.entity = ?) ORDER BY e.replay_id LIMIT ?",
            (after, high, self._cutoff_ms(), entity, entity, limit),
        )
        setting = self._read("SELECT value FROM _settings WHERE key = ?", (_GAPS_SETTING,))
        gaps = _parse_gaps(setting[0][0] if setting else None)
        data = [self._event_data(row, any(first <= row[0] <= last for first, last in gaps)) for row in rows]
        return data, (rows[-1][0] if len(rows) == limit else high)

    def _event_data(self, row: tuple[Any, ...], gap: bool) -> dict[str, Any]:
        (
            replay_id,
            entity,
            record_id,
            change_type,
            changed,
            nulled,
            payload,
            committed,
            user,
            transaction,
            sequence,
            origin,
            commit_number,
            is_end,
        ) = row
        header = {
            "entityName": entity,
            "recordIds": [record_id],
            "changeType": GAP_CHANGE_TYPES[change_type] if gap else change_type,
            "changeOrigin": origin,
            "transactionKey": transaction,
            "sequenceNumber": sequence,
            "isTransactionEnd": bool(is_end),
            "commitTimestamp": committed,
            "commitNumber": commit_number,
            "commitUser": user,
            # Salesforce lists changed fields for updates only, creation included in "other operations".
            "changedFields": json.loads(changed) if change_type == "UPDATE" and not gap else [],
            "nulledFields": [] if gap else json.loads(nulled),
            "diffFields": [],
        }
        body = {} if gap else self._fields(entity, json.loads(payload), json.loads(nulled))
        event_uuid = uuid.uuid5(_EVENT_UUIDS, f"{transaction}/{sequence}")
        return {
            "schema": _schema_id(self.store.schema, entity),
            "payload": {"ChangeEventHeader": header, **body},
            "event": {"replayId": replay_id, "EventUuid": str(event_uuid)},
        }

    def _fields(self, entity: str, stored: dict[str, Any], nulled: list[str]) -> dict[str, Any]:
        """Record fields as CometD JSON carries them: booleans and numbers typed, datetimes `...000Z`, nulled
        fields present as null."""
        obj = self.store.schema.object(entity)
        body: dict[str, Any] = {}
        for name, value in {**stored, **dict.fromkeys(nulled)}.items():
            if name in _NOT_IN_EVENTS:
                continue
            field_def = obj.field(name) if obj is not None else None
            convert = _JSON_TYPES.get(field_def.type) if field_def is not None else None
            body[name] = convert(value) if convert is not None and value is not None else value
        return body


def _schema_id(schema: OrgSchema, entity: str) -> str:
    """A stable id per entity shape, like the Avro schema id Salesforce puts in `data.schema`."""
    obj = schema.object(entity)
    shape = f"{entity}:{','.join(sorted(obj.fields)) if obj is not None else ''}"
    return base64.urlsafe_b64encode(hashlib.sha256(shape.encode()).digest())[:22].decode()


# --- retention and faults, changed through the admin API ------------------------------------------------------


def _parse_gaps(setting: str | None) -> list[tuple[int, int]]:
    """Replay id ranges [first, last] that reach subscribers as gap events."""
    return [(first, last) for first, last in json.loads(setting or "[]")]


def inject_gap(store: OrgStore, count: int) -> tuple[int, int]:
    """Make the next `count` committed events gap events (header only, `GAP_*`), for every subscriber alike.

    The range is fixed now, from the table's autoincrement sequence: rolled-back inserts roll the sequence back
    too, so the next `count` committed events get exactly the next `count` ids.
    """
    # No write transaction is open while the lock is held, so the sequence read is the committed one.
    with store.lock:
        rows = store.connection.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = '_change_events'"
        ).fetchall()
        last = int(rows[0][0]) if rows else 0
        ranges = [*_parse_gaps(store.setting(_GAPS_SETTING)), (last + 1, last + count)]
        store.set_setting(_GAPS_SETTING, json.dumps(ranges))
    return last + 1, last + count


def age_events(store: OrgStore, hours: float) -> int:
    """Move every logged event `hours` into the past, so retention can be tested without waiting three days."""
    with store.transaction():
        return store.connection.execute(
            "UPDATE _change_events SET commit_timestamp = commit_timestamp - ?", (int(hours * 3_600_000),)
        ).rowcount


def purge_expired(store: OrgStore) -> int:
    """Delete events older than the retention window, remembering the highest purged replay id."""
    cutoff = int((store.clock() - RETENTION).timestamp() * 1000)
    with store.transaction():
        rows = store.connection.execute(
            "SELECT MAX(replay_id) FROM _change_events WHERE commit_timestamp < ?", (cutoff,)
        ).fetchall()
        if rows[0][0] is None:
            return 0
        through = max(int(rows[0][0]), int(store.setting(_EXPIRED_THROUGH_SETTING, "0") or 0))
        store.set_setting(_EXPIRED_THROUGH_SETTING, str(through))
        gaps = [r for r in _parse_gaps(store.setting(_GAPS_SETTING)) if r[1] > through]
        store.set_setting(_GAPS_SETTING, json.dumps(gaps))
        return store.connection.execute(
            "DELETE FROM _change_events WHERE commit_timestamp < ?", (cutoff,)
        ).rowcount


# --- Bayeux ---------------------------------------------------------------------------------------------------


@dataclass
class _Subscription:
    entity: str | None
    cursor: int


@dataclass
class _Client:
    client_id: str
    subscriptions: dict[str, _Subscription] = field(default_factory=dict)
    connects: int = 0  # a newer /meta/connect supersedes a waiting one
    last_seen: float = field(default_factory=time.monotonic)


@dataclass
class PendingConnect:
    """A `/meta/connect` with nothing to deliver yet. The caller waits (without a worker thread) until `ready()`
    or `timeout_s` has passed, then sends `complete()`."""

    server: CometdServer
    message: dict[str, Any]
    client: _Client
    generation: int
    timeout_s: float

    def ready(self) -> bool:
        return self.server.connect_ready(self)

    def complete(self) -> list[dict[str, Any]]:
        return self.server.finish_connect(self)


@dataclass
class Exchange:
    """The replies to one POST, but for the connect that waits (`pending`), whose replies come later."""

    replies: list[dict[str, Any]] = field(default_factory=list)
    pending: PendingConnect | None = None


class CometdServer:
    """Handshake, subscribe, connect (long poll), unsubscribe and disconnect for the change-event channels."""

    def __init__(self, store: OrgStore) -> None:
        self.store = store
        self.log = ChangeLog(store)
        self._clients: dict[str, _Client] = {}
        self._lock = threading.Lock()

    def receive(self, messages: list[dict[str, Any]]) -> Exchange:
        exchange = Exchange()
        self._forget_idle_clients()
        for message in messages:
            channel = message.get("channel")
            try:
                if channel == "/meta/handshake":
                    exchange.replies.append(self._handshake(message))
                elif channel == "/meta/connect":
                    self._connect(message, exchange)
                elif channel in ("/meta/subscribe", "/meta/unsubscribe"):
                    exchange.replies.append(self._subscription(message))
                elif channel == "/meta/disconnect":
                    with self._lock:
                        self._clients.pop(str(message.get("clientId")), None)
                    exchange.replies.append(_reply(message, successful=True))
                else:
                    raise BayeuxError(f"400::Unsupported channel {{{channel}}}")
            except BayeuxError as error:
                reply = _reply(message, successful=False, error=error.error)
                if error.advice:
                    reply["advice"] = error.advice
                exchange.replies.append(reply)
        return exchange

    def _handshake(self, message: dict[str, Any]) -> dict[str, Any]:
        offered = message.get("supportedConnectionTypes") or ["long-polling"]
        if "long-polling" not in offered:
            raise BayeuxError(f"400::Invalid connection type {{{','.join(map(str, offered))}}}")
        client = _Client(secrets.token_hex(13))
        with self._lock:
            self._clients[client.client_id] = client
        reply = _reply(message, successful=True, client_id=client.client_id)
        reply.update(
            version="1.0",
            minimumVersion="1.0",
            supportedConnectionTypes=["long-polling"],
            ext={"replay": True, "payload.format": True},
        )
        return reply

    def _subscription(self, message: dict[str, Any]) -> dict[str, Any]:
        channel = message.get("subscription")
        reply = _reply(message, successful=True)
        reply["subscription"] = channel
        client = self._client(message)
        if message["channel"] == "/meta/unsubscribe":
            with self._lock:
                client.subscriptions.pop(str(channel), None)
            return reply
        entity = entity_for_channel(self.store.schema, channel)
        replay = (message.get("ext") or {}).get("replay") or {}
        purge_expired(self.store)
        cursor = self.log.start_position(replay.get(channel, -1) if isinstance(replay, dict) else -1)
        with self._lock:
            client.subscriptions[channel] = _Subscription(entity, cursor)
        return reply

    def _connect(self, message: dict[str, Any], exchange: Exchange) -> None:
        client = self._client(message)
        requested = (message.get("advice") or {}).get("timeout")
        timeout_ms = MAX_CONNECT_TIMEOUT_MS
        if isinstance(requested, int | float):
            timeout_ms = min(max(int(requested), 0), MAX_CONNECT_TIMEOUT_MS)
        with self._lock:
            first = client.connects == 0
            client.connects += 1
            pending = PendingConnect(self, message, client, client.connects, timeout_ms / 1000)
        if first or timeout_ms == 0 or self.connect_ready(pending):
            # CometD answers a client's first connect at once, to hand it the advice.
            exchange.replies.extend(self.finish_connect(pending))
        else:
            exchange.pending = pending

    def connect_ready(self, pending: PendingConnect) -> bool:
        """True once the waiting connect has something to say: events, or that it was superseded or dropped."""
        client = pending.client
        with self._lock:
            if self._clients.get(client.client_id) is not client or client.connects != pending.generation:
                return True
            for subscription in client.subscriptions.values():
                found, reached = self.log.has_events(subscription.cursor, subscription.entity)
                if found:
                    return True
                subscription.cursor = max(subscription.cursor, reached)
            return False

    def finish_connect(self, pending: PendingConnect) -> list[dict[str, Any]]:
        """The event messages due to the client, then the connect reply; cursors move past what is sent."""
        client, message = pending.client, pending.message
        with self._lock:
            if self._clients.get(client.client_id) is not client:
                error = unknown_client()
                return [_reply(message, successful=False, error=error.error) | {"advice": error.advice}]
            delivered: list[dict[str, Any]] = []
            if client.connects == pending.generation:
                for channel, subscription in client.subscriptions.items():
                    data, subscription.cursor = self.log.events(
                        subscription.cursor, subscription.entity, MAX_EVENTS_PER_CONNECT - len(delivered)
                    )
                    delivered.extend({"channel": channel, "data": item} for item in data)
                    if len(delivered) >= MAX_EVENTS_PER_CONNECT:
                        break
            client.last_seen = time.monotonic()
        return [*delivered, _reply(message, successful=True) | {"advice": dict(_CONNECT_ADVICE)}]

    def _client(self, message: dict[str, Any]) -> _Client:
        with self._lock:
            client = self._clients.get(str(message.get("clientId")))
            if client is None:
                raise unknown_client()
            client.last_seen = time.monotonic()
            return client

    def _forget_idle_clients(self) -> None:
        """Drop clients that stopped polling, as Salesforce drops a CometD session nobody reconnects (a waiting
        connect refreshed `last_seen` when it started, and waits at most 110 s of the 120)."""
        horizon = time.monotonic() - CLIENT_EXPIRY_SECONDS
        with self._lock:
            for client_id in [c.client_id for c in self._clients.values() if c.last_seen < horizon]:
                del self._clients[client_id]


def _reply(
    message: dict[str, Any], *, successful: bool, error: str | None = None, client_id: str | None = None
) -> dict[str, Any]:
    reply: dict[str, Any] = {"channel": message.get("channel"), "successful": successful}
    if client_id or message.get("clientId"):
        reply["clientId"] = client_id or message.get("clientId")
    if "id" in message:
        reply["id"] = message["id"]
    if error:
        reply["error"] = error
    return reply
