"""Reading managed records back from a real emulator: Bulk 2.0 and REST give the same observation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sfsync_assets.lib.emulator.process import EmulatorProcess
from sfsync_assets.lib.outbound.settings import load_outbound_settings
from sfsync_assets.lib.reconcile.salesforce_records import read_targets
from sfsync_assets.lib.salesforce.reader import SalesforceReader

TARGETS = load_outbound_settings().targets


def test_bulk_and_rest_reads_agree_and_resolve_the_parent_golden_id(emulator: EmulatorProcess) -> None:
    prefix = uuid.uuid4().hex[:8]
    sf = emulator.salesforce()
    sf.Account.upsert(f"Golden_Id__c/{prefix}-O", {"Name": f"Org {prefix}", "Credit_Limit__c": 2500})
    sf.Contact.upsert(
        f"Golden_Id__c/{prefix}-P",
        {"LastName": f"P {prefix}", "DoNotCall": True, "Account": {"Golden_Id__c": f"{prefix}-O"}},
    )
    sf.Contact.create({"LastName": f"Unmanaged {prefix}"})
    until = datetime.now(UTC) + timedelta(seconds=1)
    reads = {
        mode: read_targets(SalesforceReader(sf, bulk_threshold=threshold), TARGETS, True, until)
        for mode, threshold in (("bulk", 0), ("rest", 1_000_000))
    }
    for mode, observed in reads.items():
        assert observed["contact"].read_mode == mode
        person = observed["contact"].records[f"{prefix}-P"]
        assert person.values["Account.Golden_Id__c"] == f"{prefix}-O"
        assert person.values["DoNotCall"] == "true"
        account = observed["account"].records[f"{prefix}-O"]
        assert account.values["Credit_Limit__c"] == "2500"
        assert "Lifetime_Value__c" in observed["account"].formula_fields
    assert reads["bulk"]["contact"].records == reads["rest"]["contact"].records
    assert not any(
        r.values.get("LastName", "").startswith("Unmanaged")
        for r in reads["rest"]["contact"].records.values()
    )
