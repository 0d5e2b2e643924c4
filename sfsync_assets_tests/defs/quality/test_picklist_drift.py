"""salesforce_picklists: the picklist values the staged tables rely on, compared with Salesforce describe."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
from dagster_duckdb import DuckDBResource

from sfsync_assets.defs.quality.picklist_drift import CHECK_NAME, salesforce_picklist_drift
from sfsync_assets.lib.emulator.admin_client import EmulatorAdminError
from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.mapping.picklists import picklist_values
from sfsync_assets_tests.defs.monitoring.support import salesforce_resource


def run_check(emulator: EmulatorProcess, warehouse: Path) -> dict[str, dg.AssetCheckEvaluation]:
    result = dg.materialize(
        [salesforce_picklist_drift],
        selection=dg.AssetSelection.checks(salesforce_picklist_drift),
        raise_on_error=False,  # a failed blocking check fails its step; the evaluations are still recorded
        resources={
            "duckdb": DuckDBResource(database=str(warehouse)),
            "salesforce": salesforce_resource(emulator),
        },
    )
    evaluations = result.get_asset_check_evaluations()
    assert {e.check_name for e in evaluations} == {CHECK_NAME}
    return {e.asset_key.to_user_string(): e for e in evaluations}


def test_a_changed_picklist_value_fails_the_check_naming_it(
    fresh_emulator: EmulatorProcess, tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    before = run_check(fresh_emulator, warehouse)
    assert before and all(e.passed for e in before.values()), {k: e.description for k, e in before.items()}
    assert before["staged/erp/customer"].metadata["drifted"].value == 0

    terms = list(picklist_values("Customer_Profile__c.Payment_Terms__c"))
    renamed = ["Net 90" if value == "Net 60" else value for value in terms]
    fresh_emulator.admin.set_picklist_values("Customer_Profile__c", "Payment_Terms__c", renamed)
    after = run_check(fresh_emulator, warehouse)

    relying = {"staged/erp/customer", "staged/salesforce/customer_profile"}
    assert {key for key, e in after.items() if not e.passed} == relying
    for key in relying:
        evaluation = after[key]
        assert evaluation.blocking
        diff = evaluation.metadata["diff"].value
        assert "| Customer_Profile__c | Payment_Terms__c | added in Salesforce | Net 90 |" in diff
        assert "| Customer_Profile__c | Payment_Terms__c | removed in Salesforce | Net 60 |" in diff
        assert (
            evaluation.description == "Customer_Profile__c.Payment_Terms__c: added 'Net 90', removed 'Net 60'"
        )
    assert after["staged/salesforce/account"].passed
    assert after["staged/erp/customer"].metadata["api_calls_this_run"].value == 1  # one Composite call
    with pytest.raises(EmulatorAdminError, match=r"Contact\.LastName is not a picklist field"):
        fresh_emulator.admin.set_picklist_values("Contact", "LastName", ["Smith"])
