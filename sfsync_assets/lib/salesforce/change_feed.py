"""Change Data Capture over Salesforce's Streaming API: a small CometD (Bayeux long-polling) client on `requests`.

The same code talks to a real org (`https://<instance>/cometd/59.0`) and to the emulator. The caller keeps the
replay id of the last event it processed (`positions`) and subscribes with it after a restart; within a run the
client handshakes and subscribes again from those positions whenever the server forgets it (`403::Unknown
client`, a dropped or abandoned long poll). When the server no longer holds the events after a replay id,
`ReplayIdExpired` tells the caller to fall back to a windowed re-read (getUpdated, or SOQL on SystemModstamp).
"""

from __future__ import annotations

import itertools
import re
import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import requests

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

REPLAY_NEW = -1
REPLAY_ALL = -2
_REPLAY_REFUSED = re.compile(r"^400::The replayId \{")
_CONNECT_SECONDS = 10.0
_RESPONSE_GRACE_SECONDS = 5.0  # a server may answer a long poll a little after the timeout it was asked for


class ChangeFeedError(RuntimeError):
    """The Streaming API refused a request or could not be reached; the message carries its answer."""


class SessionInvalid(ChangeFeedError):
    """The session id was refused: log in again and build a new client (keep `positions`)."""


class ReplayIdExpired(ChangeFeedError):
    """The server holds no events right after `replay_id` (older than the retention window, or never issued):
    re-read the window instead, then subscribe again from -1."""

    def __init__(self, channel: str, replay_id: int, error: str) -> None:
        super().__init__(f"cannot resume {channel} after replay id {replay_id}: {error}")
        self.channel = channel
        self.replay_id = replay_id


@dataclass(frozen=True)
class ChangeEvent:
    """One change event: the `ChangeEventHeader` fields and, except for gap events, the record fields."""

    channel: str
    replay_id: int
    entity: str
    record_ids: tuple[str, ...]
    change_type: str
    changed_fields: tuple[str, ...]
    nulled_fields: tuple[str, ...]
    commit_timestamp: datetime
    transaction_key: str
    sequence_number: int
    change_origin: str
    payload: dict[str, Any]

    @property
    def is_gap(self) -> bool:
        """A header-only event: the record must be read again to learn its state."""
        return self.change_type.startswith("GAP_")

    @property
    def origin_client(self) -> str | None:
        """The `client=` part of `changeOrigin` (`com/salesforce/api/rest/59.0;client=sfsync` → `sfsync`)."""
        for part in self.change_origin.split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip() == "client" and value.strip():
                return value.strip()
        return None

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> ChangeEvent:
        data = message["data"]
        fields = dict(data["payload"])
        header = fields.pop("ChangeEventHeader")
        return cls(
            channel=message["channel"],
            replay_id=int(data["event"]["replayId"]),
            entity=header["entityName"],
            record_ids=tuple(header.get("recordIds") or ()),
            change_type=header["changeType"],
            changed_fields=tuple(header.get("changedFields") or ()),
            nulled_fields=tuple(header.get("nulledFields") or ()),
            commit_timestamp=datetime.fromtimestamp(int(header["commitTimestamp"]) / 1000, UTC),
            transaction_key=header.get("transactionKey", ""),
            sequence_number=int(header.get("sequenceNumber", 0)),
            change_origin=header.get("changeOrigin") or "",
            payload=fields,
        )


def is_own_write(event: ChangeEvent, client_id: str) -> bool:
    """Whether our own write (made with `Sforce-Call-Options: client=<client_id>`) caused this change: an echo
    that two-way sync must not treat as a new edit in Salesforce."""
    return event.origin_client == client_id


