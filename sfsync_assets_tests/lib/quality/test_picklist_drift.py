"""Picklist drift between the org schema file and what describe reports, and the picklists a table relies on."""

from __future__ import annotations

from sfsync_assets.defs.quality.staged import MAPPINGS
from sfsync_assets.lib.mapping.picklists import picklist_values
from sfsync_assets.lib.quality.picklist_drift import PicklistDrift, picklist_drift, picklists_of

INDUSTRY = "Account.Industry"


def test_matching_picklists_are_not_listed() -> None:
    assert picklist_drift([INDUSTRY], {"Account": {"Industry": picklist_values(INDUSTRY)}}) == []


def test_added_and_removed_values_and_a_vanished_field_are_named() -> None:
    values = list(picklist_values(INDUSTRY))
    described = {"Account": {"Industry": [*values[1:], "Aerospace"]}}
    stages = "Lead.Status"
    (industry, status) = picklist_drift([INDUSTRY, stages], described)
    assert industry == PicklistDrift("Account", "Industry", ("Aerospace",), (values[0],))
    assert industry.describe() == f"Account.Industry: added 'Aerospace', removed {values[0]!r}"
    assert status.missing and status.removed == picklist_values(stages)
    assert status.describe() == "Lead.Status is not a picklist in Salesforce any more"


def test_a_table_relies_on_its_own_picklist_steps_and_schema_columns_only() -> None:
    by_file = {m.path.name: m for m in MAPPINGS}
    customers = by_file["erp__customers.yaml"]
    organization, person = customers.spec.targets
    assert picklists_of(customers, organization) == {
        INDUSTRY,
        "Customer_Profile__c.Payment_Terms__c",
        "Customer_Profile__c.Credit_Rating__c",
        "Customer_Profile__c.Incoterms__c",
    }
    assert picklists_of(customers, person) == set()
    lead = by_file["salesforce__lead.yaml"]  # picklists checked on the source, not staged
    assert picklists_of(lead, lead.spec.targets[0]) == {"Lead.Status", "Lead.LeadSource", "Lead.Industry"}
