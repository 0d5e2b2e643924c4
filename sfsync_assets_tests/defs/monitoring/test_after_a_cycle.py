"""After a real sync cycle of a small generated company.

Unchanged: a second cycle with nothing changed in any source writes nothing to Salesforce. Drift: none at first;
ten records edited behind sfsync's back (two without moving SystemModstamp) are exactly what the next
reconciliation reports; the following push puts back the fields the golden record owns, and the rest stays open
for review. Health: with failures planted on top (a value Salesforce refuses, an org out of API calls), the report
names every failure class with its count, and each class's query returns exactly its rows."""

from __future__ import annotations

import html
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import dagster as dg
import duckdb
import pytest

from sfsync_assets.cycle import run_cycle
from sfsync_assets.defs.monitoring.drift import THRESHOLD_CHECK
from sfsync_assets.defs.monitoring.keys import DRIFT, SALESFORCE_RECONCILIATION, SYNC_HEALTH
from sfsync_assets.defs.outbound.erp_writeback import erp_writebacks
from sfsync_assets.defs.outbound.keys import consent_key, golden_key, plan_key, push_key
from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.reconcile import failure_classes as failure_class
from sfsync_assets.lib.reconcile.drift import EDITED_IN_TARGET, FORMULA_CHANGE, REQUEUE, REVIEW
from sfsync_assets.lib.reconcile.settings import load_reconcile_settings
from sfsync_assets.lib.runtime.environment import emulator_environment, prepare_dagster_home
from sfsync_assets.lib.runtime.seeding import ensure_company
from sfsync_assets.lib.salesforce.ingest_settings import load_salesforce_ingest_settings

SCALE = 300