class ChangeFeedClient:
    """Subscribe to change-event channels and long-poll them; one thread at a time."""

    def __init__(
        self, instance_url: str, session_id: str, *, session: requests.Session, api_version: str = "59.0"
    ) -> None:
        self.endpoint = f"{instance_url.rstrip('/')}/cometd/{api_version}"
        self._session = session
        self._authorization = f"Bearer {session_id}"
        self._positions: dict[str, int] = {}
        self._client_id: str | None = None
        self._subscribed: set[str] = set()
        self._pending: list[ChangeEvent] = []
        self._message_ids = itertools.count(1)

    @classmethod
    def from_salesforce(cls, sf: Salesforce) -> ChangeFeedClient:
        """Reuse a logged-in simple-salesforce client's session (and so its TLS settings and headers)."""
        return cls(f"https://{sf.sf_instance}", sf.session_id, session=sf.session, api_version=sf.sf_version)

    @property
    def positions(self) -> dict[str, int]:
        """Per channel, the replay id of the last event received (or the subscription's -1/-2 before any)."""
        return dict(self._positions)

    def subscribe(self, channel: str, replay_from: int = REPLAY_NEW) -> None:
        """Receive `channel`'s events after `replay_from` (-1: new only, -2: all retained, N: after event N)."""
        self._positions[channel] = replay_from
        self._subscribed.discard(channel)
        self._ensure_subscribed()

    def poll(self, timeout_s: float) -> list[ChangeEvent]:
        """Events that arrive within `timeout_s`, returned as soon as there are any; [] when none came."""
        deadline = time.monotonic() + timeout_s
        while not self._pending:
            self._ensure_subscribed()
            remaining = max(0.0, deadline - time.monotonic())
            connect = {
                "channel": "/meta/connect",
                "clientId": self._client_id,
                "connectionType": "long-polling",
                "advice": {"timeout": int(remaining * 1000)},
            }
            try:
                replies = self._post([connect], remaining + _RESPONSE_GRACE_SECONDS)
            except requests.ReadTimeout:
                # The server holds polls longer than we asked (its own 110 s): what it sends on this one is lost
                # to us, so the next poll starts over from our own positions.
                self._forget_server_state()
                break
            except requests.RequestException as error:
                self._forget_server_state()
                raise ChangeFeedError(f"{self.endpoint} unreachable: {error}") from error
            reply = self._take_reply(replies, "/meta/connect")
            if not reply.get("successful"):
                if not _must_handshake(reply):
                    raise _failure(reply)
                self._forget_server_state()
            if time.monotonic() >= deadline:
                break
        events, self._pending = self._pending, []
        return events

    def close(self) -> None:
        """Tell the server to forget this client (best effort: it forgets idle clients anyway)."""
        if self._client_id is not None:
            with suppress(requests.RequestException, ChangeFeedError):
                self._post([{"channel": "/meta/disconnect", "clientId": self._client_id}], _CONNECT_SECONDS)
            self._forget_server_state()

    # --- protocol ---------------------------------------------------------------------------------------------

    def _ensure_subscribed(self) -> None:
        for _attempt in range(2):
            if self._client_id is None:
                self._handshake()
            for channel in [c for c in self._positions if c not in self._subscribed]:
                replay_from = self._positions[channel]
                reply = self._meta(
                    {
                        "channel": "/meta/subscribe",
                        "clientId": self._client_id,
                        "subscription": channel,
                        "ext": {"replay": {channel: replay_from}},
                    }
                )
                if reply.get("successful"):
                    self._subscribed.add(channel)
                    continue
                if _must_handshake(reply):
                    self._forget_server_state()
                    break
                del self._positions[channel]
                if _REPLAY_REFUSED.match(str(reply.get("error", ""))):
                    raise ReplayIdExpired(channel, replay_from, str(reply["error"]))
                raise _failure(reply)
            if self._client_id is not None:
                return
        raise ChangeFeedError(f"{self.endpoint} forgot this client twice while it subscribed")

    def _handshake(self) -> None:
        reply = self._meta(
            {
                "channel": "/meta/handshake",
                "version": "1.0",
                "minimumVersion": "1.0",
                "supportedConnectionTypes": ["long-polling"],
                "ext": {"replay": True},
            }
        )
        if not reply.get("successful"):
            raise _failure(reply)
        self._client_id = reply["clientId"]
        self._subscribed = set()

    def _meta(self, message: dict[str, Any]) -> dict[str, Any]:
        try:
            replies = self._post([message], _CONNECT_SECONDS)
        except requests.RequestException as error:
            # A lost response may have carried events the server now counts as delivered: start over from our
            # own positions.
            self._forget_server_state()
            raise ChangeFeedError(f"{self.endpoint} unreachable: {error}") from error
        return self._take_reply(replies, message["channel"])

    def _post(self, messages: list[dict[str, Any]], read_timeout_s: float) -> list[dict[str, Any]]:
        for message in messages:
            message["id"] = str(next(self._message_ids))
        response = self._session.post(
            self.endpoint,
            json=messages,
            headers={"Authorization": self._authorization},
            timeout=(_CONNECT_SECONDS, read_timeout_s),
        )
        if response.status_code == 401:
            raise SessionInvalid(f"{self.endpoint} refused the session: {response.text[:300]}")
        if response.status_code != 200:
            raise ChangeFeedError(f"{self.endpoint} answered {response.status_code}: {response.text[:300]}")
        replies = response.json()
        return replies if isinstance(replies, list) else [replies]

    def _take_reply(self, replies: list[dict[str, Any]], channel: str) -> dict[str, Any]:
        """The reply on `channel`; events that came along are queued and advance `positions`."""
        reply: dict[str, Any] | None = None
        for message in replies:
            if message.get("channel") == channel:
                reply = message
            elif "data" in message and "ChangeEventHeader" in (message["data"].get("payload") or {}):
                event = ChangeEvent.from_message(message)
                self._pending.append(event)
                self._positions[event.channel] = event.replay_id
        if reply is None:
            raise ChangeFeedError(f"{self.endpoint} sent no {channel} reply: {replies!r:.300}")
        return reply

    def _forget_server_state(self) -> None:
        self._client_id = None
        self._subscribed = set()


def _must_handshake(reply: dict[str, Any]) -> bool:
    advice = reply.get("advice") or {}
    return advice.get("reconnect") == "handshake" or "Unknown client" in str(reply.get("error", ""))


def _failure(reply: dict[str, Any]) -> ChangeFeedError:
    error = str(reply.get("error", "unsuccessful"))
    reason = str(((reply.get("ext") or {}).get("sfdc") or {}).get("failureReason", ""))
    message = f"{reply.get('channel')} failed: {error}" + (f" ({reason})" if reason else "")
    if error.startswith("401::") or reason.startswith("401::"):
        return SessionInvalid(message)
    return ChangeFeedError(message)
