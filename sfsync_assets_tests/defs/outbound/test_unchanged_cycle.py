"""A sync cycle right after a full one, with nothing changed in any source, writes nothing to Salesforce.

What the first cycle wrote comes back through ingest: records it created (with the defaults Salesforce gave the
fields it did not send), records it adopted and stamped, and refusals waiting in the dead letter. None of that is
a change, so the second cycle plans no record it could send, spends API calls only on its reads, and retries
no refusal whose payload is still the one Salesforce refused."""

from __future__ import annotations

import time

import dagster as dg

from sfsync_assets.cycle import run_cycle
from sfsync_assets.defs.outbound.keys import consent_key, plan_key, push_key
from sfsync_assets.lib.salesforce.ingest_settings import load_salesforce_ingest_settings
from sfsync_assets_tests.defs.monitoring.test_after_a_cycle import Deployment, deployment  # noqa: F401

TARGETS = ("account", "contact")
PUSHES = [push_key("account"), push_key("contact"), consent_key("contact")]


def _api_used(cycled: Deployment) -> int:
    limits = cycled.emulator.admin.limits()["DailyApiRequests"]
    return limits["Max"] - limits["Remaining"]


def _metadata(cycled: Deployment, key: dg.AssetKey) -> tuple[str, dict]:
    event = cycled.instance.get_latest_materialization_event(key)
    assert event is not None and event.asset_materialization is not None
    return event.run_id, {name: value.value for name, value in event.asset_materialization.metadata.items()}


def test_a_cycle_with_nothing_changed_plans_and_sends_nothing(
    deployment: Deployment,  # noqa: F811
) -> None:
    full_run, _ = _metadata(deployment, push_key("contact"))
    refused_attempts = deployment.query("SELECT count(*), sum(attempts) FROM outbound.dead_letter")
    time.sleep(load_salesforce_ingest_settings().window.settle_seconds + 0.5)
    used_before = _api_used(deployment)

    run_cycle(lambda line: None)

    growth = _api_used(deployment) - used_before
    run_id, _ = _metadata(deployment, push_key("contact"))
    assert run_id != full_run
    for key in PUSHES:
        pushed_in, pushed = _metadata(deployment, key)
        assert (pushed_in, pushed["pushed"], pushed["failed"], pushed["api_calls_used"]) == (run_id, 0, 0, 0)
    for target in TARGETS:
        plan_run, plan = _metadata(deployment, plan_key(target))
        assert plan_run == run_id
        ready = deployment.query(
            "SELECT golden_id, reason, send::VARCHAR FROM outbound.plan WHERE target = ? AND NOT waiting_for_parent",
            [target],
        )
        assert ready == [] and plan["changed"] == plan["adopt"] == plan["retry"] == 0
    assert deployment.query(
        "SELECT count(*) FROM outbound.audit WHERE run_id = ? AND target IN ('account', 'contact')", [run_id]
    ) == [(0,)]
    assert deployment.query("SELECT count(*), sum(attempts) FROM outbound.dead_letter") == refused_attempts
    reads = deployment.query("SELECT sum(calls) FROM ops.api_calls WHERE run_id = ?", [run_id])[0][0]
    assert 0 < growth == reads