@dataclass
class Deployment:
    emulator: EmulatorProcess
    warehouse: Path
    instance: dg.DagsterInstance
    definitions: dg.Definitions

    def materialize(self, selection: dg.AssetSelection) -> dg.ExecuteInProcessResult:
        job = self.definitions.resolve_implicit_global_asset_job_def()
        keys = selection.resolve(self.definitions.resolve_asset_graph())
        return job.execute_in_process(instance=self.instance, asset_selection=list(keys))

    def query(self, sql: str, parameters: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as connection:
            return connection.execute(sql, parameters or []).fetchall()

    def open_drift(self) -> dict[tuple[str, str], tuple]:
        rows = self.query(
            "SELECT golden_id, field, drift_class, action, expected, actual FROM reconcile.drift "
            "WHERE resolved_at IS NULL"
        )
        return {(row[0], row[1]): row[2:] for row in rows}


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """A small generated company in its own org, after one full sync cycle (shared: a cycle is the slow part)."""
    tmp = tmp_path_factory.mktemp("cycle")
    company = tmp / "company"
    with EmulatorProcess(tmp / "org") as emulator, pytest.MonkeyPatch.context() as monkeypatch:
        ensure_company(company, emulator.state_dir, SCALE, 11, lambda line: None)
        environment = emulator_environment(
            emulator.state_dir, tmp / "data", f"sqlite:///{company / 'erp.sqlite'}", company / "inbound"
        )
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        prepare_dagster_home(os.environ)
        # Records seeded within the settle time are left for the next window: let them settle first.
        time.sleep(load_salesforce_ingest_settings().window.settle_seconds + 0.5)
        from sfsync_assets.definitions import defs

        with dg.DagsterInstance.get() as instance:
            run_cycle(lambda line: None)
            yield Deployment(emulator, Path(environment["SFSYNC_DUCKDB_PATH"]), instance, defs())


def _ledger(deployment: Deployment, target: str) -> list[tuple[str, str, dict]]:
    """(golden id, record id, pushed values) of records Salesforce still holds live, in golden id order."""
    rows = deployment.query(
        "SELECT l.golden_id, l.record_id, l.pushed_values::VARCHAR FROM outbound.ledger AS l "
        "JOIN reconcile.salesforce_observed AS o ON o.target = l.target AND o.record_id = l.record_id "
        "WHERE l.target = ? AND NOT o.is_deleted ORDER BY l.golden_id",
        [target],
    )
    return [(golden_id, record_id, json.loads(values)) for golden_id, record_id, values in rows]


TARGETS = ("account", "contact")
PUSHES = [push_key("account"), push_key("contact"), consent_key("contact")]


def _api_used(deployment: Deployment) -> int:
    limits = deployment.emulator.admin.limits()["DailyApiRequests"]
    return limits["Max"] - limits["Remaining"]


def _metadata(deployment: Deployment, key: dg.AssetKey) -> tuple[str, dict]:
    event = deployment.instance.get_latest_materialization_event(key)
    assert event is not None and event.asset_materialization is not None
    return event.run_id, {name: value.value for name, value in event.asset_materialization.metadata.items()}


def test_a_cycle_with_nothing_changed_plans_and_sends_nothing(deployment: Deployment) -> None:
    """What the first cycle wrote comes back through ingest: records it created (with the defaults Salesforce
    gave the fields it did not send), records it adopted and stamped, refusals waiting in the dead letter. None of
    that is a change: the second cycle sends no record, spends API calls only on its reads and retries no refusal
    whose payload is still the one Salesforce refused."""
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


def test_drift_is_empty_after_a_cycle_and_reports_exactly_what_was_edited_in_salesforce(
    deployment: Deployment,
) -> None:
    cycle_drift = deployment.instance.get_latest_materialization_event(DRIFT)
    assert cycle_drift is not None and cycle_drift.asset_materialization is not None
    assert cycle_drift.asset_materialization.metadata["dagster/row_count"].value == 0
    assert deployment.open_drift() == {}

    accounts = [row for row in _ledger(deployment, "account") if "BillingCity" in row[2]]
    accounts_with_limit = [row for row in accounts if "Credit_Limit__c" in row[2]]
    contacts = _ledger(deployment, "contact")[:4]
    assert len(accounts) >= 6 and accounts_with_limit and len(contacts) == 4
    edited_cities = [row for row in accounts if row is not accounts_with_limit[0]][:4]
    silent_formula = next(
        row for row in accounts if row not in edited_cities and row is not accounts_with_limit[0]
    )
    someone_else = deployment.emulator.salesforce(client_id="someone_else")
    expected: dict[tuple[str, str], tuple] = {}
    for n, (golden_id, record_id, pushed) in enumerate(edited_cities):
        someone_else.Account.update(record_id, {"BillingCity": f"Drift City {n}"})
        expected[golden_id, "BillingCity"] = (
            EDITED_IN_TARGET,
            REQUEUE,
            pushed["BillingCity"],
            f"Drift City {n}",
        )
    golden_id, record_id, pushed = accounts_with_limit[0]
    deployment.emulator.admin.silent_update("Account", record_id, {"Credit_Limit__c": 123456})
    expected[golden_id, "Credit_Limit__c"] = (FORMULA_CHANGE, REQUEUE, pushed["Credit_Limit__c"], "123456")
    golden_id, record_id, _ = silent_formula
    [lifetime_before] = deployment.query(
        "SELECT json_extract_string(observed_values, 'Lifetime_Value__c') FROM reconcile.salesforce_observed "
        "WHERE record_id = ?",
        [record_id],
    )[0]
    deployment.emulator.admin.silent_update("Account", record_id, {"Lifetime_Value__c": 987654})
    expected[golden_id, "Lifetime_Value__c"] = (FORMULA_CHANGE, REVIEW, lifetime_before, "987654")
    for n, (golden_id, record_id, _) in enumerate(contacts):
        field = "Title" if n < 3 else "MailingCity"
        someone_else.Contact.update(record_id, {field: f"Edited {n}"})
        expected[golden_id, field] = (EDITED_IN_TARGET, REVIEW)

    reconciliation = deployment.materialize(dg.AssetSelection.assets(SALESFORCE_RECONCILIATION, DRIFT))

    found = deployment.open_drift()
    assert set(found) == set(expected)
    for key, (drift_class, action, *values) in expected.items():
        assert found[key][:2] == (drift_class, action), key
        if values:
            assert list(found[key][2:]) == values, key
    drift_metadata = next(
        event.materialization.metadata
        for event in reconciliation.get_asset_materialization_events()
        if event.materialization.asset_key == DRIFT
    )
    assert drift_metadata["records_drifted"].value == 10
    [check] = [e for e in reconciliation.get_asset_check_evaluations() if e.check_name == THRESHOLD_CHECK]
    assert not check.passed

    deployment.materialize(
        dg.AssetSelection.key_prefixes(["outbound", "salesforce"])
        | dg.AssetSelection.assets(SALESFORCE_RECONCILIATION, DRIFT)
    )

    sf = deployment.emulator.salesforce()
    for golden_id, record_id, pushed in [*edited_cities, accounts_with_limit[0]]:
        held = sf.Account.get(record_id)
        assert held["BillingCity"] == pushed["BillingCity"]
        if golden_id == accounts_with_limit[0][0]:
            assert str(held["Credit_Limit__c"]).removesuffix(".0") == pushed["Credit_Limit__c"]
    review = {key for key, (_, action, *_) in expected.items() if action == REVIEW}
    assert set(deployment.open_drift()) == review - {(silent_formula[0], "Lifetime_Value__c")}


def _count_query(kind: str, rows_query: str) -> str:
    """How a failure class counts its rows: records for quarantine and dead letters, fields for drift."""
    counted = {
        failure_class.QUARANTINE: "DISTINCT record_ref",
        failure_class.DEAD_LETTER: "DISTINCT golden_id",
        failure_class.DRIFT: "*",
    }[kind]
    return f"SELECT count({counted}) FROM ({rows_query})"


def test_health_report_names_every_failure_class_with_counts_and_where_its_rows_are(
    deployment: Deployment,
) -> None:
    refused, _, _ = _ledger(deployment, "account")[0]
    stalled, _, _ = _ledger(deployment, "contact")[-1]
    edited = _ledger(deployment, "contact")[-2][1]
    with duckdb.connect(str(deployment.warehouse)) as connection:
        connection.execute(
            'UPDATE golden.organization SET "BillingCity" = ? WHERE golden_id = ?', ["x" * 300, refused]
        )
        connection.execute(
            'UPDATE golden.person SET "ERP_Contact_Id__c" = ? WHERE golden_id = ?', ["planted", stalled]
        )
    deployment.materialize(dg.AssetSelection.assets(plan_key("account"), push_key("account")))
    deployment.emulator.salesforce(client_id="someone_else").Contact.update(edited, {"Title": "Planted"})
    deployment.materialize(dg.AssetSelection.assets(SALESFORCE_RECONCILIATION, DRIFT))
    deployment.emulator.admin.set_limit("DailyApiRequests", maximum=1000, used=1000)
    stopped = deployment.materialize(dg.AssetSelection.assets(plan_key("contact"), push_key("contact")))

    health = deployment.materialize(dg.AssetSelection.assets(SYNC_HEALTH))

    [event] = health.get_asset_materialization_events()
    metadata = event.materialization.metadata
    failures = [record.data for record in metadata["failures"].value.records]
    by_kind: dict[str, list[dict]] = {}
    for failure in failures:
        by_kind.setdefault(failure["kind"], []).append(failure)
    assert set(by_kind) >= {
        failure_class.QUARANTINE,
        failure_class.DEAD_LETTER,
        failure_class.DRIFT,
        failure_class.FAILED_CHECK,
        failure_class.STOPPED_EARLY,
    }
    for kind in (failure_class.QUARANTINE, failure_class.DEAD_LETTER, failure_class.DRIFT):
        for failure in by_kind[kind]:
            [(rows,)] = deployment.query(_count_query(kind, failure["rows"]))
            assert rows == failure["count"] > 0, failure
        assert metadata[f"failures/{kind}"].value == sum(f["count"] for f in by_kind[kind])
    [(quarantined,)] = deployment.query(
        "SELECT count(DISTINCT (system, source_object, rule)) FROM quality.quarantine WHERE resolved_at IS NULL"
    )
    assert len(by_kind[failure_class.QUARANTINE]) == quarantined
    dead_letters = {(f["class"], f["where"], f["count"]) for f in by_kind[failure_class.DEAD_LETTER]}
    assert ("STRING_TOO_LONG", "account", 1) in dead_letters
    assert dead_letters == {
        (code, target, records)
        for target, code, records in deployment.query(
            "SELECT target, error_code, count(DISTINCT golden_id) FROM outbound.dead_letter WHERE NOT resolved "
            "GROUP BY ALL"
        )
    }
    assert (EDITED_IN_TARGET, "contact") in {(f["class"], f["where"]) for f in by_kind[failure_class.DRIFT]}
    ui_url = load_reconcile_settings().health.ui_url
    assert {
        "kind": failure_class.FAILED_CHECK,
        "class": THRESHOLD_CHECK,
        "where": "monitoring/drift",
        "count": 1,
        "rows": f"{ui_url}/assets/monitoring/drift?view=checks",
    } in by_kind[failure_class.FAILED_CHECK]
    [stop] = by_kind[failure_class.STOPPED_EARLY]
    assert stop["where"] == "outbound/salesforce/contact_push" and "API allocation" in stop["class"]
    assert stop["rows"] == f"{ui_url}/runs/{stopped.run_id}"
    report = metadata["report"].value
    page = Path(metadata["report_html"].value.removeprefix("file://")).read_text(encoding="utf-8")
    for failure in failures:
        assert failure["rows"] in report and html.escape(failure["rows"], quote=True) in page


def _latest(deployment: Deployment, key: dg.AssetKey) -> dict:
    event = deployment.instance.get_latest_materialization_event(key)
    assert event is not None and event.asset_materialization is not None, key
    return {label: value.value for label, value in event.asset_materialization.metadata.items()}


def _columns(deployment: Deployment, table: str) -> list[tuple[str, str, bool]]:
    described = deployment.query(f"DESCRIBE {table}")
    return [(name, kind.lower(), nullable == "YES") for name, kind, nullable, *_ in described]


def _shown(schema: dg.TableSchema) -> list[tuple[str, str, bool]]:
    return [(column.name, column.type, column.constraints.nullable) for column in schema.columns]


def test_table_pages_show_the_columns_their_tables_have_and_golden_pages_link_the_health_report(
    deployment: Deployment,
) -> None:
    writeback = erp_writebacks[0].key
    schemas = {
        (plan_key("account"), "dagster/column_schema"): "outbound.plan",
        (push_key("contact"), "dagster/column_schema"): "outbound.ledger",
        (push_key("contact"), "audit_columns"): "outbound.audit",
        (push_key("contact"), "dead_letter_columns"): "outbound.dead_letter",
        (writeback, "ledger_columns"): "outbound.ledger",
        (SALESFORCE_RECONCILIATION, "dagster/column_schema"): "reconcile.salesforce_observed",
        (DRIFT, "dagster/column_schema"): "reconcile.drift",
    }
    for (key, label), table in schemas.items():
        assert _shown(_latest(deployment, key)[label]) == _columns(deployment, table), (key, label)

    report = _latest(deployment, SYNC_HEALTH)["report_html"]
    rebuilt = deployment.materialize(dg.AssetSelection.assets(golden_key("organization")))
    [event] = rebuilt.get_asset_materialization_events()
    golden = {label: value.value for label, value in event.materialization.metadata.items()}
    assert golden["sync_health_report"] == report
    assert Path(urlparse(report).path).is_file()
    [(entities,)] = deployment.query(
        "SELECT count(DISTINCT golden_id) FROM identity.xref WHERE entity_type = 'organization' AND is_active"
    )
    assert golden["entities"] == entities > 0
    assert golden["merges"] == golden["splits"] == 0  # identity did not run since the cycle's golden build
