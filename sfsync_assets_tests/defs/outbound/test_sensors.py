"""Push sensors: one run per golden version, keyed by it; the same version never twice; unfinished pushes resume."""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import pytest

from sfsync_assets.defs.outbound import sensors
from sfsync_assets.defs.outbound.keys import golden_key, push_key
from sfsync_assets.defs.outbound.resources import SHIPPED_SETTINGS

ORGANIZATIONS, PERSONS = golden_key("organization"), golden_key("person")


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as instance:
        yield instance


def _materialize(instance: dg.DagsterInstance, key: dg.AssetKey, **metadata: object) -> int:
    instance.report_runless_asset_event(dg.AssetMaterialization(key, metadata=metadata))
    return instance.fetch_materializations(key, limit=1).records[0].storage_id


def _tick(sensor: dg.SensorDefinition, instance: dg.DagsterInstance, cursor: str | None = None):
    return sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=cursor))


def test_a_golden_version_is_requested_once_under_a_deterministic_run_key(
    instance: dg.DagsterInstance,
) -> None:
    assert _tick(sensors.push_account_sensor, instance).run_requests == []
    version = _materialize(instance, ORGANIZATIONS)

    first = _tick(sensors.push_account_sensor, instance)

    [request] = first.run_requests
    assert request.run_key == first.cursor == f"golden/organization@{version}"
    assert _tick(sensors.push_account_sensor, instance, first.cursor).run_requests == []
    assert _tick(sensors.push_account_sensor, instance).run_requests[0].run_key == request.run_key
    newer = _materialize(instance, ORGANIZATIONS)
    [next_request] = _tick(sensors.push_account_sensor, instance, first.cursor).run_requests
    assert next_request.run_key == f"golden/organization@{newer}"


def test_contacts_are_pushed_again_once_their_accounts_are(instance: dg.DagsterInstance) -> None:
    persons = _materialize(instance, PERSONS)
    [first] = _tick(sensors.push_contact_sensor, instance).run_requests
    assert first.run_key == f"golden/person@{persons}+outbound/salesforce/account_push@0"

    accounts = _materialize(instance, push_key("account"), needs_resume=False)

    [second] = _tick(sensors.push_contact_sensor, instance, first.run_key).run_requests
    assert second.run_key == f"golden/person@{persons}+outbound/salesforce/account_push@{accounts}"


def test_an_unfinished_push_is_resumed_once_after_a_pause(instance: dg.DagsterInstance) -> None:
    version = _materialize(instance, ORGANIZATIONS)
    pushed = _materialize(instance, push_key("account"), needs_resume=True)
    pushed_at = instance.fetch_materializations(push_key("account"), limit=1).records[0].timestamp
    watched, resume_after = [ORGANIZATIONS], SHIPPED_SETTINGS.salesforce.resume_after_seconds

    too_soon = sensors.push_run_key(instance, watched, push_key("account"), resume_after, pushed_at + 1)
    later = sensors.push_run_key(
        instance, watched, push_key("account"), resume_after, pushed_at + resume_after
    )

    assert too_soon == f"golden/organization@{version}"
    assert later == f"golden/organization@{version}+resume@{pushed}"
    _materialize(instance, push_key("account"), needs_resume=False)
    finished = sensors.push_run_key(instance, watched, push_key("account"), resume_after, pushed_at + 10**6)
    assert finished == f"golden/organization@{version}"


def test_consent_changes_are_looked_for_at_least_every_minute() -> None:
    push_sensors = [sensors.push_account_sensor, sensors.push_contact_sensor, sensors.push_consent_sensor]
    assert all(s.default_status == dg.DefaultSensorStatus.RUNNING for s in push_sensors)
    assert sensors.push_consent_sensor.minimum_interval_seconds <= 30


def test_the_consent_push_is_requested_only_when_an_opt_out_changed(instance: dg.DagsterInstance) -> None:
    def tick(cursor: str | None) -> tuple[list[str], str | None]:
        result = sensors.push_consent_sensor.evaluate_tick(
            dg.build_sensor_context(instance=instance, cursor=cursor)
        )
        return [request.run_key for request in result.run_requests], result.cursor

    first = _materialize(instance, PERSONS, consent_version="a1")
    requested, cursor = tick(None)
    assert requested == [f"golden/person@{first}"]

    _materialize(instance, PERSONS, consent_version="a1")  # rebuilt, every flag as it was
    requested, cursor = tick(cursor)
    assert requested == []

    changed = _materialize(instance, PERSONS, consent_version="b2")
    requested, cursor = tick(cursor)
    assert requested == [f"golden/person@{changed}"]
    assert tick(cursor)[0] == []
    back = _materialize(instance, PERSONS, consent_version="a1")  # an opt-out withdrawn everywhere
    assert tick(cursor)[0] == [f"golden/person@{back}"]
