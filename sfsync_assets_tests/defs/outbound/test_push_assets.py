"""The outbound assets materialize against a real emulator and report their numbers; the jobs load."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from sfsync_assets.defs.outbound import jobs, plans, pushes, sensors
from sfsync_assets.defs.outbound.keys import consent_key, plan_key, push_key
from sfsync_assets.defs.outbound.resources import OutboundResource
from sfsync_assets.defs.salesforce_resource import SalesforceResource
from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets_tests.lib.outbound.support import GoldenWorld, write_system_of_record

PUSH_METADATA = {
    "planned",
    "pushed",
    "created",
    "updated",
    "failed",
    "dead_lettered",
    "retries",
    "api_calls_used",
    "api_calls_remaining",
    "duration_s",
    "status",
    "needs_resume",
}


def _resources(emulator: EmulatorProcess, database: Path, system_of_record: Path) -> dict:
    credentials = emulator.credentials
    return {
        "duckdb": DuckDBResource(database=str(database)),
        "salesforce": SalesforceResource(
            domain=emulator.info.login_domain,
            username=credentials.username,
            password=credentials.password,
            security_token=credentials.security_token,
            ca_bundle=emulator.info.ca_file,
        ),
        "outbound": OutboundResource(system_of_record_file=str(system_of_record)),
    }


def _metadata(result: dg.ExecuteInProcessResult, key: dg.AssetKey) -> dict:
    [materialization] = result.asset_materializations_for_node(key.to_python_identifier())
    return {name: value.value for name, value in materialization.metadata.items()}


def test_plan_push_and_consent_assets_report_what_they_did(emulator: EmulatorProcess, tmp_path: Path) -> None:
    database = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(database)) as connection:
        GoldenWorld.create(connection, organizations=20, persons=60)
    outbound_assets = [plans.account_plan, pushes.account_push, plans.contact_plan, pushes.contact_push]
    resources = _resources(emulator, database, write_system_of_record(tmp_path))

    result = dg.materialize([*outbound_assets, pushes.contact_consent], resources=resources)

    assert _metadata(result, plan_key("account"))["dagster/row_count"] == 20
    accounts = _metadata(result, push_key("account"))
    assert set(accounts) >= PUSH_METADATA
    assert (accounts["created"], accounts["status"], accounts["needs_resume"]) == (20, "complete", False)
    assert _metadata(result, push_key("contact"))["created"] == 60
    assert _metadata(result, consent_key("contact"))["api_calls_used"] == 0
    again = dg.materialize(outbound_assets, resources=resources)
    assert _metadata(again, push_key("contact"))["api_calls_used"] == 0
    with duckdb.connect(str(database), read_only=True) as connection:
        recorded = connection.execute("SELECT count(*), sum(calls) FROM ops.api_calls").fetchall()
    assert recorded[0][0] == 5 and recorded[0][1] >= 2


def test_one_push_job_per_target_each_requested_by_its_sensor() -> None:
    definitions = dg.Definitions(
        assets=[
            plans.account_plan,
            plans.contact_plan,
            pushes.account_push,
            pushes.contact_push,
            pushes.contact_consent,
        ],
        jobs=[jobs.push_account_job, jobs.push_contact_job, jobs.push_consent_job],
        sensors=[sensors.push_account_sensor, sensors.push_contact_sensor, sensors.push_consent_sensor],
        resources={
            "duckdb": DuckDBResource(database=":memory:"),
            "salesforce": SalesforceResource(),
            "outbound": OutboundResource(),
        },
    )
    for job, sensor in [
        (jobs.push_account_job, sensors.push_account_sensor),
        (jobs.push_contact_job, sensors.push_contact_sensor),
        (jobs.push_consent_job, sensors.push_consent_sensor),
    ]:
        assert definitions.resolve_job_def(job.name).name == sensor.job_name
    consent = definitions.resolve_job_def(jobs.push_consent_job.name)
    assert consent.tags["dagster/priority"] == jobs.CONSENT_PRIORITY
