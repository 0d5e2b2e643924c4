"""The change feed end to end: writes through simple-salesforce, events through the CometD client or plain HTTP.

Events are made old with `EmulatorAdmin.age_change_feed(hours)` and gap events are injected with
`EmulatorAdmin.inject_change_feed_gap(count)`.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest

from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.salesforce.change_feed import (
    REPLAY_ALL,
    REPLAY_NEW,
    ChangeEvent,
    ChangeFeedClient,
    ReplayIdExpired,
    SessionInvalid,
    is_own_write,
)
from sfsync_assets.lib.salesforce.connection import http_session

CLIENT_ID = "cdc-test"
ACCOUNTS = "/data/AccountChangeEvent"
REST_ORIGIN = f"com/salesforce/api/rest/59.0;client={CLIENT_ID}"


@pytest.fixture(scope="module")
def sf(emulator: EmulatorProcess):
    return emulator.salesforce(client_id=CLIENT_ID)


@pytest.fixture
def feed(sf) -> Iterator[ChangeFeedClient]:
    client = ChangeFeedClient.from_salesforce(sf)
    yield client
    client.close()


def _about(events: Iterable[ChangeEvent], record_ids: Iterable[str]) -> list[ChangeEvent]:
    wanted = set(record_ids)
    return [e for e in events if wanted & set(e.record_ids)]


def _drain(feed: ChangeFeedClient, done: Callable[[list[ChangeEvent]], bool], timeout_s: float = 10) -> list:
    """Poll until `done(events so far)`, then once more briefly, so a duplicate would show up too."""
    events: list[ChangeEvent] = []
    deadline = time.monotonic() + timeout_s
    while not done(events) and time.monotonic() < deadline:
        events += feed.poll(1)
    return events + feed.poll(0.3)


def _events_about(feed: ChangeFeedClient, record_ids: list[str], count: int) -> list[ChangeEvent]:
    return _about(_drain(feed, lambda events: len(_about(events, record_ids)) >= count), record_ids)


def test_rest_writes_appear_once_with_type_fields_and_origin(sf, feed) -> None:
    feed.subscribe(ACCOUNTS, REPLAY_NEW)
    record_id = sf.Account.create({"Name": "Feed REST", "Phone": "555"})["id"]
    sf.Account.update(record_id, {"Name": "Feed REST 2", "Phone": None})
    sf.Account.delete(record_id)

    events = _events_about(feed, [record_id], 3)
    assert [e.change_type for e in events] == ["CREATE", "UPDATE", "DELETE"]
    create, update, delete = events
    assert create.payload["Name"] == "Feed REST" and create.payload["Phone"] == "555"
    assert create.changed_fields == ()
    assert update.changed_fields == ("Name", "Phone", "LastModifiedDate")
    assert update.nulled_fields == ("Phone",)
    assert update.payload == {
        "Name": "Feed REST 2",
        "Phone": None,
        "LastModifiedDate": update.payload["LastModifiedDate"],
    }
    assert delete.payload == {}
    assert {e.change_origin for e in events} == {REST_ORIGIN}
    assert all(is_own_write(e, CLIENT_ID) for e in events)
    assert not is_own_write(create, "someone-else")
    assert create.replay_id < update.replay_id < delete.replay_id
    assert feed.positions == {ACCOUNTS: delete.replay_id}


def test_collection_writes_appear_once_and_rolled_back_ones_never(sf, feed) -> None:
    feed.subscribe("/data/ChangeEvents", REPLAY_NEW)
    marker = uuid.uuid4().hex[:8]
    created = sf.restful(
        "composite/sobjects",
        method="POST",
        json={
            "records": [
                {"attributes": {"type": "Account"}, "Name": f"Coll {marker}"},
                {"attributes": {"type": "Lead"}, "LastName": f"Coll {marker}", "Company": "C"},
            ]
        },
    )
    ids = [r["id"] for r in created]
    rolled_back = sf.restful(
        "composite/sobjects",
        method="POST",
        json={
            "allOrNone": True,
            "records": [
                {"attributes": {"type": "Account"}, "Name": f"Rolled back {marker}"},
                {"attributes": {"type": "Account"}},
            ],
        },
    )
    assert [r["success"] for r in rolled_back] == [False, False]
    sf.restful(
        "composite/sobjects",
        method="PATCH",
        json={"records": [{"attributes": {"type": "Account"}, "id": ids[0], "Rating": "Hot"}]},
    )
    sf.restful("composite/sobjects", method="DELETE", params={"ids": ",".join(ids)})

    everything = _drain(feed, lambda events: len(_about(events, ids)) >= 5)
    events = _about(everything, ids)
    assert [(e.entity, e.change_type) for e in events] == [
        ("Account", "CREATE"),
        ("Lead", "CREATE"),
        ("Account", "UPDATE"),
        ("Account", "DELETE"),
        ("Lead", "DELETE"),
    ]
    assert events[2].changed_fields == ("Rating", "LastModifiedDate")
    assert {e.change_origin for e in events} == {REST_ORIGIN}
    # One request is one transaction: a shared key, numbered in order.
    assert events[0].transaction_key == events[1].transaction_key
    assert (events[0].sequence_number, events[1].sequence_number) == (1, 2)
    assert not [e for e in everything if e.payload.get("Name") == f"Rolled back {marker}"]


def test_bulk_ingest_writes_appear_once(sf, feed) -> None:
    feed.subscribe(ACCOUNTS, REPLAY_NEW)
    marker = uuid.uuid4().hex[:8]
    result = sf.bulk2.Account.insert(records=[{"Name": f"Bulk {marker} {n}"} for n in range(3)], wait=0.05)
    assert result[0]["numberRecordsProcessed"] == 3

    events = _drain(feed, lambda events: len([e for e in events if marker in e.payload.get("Name", "")]) >= 3)
    ours = [e for e in events if marker in e.payload.get("Name", "")]
    assert sorted(e.payload["Name"] for e in ours) == [f"Bulk {marker} {n}" for n in range(3)]
    assert {e.change_type for e in ours} == {"CREATE"}
    assert {e.change_origin for e in ours} == {f"com/salesforce/api/bulkapi/59.0;client={CLIENT_ID}"}
    assert len({e.record_ids for e in ours}) == 3


def test_replay_from_an_id_resumes_right_after_it_and_new_only_skips_the_past(sf, feed) -> None:
    feed.subscribe(ACCOUNTS, REPLAY_NEW)
    ids = [sf.Account.create({"Name": f"Replay {n}"})["id"] for n in range(3)]
    first_pass = _events_about(feed, ids, 3)

    resumed = ChangeFeedClient.from_salesforce(sf)
    resumed.subscribe(ACCOUNTS, first_pass[0].replay_id)
    again = _events_about(resumed, ids, 2)
    assert [e.record_ids[0] for e in again] == ids[1:]
    assert [e.replay_id for e in again] == [e.replay_id for e in first_pass[1:]]

    new_only = ChangeFeedClient.from_salesforce(sf)
    new_only.subscribe(ACCOUNTS, REPLAY_NEW)
    assert _about(new_only.poll(0.5), ids) == []
    for client in (resumed, new_only):
        client.close()


def test_gap_events_carry_only_the_header(emulator: EmulatorProcess, sf, feed) -> None:
    feed.subscribe(ACCOUNTS, REPLAY_NEW)
    emulator.admin.inject_change_feed_gap(2)
    record_id = sf.Account.create({"Name": "Gap"})["id"]
    sf.Account.update(record_id, {"Name": "Gap 2"})
    sf.Account.update(record_id, {"Name": "Gap 3"})

    events = _events_about(feed, [record_id], 3)
    assert [e.change_type for e in events] == ["GAP_CREATE", "GAP_UPDATE", "UPDATE"]
    assert [e.is_gap for e in events] == [True, True, False]
    assert events[0].record_ids == (record_id,)
    assert events[0].payload == {} and events[1].payload == {}
    assert events[1].changed_fields == ()
    assert events[2].payload["Name"] == "Gap 3"

    # Gap events are what the log holds: a replay sees the same ones.
    replay = ChangeFeedClient.from_salesforce(sf)
    replay.subscribe(ACCOUNTS, events[0].replay_id - 1)
    assert [e.change_type for e in _events_about(replay, [record_id], 3)] == [
        "GAP_CREATE",
        "GAP_UPDATE",
        "UPDATE",
    ]
    replay.close()


def test_long_poll_returns_as_soon_as_an_event_arrives(emulator: EmulatorProcess, feed) -> None:
    feed.subscribe(ACCOUNTS, REPLAY_NEW)
    started = time.monotonic()
    assert feed.poll(1.0) == []
    assert 0.9 <= time.monotonic() - started < 3

    writer = emulator.salesforce(client_id="other-writer")
    created: list[str] = []
    thread = threading.Timer(0.5, lambda: created.append(writer.Account.create({"Name": "Prompt"})["id"]))
    started = time.monotonic()
    thread.start()
    events = feed.poll(20)
    elapsed = time.monotonic() - started
    thread.join()
    assert 0.4 <= elapsed < 3
    assert [e.record_ids[0] for e in events] == created
    assert events[0].origin_client == "other-writer" and not is_own_write(events[0], CLIENT_ID)


def test_wire_shape_of_handshake_subscribe_and_events(emulator: EmulatorProcess, sf) -> None:
    session = http_session(emulator.info.ca_file)
    url = f"{emulator.base_url}/cometd/59.0"
    used: list[int] = []

    def post(*messages: dict[str, Any]) -> list[dict[str, Any]]:
        response = session.post(
            url, json=list(messages), headers={"Authorization": f"Bearer {sf.session_id}"}
        )
        assert response.status_code == 200, response.text
        used.append(int(response.headers["Sforce-Limit-Info"].split("=")[1].split("/")[0]))
        return response.json()

    [handshake] = post(
        {
            "channel": "/meta/handshake",
            "version": "1.0",
            "supportedConnectionTypes": ["long-polling"],
            "ext": {"replay": True},
            "id": "1",
        }
    )
    assert handshake["successful"] is True and handshake["id"] == "1"
    assert handshake["supportedConnectionTypes"] == ["long-polling"] and handshake["ext"]["replay"] is True
    client_id = handshake["clientId"]

    [refused] = post(
        {"channel": "/meta/subscribe", "clientId": client_id, "subscription": "/data/NoSuchChangeEvent"}
    )
    assert refused["successful"] is False
    assert (
        refused["error"]
        == "400::The channel you requested to subscribe to does not exist {/data/NoSuchChangeEvent}"
    )

    channel = "/data/Customer_Profile__ChangeEvent"
    [subscribed] = post(
        {
            "channel": "/meta/subscribe",
            "clientId": client_id,
            "subscription": channel,
            "ext": {"replay": {channel: REPLAY_NEW}},
        }
    )
    assert subscribed["successful"] is True and subscribed["subscription"] == channel
    account_id = sf.Account.create({"Name": "Profile owner"})["id"]
    profiles = sf.restful(
        "composite/sobjects",
        method="POST",
        json={
            "records": [
                {
                    "attributes": {"type": "Customer_Profile__c"},
                    "Account__c": account_id,
                    "Payment_Terms__c": "Net 30",
                },
                {
                    "attributes": {"type": "Customer_Profile__c"},
                    "Account__c": account_id,
                    "Customer_Since__c": "2020-01-31",
                },
            ]
        },
    )

    messages: list[dict[str, Any]] = []
    deadline = time.monotonic() + 10
    while len(messages) < 2 and time.monotonic() < deadline:
        replies = post(
            {
                "channel": "/meta/connect",
                "clientId": client_id,
                "connectionType": "long-polling",
                "advice": {"timeout": 2000},
            }
        )
        assert replies[-1]["channel"] == "/meta/connect" and replies[-1]["successful"] is True
        assert replies[-1]["advice"]["reconnect"] == "retry"
        messages += replies[:-1]
    assert [m["channel"] for m in messages] == [channel, channel]
    first, second = (m["data"] for m in messages)
    assert set(first) == {"schema", "event", "payload"} and first["schema"] == second["schema"]
    assert set(first["event"]) == {"replayId", "EventUuid"}
    header = first["payload"]["ChangeEventHeader"]
    assert set(header) == {
        "entityName",
        "recordIds",
        "changeType",
        "changeOrigin",
        "transactionKey",
        "sequenceNumber",
        "isTransactionEnd",
        "commitTimestamp",
        "commitNumber",
        "commitUser",
        "changedFields",
        "nulledFields",
        "diffFields",
    }
    assert header["entityName"] == "Customer_Profile__c" and header["recordIds"] == [profiles[0]["id"]]
    assert header["commitUser"] == emulator.credentials.user_id
    second_header = second["payload"]["ChangeEventHeader"]
    assert (header["isTransactionEnd"], second_header["isTransactionEnd"]) == (False, True)
    assert header["commitNumber"] == second_header["commitNumber"]
    assert first["payload"]["Payment_Terms__c"] == "Net 30" and first["payload"]["Account__c"] == account_id
    assert second["payload"]["Customer_Since__c"] == "2020-01-31"
    assert "SystemModstamp" not in first["payload"] and "IsDeleted" not in first["payload"]
    # Every CometD POST is one API request (no other calls happened between the first three).
    assert [b - a for a, b in itertools.pairwise(used[:3])] == [1, 1]

    [unsubscribed] = post({"channel": "/meta/unsubscribe", "clientId": client_id, "subscription": channel})
    assert unsubscribed["successful"] is True and unsubscribed["subscription"] == channel
    [disconnected] = post({"channel": "/meta/disconnect", "clientId": client_id})
    assert disconnected["successful"] is True
    [forgotten] = post({"channel": "/meta/connect", "clientId": client_id, "connectionType": "long-polling"})
    assert forgotten["successful"] is False and forgotten["error"] == "403::Unknown client"
    assert forgotten["advice"]["reconnect"] == "handshake"


def test_bad_session_is_refused_with_401(emulator: EmulatorProcess) -> None:
    session = http_session(emulator.info.ca_file)
    response = session.post(
        f"{emulator.base_url}/cometd/59.0",
        headers={"Authorization": "Bearer nope"},
        json=[{"channel": "/meta/handshake", "supportedConnectionTypes": ["long-polling"]}],
    )
    assert response.status_code == 401
    assert response.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    with pytest.raises(SessionInvalid):
        ChangeFeedClient(emulator.base_url, "nope", session=session).subscribe(ACCOUNTS)


def test_expired_replay_id_is_refused_and_expired_events_are_gone(fresh_emulator: EmulatorProcess) -> None:
    sf = fresh_emulator.salesforce(client_id=CLIENT_ID)
    feed = ChangeFeedClient.from_salesforce(sf)
    feed.subscribe(ACCOUNTS, REPLAY_ALL)
    old_ids = [sf.Account.create({"Name": f"Old {n}"})["id"] for n in range(2)]
    old = _events_about(feed, old_ids, 2)

    aged = fresh_emulator.admin.age_change_feed(73)
    assert aged["purged"] == aged["aged"] >= 2
    new_id = sf.Account.create({"Name": "New"})["id"]

    with pytest.raises(ReplayIdExpired) as refused:
        ChangeFeedClient.from_salesforce(sf).subscribe(ACCOUNTS, old[0].replay_id)
    assert (refused.value.channel, refused.value.replay_id) == (ACCOUNTS, old[0].replay_id)
    assert f"400::The replayId {{{old[0].replay_id}}} you provided was invalid" in str(refused.value)
    with pytest.raises(ReplayIdExpired):
        ChangeFeedClient.from_salesforce(sf).subscribe(ACCOUNTS, 10**9)  # never issued

    # Resuming after the last event we had loses nothing, so it is allowed.
    resumed = ChangeFeedClient.from_salesforce(sf)
    resumed.subscribe(ACCOUNTS, old[1].replay_id)
    assert [e.record_ids[0] for e in _events_about(resumed, [*old_ids, new_id], 1)] == [new_id]
    everything = ChangeFeedClient.from_salesforce(sf)
    everything.subscribe(ACCOUNTS, REPLAY_ALL)
    assert [e.record_ids[0] for e in _events_about(everything, [*old_ids, new_id], 1)] == [new_id]
    assert [e.record_ids[0] for e in _events_about(feed, [*old_ids, new_id], 1)] == [new_id]


def test_client_handshakes_again_after_the_server_forgets_it(fresh_emulator: EmulatorProcess) -> None:
    sf = fresh_emulator.salesforce(client_id=CLIENT_ID)
    feed = ChangeFeedClient.from_salesforce(sf)
    feed.subscribe(ACCOUNTS, REPLAY_NEW)
    before = sf.Account.create({"Name": "Before restart"})["id"]
    assert len(_events_about(feed, [before], 1)) == 1

    fresh_emulator.stop()
    fresh_emulator.start()  # subscriptions live in memory: the server no longer knows this client
    after = sf.Account.create({"Name": "After restart"})["id"]
    events = _events_about(feed, [before, after], 1)
    assert [e.record_ids[0] for e in events] == [after]
