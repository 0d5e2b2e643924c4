"""Sensors that request a push when golden records change, reading only Dagster's event log (never DuckDB).

Why plain `@dg.sensor`s: the contact push depends on two versions (golden persons, and the account push that
confirms their parents); `@asset_sensor` follows one key and overwrites any cursor of its own, and
`@multi_asset_sensor` is superseded in 1.13. Declarative automation could start the jobs, but could not name the
version a run pushes. Here the version is the storage ids of the watched assets' latest materializations (ids
grow monotonically across the instance), and it is the run_key: Dagster never launches a run_key twice, and the
cursor (the last key requested) turns a tick with nothing new into a cheap skip.

A push that stopped early (API budget, circuit breaker, retriable failures) says so in its `needs_resume`
metadata; once `resume_after_seconds` have passed the sensor asks for one more run of the same version, keyed by
that push's storage id, so a resume is requested once per unfinished push.

The consent fast path looks every `consent.sensor_interval_seconds` (15 s) but asks for a run only when a golden
person build changed an opt-out flag: the build reports a fingerprint of all of them (`consent_version`), and the
sensor keeps the last one in its cursor. The run jumps the queue and writes one small Collections call per 200
changed people, so an opt-out reaches Salesforce within a minute of the golden build that carries it.
"""

import time
from collections.abc import Sequence

import dagster as dg

from ..golden.records import CONSENT_VERSION
from .jobs import push_account_job, push_consent_job, push_contact_job
from .keys import consent_key, golden_key, push_key
from .resources import SHIPPED_SETTINGS

GOLDEN_SENSOR_INTERVAL_SECONDS = 30
RESUME = "+resume@"


def _latest(instance: dg.DagsterInstance, key: dg.AssetKey) -> dg.EventLogRecord | None:
    records = instance.fetch_materializations(key, limit=1).records
    return records[0] if records else None


def _needs_resume(record: dg.EventLogRecord) -> bool:
    materialization = record.asset_materialization
    flag = materialization.metadata.get("needs_resume") if materialization else None
    return bool(flag and flag.value)


def push_run_key(
    instance: dg.DagsterInstance,
    watched: Sequence[dg.AssetKey],
    pushed: dg.AssetKey,
    resume_after_seconds: float,
    now: float,
) -> str | None:
    """The version of the watched assets a push should bring to Salesforce; None before the first one exists."""
    latest = [_latest(instance, key) for key in watched]
    if latest[0] is None:
        return None
    version = "+".join(
        f"{key.to_user_string()}@{record.storage_id if record else 0}"
        for key, record in zip(watched, latest, strict=True)
    )
    push = _latest(instance, pushed)
    newest_input = max(record.storage_id for record in latest if record)
    if (
        push is not None
        and push.storage_id > newest_input
        and _needs_resume(push)
        and now - push.timestamp >= resume_after_seconds
    ):
        return f"{version}{RESUME}{push.storage_id}"
    return version


def build_push_sensor(
    name: str,
    job_name: str,
    watched: Sequence[dg.AssetKey],
    pushed: dg.AssetKey,
    interval_seconds: int,
) -> dg.SensorDefinition:
    @dg.sensor(
        name=name,
        job_name=job_name,
        minimum_interval_seconds=interval_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"Runs {job_name} once per version of {', '.join(k.to_user_string() for k in watched)}.",
    )
    def _sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
        run_key = push_run_key(
            context.instance, watched, pushed, SHIPPED_SETTINGS.salesforce.resume_after_seconds, time.time()
        )
        if run_key is None:
            return dg.SkipReason(f"{watched[0].to_user_string()} has not been materialized yet")
        if run_key == context.cursor:
            return dg.SkipReason(f"{run_key} was already requested")
        return dg.SensorResult(run_requests=[dg.RunRequest(run_key=run_key)], cursor=run_key)

    return _sensor


push_account_sensor = build_push_sensor(
    "push_salesforce_account_on_golden",
    push_account_job.name,
    [golden_key("organization")],
    push_key("account"),
    GOLDEN_SENSOR_INTERVAL_SECONDS,
)
push_contact_sensor = build_push_sensor(
    "push_salesforce_contact_on_golden",
    push_contact_job.name,
    [golden_key("person"), push_key("account")],
    push_key("contact"),
    GOLDEN_SENSOR_INTERVAL_SECONDS,
)


def consent_request(
    instance: dg.DagsterInstance, cursor: str | None, resume_after_seconds: float, now: float
) -> tuple[str | None, str | None]:
    """(run key or None, new cursor) for the consent fast path.

    The cursor is `<consent version>|<last run key>`: a golden build whose opt-out flags are all as they were
    (same `consent_version` metadata) requests nothing, only moves the cursor; a change, or a consent push
    that must resume, requests a run. A build without the metadata is treated as a change.
    """
    watched, pushed = [golden_key("person")], consent_key(SHIPPED_SETTINGS.consent.target)
    run_key = push_run_key(instance, watched, pushed, resume_after_seconds, now)
    if run_key is None:
        return None, cursor
    latest = _latest(instance, watched[0])
    flag = (
        latest.asset_materialization.metadata.get(CONSENT_VERSION)
        if latest and latest.asset_materialization
        else None
    )
    version = str(flag.value) if flag else f"build@{latest.storage_id if latest else 0}"
    last_version, _, last_key = (cursor or "").partition("|")
    new_cursor = f"{version}|{run_key}"
    if run_key == last_key or (version == last_version and RESUME not in run_key):
        return None, new_cursor
    return run_key, new_cursor


@dg.sensor(
    name="push_salesforce_consent_on_golden",
    job_name=push_consent_job.name,
    minimum_interval_seconds=SHIPPED_SETTINGS.consent.sensor_interval_seconds,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=f"Runs {push_consent_job.name} when a golden person build changed an opt-out flag.",
)
def push_consent_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    run_key, cursor = consent_request(
        context.instance, context.cursor, SHIPPED_SETTINGS.salesforce.resume_after_seconds, time.time()
    )
    if run_key is None:
        return dg.SensorResult(skip_reason="no opt-out changed since the last consent push", cursor=cursor)
    return dg.SensorResult(run_requests=[dg.RunRequest(run_key=run_key)], cursor=cursor)
