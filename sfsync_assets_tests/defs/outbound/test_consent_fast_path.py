"""The consent fast path: a golden opt-out is requested by the consent sensor on its own, at the front of the queue,
and written to the Contact that exists with one small call, carrying only the opt-out flags.

The opt-out fields here rank Salesforce first, as contact fields do, and still reach Salesforce: where the most
restrictive value wins, no system owns the field.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from sfsync_assets.defs.outbound import jobs, pushes, sensors
from sfsync_assets.defs.outbound.keys import consent_key, golden_key
from sfsync_assets.defs.outbound.resources import OutboundResource
from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.outbound.push import PushScope
from sfsync_assets_tests.defs.monitoring.support import salesforce_resource
from sfsync_assets_tests.lib.outbound.support import SYSTEM_OF_RECORD, GoldenWorld, fast_settings, run_push

CONSENT_RULES = """\
    HasOptedOutOfEmail: {class: salesforce_first, prefer: most_restrictive}
    DoNotCall: {class: salesforce_first, prefer: most_restrictive}
"""


def test_an_opt_out_is_pushed_alone_by_the_consent_job_its_sensor_requests(
    emulator: EmulatorProcess, tmp_path: Path
) -> None:
    matrix = tmp_path / "system_of_record.yaml"
    matrix.write_text(SYSTEM_OF_RECORD + CONSENT_RULES, encoding="utf-8")
    database = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(database)) as connection:
        world = GoldenWorld.create(connection, organizations=2, persons=6)
        for target in ("account", "contact"):
            assert run_push(connection, emulator, fast_settings(), target, matrix).report.failed == set()
        opting_out = [world.person_id(1), world.person_id(2)]
        world.update("person", "HasOptedOutOfEmail", True, opting_out)
        world.update("person", "DoNotCall", True, opting_out[:1])
        world.update("person", "MailingCity", "York", opting_out)  # not consent: waits for the full push

    with dg.instance_for_test() as instance:
        instance.report_runless_asset_event(dg.AssetMaterialization(golden_key("person")))
        tick = sensors.push_consent_sensor.evaluate_tick(dg.build_sensor_context(instance=instance))
        [request] = tick.run_requests
        definitions = dg.Definitions(
            assets=[pushes.contact_consent],
            jobs=[jobs.push_consent_job],
            resources={
                "duckdb": DuckDBResource(database=str(database)),
                "salesforce": salesforce_resource(emulator),
                "outbound": OutboundResource(system_of_record_file=str(matrix)),
            },
        )
        job = definitions.resolve_job_def(sensors.push_consent_sensor.job_name)
        result = job.execute_in_process(instance=instance, tags=request.tags)

    assert job.tags["dagster/priority"] == jobs.CONSENT_PRIORITY
    [materialization] = result.asset_materializations_for_node(consent_key("contact").to_python_identifier())
    metadata = {name: value.value for name, value in materialization.metadata.items()}
    assert (metadata["pushed"], metadata["collections_requests"], metadata["bulk_jobs"]) == (2, 1, 0)
    sf = emulator.salesforce()
    records = sf.query_all(
        "SELECT Golden_Id__c, HasOptedOutOfEmail, DoNotCall, MailingCity FROM Contact "
        f"WHERE Golden_Id__c LIKE '{world.prefix}-%'"
    )["records"]
    by_id = {record["Golden_Id__c"]: record for record in records}
    assert [by_id[g]["HasOptedOutOfEmail"] for g in opting_out] == [True, True]
    assert [by_id[g]["DoNotCall"] for g in opting_out] == [True, False]
    assert all(by_id[g]["MailingCity"] == "Leeds" for g in opting_out)
    with duckdb.connect(str(database)) as connection:
        sent = connection.execute(
            "SELECT DISTINCT fields_sent FROM outbound.audit WHERE target = 'contact' AND run_id = ?",
            [result.run_id],
        ).fetchall()
        again = run_push(
            connection,
            emulator,
            fast_settings(),
            PushScope("contact", ("HasOptedOutOfEmail", "DoNotCall")),
            matrix,
        )
    assert sorted(row[0] for row in sent) == ["DoNotCall,HasOptedOutOfEmail", "HasOptedOutOfEmail"]
    assert again.api_calls_used == 0
