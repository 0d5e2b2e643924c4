"""Real-time objects: a sensor follows Salesforce's change feed and asks for just the changed records.

The seed's hybrid pattern: real-time for the few objects where freshness matters, batch for the rest. The sensor
keeps the replay id of each channel as its cursor, ignores sfsync's own writes (their `changeOrigin` carries our
client id), and requests a run of `raw/salesforce/<object>` that reads only the changed records by Id. Gap
events name records without their values, so those are read the same way. When the feed cannot resume (the
replay id expired), the sensor asks for an ordinary windowed read of the object, which cannot miss a change,
and starts following the feed afresh. It talks to Salesforce only, never to DuckDB.
"""

import json

import dagster as dg

from ...lib.salesforce.change_feed import (
    REPLAY_ALL,
    REPLAY_NEW,
    ChangeFeedClient,
    ChangeFeedError,
    ReplayIdExpired,
    is_own_write,
)
from ..salesforce_resource import SalesforceResource
from . import salesforce as ingest
from .salesforce import SETTINGS, asset_key

POLL_SECONDS = 5.0


def channel(object_name: str) -> str:
    """The object's change-event channel (`Contact` → `/data/ContactChangeEvent`, custom `X__c` → `X__ChangeEvent`)."""
    base = object_name[:-3] + "__" if object_name.endswith("__c") else object_name
    return f"/data/{base}ChangeEvent"


realtime_job = dg.define_asset_job(
    "salesforce_realtime_job",
    selection=dg.AssetSelection.assets(*(asset_key(name) for name in SETTINGS.realtime)),
    description="Reads the Salesforce records the change feed named, or re-reads a window after a feed gap.",
)


@dg.sensor(
    job=realtime_job,
    minimum_interval_seconds=15,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Follows Salesforce's change feed for the real-time objects and requests their changed records.",
)
def salesforce_change_feed_sensor(context: dg.SensorEvaluationContext, salesforce: SalesforceResource):
    if not SETTINGS.realtime:
        return dg.SkipReason("no object is configured as real-time")
    positions: dict[str, int] = json.loads(context.cursor) if context.cursor else {}
    sf = salesforce.connect()
    feed = ChangeFeedClient.from_salesforce(sf)
    reread: list[str] = []
    # A channel followed for the first time starts from everything retained, so no change slips between ticks;
    # those historical events only establish the position (the batch window read owns history).
    first_time = {channel(name) for name in SETTINGS.realtime if channel(name) not in positions}
    for name in SETTINGS.realtime:
        try:
            feed.subscribe(channel(name), positions.get(channel(name), REPLAY_ALL))
        except ReplayIdExpired as error:
            context.log.warning("change feed for %s cannot resume (%s); re-reading its window", name, error)
            reread.append(name)
            feed.subscribe(channel(name), REPLAY_NEW)
    try:
        events = feed.poll(POLL_SECONDS)
    except ReplayIdExpired as error:
        context.log.warning("change feed cannot resume (%s); re-reading the real-time windows", error)
        reread, events = list(SETTINGS.realtime), []
        for name in SETTINGS.realtime:
            feed.subscribe(channel(name), REPLAY_NEW)
    except ChangeFeedError as error:
        return dg.SkipReason(f"change feed unavailable: {error}")
    changed: dict[str, set[str]] = {}
    own = 0
    for event in events:
        if event.channel in first_time:
            continue
        if is_own_write(event, salesforce.client_id):
            own += 1
            continue
        changed.setdefault(event.entity, set()).update(event.record_ids)
    new_positions = {**positions, **feed.positions}
    run_requests = []
    if reread:
        run_requests.append(
            dg.RunRequest(
                run_key=f"window-reread:{json.dumps(new_positions, sort_keys=True)}",
                asset_selection=[asset_key(name) for name in reread],
                tags={"sfsync/reason": "change feed gap: windowed re-read"},
            )
        )
    record_ids = {name: sorted(ids) for name, ids in changed.items() if name in SETTINGS.realtime}
    if record_ids:
        run_requests.append(
            dg.RunRequest(
                run_key=f"records:{json.dumps(new_positions, sort_keys=True)}",
                asset_selection=[asset_key(name) for name in record_ids],
                run_config={"ops": {ingest.salesforce_raw.op.name: {"config": {"record_ids": record_ids}}}},
                tags={
                    "sfsync/reason": "change feed",
                    "sfsync/records": str(sum(map(len, record_ids.values()))),
                },
            )
        )
    if not run_requests:
        return dg.SensorResult(
            skip_reason=f"no new changes ({own} of sfsync's own writes ignored)",
            cursor=json.dumps(new_positions),
        )
    return dg.SensorResult(run_requests=run_requests, cursor=json.dumps(new_positions))
